import { Command, Commands, Redis } from "@effect-redis/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { testLayer } from "../utils.js"

for (const protocol of [2, 3] as const) {
  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`sorted sets (RESP${protocol})`, (it) => {
    const k = (name: string) => `zsets:${protocol}:${name}`

    it.effect("ZADD honours its conditions and ZINCRBY and ZADD INCR return the new score", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.zadd(k("z"), [[1, "a"], [2.5, "b"], [-Infinity, "low"]]), 3)
        assert.strictEqual(yield* redis.zadd(k("z"), [[5, "a"], [1, "c"]], { nx: true }), 1)
        assert.strictEqual(yield* redis.zadd(k("z"), [[5, "a"], [9, "new"]], { xx: true, ch: true }), 1)
        assert.strictEqual(yield* redis.zadd(k("z"), [[4, "a"]], { gt: true, ch: true }), 0)
        assert.deepStrictEqual(yield* redis.zscore(k("z"), "a"), Option.some(5))
        assert.deepStrictEqual(yield* redis.zscore(k("z"), "low"), Option.some(-Infinity))
        assert.deepStrictEqual(yield* redis.zscore(k("z"), "none"), Option.none())
        assert.strictEqual(yield* redis.zincrby(k("z"), 0.5, "a"), 5.5)
        assert.deepStrictEqual(yield* redis.zaddIncr(k("z"), "a", 1), Option.some(6.5))
        assert.deepStrictEqual(yield* redis.zaddIncr(k("z"), "zz", 1, { xx: true }), Option.none())
        assert.deepStrictEqual(
          yield* redis.zmscore(k("z"), ["a", "none", "b"]),
          [Option.some(6.5), Option.none(), Option.some(2.5)]
        )
        assert.strictEqual(yield* redis.zcard(k("z")), 4)
        assert.isTrue(Exit.isFailure(yield* Effect.exit(redis.zadd(k("z"), [[1, "x"]], { nx: true, xx: true }))))
      }))

    it.effect("ZRANGE by rank, score and lex, reversed and limited", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.zadd(k("r"), [[1, "a"], [2, "b"], [3, "c"], [4, "d"]])
        assert.deepStrictEqual(yield* redis.zrange(k("r"), 0, -1), ["a", "b", "c", "d"])
        assert.deepStrictEqual(yield* redis.zrange(k("r"), 0, 1, { rev: true }), ["d", "c"])
        assert.deepStrictEqual(yield* redis.zrange(k("r"), "(1", Infinity, { by: "score" }), ["b", "c", "d"])
        assert.deepStrictEqual(
          yield* redis.zrange(k("r"), "+inf", "-inf", { by: "score", rev: true, limit: { offset: 1, count: 2 } }),
          ["c", "b"]
        )
        assert.deepStrictEqual(yield* redis.zrange(k("r"), "[b", "(d", { by: "lex" }), ["b", "c"])
        assert.deepStrictEqual(
          yield* redis.zrangeWithScores(k("r"), 0, -1, { rev: true }),
          [["d", 4], ["c", 3], ["b", 2], ["a", 1]]
        )
        assert.deepStrictEqual(yield* redis.zrangeWithScores(k("none"), 0, -1), [])
        assert.strictEqual(yield* redis.zrangestore(k("{rs}dst"), k("{rs}src"), 0, -1), 0)
        yield* redis.zadd(k("{rs}src"), [[1, "a"], [2, "b"], [3, "c"]])
        assert.strictEqual(yield* redis.zrangestore(k("{rs}dst"), k("{rs}src"), 2, 3, { by: "score" }), 2)
        assert.deepStrictEqual(yield* redis.zrange(k("{rs}dst"), 0, -1), ["b", "c"])
      }))

    it.effect("the deprecated range commands answer like ZRANGE", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.zadd(k("old"), [[1, "a"], [2, "b"], [3, "c"]])
        yield* redis.zadd(k("lex"), [[0, "a"], [0, "b"], [0, "c"]])
        assert.deepStrictEqual(yield* redis.zrangebyscore(k("old"), 2, "+inf"), ["b", "c"])
        assert.deepStrictEqual(
          yield* redis.zrangebyscoreWithScores(k("old"), "-inf", "+inf", { limit: { offset: 0, count: 1 } }),
          [["a", 1]]
        )
        assert.deepStrictEqual(yield* redis.zrevrangebyscore(k("old"), 3, "(1"), ["c", "b"])
        assert.deepStrictEqual(yield* redis.zrevrangebyscoreWithScores(k("old"), 3, 3), [["c", 3]])
        assert.deepStrictEqual(yield* redis.zrevrange(k("old"), 0, 0), ["c"])
        assert.deepStrictEqual(yield* redis.zrevrangeWithScores(k("old"), 0, 0), [["c", 3]])
        assert.deepStrictEqual(yield* redis.zrangebylex(k("lex"), "-", "+", { limit: { offset: 1, count: 5 } }), [
          "b",
          "c"
        ])
        assert.deepStrictEqual(yield* redis.zrevrangebylex(k("lex"), "(c", "-"), ["b", "a"])
      }))

    it.effect("ZRANK and ZCOUNT answer by rank and score, and the range removals count what they remove", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.zadd(k("c"), [[1, "a"], [2, "b"], [3, "c"], [4, "d"], [5, "e"]])
        assert.deepStrictEqual(yield* redis.zrank(k("c"), "b"), Option.some(1))
        assert.deepStrictEqual(yield* redis.zrevrank(k("c"), "b"), Option.some(3))
        assert.deepStrictEqual(yield* redis.zrank(k("c"), "none"), Option.none())
        assert.strictEqual(yield* redis.zcount(k("c"), "(1", 3), 2)
        assert.strictEqual(yield* redis.zcount(k("c"), -Infinity, Infinity), 5)
        yield* redis.zadd(k("lexc"), [[0, "a"], [0, "b"], [0, "c"]])
        assert.strictEqual(yield* redis.zlexcount(k("lexc"), "[a", "(c"), 2)
        assert.strictEqual(yield* redis.zremrangebylex(k("lexc"), "-", "[a"), 1)
        assert.strictEqual(yield* redis.zremrangebyscore(k("c"), 5, "+inf"), 1)
        assert.strictEqual(yield* redis.zremrangebyrank(k("c"), 0, 0), 1)
        assert.strictEqual(yield* redis.zrem(k("c"), ["b", "none"]), 1)
        assert.strictEqual(yield* redis.zrem(k("c"), "c"), 1)
        assert.deepStrictEqual(yield* redis.zrange(k("c"), 0, -1), ["d"])
      }))

    it.effect("pops return pairs, none or empty arrays", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.zadd(k("{p}z"), [[1, "a"], [2, "b"], [3, "c"], [4, "d"], [5, "e"]])
        assert.deepStrictEqual(yield* redis.zpopmin(k("{p}z")), Option.some(["a", 1] as const))
        assert.deepStrictEqual(yield* redis.zpopmax(k("{p}z")), Option.some(["e", 5] as const))
        assert.deepStrictEqual(yield* redis.zpopminCount(k("{p}z"), 1), [["b", 2]])
        assert.deepStrictEqual(yield* redis.zpopmaxCount(k("{p}z"), 1), [["d", 4]])
        assert.deepStrictEqual(yield* redis.zpopmin(k("{p}none")), Option.none())
        assert.deepStrictEqual(yield* redis.zpopmaxCount(k("{p}none"), 3), [])
        assert.deepStrictEqual(
          yield* redis.zmpop([k("{p}none"), k("{p}z")], "MIN", { count: 3 }),
          Option.some([k("{p}z"), [["c", 3]]] as const)
        )
        assert.deepStrictEqual(yield* redis.zmpop(k("{p}z"), "MAX"), Option.none())
        yield* redis.zadd(k("{p}z"), [[7, "x"], [8, "y"]])
        assert.deepStrictEqual(yield* redis.bzpopmin(k("{p}z"), 1), Option.some([k("{p}z"), "x", 7] as const))
        assert.deepStrictEqual(
          yield* redis.bzpopmax([k("{p}none"), k("{p}z")], 1),
          Option.some([k("{p}z"), "y", 8] as const)
        )
        assert.deepStrictEqual(yield* redis.bzpopmax(k("{p}none"), 0.05), Option.none())
        yield* redis.zadd(k("{p}z"), [[9, "q"]])
        assert.deepStrictEqual(
          yield* redis.bzmpop(1, k("{p}z"), "MAX", { count: 2 }),
          Option.some([k("{p}z"), [["q", 9]]] as const)
        )
        assert.deepStrictEqual(yield* redis.bzmpop(0.05, [k("{p}none")], "MIN"), Option.none())
      }))

    it.effect("ZUNION, ZINTER and ZDIFF combine sets, with weights and aggregates", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.zadd(k("{o}a"), [[1, "x"], [2, "y"]])
        yield* redis.zadd(k("{o}b"), [[10, "y"], [20, "z"]])
        const both = [k("{o}a"), k("{o}b")]
        assert.deepStrictEqual(yield* redis.zunion(both), ["x", "y", "z"])
        assert.deepStrictEqual(yield* redis.zunionWithScores(both, { weights: [2, 1] }), [["x", 2], ["y", 14], [
          "z",
          20
        ]])
        assert.deepStrictEqual(yield* redis.zinter(both), ["y"])
        assert.deepStrictEqual(yield* redis.zinterWithScores(both, { aggregate: "MAX" }), [["y", 10]])
        assert.strictEqual(yield* redis.zintercard(both), 1)
        assert.strictEqual(yield* redis.zintercard(both, { limit: 1 }), 1)
        assert.deepStrictEqual(yield* redis.zdiff(both), ["x"])
        assert.deepStrictEqual(yield* redis.zdiffWithScores(both), [["x", 1]])
        assert.strictEqual(yield* redis.zunionstore(k("{o}u"), both, { aggregate: "MIN" }), 3)
        assert.deepStrictEqual(yield* redis.zscore(k("{o}u"), "y"), Option.some(2))
        assert.strictEqual(yield* redis.zinterstore(k("{o}i"), both, { weights: [1, 0] }), 1)
        assert.deepStrictEqual(yield* redis.zscore(k("{o}i"), "y"), Option.some(2))
        assert.strictEqual(yield* redis.zdiffstore(k("{o}d"), both), 1)
      }))

    it.effect("ZRANDMEMBER picks members, with or without scores", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.zadd(k("rand"), [[1, "a"], [2, "b"]])
        assert.isTrue(Option.isSome(yield* redis.zrandmember(k("rand"))))
        assert.deepStrictEqual(yield* redis.zrandmember(k("none")), Option.none())
        assert.deepStrictEqual([...(yield* redis.zrandmemberCount(k("rand"), 5))].sort(), ["a", "b"])
        assert.deepStrictEqual(new Map(yield* redis.zrandmemberWithScores(k("rand"), 2)), new Map([["a", 1], ["b", 2]]))
        assert.strictEqual((yield* redis.zrandmemberWithScores(k("rand"), -3)).length, 3)
      }))

    it.effect("the binary view returns members as bytes and scores as numbers", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const member = new Uint8Array([0, 1, 255])
        yield* redis.zadd(k("bin"), [[1.5, member]])
        assert.deepStrictEqual(yield* redis.binary.zrangeWithScores(k("bin"), 0, -1), [[member, 1.5]])
        assert.deepStrictEqual(yield* redis.binary.zscore(k("bin"), member), Option.some(1.5))
        assert.deepStrictEqual(yield* redis.binary.zpopmin(k("bin")), Option.some([member, 1.5] as const))
      }))
  })
}

describe("sortedSets definitions", () => {
  const commands = Commands.commands
  const keysOf = (command: Command.Command<unknown>) => Command.keyIndices(command).map((i) => command.args[i])

  it("point cluster routing at their keys", () => {
    assert.deepStrictEqual(keysOf(commands.zunionstore("d", ["a", "b"], { weights: [1, 2] })), ["d", "a", "b"])
    assert.deepStrictEqual(keysOf(commands.zdiff(["a", "b"])), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.bzmpop(1, ["a", "b"], "MIN")), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.bzpopmin(["a", "b"], 1)), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.zrangestore("d", "s", 0, -1)), ["d", "s"])
    assert.deepStrictEqual(commands.zadd("z", [[Infinity, "m"], [-Infinity, "n"]]).args, [
      "ZADD",
      "z",
      "+inf",
      "m",
      "-inf",
      "n"
    ])
    assert.strictEqual(commands.bzpopmax("a", 2).blockMillis, 2000)
  })
})
