import { type Command, Commands, Redis } from "@effect-redis/client"
import { assert, describe, layer } from "@effect/vitest"
import { Duration, Effect, Either, Exit, Option } from "effect"
import { testLayer } from "./utils.js"

const c = Commands.commands

// How often the server has seen `name` (a command, or `container|subcommand`),
// refused ones included: INFO commandstats counts calls, rejected calls (wrong
// arity, syntax) and failed calls.
const seen = (name: string) =>
  Effect.gen(function*() {
    const redis = yield* Redis.Redis
    const stats = (yield* redis.info("commandstats"))["commandstats"] ?? {}
    const line = stats[`cmdstat_${name.toLowerCase().replace(" ", "|")}`]
    if (line === undefined) return 0
    let total = 0
    for (const field of line.split(",")) {
      const [label, value] = field.split("=")
      if (label === "calls" || label === "rejected_calls" || label === "failed_calls") total += Number(value)
    }
    return total
  })

// Runs `command` and checks it fails with RedisArgumentError naming it, with
// `reason` in the message, and that the server never saw it.
const refused = (command: Command.Command<unknown>, reason: string) =>
  Effect.gen(function*() {
    const redis = yield* Redis.Redis
    const name = command.spec.name
    const before = yield* seen(name)
    const error = yield* Effect.flip(redis.execute(command))
    assert.strictEqual(error._tag, "RedisArgumentError", `${name}: ${error.message}`)
    if (error._tag === "RedisArgumentError") {
      assert.strictEqual(error.command, name)
      assert.strictEqual(error.outcome, "not-sent")
      assert.include(error.message, reason)
    }
    assert.strictEqual(yield* seen(name), before, `${name} never reached the server`)
  })

const noKey = "needs at least one key"

