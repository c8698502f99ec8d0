import { Commands, Redis, RedisConfig } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Option, TestClock } from "effect"
import { calls, eventually } from "./utils.js"

const { commands } = Commands

const connect = (options: RedisConfig.Options) => Redis.make(options).pipe(Effect.provide(NodeTransport.layer))

/** A server, a caching client and a plain one (the "other application" that writes). */
const setup = (cache: RedisConfig.CacheOptions = {}) =>
  Effect.gen(function*() {
    const server = yield* RedisServer.make()
    const redis = yield* connect({ url: server.url, cache })
    const other = yield* connect({ url: server.url })
    return { server, redis, other }
  })

describe("client-side caching", () => {
  it.scopedLive(
    "serves repeated reads from memory and the server's invalidations keep them fresh",
    () =>
      Effect.gen(function*() {
        const { other, redis } = yield* setup()
        yield* other.set("user:1", "Ada")
        assert.deepStrictEqual(yield* redis.get("user:1"), Option.some("Ada"))
        assert.deepStrictEqual(yield* redis.get("user:1"), Option.some("Ada"))
        assert.deepStrictEqual(yield* redis.get("user:1"), Option.some("Ada"))
        assert.strictEqual(yield* calls(other, "get"), 1)
        assert.deepStrictEqual(yield* redis.cacheStats, { hits: 2, misses: 1, size: 1, evictions: 0, invalidations: 0 })
        // Another client writes: the server's invalidation reaches this one.
        yield* other.set("user:1", "Grace")
        yield* eventually(redis.get("user:1"), (value) => Option.getOrNull(value) === "Grace", 5)
        assert.isAtLeast((yield* redis.cacheStats).invalidations, 1)
        // Missing keys are cached too, and invalidated when they appear.
        assert.deepStrictEqual(yield* redis.get("user:2"), Option.none())
        yield* other.set("user:2", "Linus")
        yield* eventually(redis.get("user:2"), Option.isSome, 5)
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "caches each command line on its own, structured replies included, and drops them on FLUSHDB",
    () =>
      Effect.gen(function*() {
        const { other, redis } = yield* setup()
        yield* other.hset("h", { a: "1", b: "2" })
        const first = yield* redis.hgetall("h")
        const second = yield* redis.hgetall("h")
        assert.deepStrictEqual(second, { a: "1", b: "2" })
        assert.notStrictEqual(first, second, "every hit decodes a fresh value")
        assert.deepStrictEqual(yield* redis.hget("h", "a"), Option.some("1"))
        assert.deepStrictEqual(
          yield* redis.mget(["h", "missing"]).pipe(Effect.either),
          Either.right([Option.none(), Option.none()])
        )
        assert.strictEqual((yield* redis.cacheStats).size, 3)
        yield* other.flushdb()
        yield* eventually(redis.cacheStats, (stats) => stats.size === 0, 5)
        assert.deepStrictEqual(yield* redis.hgetall("h"), {})
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "its own writes drop what they change by the time they complete, in batches too",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* setup()
        yield* redis.set("counter", "1")
        assert.deepStrictEqual(yield* redis.get("counter"), Option.some("1"))
        yield* redis.incr("counter")
        assert.deepStrictEqual(yield* redis.get("counter"), Option.some("2"))
        yield* redis.pipeline([commands.set("counter", "10")])
        assert.deepStrictEqual(yield* redis.get("counter"), Option.some("10"))
        yield* redis.transaction([commands.del(["counter"])])
        assert.deepStrictEqual(yield* redis.get("counter"), Option.none())
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "never keeps a reply older than an invalidation handled while it was on its way",
    () =>
      Effect.gen(function*() {
        const { other, redis } = yield* setup()
        // A read and another client's write of the same key go out together, again and again: the read's reply
        // and the write's invalidation often arrive in one socket read, the invalidation first.
        let stale = 0
        for (let round = 0; round < 300; round++) {
          const key = `race:${round}`
          yield* other.set(key, "old")
          yield* Effect.all([redis.get(key), other.set(key, "new")], { concurrency: "unbounded" })
          // The write has its reply; a round trip on the reading connection brings any invalidation sent before.
          yield* redis.ping()
          if (Option.getOrNull(yield* redis.get(key)) !== "new") stale++
        }
        assert.strictEqual(stale, 0, "reads served a value older than a write whose invalidation had arrived")
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("never caches what changes without a write: TTL, random members, TOUCH", () =>
    Effect.gen(function*() {
      const { other, redis } = yield* setup()
      yield* other.set("expiring", "1", { ex: 100 })
      yield* other.sadd("members", ["a", "b", "c"])
      for (let i = 0; i < 2; i++) {
        yield* redis.ttl("expiring")
        yield* redis.srandmember("members")
        yield* redis.touch(["expiring"])
      }
      assert.deepStrictEqual(
        [yield* calls(other, "ttl"), yield* calls(other, "srandmember"), yield* calls(other, "touch")],
        [2, 2, 2]
      )
      assert.deepStrictEqual(yield* redis.cacheStats, { hits: 0, misses: 0, size: 0, evictions: 0, invalidations: 0 })
    }), { timeout: 30_000 })

  it.scopedLive(
    "never serves SORT_RO … BY or GET stale: the keys it reads are not the ones it names",
    () =>
      Effect.gen(function*() {
        const { other, redis } = yield* setup()
        yield* other.rpush("ids", ["1", "2"])
        yield* other.mset({ "weight:1": "10", "weight:2": "20", "name:1": "Ada", "name:2": "Grace" })
        const sorted = redis.sortRo("ids", { by: "weight:*", get: ["name:*"] })
        assert.deepStrictEqual(yield* sorted, [Option.some("Ada"), Option.some("Grace")])
        // Only the weights change; `ids`, the one key SORT_RO declares, does not.
        yield* other.mset({ "weight:1": "30" })
        assert.deepStrictEqual(yield* sorted, [Option.some("Grace"), Option.some("Ada")])
        yield* other.mset({ "name:2": "Linus" })
        assert.deepStrictEqual(yield* sorted, [Option.some("Linus"), Option.some("Ada")])
        assert.strictEqual(yield* calls(other, "sort_ro"), 3)
        assert.strictEqual((yield* redis.cacheStats).size, 0)
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("keeps at most maxEntries replies, the most recently used", () =>
    Effect.gen(function*() {
      const { other, redis } = yield* setup({ maxEntries: 5 })
      for (let i = 0; i < 8; i++) yield* redis.get(`k${i}`)
      const stats = yield* redis.cacheStats
      assert.deepStrictEqual([stats.size, stats.evictions], [5, 3])
      // The most recently used survive: k3..k7.
      yield* redis.get("k7")
      yield* redis.get("k3")
      assert.strictEqual((yield* redis.cacheStats).hits, 2)
      yield* redis.get("k2")
      assert.strictEqual(yield* calls(other, "get"), 9, "an evicted reply is asked again")
    }), { timeout: 30_000 })

  // Under the TestClock (`it.scoped`): the cache reads time on the client's Clock; the server is real.
  it.scoped(
    "keeps each reply for at most ttl, on the Clock: the TestClock expires it without waiting",
    () =>
      Effect.gen(function*() {
        const { other, redis } = yield* setup({ ttl: "1 minute" })
        yield* other.set("k", "1")
        assert.deepStrictEqual(yield* redis.get("k"), Option.some("1"))
        yield* TestClock.adjust("59 seconds")
        assert.deepStrictEqual(yield* redis.get("k"), Option.some("1"))
        assert.strictEqual(yield* calls(other, "get"), 1, "still fresh")
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual(yield* redis.get("k"), Option.some("1"))
        assert.strictEqual(yield* calls(other, "get"), 2, "an expired reply is asked again")
        assert.deepStrictEqual(yield* redis.cacheStats, { hits: 1, misses: 2, size: 1, evictions: 0, invalidations: 0 })
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "forgets everything when the connection is lost, and tracks again after the reconnect",
    () =>
      Effect.gen(function*() {
        const { other, redis } = yield* setup()
        yield* other.set("k", "before")
        assert.deepStrictEqual(yield* redis.get("k"), Option.some("before"))
        const clients = yield* other.clientList()
        const tracking = clients.find((client) => client.flags?.includes("t"))
        const id = tracking?.id
        assert.isDefined(id, "the caching connection has tracking on")
        yield* other.raw(["CLIENT", "KILL", "ID", id])
        // Written while the caching client is away: no invalidation can reach it.
        yield* other.set("k", "while away")
        assert.deepStrictEqual(
          yield* eventually(Effect.either(redis.get("k")), Either.isRight, 10),
          Either.right(Option.some("while away"))
        )
        yield* other.set("k", "after")
        yield* eventually(redis.get("k"), (value) => Option.getOrNull(value) === "after", 5)
      }),
    { timeout: 30_000 }
  )

  it("refuses a configuration it cannot honour", () => {
    for (
      const options of [
        { cache: {}, protocol: 2 as const },
        { cache: { maxEntries: 0 } },
        { cache: { ttl: "0 millis" as const } }
      ]
    ) {
      const result = RedisConfig.resolve(options)
      assert.isTrue(Either.isLeft(result) && result.left._tag === "RedisConfigError", JSON.stringify(options))
    }
  })
})
