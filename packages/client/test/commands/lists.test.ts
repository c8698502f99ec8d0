import { Command, Commands, Redis, ReplyDecoder } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Schedule } from "effect"
import { testLayer } from "../utils.js"

for (const protocol of [2, 3] as const) {
  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`lists (RESP${protocol})`, (it) => {
    const k = (name: string) => `lists:${protocol}:${name}`

    it.effect("pushes and ranges keep order", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.rpush(k("l"), ["b", "c"]), 2)
        assert.strictEqual(yield* redis.lpush(k("l"), "a"), 3)
        assert.strictEqual(yield* redis.lpush(k("l"), ["y", "z"]), 5)
        assert.deepStrictEqual(yield* redis.lrange(k("l"), 0, -1), ["z", "y", "a", "b", "c"])
        assert.strictEqual(yield* redis.llen(k("l")), 5)
        assert.strictEqual(yield* redis.lpushx(k("none"), "x"), 0)
        assert.strictEqual(yield* redis.rpushx(k("none"), ["x"]), 0)
        assert.strictEqual(yield* redis.rpushx(k("l"), "d"), 6)
        assert.deepStrictEqual(yield* redis.lindex(k("l"), -1), Option.some("d"))
        assert.deepStrictEqual(yield* redis.lindex(k("l"), 100), Option.none())
      }))

    it.effect("pops return none on an empty list, and counts return arrays", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.deepStrictEqual(yield* redis.lpop(k("none")), Option.none())
        assert.deepStrictEqual(yield* redis.lpopCount(k("none"), 2), Option.none())
        yield* redis.rpush(k("p"), ["1", "2", "3", "4"])
        assert.deepStrictEqual(yield* redis.lpop(k("p")), Option.some("1"))
        assert.deepStrictEqual(yield* redis.rpop(k("p")), Option.some("4"))
        assert.deepStrictEqual(yield* redis.lpopCount(k("p"), 1), Option.some(["2"]))
        assert.deepStrictEqual(yield* redis.rpopCount(k("p"), 5), Option.some(["3"]))
        assert.deepStrictEqual(yield* redis.rpopCount(k("p"), 5), Option.none())
      }))

    it.effect("LINSERT, LSET, LREM, LTRIM and LPOS edit and search", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.rpush(k("e"), ["a", "b", "a", "c", "a"])
        assert.strictEqual(yield* redis.linsert(k("e"), "BEFORE", "b", "x"), 6)
        assert.strictEqual(yield* redis.linsert(k("e"), "AFTER", "nope", "x"), -1)
        assert.deepStrictEqual(yield* redis.lpos(k("e"), "a"), Option.some(0))
        assert.deepStrictEqual(yield* redis.lpos(k("e"), "a", { rank: -1 }), Option.some(5))
        assert.deepStrictEqual(yield* redis.lpos(k("e"), "nope"), Option.none())
        assert.deepStrictEqual(yield* redis.lposCount(k("e"), "a", 0), [0, 3, 5])
        assert.deepStrictEqual(yield* redis.lposCount(k("e"), "a", 2, { rank: 2, maxlen: 10 }), [3, 5])
        yield* redis.lset(k("e"), 0, "A")
        assert.isTrue(Exit.isFailure(yield* Effect.exit(redis.lset(k("e"), 50, "x"))))
        assert.strictEqual(yield* redis.lrem(k("e"), 0, "a"), 2)
        yield* redis.ltrim(k("e"), 1, 2)
        assert.deepStrictEqual(yield* redis.lrange(k("e"), 0, -1), ["x", "b"])
      }))

    it.effect("LMOVE, RPOPLPUSH and LMPOP move elements between lists", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.rpush(k("{m}src"), ["1", "2", "3"])
        assert.deepStrictEqual(yield* redis.lmove(k("{m}src"), k("{m}dst"), "LEFT", "RIGHT"), Option.some("1"))
        assert.deepStrictEqual(yield* redis.rpoplpush(k("{m}src"), k("{m}dst")), Option.some("3"))
        assert.deepStrictEqual(yield* redis.lrange(k("{m}dst"), 0, -1), ["3", "1"])
        assert.deepStrictEqual(yield* redis.lmove(k("{m}none"), k("{m}dst"), "LEFT", "LEFT"), Option.none())
        assert.deepStrictEqual(
          yield* redis.lmpop([k("{m}none"), k("{m}dst")], "LEFT", { count: 5 }),
          Option.some([k("{m}dst"), ["3", "1"]] as const)
        )
        assert.deepStrictEqual(yield* redis.lmpop(k("{m}src"), "RIGHT"), Option.some([k("{m}src"), ["2"]] as const))
        assert.deepStrictEqual(yield* redis.lmpop([k("{m}src"), k("{m}dst")], "RIGHT"), Option.none())
      }))

    it.effect("blocking pops return at once when data is there and none on timeout", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.rpush(k("{b}q"), ["1", "2", "3", "4", "5"])
        assert.deepStrictEqual(yield* redis.blpop([k("{b}none"), k("{b}q")], 1), Option.some([k("{b}q"), "1"] as const))
        assert.deepStrictEqual(yield* redis.brpop(k("{b}q"), 1), Option.some([k("{b}q"), "5"] as const))
        assert.deepStrictEqual(yield* redis.blmove(k("{b}q"), k("{b}d"), "LEFT", "LEFT", 1), Option.some("2"))
        assert.deepStrictEqual(yield* redis.brpoplpush(k("{b}q"), k("{b}d"), 1), Option.some("4"))
        assert.deepStrictEqual(
          yield* redis.blmpop(1, k("{b}q"), "LEFT", { count: 10 }),
          Option.some([k("{b}q"), ["3"]] as const)
        )
        assert.deepStrictEqual(yield* redis.blpop(k("{b}none"), 0.05), Option.none())
        assert.deepStrictEqual(yield* redis.blmpop(0.05, [k("{b}none")], "LEFT"), Option.none())
      }))

    it.effect("the binary view returns list elements as bytes", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const value = new Uint8Array([1, 0, 255])
        yield* redis.rpush(k("bin"), [value, value])
        assert.deepStrictEqual(yield* redis.binary.lrange(k("bin"), 0, -1), [value, value])
        assert.deepStrictEqual(yield* redis.binary.lpop(k("bin")), Option.some(value))
        assert.deepStrictEqual(
          yield* redis.binary.blpop(k("bin"), 1),
          Option.some([new TextEncoder().encode(k("bin")), value] as const)
        )
      }))
  })

  // The real clock: the test polls the server while BLPOP waits.
  layer(testLayer({ protocol }), { timeout: 30_000, excludeTestServices: true })(
    `blocking lists (RESP${protocol})`,
    (it) => {
      it.scoped("BLPOP waits until another client pushes", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const server = yield* RedisServer.RedisServer
          const other = yield* Redis.make({ url: server.url }).pipe(Effect.provide(NodeTransport.layer))
          const key = `lists:${protocol}:wait`
          const waiting = yield* Effect.fork(redis.blpop(key, 20))
          // Push only once the server reports BLPOP blocked, so the wait itself is exercised.
          yield* other.raw(["INFO", "clients"]).pipe(
            Effect.map((info) => /blocked_clients:[1-9]/.test(ReplyDecoder.text(info))),
            Effect.repeat({ until: (blocked) => blocked, schedule: Schedule.spaced("5 millis") })
          )
          assert.strictEqual(yield* other.rpush(key, "job"), 1)
          assert.deepStrictEqual(yield* Fiber.join(waiting), Option.some([key, "job"] as const))
        }))
    }
  )
}

describe("lists definitions", () => {
  const commands = Commands.commands
  const keysOf = (command: Command.Command<unknown>) => Command.keyIndices(command).map((i) => command.args[i])

  it("point cluster routing at their keys", () => {
    assert.deepStrictEqual(keysOf(commands.blpop(["a", "b"], 1)), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.blmpop(1, ["a", "b"], "LEFT", { count: 2 })), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.lmpop(["a", "b"], "LEFT")), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.lmove("a", "b", "LEFT", "RIGHT")), ["a", "b"])
    assert.strictEqual(commands.blpop("a", 1.5).blockMillis, 1500)
    assert.strictEqual(commands.brpop("a", 0).blockMillis, 0)
  })
})
