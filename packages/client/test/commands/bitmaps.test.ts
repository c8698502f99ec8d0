import { Command, Commands, Redis } from "@effect-redis/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { testLayer } from "../utils.js"

for (const protocol of [2, 3] as const) {
  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`bitmaps (RESP${protocol})`, (it) => {
    const k = (name: string) => `bits:${protocol}:${name}`

    it.effect("SETBIT and GETBIT flip single bits", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.setbit(k("b"), 7, 1), 0)
        assert.strictEqual(yield* redis.setbit(k("b"), 7, 1), 1)
        assert.strictEqual(yield* redis.getbit(k("b"), 7), 1)
        assert.strictEqual(yield* redis.getbit(k("b"), 100), 0)
        assert.deepStrictEqual(yield* redis.binary.get(k("b")), Option.some(new Uint8Array([1])))
      }))

    it.effect("BITCOUNT and BITPOS work in bytes and in bits", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.set(k("c"), new Uint8Array([0xff, 0xf0, 0x00]))
        assert.strictEqual(yield* redis.bitcount(k("c")), 12)
        assert.strictEqual(yield* redis.bitcount(k("c"), { start: 1, end: 1 }), 4)
        assert.strictEqual(yield* redis.bitcount(k("c"), { start: 5, end: 10, unit: "BIT" }), 6)
        assert.strictEqual(yield* redis.bitcount(k("none")), 0)
        assert.strictEqual(yield* redis.bitpos(k("c"), 0), 12)
        assert.strictEqual(yield* redis.bitpos(k("c"), 1, { start: 1 }), 8)
        assert.strictEqual(yield* redis.bitpos(k("c"), 1, { start: 2, end: 2 }), -1)
        assert.strictEqual(yield* redis.bitpos(k("c"), 0, { start: 2, end: 9, unit: "BIT" }), -1)
      }))

    it.effect("BITOP combines strings", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.set(k("{op}a"), new Uint8Array([0b1100]))
        yield* redis.set(k("{op}b"), new Uint8Array([0b1010, 0xff]))
        assert.strictEqual(yield* redis.bitop("AND", k("{op}and"), [k("{op}a"), k("{op}b")]), 2)
        assert.deepStrictEqual(yield* redis.binary.get(k("{op}and")), Option.some(new Uint8Array([0b1000, 0])))
        assert.strictEqual(yield* redis.bitop("XOR", k("{op}xor"), [k("{op}a"), k("{op}b")]), 2)
        assert.deepStrictEqual(yield* redis.binary.get(k("{op}xor")), Option.some(new Uint8Array([0b0110, 0xff])))
        assert.strictEqual(yield* redis.bitop("NOT", k("{op}not"), k("{op}a")), 1)
        assert.deepStrictEqual(yield* redis.binary.get(k("{op}not")), Option.some(new Uint8Array([0xf3])))
      }))

    it.effect("BITFIELD reads, writes and increments integers, with overflow control", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.deepStrictEqual(
          yield* redis.bitfield(k("f"), [
            { op: "set", encoding: "u8", offset: "#0", value: 250 },
            { op: "get", encoding: "u8", offset: 0 },
            { op: "incrby", encoding: "u8", offset: 0, increment: 10 },
            { op: "overflow", behavior: "SAT" },
            { op: "incrby", encoding: "u8", offset: 0, increment: 300 },
            { op: "overflow", behavior: "FAIL" },
            { op: "incrby", encoding: "u8", offset: 0, increment: 1 }
          ]),
          [Option.some(0), Option.some(250), Option.some(4), Option.some(255), Option.none()]
        )
        const wide = Commands.commands.bitfield(k("f64"), [
          { op: "set", encoding: "i64", offset: 0, value: -9223372036854775808n },
          { op: "get", encoding: "i64", offset: 0 }
        ])
        assert.deepStrictEqual(yield* redis.execute(Command.exact(wide)), [
          Option.some(0n),
          Option.some(-9223372036854775808n)
        ])
        assert.strictEqual((yield* Effect.flip(redis.execute(wide)))._tag, "RedisDecodeError")
        assert.deepStrictEqual(
          yield* redis.execute(
            Command.exact(Commands.commands.bitfieldRo(k("f64"), [{ op: "get", encoding: "i64", offset: 0 }]))
          ),
          [-9223372036854775808n]
        )
        assert.deepStrictEqual(
          yield* redis.bitfieldRo(k("f"), [
            { op: "get", encoding: "u8", offset: 0 },
            { op: "get", encoding: "i4", offset: "#1" }
          ]),
          [255, -1]
        )
      }))
  })
}

describe("bitmaps definitions", () => {
  const commands = Commands.commands
  const keysOf = (command: Command.Command<unknown>) => Command.keyIndices(command).map((i) => command.args[i])

  it("point cluster routing at their keys", () => {
    assert.deepStrictEqual(keysOf(commands.bitop("AND", "d", ["a", "b"])), ["d", "a", "b"])
    assert.deepStrictEqual(keysOf(commands.bitcount("a", { start: 0, end: 1 })), ["a"])
  })
})
