import { Command, Commands, Redis } from "@effect-redis/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { testLayer } from "../utils.js"

const utf8 = (s: string) => new TextEncoder().encode(s)

for (const protocol of [2, 3] as const) {
  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`hashes (RESP${protocol})`, (it) => {
    const k = (name: string) => `hashes:${protocol}:${name}`

    it.effect("HSET, HGET, HGETALL and HMGET read what was written", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.hset(k("h"), { name: "Ada", year: 1815 }), 2)
        assert.strictEqual(yield* redis.hset(k("h"), [["name", "Grace"], ["lang", "COBOL"]]), 1)
        assert.deepStrictEqual(yield* redis.hget(k("h"), "name"), Option.some("Grace"))
        assert.deepStrictEqual(yield* redis.hget(k("h"), "none"), Option.none())
        assert.deepStrictEqual(yield* redis.hgetall(k("h")), { name: "Grace", year: "1815", lang: "COBOL" })
        assert.deepStrictEqual(yield* redis.hgetall(k("missing")), {})
        assert.deepStrictEqual(
          yield* redis.hmget(k("h"), ["name", "none"]),
          [Option.some("Grace"), Option.none()]
        )
        yield* redis.hmset(k("h"), { extra: "x" })
        assert.strictEqual(yield* redis.hlen(k("h")), 4)
        assert.deepStrictEqual((yield* redis.hkeys(k("h"))).sort(), ["extra", "lang", "name", "year"])
        assert.deepStrictEqual((yield* redis.hvals(k("h"))).sort(), ["1815", "COBOL", "Grace", "x"])
        assert.strictEqual(yield* redis.hstrlen(k("h"), "name"), 5)
      }))

    it.effect("HDEL removes fields, HEXISTS sees them and HSETNX sets only new ones", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.hset(k("d"), { a: 1, b: 2, c: 3 })
        assert.isTrue(yield* redis.hexists(k("d"), "a"))
        assert.strictEqual(yield* redis.hdel(k("d"), ["a", "b", "z"]), 2)
        assert.strictEqual(yield* redis.hdel(k("d"), "c"), 1)
        assert.isFalse(yield* redis.hexists(k("d"), "a"))
        assert.isTrue(yield* redis.hsetnx(k("d"), "n", "1"))
        assert.isFalse(yield* redis.hsetnx(k("d"), "n", "2"))
      }))

    it.effect("HINCRBY returns numbers, exact in 64 bits through Command.exact, and HINCRBYFLOAT adds fractions", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.hincrby(k("i"), "n", 5), 5)
        const tooBig = yield* Effect.flip(redis.hincrby(k("i"), "n", 9007199254740993n))
        assert.strictEqual(tooBig._tag, "RedisDecodeError")
        assert.strictEqual(
          yield* redis.execute(Command.exact(Commands.commands.hincrby(k("i"), "n", -3))),
          9007199254740995n
        )
        assert.strictEqual(yield* redis.hincrbyfloat(k("i"), "f", 0.1), 0.1)
      }))

    it.effect("HRANDFIELD picks fields, with or without values", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.hset(k("r"), { a: "1", b: "2" })
        const one = yield* redis.hrandfield(k("r"))
        assert.isTrue(Option.isSome(one) && ["a", "b"].includes(one.value))
        assert.deepStrictEqual(yield* redis.hrandfield(k("none")), Option.none())
        assert.deepStrictEqual((yield* redis.hrandfieldCount(k("r"), 5)).sort(), ["a", "b"])
        assert.strictEqual((yield* redis.hrandfieldCount(k("r"), -5)).length, 5)
        const withValues = yield* redis.hrandfieldWithValues(k("r"), 2)
        assert.deepStrictEqual(new Map(withValues), new Map([["a", "1"], ["b", "2"]]))
        assert.strictEqual((yield* redis.hrandfieldWithValues(k("r"), -3)).length, 3)
      }))

    it.effect("the binary view keeps values as bytes and field names as text", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const value = new Uint8Array([0, 200, 255])
        yield* redis.hset(k("bin"), [["f", value]])
        assert.deepStrictEqual(yield* redis.binary.hgetall(k("bin")), { f: value })
        assert.deepStrictEqual(yield* redis.binary.hget(k("bin"), "f"), Option.some(value))
        assert.deepStrictEqual(yield* redis.binary.hkeys(k("bin")), [utf8("f")])
      }))
  })
}

describe("hashes definitions", () => {
  const commands = Commands.commands
  const keysOf = (command: Command.Command<unknown>) => Command.keyIndices(command).map((i) => command.args[i])

  it("point cluster routing at their keys", () => {
    assert.deepStrictEqual(keysOf(commands.hset("h", { f: "v" })), ["h"])
    assert.deepStrictEqual(keysOf(commands.hmget("h", ["f", "g"])), ["h"])
  })
})
