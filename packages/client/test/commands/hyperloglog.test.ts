import { Command, Commands, Redis } from "@effect-redis/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { testLayer } from "../utils.js"

for (const protocol of [2, 3] as const) {
  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`hyperloglog (RESP${protocol})`, (it) => {
    const k = (name: string) => `hll:${protocol}:${name}`

    it.effect("PFADD, PFCOUNT and PFMERGE estimate distinct counts", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.isTrue(yield* redis.pfadd(k("{h}a"), ["x", "y", "z"]))
        assert.isFalse(yield* redis.pfadd(k("{h}a"), "x"))
        assert.isTrue(yield* redis.pfadd(k("{h}empty"), []))
        assert.strictEqual(yield* redis.pfcount(k("{h}a")), 3)
        assert.strictEqual(yield* redis.pfcount(k("{h}none")), 0)
        yield* redis.pfadd(k("{h}b"), ["z", "w"])
        assert.strictEqual(yield* redis.pfcount([k("{h}a"), k("{h}b")]), 4)
        yield* redis.pfmerge(k("{h}m"), [k("{h}a"), k("{h}b")])
        assert.strictEqual(yield* redis.pfcount(k("{h}m")), 4)
      }))
  })
}

describe("hyperloglog definitions", () => {
  const commands = Commands.commands
  const keysOf = (command: Command.Command<unknown>) => Command.keyIndices(command).map((i) => command.args[i])

  it("point cluster routing at their keys", () => {
    assert.deepStrictEqual(keysOf(commands.pfmerge("d", ["a", "b"])), ["d", "a", "b"])
    assert.deepStrictEqual(keysOf(commands.pfcount(["a", "b"])), ["a", "b"])
  })
})
