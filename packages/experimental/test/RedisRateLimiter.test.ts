import { ClusterSlot, Redis } from "@effect-redis/client"
import { RedisRateLimiter } from "@effect-redis/experimental"
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as IoRedisRateLimiter from "@effect/experimental/RateLimiter/Redis"
import { assert, it } from "@effect/vitest"
import { Context, Duration, Effect, Either, Layer, Option } from "effect"
import { Endpoint, standalone, topologies } from "./topologies.js"

const limiter = Effect.provide(RateLimiter.make, RedisRateLimiter.layerStore())

/** Consumes one token `times` times at once; the successes and the failures. */
const race = (
  consume: RateLimiter.RateLimiter["consume"],
  options: Parameters<RateLimiter.RateLimiter["consume"]>[0],
  times: number
) =>
  Effect.map(
    Effect.forEach(Array.from({ length: times }), () => Effect.either(consume(options)), { concurrency: "unbounded" }),
    (results) => ({
      allowed: results.filter(Either.isRight).length,
      exceeded: results.filter((result) => Either.isLeft(result) && result.left.reason === "Exceeded").length
    })
  )

for (const [topology, redisLayer] of topologies) {
  it.layer(redisLayer, { timeout: 60_000 })(`RedisRateLimiter (${topology})`, (it) => {
    for (const algorithm of ["fixed-window", "token-bucket"] as const) {
      it.effect(`${algorithm}: 300 concurrent consumers get exactly the limit`, () =>
        Effect.gen(function*() {
          const { consume } = yield* limiter
          // Keys spread over the slots: every master of a cluster serves some of them.
          const counts = yield* Effect.forEach(
            ["a", "b", "c", "d", "e", "f"],
            (user) =>
              race(consume, { key: `rl-race-${algorithm}-${user}`, algorithm, limit: 20, window: "1 hour" }, 50),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(counts, Array.from({ length: 6 }, () => ({ allowed: 20, exceeded: 30 })))
        }))
    }

    it.effect("fixed-window: the counter key lives as long as the window it has used", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const { consume } = yield* limiter
        const options = { key: "rl-window", limit: 4, window: "1 minute" } as const
        const first = yield* consume({ ...options, tokens: 2 })
        assert.strictEqual(first.remaining, 2)
        assert.deepStrictEqual(yield* redis.get("ratelimiter:rl-window"), Option.some("2"))
        // Each token takes a quarter of the window.
        const pttl = yield* redis.pttl("ratelimiter:rl-window")
        assert.isTrue(pttl > 25_000 && pttl <= 30_000, `PTTL ${pttl}`)
        yield* consume({ ...options, tokens: 2 })
        const exceeded = yield* Effect.flip(consume(options))
        assert.strictEqual(exceeded.reason, "Exceeded")
        assert.isTrue(Duration.lessThanOrEqualTo((exceeded as RateLimiter.RateLimitExceeded).retryAfter, "1 minute"))
        // A refused consumption neither counts nor extends the window.
        assert.deepStrictEqual(yield* redis.get("ratelimiter:rl-window"), Option.some("4"))
      }))

    it.effect("fixed-window: in delay mode, consumers beyond the limit wait for a later window", () =>
      Effect.gen(function*() {
        const { consume } = yield* limiter
        const options = { key: "rl-delay", limit: 2, window: "1 hour", onExceeded: "delay" } as const
        const delays = yield* Effect.forEach([1, 2, 3, 4, 5], () => consume(options))
        assert.deepStrictEqual(delays.slice(0, 2).map((result) => Duration.toMillis(result.delay)), [0, 0])
        for (const result of delays.slice(2, 4)) {
          assert.isTrue(Duration.between(result.delay, { minimum: "59 minutes", maximum: "1 hour" }))
        }
        assert.isTrue(Duration.between(delays[4]!.delay, { minimum: "119 minutes", maximum: "2 hours" }))
      }))

    it.effect("token-bucket: a bucket refills one token per window / limit", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const { consume } = yield* limiter
        const options = { key: "rl-refill", algorithm: "token-bucket", limit: 3, window: "3 hours" } as const
        yield* consume({ ...options, tokens: 3 })
        assert.strictEqual((yield* Effect.flip(consume(options))).reason, "Exceeded")
        // Both keys of a bucket are in one slot, and expire once it would be full again.
        assert.strictEqual(
          ClusterSlot.slotOf("ratelimiter:{rl-refill}"),
          ClusterSlot.slotOf("ratelimiter:{rl-refill}:refill")
        )
        const untilFull = yield* redis.pttl("ratelimiter:{rl-refill}")
        assert.isTrue(untilFull > 3 * 3_600_000 - 10_000 && untilFull <= 3 * 3_600_000, `PTTL ${untilFull}`)
        // An hour passes for the bucket: its last refill moves back by one token's time.
        const refilled = Number(Option.getOrThrow(yield* redis.get("ratelimiter:{rl-refill}:refill")))
        yield* redis.set("ratelimiter:{rl-refill}:refill", refilled - 3_600_000, { keepttl: true })
        const result = yield* consume(options)
        assert.strictEqual(result.remaining, 0)
        assert.strictEqual((yield* Effect.flip(consume(options))).reason, "Exceeded")
      }))

    it.effect("token-bucket: in delay mode, the count goes below zero and the delay grows", () =>
      Effect.gen(function*() {
        const { consume } = yield* limiter
        const options = {
          key: "rl-bucket-delay",
          algorithm: "token-bucket",
          limit: 2,
          window: "2 hours",
          onExceeded: "delay"
        } as const
        const results = yield* Effect.forEach([1, 2, 3, 4], () => consume(options))
        assert.deepStrictEqual(results.map((result) => Duration.toMillis(result.delay)), [0, 0, 3_600_000, 7_200_000])
        assert.deepStrictEqual(results.map((result) => result.remaining), [1, 0, -1, -2])
      }))
  })
}

it.layer(standalone, { timeout: 60_000 })("RedisRateLimiter and the ioredis store of @effect/experimental", (it) => {
  it.scoped("fixed-window: share one window", () =>
    Effect.gen(function*() {
      const { server } = yield* Endpoint
      const ours = yield* limiter
      const context = yield* Layer.build(
        Layer.provide(RateLimiter.layer, IoRedisRateLimiter.layerStore({ host: server!.host, port: server!.port }))
      )
      const theirs = Context.get(context, RateLimiter.RateLimiter)
      const options = { key: "rl-compat", limit: 4, window: "1 hour" } as const
      assert.strictEqual((yield* theirs.consume(options)).remaining, 3)
      assert.strictEqual((yield* ours.consume(options)).remaining, 2)
      assert.strictEqual((yield* theirs.consume(options)).remaining, 1)
      assert.strictEqual((yield* ours.consume(options)).remaining, 0)
      assert.strictEqual((yield* Effect.flip(theirs.consume(options))).reason, "Exceeded")
      assert.strictEqual((yield* Effect.flip(ours.consume(options))).reason, "Exceeded")
    }))
})
