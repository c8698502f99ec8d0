import { Commands, Redis } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it, layer } from "@effect/vitest"
import { Duration, Effect, Fiber, Option } from "effect"
import { blockedClients, eventually, testLayer } from "./utils.js"

const c = Commands.commands

// The server clock in milliseconds, as the server counts expiries.
const serverMillis = Effect.map(
  Effect.flatMap(Redis.Redis, (redis) => redis.time()),
  ({ microseconds, seconds }) => seconds * 1000 + Math.floor(microseconds / 1000)
)

// Runs `write` and checks the expiry it gave `key` is `ttlMillis` after the
// moment the server ran it: between the server clock before and after.
const expiresAfter = <E>(key: string, write: Effect.Effect<unknown, E, Redis.Redis>, ttlMillis: number) =>
  Effect.gen(function*() {
    const redis = yield* Redis.Redis
    const before = yield* serverMillis
    yield* write
    const after = yield* serverMillis
    const at = yield* redis.pexpiretime(key)
    assert.isAtLeast(at, before + ttlMillis, `${key}: expiry ${at}, ran at or after ${before}`)
    assert.isAtMost(at, after + ttlMillis, `${key}: expiry ${at}, ran at or before ${after}`)
  })

describe("times as Durations", () => {
  layer(testLayer(), { timeout: 60_000, excludeTestServices: true })("against a real server", (it) => {
    const k = (name: string) => `durations:${name}`

    it.effect("SET, GETEX, SETEX, PSETEX, EXPIRE and PEXPIRE take a Duration, or a number in their unit", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* expiresAfter(k("ex"), redis.set(k("ex"), "v", { ex: "1 hour" }), 3_600_000)
        yield* expiresAfter(k("ex-number"), redis.set(k("ex-number"), "v", { ex: 60 }), 60_000)
        yield* expiresAfter(k("px"), redis.set(k("px"), "v", { px: Duration.millis(30_500) }), 30_500)
        yield* expiresAfter(k("setGet"), redis.setGet(k("setGet"), "v", { px: "2 minutes" }), 120_000)
        yield* expiresAfter(k("px"), redis.getex(k("px"), { px: Duration.seconds(90) }), 90_000)
        yield* expiresAfter(k("ex"), redis.getex(k("ex"), { ex: Duration.minutes(3) }), 180_000)
        yield* expiresAfter(k("setex"), redis.setex(k("setex"), Duration.minutes(2), "v"), 120_000)
        yield* expiresAfter(k("psetex"), redis.psetex(k("psetex"), "2500 millis", "v"), 2500)
        yield* expiresAfter(k("ex"), redis.expire(k("ex"), Duration.hours(2)), 7_200_000)
        yield* expiresAfter(k("ex"), redis.expire(k("ex"), 10), 10_000)
        yield* expiresAfter(k("px"), redis.pexpire(k("px"), "61500 millis"), 61_500)
        yield* expiresAfter(k("px"), redis.pexpire(k("px"), 62_500), 62_500)
        assert.deepStrictEqual(yield* redis.get(k("px")), Option.some("v"))
      }))

    it.effect("EXPIREAT, PEXPIREAT and the EXAT/PXAT options take a Date, or a Unix time in their unit", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const now = (yield* serverMillis) + 3_600_000
        const wholeSecond = new Date(now - now % 1000)
        const withMillis = new Date(wholeSecond.getTime() + 250)
        yield* redis.set(k("exat"), "v", { exat: wholeSecond })
        assert.strictEqual(yield* redis.pexpiretime(k("exat")), wholeSecond.getTime())
        yield* redis.set(k("pxat"), "v", { pxat: withMillis })
        assert.strictEqual(yield* redis.pexpiretime(k("pxat")), withMillis.getTime())
        yield* redis.getex(k("pxat"), { exat: wholeSecond })
        assert.strictEqual(yield* redis.pexpiretime(k("pxat")), wholeSecond.getTime())
        assert.isTrue(yield* redis.pexpireat(k("exat"), withMillis))
        assert.strictEqual(yield* redis.pexpiretime(k("exat")), withMillis.getTime())
        assert.isTrue(yield* redis.expireat(k("exat"), wholeSecond))
        assert.strictEqual(yield* redis.pexpiretime(k("exat")), wholeSecond.getTime())
        assert.isTrue(yield* redis.expireat(k("exat"), wholeSecond.getTime() / 1000 + 1))
        assert.strictEqual(yield* redis.expiretime(k("exat")), wholeSecond.getTime() / 1000 + 1)
      }))

    it.effect("a blocking command takes a Duration: sent in the command's unit, forever when infinite", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const blpop = c.blpop(k("queue"), "1500 millis")
        assert.deepStrictEqual(blpop.args, ["BLPOP", k("queue"), 1.5])
        assert.strictEqual(blpop.blockMillis, 1500)
        const forever = c.blpop(k("queue"), Duration.infinity)
        assert.deepStrictEqual(forever.args, ["BLPOP", k("queue"), 0])
        assert.strictEqual(forever.blockMillis, 0)
        const xread = c.xreadBlock({ [k("stream")]: "$" }, Duration.seconds(2))
        assert.include(xread.args, 2000)
        assert.strictEqual(xread.blockMillis, 2000)

        const waiting = yield* Effect.fork(redis.blpop(k("queue"), Duration.infinity))
        yield* eventually(blockedClients(redis), (blocked) => blocked >= 1, 10)
        yield* redis.rpush(k("queue"), "job")
        assert.deepStrictEqual(yield* Fiber.join(waiting), Option.some([k("queue"), "job"] as const))
        assert.deepStrictEqual(yield* redis.bzpopmin(k("none"), "100 millis"), Option.none())
        assert.deepStrictEqual(yield* redis.xreadBlock({ [k("stream")]: "$" }, "100 millis"), Option.none())
        assert.strictEqual(yield* redis.wait(0, Duration.millis(10)), 0)
      }))
  })

  it.scopedLive("a blocking Duration is added to the command timeout", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const redis = yield* Redis.make({ url: server.url, commandTimeout: "300 millis" }).pipe(
        Effect.provide(NodeTransport.layer)
      )
      assert.deepStrictEqual(yield* redis.blpop("durations:slow", "1 second"), Option.none())
      assert.deepStrictEqual(yield* redis.xreadBlock({ "durations:slow-stream": "$" }, "1 second"), Option.none())
    }), { timeout: 30_000 })
})
