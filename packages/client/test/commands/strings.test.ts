import { Command, Commands, Redis } from "@effect-redis/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Exit, Option } from "effect"
import { testLayer } from "../utils.js"

const bytes = (...values: Array<number>) => new Uint8Array(values)

for (const protocol of [2, 3] as const) {
  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`strings (RESP${protocol})`, (it) => {
    const k = (name: string) => `strings:${protocol}:${name}`

    it.effect("GET of a missing key is none", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.deepStrictEqual(yield* redis.get(k("missing")), Option.none())
      }))

    it.effect("SET then GET returns the value", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.isTrue(yield* redis.set(k("plain"), "héllo"))
        assert.deepStrictEqual(yield* redis.get(k("plain")), Option.some("héllo"))
      }))

    it.effect("SET NX reports whether the value was set, and EX sets a TTL", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.isTrue(yield* redis.set(k("nx"), "a", { nx: true, ex: 100 }))
        assert.isFalse(yield* redis.set(k("nx"), "b", { nx: true }))
        assert.deepStrictEqual(yield* redis.get(k("nx")), Option.some("a"))
        const ttl = yield* redis.ttl(k("nx"))
        assert.isTrue(ttl > 0 && ttl <= 100)
        assert.isFalse(yield* redis.set(k("xx-missing"), "b", { xx: true }))
      }))

    it.effect("SET … GET returns the previous value", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.deepStrictEqual(yield* redis.setGet(k("setget"), "1"), Option.none())
        assert.deepStrictEqual(yield* redis.setGet(k("setget"), "2", { keepttl: true }), Option.some("1"))
        assert.deepStrictEqual(yield* redis.getset(k("setget"), "3"), Option.some("2"))
      }))

    it.effect("GETDEL and GETEX read and change the key", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.set(k("getex"), "v")
        assert.deepStrictEqual(yield* redis.getex(k("getex"), { px: 100_000 }), Option.some("v"))
        assert.isTrue((yield* redis.pttl(k("getex"))) > 0)
        assert.deepStrictEqual(yield* redis.getex(k("getex"), { persist: true }), Option.some("v"))
        assert.strictEqual(yield* redis.ttl(k("getex")), -1)
        assert.deepStrictEqual(yield* redis.getex(k("getex")), Option.some("v"))
        assert.deepStrictEqual(yield* redis.getdel(k("getex")), Option.some("v"))
        assert.deepStrictEqual(yield* redis.getdel(k("getex")), Option.none())
      }))

    it.effect("counters are numbers; beyond 2^53 they fail loudly, and Command.exact reads them exactly", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const counter: number = yield* redis.incr(k("counter"))
        assert.strictEqual(counter, 1)
        assert.strictEqual(yield* redis.incrby(k("counter"), 9007199254740990), 9007199254740991)
        assert.strictEqual(yield* redis.decr(k("counter")), 9007199254740990)
        assert.strictEqual(yield* redis.decrby(k("counter"), 3), 9007199254740987)

        assert.isTrue(yield* redis.set(k("big"), "9007199254740993"))
        const tooBig = yield* Effect.flip(redis.incr(k("big")))
        assert.strictEqual(tooBig._tag === "RedisDecodeError" && tooBig.outcome, "may-have-executed")
        assert.include(tooBig.message, "INCR")
        assert.include(tooBig.message, "Command.exact")
        // It ran: the server holds the incremented value, which the exact form reads back.
        assert.deepStrictEqual(yield* redis.get(k("big")), Option.some("9007199254740994"))
        const exact: bigint = yield* redis.execute(Command.exact(Commands.commands.incr(k("big"))))
        assert.strictEqual(exact, 9007199254740995n)
        assert.strictEqual(
          yield* redis.execute(Command.exact(Commands.commands.decrby(k("big"), 9007199254740995n))),
          0n
        )
        assert.strictEqual(
          yield* redis.execute(Command.exact(Commands.commands.incrby(k("big"), -9223372036854775808n))),
          -9223372036854775808n
        )
        const [piped] = yield* redis.pipeline([Command.exact(Commands.commands.incr(k("big")))])
        assert.deepStrictEqual(piped, Either.right(-9223372036854775807n))
        const [queued] = yield* redis.transaction([Command.exact(Commands.commands.decr(k("big")))])
        assert.deepStrictEqual(queued, Either.right(-9223372036854775808n))
        const notAnInteger = yield* Effect.flip(redis.execute(Command.exact(Commands.commands.get(k("big")))))
        assert.strictEqual(notAnInteger._tag === "RedisArgumentError" && notAnInteger.outcome, "not-sent")
        assert.include(notAnInteger.message, "GET has no exact form")
        assert.strictEqual(yield* redis.incrbyfloat(k("float"), 1.5), 1.5)
        assert.strictEqual(yield* redis.incrbyfloat(k("float"), -0.25), 1.25)
      }))

    it.effect("INCR of a non-integer fails with a reply error", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.set(k("not-int"), "abc")
        const exit = yield* Effect.exit(redis.incr(k("not-int")))
        assert.isTrue(Exit.isFailure(exit))
      }))

    it.effect("ranges, APPEND, SETRANGE and STRLEN work on bytes", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.append(k("range"), "Hello"), 5)
        assert.strictEqual(yield* redis.append(k("range"), " World"), 11)
        assert.strictEqual(yield* redis.getrange(k("range"), 0, 4), "Hello")
        assert.strictEqual(yield* redis.substr(k("range"), -5, -1), "World")
        assert.strictEqual(yield* redis.setrange(k("range"), 6, "Redis"), 11)
        assert.deepStrictEqual(yield* redis.get(k("range")), Option.some("Hello Redis"))
        assert.strictEqual(yield* redis.strlen(k("range")), 11)
        assert.strictEqual(yield* redis.strlen(k("missing-len")), 0)
        assert.strictEqual(yield* redis.getrange(k("missing-range"), 0, 10), "")
      }))

    it.effect("MSET, MSETNX and MGET handle several keys", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.mset({ [k("m1")]: "a", [k("m2")]: 2 })
        yield* redis.mset([[k("m3"), "c"]])
        assert.deepStrictEqual(
          yield* redis.mget([k("m1"), k("m2"), k("m3"), k("m4")]),
          [Option.some("a"), Option.some("2"), Option.some("c"), Option.none()]
        )
        assert.isFalse(yield* redis.msetnx({ [k("m1")]: "x", [k("m5")]: "y" }))
        assert.isTrue(yield* redis.msetnx({ [k("m5")]: "y", [k("m6")]: "z" }))
        assert.deepStrictEqual(yield* redis.mget(k("m5")), [Option.some("y")])
      }))

    it.effect("the deprecated SETNX, SETEX and PSETEX still set values and expiries", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.isTrue(yield* redis.setnx(k("setnx"), "a"))
        assert.isFalse(yield* redis.setnx(k("setnx"), "b"))
        yield* redis.setex(k("setex"), 100, "v")
        assert.isTrue((yield* redis.ttl(k("setex"))) > 0)
        yield* redis.psetex(k("psetex"), 100_000, "v")
        assert.isTrue((yield* redis.pttl(k("psetex"))) > 0)
      }))

    it.effect("LCS finds the subsequence, its length and where it lies", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.mset([[k("{lcs}a"), "ohmytext"], [k("{lcs}b"), "mynewtext"]])
        assert.strictEqual(yield* redis.lcs(k("{lcs}a"), k("{lcs}b")), "mytext")
        assert.strictEqual(yield* redis.lcsLen(k("{lcs}a"), k("{lcs}b")), 6)
        const idx = yield* redis.lcsIdx(k("{lcs}a"), k("{lcs}b"))
        assert.strictEqual(idx.len, 6)
        assert.deepStrictEqual(idx.matches, [
          { a: [4, 7], b: [5, 8], length: 4 },
          { a: [2, 3], b: [0, 1], length: 2 }
        ])
        const long = yield* redis.lcsIdx(k("{lcs}a"), k("{lcs}b"), { minmatchlen: 3 })
        assert.deepStrictEqual(long.matches, [{ a: [4, 7], b: [5, 8], length: 4 }])
      }))

    it.effect("the binary view returns bytes untouched", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const value = bytes(0, 255, 128, 10, 13)
        yield* redis.set(k("bin"), value)
        assert.deepStrictEqual(yield* redis.binary.get(k("bin")), Option.some(value))
        assert.deepStrictEqual(yield* redis.binary.getrange(k("bin"), 1, 2), bytes(255, 128))
        assert.deepStrictEqual(yield* redis.binary.mget([k("bin"), k("bin-missing")]), [
          Option.some(value),
          Option.none()
        ])
        assert.strictEqual(yield* redis.binary.incr(k("bin-counter")), 1)
        assert.strictEqual(yield* redis.binary.incrbyfloat(k("bin-float"), 0.5), 0.5)
      }))
  })
}

describe("strings definitions", () => {
  const commands = Commands.commands
  const keysOf = (command: Command.Command<unknown>) => Command.keyIndices(command).map((i) => command.args[i])

  it("point cluster routing at their keys", () => {
    assert.deepStrictEqual(keysOf(commands.mset([["a", 1], ["b", 2]])), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.mget(["a", "b"])), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.lcs("a", "b")), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.set("a", "v", { ex: 1 })), ["a"])
  })
})
