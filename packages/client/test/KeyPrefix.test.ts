import { ClusterSlot, Commands, KeyScan, Redis, type RedisConfig, ReplyDecoder, Script } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisCluster, RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, Exit, Fiber, Option, Stream } from "effect"
import { ownerIndex } from "./clusterUtils.js"
import { calls, eventually, failureOf } from "./utils.js"

const { commands } = Commands

const connect = (options: RedisConfig.Options) => Redis.make(options).pipe(Effect.provide(NodeTransport.layer))

/** A server, a client with `keyPrefix: "app:"` and a plain client that sees the keys as the server holds them. */
const setup = (options: Omit<RedisConfig.Options, "url"> = {}) =>
  Effect.gen(function*() {
    const server = yield* RedisServer.make()
    const redis = yield* connect({ url: server.url, keyPrefix: "app:", ...options })
    const plain = yield* connect({ url: server.url })
    return { redis, plain }
  })

/** Every key the server holds, sorted. */
const held = (plain: Redis.Redis) => Effect.map(plain.keys("*"), (keys) => [...keys].sort())

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

describe("keyPrefix", () => {
  it.scopedLive(
    "strings: keys prefixed, values untouched (even when they look like keys)",
    () =>
      Effect.gen(function*() {
        const { plain, redis } = yield* setup()
        yield* redis.set("a", "b")
        yield* redis.mset({ b: "a", c: "app:c" })
        yield* redis.incr("n")
        yield* redis.append("a", "!")
        assert.deepStrictEqual(yield* held(plain), ["app:a", "app:b", "app:c", "app:n"])
        assert.deepStrictEqual(yield* plain.mget(["app:a", "app:b", "app:c"]), [
          Option.some("b!"),
          Option.some("a"),
          Option.some("app:c")
        ])
        assert.deepStrictEqual(yield* redis.mget(["a", "b", "c", "n"]), ["b!", "a", "app:c", "1"].map(Option.some))
        assert.strictEqual(yield* redis.lcs("a", "b"), "")
        assert.deepStrictEqual(yield* redis.get("app:a"), Option.none(), "the prefix is added once, never guessed")
        // Bytes keys get the prefix as bytes.
        yield* redis.set(new Uint8Array([0xff, 0x00]), "bytes")
        assert.deepStrictEqual(
          yield* plain.get(new Uint8Array([...new TextEncoder().encode("app:"), 0xff, 0x00])),
          Option.some("bytes")
        )
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("hashes, sets and sorted sets: fields and members untouched", () =>
    Effect.gen(function*() {
      const { plain, redis } = yield* setup()
      yield* redis.hset("h", { field: "k", other: "v" })
      yield* redis.sadd("s1", ["x", "y"])
      yield* redis.sadd("s2", ["y", "z"])
      yield* redis.sunionstore("s3", ["s1", "s2"])
      yield* redis.smove("s1", "s2", "x")
      yield* redis.zadd("z1", [[1, "m1"], [2, "m2"]])
      yield* redis.zadd("z2", [[3, "m2"]])
      yield* redis.zunionstore("z3", ["z1", "z2"])
      assert.deepStrictEqual(yield* held(plain), ["app:h", "app:s1", "app:s2", "app:s3", "app:z1", "app:z2", "app:z3"])
      assert.deepStrictEqual(yield* plain.hgetall("app:h"), { field: "k", other: "v" })
      assert.deepStrictEqual([...yield* plain.smembers("app:s2")].sort(), ["x", "y", "z"])
      assert.deepStrictEqual([...yield* plain.smembers("app:s3")].sort(), ["x", "y", "z"])
      assert.deepStrictEqual(yield* plain.zrange("app:z3", 0, -1), ["m1", "m2"])
      assert.deepStrictEqual(yield* plain.zscore("app:z3", "m2"), Option.some(5))
      assert.deepStrictEqual(yield* redis.sinter(["s2", "s3"]).pipe(Effect.map((m) => [...m].sort())), ["x", "y", "z"])
      assert.deepStrictEqual(
        yield* Stream.runCollect(redis.hscanStream("h", { match: "f*" })).pipe(Effect.map(Chunk.toArray)),
        [["field", "k"]],
        "HSCAN MATCH is a field pattern: not prefixed"
      )
    }), { timeout: 30_000 })

  it.scopedLive("lists and blocking pops: the popped key comes back without the prefix", () =>
    Effect.gen(function*() {
      const { plain, redis } = yield* setup()
      yield* redis.rpush("l1", ["a", "b", "c"])
      yield* redis.lmove("l1", "l2", "LEFT", "RIGHT")
      assert.deepStrictEqual(yield* held(plain), ["app:l1", "app:l2"])
      assert.deepStrictEqual(yield* plain.lrange("app:l2", 0, -1), ["a"])
      assert.deepStrictEqual(yield* redis.blpop(["empty", "l1"], 1), Option.some(["l1", "b"] as const))
      assert.deepStrictEqual(yield* redis.brpop(["l2"], 1), Option.some(["l2", "a"] as const))
      assert.deepStrictEqual(yield* redis.lmpop(["empty", "l1"], "LEFT"), Option.some(["l1", ["c"]] as const))
      yield* redis.rpush("l3", ["x"])
      assert.deepStrictEqual(yield* redis.blmpop(1, ["l3"], "RIGHT"), Option.some(["l3", ["x"]] as const))
      assert.deepStrictEqual(yield* redis.blpop(["l1"], 0.01), Option.none())
      // A blocked pop waits on the prefixed key: a plain client's push to it wakes it.
      const fiber = yield* Effect.fork(redis.blpop(["wake"], 10))
      yield* eventually(plain.clientList(), (clients) => clients.some((c) => c.cmd === "blpop"), 10)
      yield* plain.rpush("app:wake", ["up"])
      assert.deepStrictEqual(yield* Fiber.join(fiber), Option.some(["wake", "up"] as const))
      // In binary mode too.
      yield* redis.rpush("b", ["bytes"])
      const popped = Option.getOrThrow(yield* redis.binary.blpop(["b"], 1))
      assert.deepStrictEqual([text(popped[0]), text(popped[1])], ["b", "bytes"])
    }), { timeout: 30_000 })

  it.scopedLive("sorted-set pops name their key without the prefix", () =>
    Effect.gen(function*() {
      const { redis } = yield* setup()
      yield* redis.zadd("z", [[1, "one"], [2, "two"], [3, "three"]])
      assert.deepStrictEqual(yield* redis.bzpopmin(["none", "z"], 1), Option.some(["z", "one", 1] as const))
      assert.deepStrictEqual(yield* redis.bzpopmax(["z"], 1), Option.some(["z", "three", 3] as const))
      assert.deepStrictEqual(
        yield* redis.zmpop(["none", "z"], "MIN"),
        Option.some(["z", [["two", 2]]] as const)
      )
      yield* redis.zadd("y", [[5, "five"]])
      assert.deepStrictEqual(
        yield* redis.bzmpop(1, ["y"], "MAX"),
        Option.some(["y", [["five", 5]]] as const)
      )
    }), { timeout: 30_000 })

  it.scopedLive(
    "streams: XADD, XREAD and XREADGROUP, stream names unprefixed in replies (RESP2 and RESP3)",
    () =>
      Effect.gen(function*() {
        for (const protocol of [2, 3] as const) {
          const { plain, redis } = yield* setup({ protocol })
          const id = Option.getOrThrow(yield* redis.xadd("events", "*", { field: "events" }))
          assert.deepStrictEqual(yield* held(plain), ["app:events"])
          const read = Option.getOrThrow(yield* redis.xread({ events: "0" }))
          assert.deepStrictEqual(Object.keys(read), ["events"])
          assert.deepStrictEqual(read["events"]!.map((entry) => entry.id), [id])
          yield* redis.xgroupCreate("events", "g", "0")
          const grouped = Option.getOrThrow(yield* redis.xreadgroup("g", "c", { events: ">" }))
          assert.deepStrictEqual(Object.keys(grouped), ["events"])
          assert.strictEqual((yield* plain.xinfoGroups("app:events"))[0]!.name, "g", "group names are not keys")
        }
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("keys: RENAME, COPY, EXISTS, DEL, TYPE, RANDOMKEY, KEYS", () =>
    Effect.gen(function*() {
      const { plain, redis } = yield* setup()
      yield* plain.set("other", "not ours")
      yield* redis.set("k1", "v")
      yield* redis.rename("k1", "k2")
      yield* redis.copy("k2", "k3")
      assert.deepStrictEqual(yield* held(plain), ["app:k2", "app:k3", "other"])
      assert.strictEqual(yield* redis.exists(["k1", "k2", "k3", "other"]), 2)
      assert.strictEqual(yield* redis.type("k2"), "string")
      assert.deepStrictEqual([...yield* redis.keys("*")].sort(), ["k2", "k3"], "KEYS sees only our keys, unprefixed")
      assert.deepStrictEqual(yield* redis.keys("k[3]"), ["k3"])
      // RANDOMKEY picks from the whole database: only once "other" is gone is the answer ours.
      yield* plain.del("other")
      assert.include(["k2", "k3"], Option.getOrThrow(yield* redis.randomkey()))
      assert.strictEqual(yield* redis.del(["k2", "k3"]), 2)
      assert.deepStrictEqual(yield* held(plain), [])
    }), { timeout: 30_000 })

  it.scopedLive("SORT: BY and GET patterns name prefixed keys; GET # and STORE", () =>
    Effect.gen(function*() {
      const { plain, redis } = yield* setup()
      yield* redis.rpush("ids", ["1", "2", "3"])
      yield* redis.mset({ "weight_1": "30", "weight_2": "10", "weight_3": "20", "name_1": "a", "name_2": "b" })
      assert.deepStrictEqual(
        yield* redis.sort("ids", { by: "weight_*", get: ["#", "name_*"] }),
        [Option.some("2"), Option.some("b"), Option.some("3"), Option.none(), Option.some("1"), Option.some("a")]
      )
      assert.deepStrictEqual(
        yield* redis.sortRo("ids", { by: "nosort", get: ["name_*"] }),
        [Option.some("a"), Option.some("b"), Option.none()]
      )
      assert.strictEqual(yield* redis.sortStore("ids", "sorted", { by: "weight_*" }), 3)
      assert.deepStrictEqual(yield* plain.lrange("app:sorted", 0, -1), ["2", "3", "1"])
    }), { timeout: 30_000 })

  it.scopedLive("geo, hyperloglog and bitmaps", () =>
    Effect.gen(function*() {
      const { plain, redis } = yield* setup()
      yield* redis.geoadd("places", [{ longitude: 13.361389, latitude: 38.115556, member: "places" }, {
        longitude: 15.087269,
        latitude: 37.502669,
        member: "catania"
      }])
      assert.strictEqual(
        yield* redis.geosearchstore("near", "places", { member: "places" }, { radius: 200, unit: "km" }),
        2
      )
      assert.deepStrictEqual([...yield* plain.zrange("app:near", 0, -1)].sort(), ["catania", "places"])
      yield* redis.pfadd("hll1", ["a", "b"])
      yield* redis.pfadd("hll2", ["b", "c"])
      yield* redis.pfmerge("hll", ["hll1", "hll2"])
      assert.strictEqual(yield* redis.pfcount(["hll"]), 3)
      yield* redis.setbit("bits1", 1, 1)
      yield* redis.setbit("bits2", 2, 1)
      assert.strictEqual(yield* redis.bitop("OR", "bits", ["bits1", "bits2"]), 1)
      assert.strictEqual(yield* redis.bitcount("bits"), 2)
      assert.deepStrictEqual(yield* held(plain), [
        "app:bits",
        "app:bits1",
        "app:bits2",
        "app:hll",
        "app:hll1",
        "app:hll2",
        "app:near",
        "app:places"
      ])
    }), { timeout: 30_000 })

  it.scopedLive(
    "scripts: KEYS prefixed, ARGV untouched, through EVALSHA, the EVAL fallback and FCALL",
    () =>
      Effect.gen(function*() {
        const { plain, redis } = yield* setup()
        const setBoth = Script.make(
          "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[2]); return KEYS",
          ReplyDecoder.raw
        )
        // Not loaded yet: EVALSHA answers NOSCRIPT and the EVAL that follows is prefixed too.
        const names = yield* redis.execute(Script.call(setBoth, ["s1", "s2"], ["s2", "v"]))
        assert.deepStrictEqual(names, ["app:s1", "app:s2"], "the script sees the full key names")
        assert.deepStrictEqual(yield* plain.mget(["app:s1", "app:s2"]), [Option.some("s2"), Option.some("v")])
        yield* redis.execute(Script.call(setBoth, ["s3", "s4"], ["a", "b"]))
        yield* redis.execute(commands.eval("return redis.call('INCR', KEYS[1])", ["counter"], ["counter"]))
        yield* redis.execute(
          commands.functionLoad(
            "#!lua name=lib\nredis.register_function('touch', function(k, a) return redis.call('SET', k[1], a[1]) end)"
          )
        )
        yield* redis.execute(commands.fcall("touch", ["f"], ["f"]))
        assert.deepStrictEqual(yield* held(plain), ["app:counter", "app:f", "app:s1", "app:s2", "app:s3", "app:s4"])
        assert.deepStrictEqual(yield* plain.get("app:f"), Option.some("f"))
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "SCAN: only prefixed keys, MATCH prefixed, keys returned without the prefix (text and bytes)",
    () =>
      Effect.gen(function*() {
        const { plain, redis } = yield* setup()
        yield* Effect.forEach(["x", "y", "user:1", "user:2"], (key) => plain.set(key, "outside"), { discard: true })
        yield* Effect.forEach(["a", "b", "user:1", "user:2"], (key) => redis.set(key, "inside"), { discard: true })
        const all = yield* Stream.runCollect(redis.scanStream({ count: 2 }))
        assert.deepStrictEqual([...new Set(Chunk.toArray(all))].sort(), ["a", "b", "user:1", "user:2"])
        const users = yield* Stream.runCollect(redis.scanStream({ match: "user:*" }))
        assert.deepStrictEqual([...new Set(Chunk.toArray(users))].sort(), ["user:1", "user:2"])
        const bytes = yield* Stream.runCollect(redis.binary.scanStream({ match: "a" }))
        assert.deepStrictEqual(Chunk.toArray(bytes).map(text), ["a"])
        const [, page] = yield* redis.scan(0, { count: 1000, type: "string" })
        assert.deepStrictEqual([...page].sort(), ["a", "b", "user:1", "user:2"])
        // KeyScan works within the prefix.
        assert.strictEqual(yield* KeyScan.count(redis, "user:"), 2)
        assert.strictEqual(yield* KeyScan.unlink(redis, "user:"), 2)
        assert.deepStrictEqual(yield* held(plain), ["app:a", "app:b", "user:1", "user:2", "x", "y"])
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("a prefix with glob characters is matched literally by SCAN and KEYS", () =>
    Effect.gen(function*() {
      const { plain, redis } = yield* setup({ keyPrefix: "t[1]*" })
      yield* plain.set("t1xk", "not ours")
      yield* redis.set("k", "ours")
      assert.deepStrictEqual(yield* held(plain), ["t1xk", "t[1]*k"])
      assert.deepStrictEqual(yield* redis.keys("*"), ["k"])
      assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(redis.scanStream())), ["k"])
    }), { timeout: 30_000 })

  it.scopedLive(
    "pipelines and transactions: keys prefixed, key names in replies and in EXEC's stripped",
    () =>
      Effect.gen(function*() {
        const { plain, redis } = yield* setup()
        const [set, get, pop] = yield* redis.pipeline([
          commands.set("p", "v"),
          commands.get("p"),
          commands.lmpop(["nothing"], "LEFT")
        ])
        assert.deepStrictEqual([set, get, pop], [
          Either.right(true),
          Either.right(Option.some("v")),
          Either.right(Option.none())
        ])
        yield* redis.rpush("list", ["one"])
        const [incr, popped, keys] = yield* redis.transaction([
          commands.incr("t"),
          commands.lmpop(["list"], "LEFT"),
          commands.keys("l*")
        ])
        assert.deepStrictEqual(incr, Either.right(1))
        assert.deepStrictEqual(popped, Either.right(Option.some(["list", ["one"]] as const)))
        assert.deepStrictEqual(keys, Either.right([]))
        assert.deepStrictEqual(yield* held(plain), ["app:p", "app:t"])
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "watch: the watched key is the prefixed one (a plain client's write is a conflict)",
    () =>
      Effect.gen(function*() {
        const { plain, redis } = yield* setup()
        yield* redis.set("balance", "10")
        const [applied] = yield* redis.watch(["balance"], (connection) =>
          Effect.map(
            connection.get("balance"),
            (value) => [commands.set("balance", String(Number(Option.getOrThrow(value)) + 1))]
          ))
        assert.deepStrictEqual(applied, Either.right(true))
        assert.deepStrictEqual(yield* plain.get("app:balance"), Option.some("11"))
        const conflict = yield* Effect.exit(redis.watch(["balance"], (connection) =>
          Effect.zipRight(
            plain.set("app:balance", "99"),
            Effect.as(connection.get("balance"), [commands.set("balance", "0")])
          )))
        assert.strictEqual(failureOf(conflict)?._tag, "RedisTransactionError")
        assert.deepStrictEqual(yield* plain.get("app:balance"), Option.some("99"))
        // reserve: commands on the lent connection are prefixed too.
        yield* Effect.scoped(Effect.flatMap(redis.reserve, (reserved) => reserved.set("reserved", "yes")))
        assert.deepStrictEqual(yield* plain.get("app:reserved"), Option.some("yes"))
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "raw: keys where the server's key specs put them; patterns and replies like typed calls",
    () =>
      Effect.gen(function*() {
        const { plain, redis } = yield* setup()
        yield* redis.raw(["SET", "r1", "r1"])
        yield* redis.raw(["mset", "r2", "r2", "r3", "r3"])
        yield* plain.zadd("app:za", [[1, "za"]])
        yield* redis.raw(["ZUNIONSTORE", "zout", 2, "za", "zb", "WEIGHTS", 2, 1])
        assert.deepStrictEqual(yield* plain.zscore("app:zout", "za"), Option.some(2))
        yield* redis.raw(["EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", 1, "r4", "r4"])
        yield* redis.raw(["XADD", "rs", "*", "rs", "rs"])
        assert.deepStrictEqual(yield* redis.raw(["GET", "r1"]), "r1")
        assert.deepStrictEqual(
          yield* plain.mget(["app:r1", "app:r2", "app:r3", "app:r4"]),
          ["r1", "r2", "r3", "r4"].map(Option.some)
        )
        assert.deepStrictEqual(yield* held(plain), [
          "app:r1",
          "app:r2",
          "app:r3",
          "app:r4",
          "app:rs",
          "app:za",
          "app:zout"
        ])
        const read = yield* redis.raw(["XREAD", "COUNT", 1, "STREAMS", "rs", "0"])
        assert.strictEqual(JSON.stringify(read).includes("app:"), false, "stream names come back without the prefix")
        assert.deepStrictEqual([...(yield* redis.raw(["KEYS", "r[12]"])) as Array<string>].sort(), ["r1", "r2"])
        // SORT's STORE key is not in the key specs (they say "unknown"): the server's COMMAND GETKEYS places it.
        yield* redis.raw(["RPUSH", "nums", 3, 1, 2])
        assert.strictEqual(yield* redis.raw(["SORT", "nums", "STORE", "numsSorted"]), 3)
        assert.deepStrictEqual(yield* plain.lrange("app:numsSorted", 0, -1), ["1", "2", "3"])
        // Where a key's name also appears as another argument, which one is the key cannot be told: refused.
        const ambiguous = failureOf(yield* Effect.exit(redis.raw(["SORT", "nums", "LIMIT", 0, 1, "STORE", "1"])))
        assert.strictEqual(ambiguous?._tag, "RedisArgumentError")
        assert.strictEqual(ambiguous?._tag === "RedisArgumentError" && ambiguous.outcome, "not-sent")
        assert.strictEqual(yield* plain.exists(["app:1", "1"]), 0)
        // Keyless commands are untouched; COMMAND INFO is asked once per command name.
        assert.strictEqual(yield* redis.raw(["PING", "r1"]), "r1")
        assert.strictEqual(
          yield* calls(plain, "command|info"),
          ["set", "mset", "zunionstore", "eval", "xadd", "get", "xread", "keys", "rpush", "sort", "ping"].length
        )
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "pub/sub channels are not prefixed; keyspace events are, and name keys without it",
    () =>
      Effect.gen(function*() {
        const { plain, redis } = yield* setup()
        const messages = yield* redis.subscription({ channels: ["news"] })
        const fiber = yield* Effect.fork(Stream.runHead(messages))
        yield* plain.publish("news", "hello")
        assert.strictEqual(Option.getOrThrow(yield* Fiber.join(fiber)).message, "hello")
        const events = yield* Effect.fork(Stream.runCollect(Stream.take(redis.keyspaceEvents({ enable: "KA" }), 1)))
        yield* eventually(plain.pubsubNumpat(), (n) => n > 0, 10)
        yield* plain.set("outside", "1")
        yield* redis.set("inside", "1")
        const [event] = Chunk.toArray(yield* Fiber.join(events))
        assert.deepStrictEqual([event!.key, event!.event], ["inside", "set"])
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "client-side caching keys its entries by the prefixed name: invalidations arrive",
    () =>
      Effect.gen(function*() {
        const { plain, redis } = yield* setup({ cache: {} })
        yield* redis.set("cached", "1")
        assert.deepStrictEqual(yield* redis.get("cached"), Option.some("1"))
        assert.deepStrictEqual(yield* redis.get("cached"), Option.some("1"))
        assert.strictEqual((yield* redis.cacheStats).hits, 1)
        yield* plain.set("app:cached", "2")
        yield* eventually(redis.cacheStats, (stats) => stats.invalidations === 1, 10)
        assert.deepStrictEqual(yield* redis.get("cached"), Option.some("2"))
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("off by default and with an empty prefix: keys are sent as given", () =>
    Effect.gen(function*() {
      const { plain, redis } = yield* setup({ keyPrefix: "" })
      yield* redis.set("bare", "1")
      assert.deepStrictEqual(yield* held(plain), ["bare"])
    }), { timeout: 30_000 })

  it.scopedLive(
    "cluster: slots are those of the prefixed keys; a hash tag in the prefix keeps every key in one slot",
    () =>
      Effect.gen(function*() {
        const cluster = yield* RedisCluster.make()
        const direct = yield* Effect.forEach(cluster.masters, (node) => connect({ url: node.url }))
        const redis = yield* connect({ cluster: { nodes: cluster.seeds }, keyPrefix: "svc:" })
        const keys = Array.from({ length: 30 }, (_, i) => `key:${i}`)
        yield* Effect.forEach(keys, (key) => redis.set(key, key), { discard: true })
        for (const key of keys) {
          const owner = direct[ownerIndex(cluster, ClusterSlot.slotOf(`svc:${key}`))]!
          assert.deepStrictEqual(yield* owner.get(`svc:${key}`), Option.some(key))
        }
        yield* redis.raw(["SET", "raw:1", "v"])
        assert.deepStrictEqual(
          yield* direct[ownerIndex(cluster, ClusterSlot.slotOf("svc:raw:1"))]!.get("svc:raw:1"),
          Option.some("v")
        )
        const scanned = yield* Stream.runCollect(redis.scanStream({ match: "key:*" }))
        assert.deepStrictEqual([...new Set(Chunk.toArray(scanned))].sort(), [...keys].sort())
        // `{tenant}:` as the prefix: every key hashes on "tenant", so multi-key commands and scripts work.
        const tagged = yield* connect({ cluster: { nodes: cluster.seeds }, keyPrefix: "{tenant}:" })
        yield* tagged.mset({ a: "1", b: "2", c: "3" })
        assert.strictEqual(yield* tagged.exists(["a", "b", "c"]), 3)
        assert.deepStrictEqual(yield* tagged.blpop(["none"], 0.01), Option.none())
        const [incremented, read] = yield* tagged.transaction([commands.incr("a"), commands.get("b")])
        assert.deepStrictEqual([incremented, read], [Either.right(2), Either.right(Option.some("2"))])
        // watch borrows from the pool of the prefixed keys' master and WATCHes the prefixed keys there.
        const [watched] = yield* tagged.watch(["c"], (connection) =>
          Effect.map(connection.get("c"), (value) => [commands.set("c", `${Option.getOrThrow(value)}!`)]))
        assert.deepStrictEqual(watched, Either.right(true))
        const owner = direct[ownerIndex(cluster, ClusterSlot.slotOf("tenant"))]!
        assert.deepStrictEqual(yield* owner.get("{tenant}:c"), Option.some("3!"))
        assert.deepStrictEqual(yield* owner.mget(["{tenant}:a", "{tenant}:b"]), [Option.some("2"), Option.some("2")])
        // Without a tag in the prefix, keys spread over the slots: a multi-key command across slots is refused.
        assert.notStrictEqual(ClusterSlot.slotOf("svc:a"), ClusterSlot.slotOf("svc:b"))
        const crossed = yield* Effect.exit(redis.mset({ a: "1", b: "2" }))
        assert.isTrue(Exit.isFailure(crossed))
      }),
    { timeout: 90_000 }
  )
})