describe("argument validation", () => {
  layer(testLayer(), { timeout: 60_000, excludeTestServices: true })("against a real server", (it) => {
    const key = (name: string) => `validation:${name}`

    it.effect("a time that is not a whole number of the command's unit is refused, not rounded", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const t = key("time")
        yield* redis.set(t, "v")
        const withMillis = new Date(Date.UTC(2030, 0, 1, 0, 0, 0, 250))
        const whole = "is sent in whole seconds"
        yield* refused(c.expire(t, "1.5 seconds"), `ttl ${whole}, and 1s 500ms is not; pexpire takes milliseconds`)
        yield* refused(c.expire(t, Duration.infinity), "ttl must be a finite time")
        yield* refused(c.pexpire(t, Duration.micros(1500n)), "ttl is sent in whole milliseconds")
        yield* refused(c.expireat(t, withMillis), `at ${whole}, and 2030-01-01T00:00:00.250Z is not; pexpireat`)
        yield* refused(c.pexpireat(t, new Date(NaN)), "at must be a valid Date")
        yield* refused(c.set(t, "w", { ex: Duration.millis(1500) }), `ex ${whole}, and 1s 500ms is not; px takes`)
        yield* refused(c.setGet(t, "w", { exat: withMillis }), `exat ${whole}`)
        yield* refused(c.getex(t, { ex: "2.5 seconds" }), `ex ${whole}`)
        yield* refused(c.setex(t, "100 millis", "w"), `ttl ${whole}, and 100ms is not; psetex takes milliseconds`)
        yield* refused(c.psetex(t, Duration.nanos(10n), "w"), "ttl is sent in whole milliseconds")
        yield* refused(c.xreadBlock({ [t]: "$" }, Duration.micros(10n)), "block is sent in whole milliseconds")
        yield* refused(c.wait(0, "0.5 millis"), "timeout is sent in whole milliseconds")
        yield* refused(c.clientPause("1.5 millis"), "duration is sent in whole milliseconds")
        assert.deepStrictEqual(yield* redis.get(t), Option.some("v"), "SET never ran")
        assert.strictEqual(yield* redis.ttl(t), -1, "no expiry was set")
      }))

    it.effect("a NaN score fails in the encoder, naming ZADD; nothing is sent and the connection goes on", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const before = yield* seen("ZADD")
        const error = yield* Effect.flip(redis.zadd(key("nan"), [[NaN, "m"]]))
        assert.strictEqual(error._tag, "RedisArgumentError")
        if (error._tag === "RedisArgumentError") {
          assert.strictEqual(error.command, "ZADD")
          assert.strictEqual(error.outcome, "not-sent")
        }
        assert.strictEqual(yield* redis.exists(key("nan")), 0, "the key was not created")
        assert.strictEqual(yield* seen("ZADD"), before, "ZADD never reached the server")
        assert.strictEqual(yield* redis.ping(), "PONG")
      }))

    it.effect("the typed methods refuse an empty list before sending, where the untyped line reaches the server", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const error = yield* Effect.flip(redis.del([]))
        assert.strictEqual(error._tag, "RedisArgumentError")
        assert.strictEqual(
          error.message,
          "DEL: needs at least one key and got none; skip the call when there is nothing to pass"
        )
        assert.strictEqual(yield* redis.ping(), "PONG")
        // The same line sent untyped reaches the server, which counts it as a rejected call.
        const before = yield* seen("DEL")
        const rejected = yield* Effect.flip(redis.raw(["DEL"]))
        assert.strictEqual(rejected._tag, "RedisReplyError")
        assert.strictEqual(yield* seen("DEL"), before + 1)
      }))

    it.effect("strings: MGET, MSET and MSETNX need at least one key or pair", () =>
      Effect.gen(function*() {
        yield* refused(c.mget([]), noKey)
        yield* refused(c.mset({}), "needs at least one key/value pair")
        yield* refused(c.mset([]), "needs at least one key/value pair")
        yield* refused(c.msetnx({}), "needs at least one key/value pair")
      }))

    it.effect("keys: DEL, UNLINK, TOUCH and EXISTS need at least one key", () =>
      Effect.gen(function*() {
        yield* refused(c.del([]), noKey)
        yield* refused(c.unlink([]), noKey)
        yield* refused(c.touch([]), noKey)
        yield* refused(c.exists([]), noKey)
      }))

    it.effect("hashes: HSET, HMSET, HDEL and HMGET need at least one field; nothing is created", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* refused(c.hset(key("h"), {}), "needs at least one field/value pair")
        yield* refused(c.hset(key("h"), []), "needs at least one field/value pair")
        yield* refused(c.hmset(key("h"), {}), "needs at least one field/value pair")
        yield* refused(c.hdel(key("h"), []), "needs at least one field")
        yield* refused(c.hmget(key("h"), []), "needs at least one field")
        assert.strictEqual(yield* redis.exists(key("h")), 0)
      }))

    it.effect("lists: pushes need an element, multi-key pops a key, blocking ones included", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* refused(c.lpush(key("l"), []), "needs at least one element")
        yield* refused(c.rpush(key("l"), []), "needs at least one element")
        yield* refused(c.lpushx(key("l"), []), "needs at least one element")
        yield* refused(c.rpushx(key("l"), []), "needs at least one element")
        yield* refused(c.lmpop([], "LEFT"), noKey)
        yield* refused(c.blpop([], 1), noKey)
        yield* refused(c.brpop([], 1), noKey)
        yield* refused(c.blmpop(1, [], "LEFT"), noKey)
        assert.strictEqual(yield* redis.exists(key("l")), 0)
      }))

    it.effect("sets: member lists and the key lists of the set operations must not be empty", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* refused(c.sadd(key("s"), []), "needs at least one member")
        yield* refused(c.srem(key("s"), []), "needs at least one member")
        yield* refused(c.smismember(key("s"), []), "needs at least one member")
        yield* refused(c.sinter([]), noKey)
        yield* refused(c.sunion([]), noKey)
        yield* refused(c.sdiff([]), noKey)
        yield* refused(c.sinterstore(key("sd"), []), noKey)
        yield* refused(c.sunionstore(key("sd"), []), noKey)
        yield* refused(c.sdiffstore(key("sd"), []), noKey)
        yield* refused(c.sintercard([]), noKey)
        assert.strictEqual(yield* redis.exists([key("s"), key("sd")]), 0)
      }))

    it.effect("sorted sets: empty members or keys, and weights that do not match the keys, are refused", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* refused(c.zadd(key("z"), []), "needs at least one [score, member] pair")
        yield* refused(c.zadd(key("z"), [], { nx: true }), "needs at least one [score, member] pair")
        yield* refused(c.zrem(key("z"), []), "needs at least one member")
        yield* refused(c.zmscore(key("z"), []), "needs at least one member")
        yield* refused(c.zunion([]), noKey)
        yield* refused(c.zinterWithScores([]), noKey)
        yield* refused(c.zdiff([]), noKey)
        yield* refused(c.zunionstore(key("zd"), []), noKey)
        yield* refused(c.zinterstore(key("zd"), []), noKey)
        yield* refused(c.zdiffstore(key("zd"), []), noKey)
        yield* refused(c.zintercard([]), noKey)
        yield* refused(c.zmpop([], "MIN"), noKey)
        yield* refused(c.bzpopmin([], 1), noKey)
        yield* refused(c.bzpopmax([], 1), noKey)
        yield* refused(c.bzmpop(1, [], "MAX"), noKey)
        yield* refused(c.zunion([key("a"), key("b")], { weights: [1] }), "got 1 weights for 2 keys")
        yield* refused(c.zinterstore(key("zd"), key("a"), { weights: [1, 2] }), "got 2 weights for 1 keys")
        assert.strictEqual(yield* redis.exists([key("z"), key("zd")]), 0)
        // One weight per key still goes through.
        yield* redis.zadd(key("a"), [[1, "x"]])
        assert.deepStrictEqual(yield* redis.zunionWithScores([key("a"), key("b")], { weights: [3, 1] }), [["x", 3]])
      }))

    it.effect("hyperloglog: PFCOUNT needs a key, while PFADD without elements stays valid", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* refused(c.pfcount([]), noKey)
        const before = yield* seen("PFADD")
        assert.isTrue(yield* redis.pfadd(key("hll"), []))
        assert.strictEqual(yield* seen("PFADD"), before + 1)
        assert.strictEqual(yield* redis.pfcount(key("hll")), 0)
      }))

    it.effect("geo and bitmaps: GEOADD needs a member and BITOP a source key; GEOHASH and GEOPOS may ask for none", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* refused(c.geoadd(key("g"), []), "needs at least one member")
        yield* refused(c.bitop("AND", key("b"), []), "needs at least one source key")
        assert.strictEqual(yield* redis.exists([key("g"), key("b")]), 0)
        assert.deepStrictEqual(yield* redis.geohash(key("g"), []), [])
        assert.deepStrictEqual(yield* redis.geopos(key("g"), []), [])
      }))

    it.effect("streams: empty fields, ids and stream lists, LIMIT without ~, fractional counts and bad block times", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const s = key("stream")
        yield* refused(c.xadd(s, "*", {}), "needs at least one field/value pair")
        yield* refused(c.xadd(s, "*", []), "needs at least one field/value pair")
        yield* refused(
          c.xadd(s, "*", { a: "1" }, { maxlen: { threshold: 10, limit: 5 } }),
          "`limit` needs `approximate: true`"
        )
        yield* refused(c.xadd(s, "*", { a: "1" }, { maxlen: { threshold: 1.5 } }), "maxlen must be a whole number")
        assert.strictEqual(yield* redis.exists(s), 0, "no XADD created the stream")
        yield* redis.xadd(s, "*", { a: "1" })
        yield* redis.xgroupCreate(s, "g", "0")
        yield* refused(c.xtrim(s, { minid: { threshold: "0", limit: 5 } }), "`limit` needs `approximate: true`")
        yield* refused(
          c.xtrim(s, { maxlen: { threshold: 0, approximate: true, limit: 0.5 } }),
          "limit must be a whole number"
        )
        yield* refused(c.xack(s, "g", []), "needs at least one id")
        yield* refused(c.xdel(s, []), "needs at least one id")
        yield* refused(c.xclaim(s, "g", "c", 0, []), "needs at least one id")
        yield* refused(c.xclaimJustid(s, "g", "c", 0, []), "needs at least one id")
        yield* refused(c.xread({}), "needs at least one stream")
        yield* refused(c.xreadgroup("g", "c", []), "needs at least one stream")
        yield* refused(c.xread({ [s]: "0" }, { count: 1.5 }), "count must be a whole number")
        yield* refused(c.xreadBlock({ [s]: "$" }, -1), "block must be a whole number of milliseconds")
        yield* refused(c.xreadgroupBlock("g", "c", { [s]: ">" }, 0.5), "block must be a whole number")
        yield* refused(c.xrange(s, "-", "+", { count: 2.5 }), "count must be a whole number")
        yield* refused(c.xpendingExtended(s, "g", "-", "+", 0.5), "count must be a whole number")
        yield* refused(c.xautoclaim(s, "g", "c", 0, "0-0", { count: 1.5 }), "count must be a whole number")
        assert.strictEqual(yield* redis.xlen(s), 1, "nothing was trimmed or deleted")
        // The approximate form with LIMIT is what the server accepts.
        assert.strictEqual(yield* redis.xtrim(s, { maxlen: { threshold: 10, approximate: true, limit: 10 } }), 0)
      }))

    it.effect("server and connection: CONFIG SET/GET, COMMAND GETKEYS and CLIENT KILL need something to act on", () =>
      Effect.gen(function*() {
        yield* refused(c.configSet({}), "needs at least one parameter")
        yield* refused(c.configGet(), "needs at least one pattern")
        yield* refused(c.commandGetkeys([]), "needs at least one command word")
        yield* refused(c.commandGetkeysandflags([]), "needs at least one command word")
        yield* refused(c.clientKill({}), "needs at least one filter")
      }))

    it.effect("an invalid command refuses the whole transaction, which applies nothing", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const before = yield* seen("MULTI")
        const exit = yield* Effect.exit(
          redis.transaction([c.set(key("tx"), "1"), c.lpush(key("tx-list"), []), c.incr(key("tx-n"))])
        )
        assert.isTrue(Exit.isFailure(exit))
        const failure = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
        assert.strictEqual(failure?._tag, "RedisArgumentError")
        assert.strictEqual(failure?._tag === "RedisArgumentError" ? failure.command : undefined, "LPUSH")
        assert.strictEqual(yield* seen("MULTI"), before, "MULTI was never sent")
        assert.strictEqual(yield* redis.exists([key("tx"), key("tx-list"), key("tx-n")]), 0)
      }))

    it.effect("an invalid command in a pipeline sends none of it", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const [written, pushed] = yield* redis.pipeline([c.set(key("pipe"), "1"), c.rpush(key("pipe-list"), [])])
        assert.isTrue(Either.isLeft(written))
        assert.isTrue(Either.isLeft(pushed))
        if (Either.isLeft(pushed)) assert.strictEqual(pushed.left._tag, "RedisArgumentError")
        assert.isTrue(Option.isNone(yield* redis.get(key("pipe"))), "the valid command was not sent either")
      }))
  })
})
