import { Command, Commands, Redis } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { testLayer } from "../utils.js"

const scanAll = <A>(step: (cursor: bigint) => Effect.Effect<readonly [bigint, Array<A>], unknown>) =>
  Effect.gen(function*() {
    const out: Array<A> = []
    let cursor = 0n
    do {
      const [next, items] = yield* step(cursor)
      out.push(...items)
      cursor = next
    } while (cursor !== 0n)
    return out
  })

for (const protocol of [2, 3] as const) {
  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`keys (RESP${protocol})`, (it) => {
    const k = (name: string) => `keys:${protocol}:${name}`

    it.effect("DEL, UNLINK, EXISTS and TOUCH count keys", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.mset([[k("d1"), "1"], [k("d2"), "2"], [k("d3"), "3"]])
        assert.strictEqual(yield* redis.exists([k("d1"), k("d2"), k("d1"), k("none")]), 3)
        assert.strictEqual(yield* redis.touch([k("d1"), k("none")]), 1)
        assert.strictEqual(yield* redis.del(k("d1")), 1)
        assert.strictEqual(yield* redis.unlink([k("d2"), k("d3"), k("none")]), 2)
        assert.strictEqual(yield* redis.exists(k("d2")), 0)
      }))

    it.effect("the EXPIRE family sets, conditions and reports expiries", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.isFalse(yield* redis.expire(k("missing"), 10))
        assert.strictEqual(yield* redis.ttl(k("missing")), -2)
        yield* redis.set(k("e"), "v")
        assert.strictEqual(yield* redis.ttl(k("e")), -1)
        assert.strictEqual(yield* redis.expiretime(k("e")), -1)
        assert.isFalse(yield* redis.expire(k("e"), 100, { xx: true }))
        assert.isTrue(yield* redis.expire(k("e"), 100, { nx: true }))
        assert.isFalse(yield* redis.expire(k("e"), 50, { gt: true }))
        assert.isTrue(yield* redis.pexpire(k("e"), 200_000, { gt: true }))
        const pttl = yield* redis.pttl(k("e"))
        assert.isTrue(pttl > 100_000 && pttl <= 200_000)
        const at = Math.floor(Date.now() / 1000) + 1000
        assert.isTrue(yield* redis.expireat(k("e"), at))
        assert.strictEqual(yield* redis.expiretime(k("e")), at)
        assert.isTrue(yield* redis.pexpireat(k("e"), at * 1000 + 5))
        assert.strictEqual(yield* redis.pexpiretime(k("e")), at * 1000 + 5)
        assert.isTrue(yield* redis.persist(k("e")))
        assert.isFalse(yield* redis.persist(k("e")))
      }))

    it.effect("TYPE and OBJECT describe values", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.set(k("t-int"), 12)
        yield* redis.rpush(k("t-list"), ["a"])
        assert.strictEqual(yield* redis.type(k("t-int")), "string")
        assert.strictEqual(yield* redis.type(k("t-list")), "list")
        assert.strictEqual(yield* redis.type(k("t-none")), "none")
        assert.deepStrictEqual(yield* redis.objectEncoding(k("t-int")), Option.some("int"))
        // Redis 7.0 keeps even small lists in a quicklist (7.2 switched them to listpack).
        assert.deepStrictEqual(yield* redis.objectEncoding(k("t-list")), Option.some("quicklist"))
        yield* redis.hset(k("t-hash"), { f: "v" })
        assert.deepStrictEqual(yield* redis.objectEncoding(k("t-hash")), Option.some("listpack"))
        assert.deepStrictEqual(yield* redis.objectEncoding(k("t-none")), Option.none())
        assert.isTrue(Option.isSome(yield* redis.objectRefcount(k("t-list"))))
        assert.isTrue(Option.isSome(yield* redis.objectIdletime(k("t-list"))))
        assert.deepStrictEqual(yield* redis.objectIdletime(k("t-none")), Option.none())
        assert.isTrue((yield* redis.objectHelp()).some((line) => line.includes("ENCODING")))
        // OBJECT FREQ needs an LFU policy; the default policy makes it an error reply.
        assert.isTrue(Exit.isFailure(yield* Effect.exit(redis.objectFreq(k("t-list")))))
      }))

    it.effect("RENAME, RENAMENX, COPY and MOVE relocate values", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.set(k("{r}a"), "1")
        yield* redis.set(k("{r}c"), "3")
        yield* redis.rename(k("{r}a"), k("{r}b"))
        assert.deepStrictEqual(yield* redis.get(k("{r}b")), Option.some("1"))
        assert.isFalse(yield* redis.renamenx(k("{r}b"), k("{r}c")))
        assert.isTrue(Exit.isFailure(yield* Effect.exit(redis.rename(k("{r}none"), k("{r}x")))))
        assert.isTrue(yield* redis.copy(k("{r}b"), k("{r}d")))
        assert.isFalse(yield* redis.copy(k("{r}b"), k("{r}c")))
        assert.isTrue(yield* redis.copy(k("{r}b"), k("{r}c"), { replace: true }))
        assert.deepStrictEqual(yield* redis.get(k("{r}c")), Option.some("1"))
        assert.isTrue(yield* redis.copy(k("{r}b"), k("{r}b"), { db: 1 }))
        assert.isFalse(yield* redis.move(k("{r}b"), 1))
        assert.isTrue(yield* redis.move(k("{r}d"), 2))
        assert.strictEqual(yield* redis.exists(k("{r}d")), 0)
      }))

    it.effect("DUMP and RESTORE round-trip a value through the binary view", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.rpush(k("dump"), ["a", "b", new Uint8Array([0, 255])])
        const payload = yield* redis.binary.dump(k("dump"))
        assert.isTrue(Option.isSome(payload))
        yield* redis.restore(k("restored"), 0, Option.getOrThrow(payload))
        assert.deepStrictEqual(yield* redis.binary.lrange(k("restored"), 0, -1), [
          new TextEncoder().encode("a"),
          new TextEncoder().encode("b"),
          new Uint8Array([0, 255])
        ])
        assert.isTrue(Exit.isFailure(yield* Effect.exit(redis.restore(k("restored"), 0, Option.getOrThrow(payload)))))
        yield* redis.restore(k("restored"), 100_000, Option.getOrThrow(payload), { replace: true, idletime: 5 })
        assert.isTrue((yield* redis.pttl(k("restored"))) > 0)
        assert.deepStrictEqual(yield* redis.binary.dump(k("dump-missing")), Option.none())
      }))

    it.effect("SORT, SORT … STORE and SORT_RO sort elements and look up patterns", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.rpush(k("{s}list"), ["3", "1", "2"])
        yield* redis.mset([[k("{s}w_1"), "c"], [k("{s}w_2"), "b"], [k("{s}w_3"), "a"]])
        assert.deepStrictEqual(yield* redis.sort(k("{s}list")), ["1", "2", "3"].map(Option.some))
        assert.deepStrictEqual(
          yield* redis.sortRo(k("{s}list"), { order: "DESC", limit: { offset: 0, count: 2 } }),
          ["3", "2"].map(Option.some)
        )
        assert.deepStrictEqual(
          yield* redis.sort(k("{s}list"), { by: k("{s}w_*"), alpha: true, get: ["#", k("{s}w_*"), k("{s}none_*")] }),
          [
            Option.some("3"),
            Option.some("a"),
            Option.none(),
            Option.some("2"),
            Option.some("b"),
            Option.none(),
            Option.some("1"),
            Option.some("c"),
            Option.none()
          ]
        )
        assert.strictEqual(yield* redis.sortStore(k("{s}list"), k("{s}sorted"), { order: "DESC" }), 3)
        assert.deepStrictEqual(yield* redis.lrange(k("{s}sorted"), 0, -1), ["3", "2", "1"])
      }))

    it.effect("SCAN walks every key matching a pattern and type", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const names = Array.from({ length: 30 }, (_, i) => k(`scan:${i}`))
        yield* redis.mset(names.map((name) => [name, "v"] as const))
        yield* redis.rpush(k("scan:list"), ["x"])
        const found = yield* scanAll((cursor) => redis.scan(cursor, { match: k("scan:*"), count: 7, type: "string" }))
        assert.deepStrictEqual([...new Set(found)].sort(), [...names].sort())
        assert.deepStrictEqual(yield* redis.keys(k("scan:list")), [k("scan:list")])
      }))

    it.effect("HSCAN, SSCAN and ZSCAN walk collections", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const fields = Array.from({ length: 200 }, (_, i) => [`f${i}`, `v${i}`] as const)
        yield* redis.hset(k("hscan"), fields)
        const pairs = yield* scanAll((cursor) => redis.hscan(k("hscan"), cursor, { count: 50 }))
        assert.deepStrictEqual(
          new Map(pairs),
          new Map(fields)
        )
        yield* redis.sadd(k("sscan"), ["a", "b", "c"])
        const members = yield* scanAll((cursor) => redis.sscan(k("sscan"), cursor, { match: "[ab]" }))
        assert.deepStrictEqual([...members].sort(), ["a", "b"])
        yield* redis.zadd(k("zscan"), [[1.5, "x"], [-2, "y"]])
        const scored = yield* scanAll((cursor) => redis.zscan(k("zscan"), cursor))
        assert.deepStrictEqual(new Map(scored), new Map([["x", 1.5], ["y", -2]]))
      }))

    it.scoped("MIGRATE moves keys to another server, or copies them", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const target = yield* RedisServer.make()
        const other = yield* Redis.make({ url: target.url }).pipe(Effect.provide(NodeTransport.layer))
        yield* redis.mset([[k("{mig}a"), "1"], [k("{mig}b"), "2"]])
        assert.isTrue(yield* redis.migrate(target.host, target.port, [k("{mig}a"), k("{mig}b")], 0, 5000))
        assert.strictEqual(yield* redis.exists([k("{mig}a"), k("{mig}b")]), 0)
        assert.deepStrictEqual(yield* other.mget([k("{mig}a"), k("{mig}b")]), [Option.some("1"), Option.some("2")])
        yield* redis.set(k("{mig}a"), "3")
        assert.isTrue(
          yield* redis.migrate(target.host, target.port, k("{mig}a"), 0, 5000, { copy: true, replace: true })
        )
        assert.deepStrictEqual(yield* redis.get(k("{mig}a")), Option.some("3"))
        assert.deepStrictEqual(yield* other.get(k("{mig}a")), Option.some("3"))
        assert.isFalse(yield* redis.migrate(target.host, target.port, k("{mig}none"), 0, 5000))
      }))

    it.effect("RANDOMKEY returns a key when the database has one", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.set(k("random"), "v")
        assert.isTrue(Option.isSome(yield* redis.randomkey()))
      }))
  })
}

describe("keys definitions", () => {
  const commands = Commands.commands
  const keysOf = (command: Command.Command<unknown>) => Command.keyIndices(command).map((i) => command.args[i])

  it("point cluster routing at their keys", () => {
    assert.deepStrictEqual(keysOf(commands.del(["a", "b"])), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.copy("a", "b", { db: 1 })), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.objectEncoding("a")), ["a"])
    assert.deepStrictEqual(keysOf(commands.sortStore("a", "b", { get: ["#"] })), ["a", "b"])
    assert.deepStrictEqual(keysOf(commands.scan(0, { match: "x" })), [])
    assert.deepStrictEqual(keysOf(commands.migrate("h", 1, ["a", "KEYS"], 0, 10, { copy: true })), ["a", "KEYS"])
  })
})
