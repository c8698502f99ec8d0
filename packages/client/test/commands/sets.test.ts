import { Command, Commands, Redis } from "@effect-redis/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { testLayer } from "../utils.js"

const sorted = (values: ReadonlyArray<string>) => [...values].sort()

for (const protocol of [2, 3] as const) {
  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`sets (RESP${protocol})`, (it) => {
    const k = (name: string) => `sets:${protocol}:${name}`

    it.effect("SADD and SREM count changes and the membership tests answer booleans", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.sadd(k("s"), ["a", "b", "c", "a"]), 3)
        assert.strictEqual(yield* redis.sadd(k("s"), "d"), 1)
        assert.strictEqual(yield* redis.srem(k("s"), ["d", "z"]), 1)
        assert.strictEqual(yield* redis.scard(k("s")), 3)
        assert.deepStrictEqual(sorted(yield* redis.smembers(k("s"))), ["a", "b", "c"])
        assert.deepStrictEqual(yield* redis.smembers(k("none")), [])
        assert.isTrue(yield* redis.sismember(k("s"), "a"))
        assert.isFalse(yield* redis.sismember(k("s"), "z"))
        assert.deepStrictEqual(yield* redis.smismember(k("s"), ["a", "z", "c"]), [true, false, true])
      }))

    it.effect("set algebra reads and stores results", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.sadd(k("{alg}a"), ["1", "2", "3"])
        yield* redis.sadd(k("{alg}b"), ["2", "3", "4"])
        assert.deepStrictEqual(sorted(yield* redis.sinter([k("{alg}a"), k("{alg}b")])), ["2", "3"])
        assert.deepStrictEqual(sorted(yield* redis.sunion([k("{alg}a"), k("{alg}b")])), ["1", "2", "3", "4"])
        assert.deepStrictEqual(yield* redis.sdiff([k("{alg}a"), k("{alg}b")]), ["1"])
        assert.strictEqual(yield* redis.sintercard([k("{alg}a"), k("{alg}b")]), 2)
        assert.strictEqual(yield* redis.sintercard([k("{alg}a"), k("{alg}b")], { limit: 1 }), 1)
        assert.strictEqual(yield* redis.sinterstore(k("{alg}i"), [k("{alg}a"), k("{alg}b")]), 2)
        assert.strictEqual(yield* redis.sunionstore(k("{alg}u"), [k("{alg}a"), k("{alg}b")]), 4)
        assert.strictEqual(yield* redis.sdiffstore(k("{alg}d"), [k("{alg}a"), k("{alg}b")]), 1)
        assert.deepStrictEqual(yield* redis.smembers(k("{alg}d")), ["1"])
        assert.isTrue(yield* redis.smove(k("{alg}a"), k("{alg}b"), "1"))
        assert.isFalse(yield* redis.smove(k("{alg}a"), k("{alg}b"), "1"))
      }))

    it.effect("SPOP and SRANDMEMBER pick members", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.sadd(k("r"), ["x", "y"])
        assert.deepStrictEqual(yield* redis.spop(k("none")), Option.none())
        assert.deepStrictEqual(yield* redis.srandmember(k("none")), Option.none())
        assert.deepStrictEqual(yield* redis.spopCount(k("none"), 2), [])
        const random = yield* redis.srandmember(k("r"))
        assert.isTrue(Option.isSome(random) && ["x", "y"].includes(random.value))
        assert.deepStrictEqual(sorted(yield* redis.srandmemberCount(k("r"), 10)), ["x", "y"])
        assert.strictEqual((yield* redis.srandmemberCount(k("r"), -7)).length, 7)
        const popped = yield* redis.spop(k("r"))
        assert.isTrue(Option.isSome(popped))
        assert.strictEqual((yield* redis.spopCount(k("r"), 5)).length, 1)
        assert.strictEqual(yield* redis.scard(k("r")), 0)
      }))

    it.effect("the binary view returns members as bytes", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const member = new Uint8Array([0, 255])
        yield* redis.sadd(k("bin"), member)
        assert.deepStrictEqual(yield* redis.binary.smembers(k("bin")), [member])
        assert.deepStrictEqual(yield* redis.binary.spop(k("bin")), Option.some(member))
      }))
  })
}

describe("sets definitions", () => {
  const commands = Commands.commands
  const keysOf = (command: Command.Command<unknown>) => Command.keyIndices(command).map((i) => command.args[i])

  it("point cluster routing at their keys", () => {
    assert.deepStrictEqual(keysOf(commands.sintercard(["a", "b"], { limit: 1 })), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.sdiffstore("d", ["a", "b"])), ["d", "a", "b"])
    assert.deepStrictEqual(keysOf(commands.smove("a", "b", "m")), ["a", "b"])
  })
})
