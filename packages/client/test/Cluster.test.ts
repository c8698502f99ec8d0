import { ClusterSlot, Command, Commands, Redis, RedisConfig, ReplyDecoder } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisCluster } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, Exit, Fiber, Option, Scope, Stream } from "effect"
import { finishMove, ownerIndex, startMove } from "./clusterUtils.js"
import { blockedClients, calls, closedPort, eventually, refusals } from "./utils.js"

const { commands } = Commands

const connect = (options: RedisConfig.Options) => Redis.make(options).pipe(Effect.provide(NodeTransport.layer))

/** A cluster, a client of it, and a direct client per master (for the test's own look at each node). */
const setup = (options: RedisCluster.Options = {}) =>
  Effect.gen(function*() {
    const cluster = yield* RedisCluster.make(options)
    const redis = yield* connect({ cluster: { nodes: cluster.seeds } })
    const direct = yield* Effect.forEach(cluster.masters, (node) => connect({ url: node.url }))
    return { cluster, redis, direct }
  })

/** Writes `key`, then moves its slot to the next master, finished or left migrating. */
const writeAndMove = (
  env: Effect.Effect.Success<ReturnType<typeof setup>>,
  key: string,
  value: string,
  options: { readonly finish: boolean }
) =>
  Effect.gen(function*() {
    const slot = ClusterSlot.slotOf(key)
    const from = ownerIndex(env.cluster, slot)
    const to = (from + 1) % env.cluster.masters.length
    yield* env.redis.set(key, value)
    yield* startMove(env.cluster, env.direct, slot, from, to)
    if (options.finish) yield* finishMove(env.cluster, env.direct, slot, to)
    return { from, to }
  })

describe("Redis Cluster", () => {
  it.scopedLive("sends every command to the master of its key's slot", () =>
    Effect.gen(function*() {
      const { cluster, direct, redis } = yield* setup()
      const keys = Array.from({ length: 60 }, (_, i) => `key:${i}`)
      yield* Effect.forEach(keys, (key) => redis.set(key, key), { discard: true })
      for (const key of keys) {
        const owner = direct[ownerIndex(cluster, ClusterSlot.slotOf(key))]!
        assert.deepStrictEqual(yield* owner.get(key), Option.some(key))
      }
      const sizes = yield* Effect.forEach(direct, (node) => node.dbsize())
      assert.strictEqual(sizes.reduce((a, b) => a + b, 0), keys.length)
      assert.isTrue(sizes.every((size) => size > 0), "every master holds some of the keys")
      assert.deepStrictEqual(yield* Effect.forEach(keys, (key) => redis.get(key)), keys.map(Option.some))
      // SCAN walks every master, one after the other.
      const scanned = yield* Stream.runCollect(redis.scanStream({ match: "key:*", count: 7 }))
      assert.deepStrictEqual([...new Set(Chunk.toReadonlyArray(scanned))].sort(), [...keys].sort())
    }), { timeout: 60_000 })

  it.scopedLive("computes slots as the server does, hash tags and UTF-8 included", () =>
    Effect.gen(function*() {
      const { redis } = yield* setup()
      // ASCII keys are hashed from their characters, the others from their UTF-8 bytes: both kinds, with and
      // without tags, and keys whose tag is ASCII in a key that is not.
      const keys = ["foo", "123456789", "{user:1}:name", "user:1", "a{}b", "{}x", "x{y}{z}", "héllo", "日本", ""]
        .concat(["é{user:1}", "{user:1}日本", "{é}x", "\ud800{a}", "{\ud800}", "日{}本"])
      for (const key of keys) {
        assert.strictEqual(ClusterSlot.slotOf(key), yield* redis.clusterKeyslot(key), key)
      }
      assert.strictEqual(ClusterSlot.slotOf(new Uint8Array([0xff, 0x7b, 0x61, 0x7d])), ClusterSlot.slotOf("a"))
      // 500 random keys with braces sprinkled in, against the server in one pipeline.
      const alphabet = "ab{}:é日 1"
      const random = Array.from({ length: 500 }, (_, i) =>
        Array.from({ length: 1 + (i % 12) }, () =>
          alphabet[Math.floor(Math.random() * alphabet.length)]).join(""))
      const served = yield* redis.pipeline(random.map((key) =>
        commands.clusterKeyslot(key)
      ))
      assert.deepStrictEqual(served, random.map((key) => Either.right(ClusterSlot.slotOf(key))))
    }), { timeout: 60_000 })

  it.scopedLive("types the cluster's introspection commands", () =>
    Effect.gen(function*() {
      const { cluster, direct, redis } = yield* setup()
      assert.strictEqual((yield* redis.clusterInfo())["cluster_state"], "ok")
      const first = cluster.masters[0]!
      assert.strictEqual(yield* direct[0]!.clusterMyid(), first.id)
      const nodes = yield* direct[0]!.clusterNodes()
      assert.deepStrictEqual(nodes.map((node) => node.id).sort(), cluster.masters.map((node) => node.id).sort())
      const myself = nodes.find((node) => node.flags.some((flag) => flag === "myself"))!
      assert.deepStrictEqual([myself.id, myself.master, myself.linkState, myself.slots], [
        first.id,
        undefined,
        "connected",
        [`${first.slots[0]}-${first.slots[1]}`]
      ])
      const ranges = yield* redis.clusterSlots()
      assert.deepStrictEqual(
        [...ranges].sort((a, b) => a.start - b.start).map((
          range
        ) => [range.start, range.end, range.master.port, range.master.id]),
        cluster.masters.map((node) => [node.slots[0], node.slots[1], node.port, node.id])
      )
      yield* redis.set("counted", "1")
      const slot = ClusterSlot.slotOf("counted")
      const owner = direct[ownerIndex(cluster, slot)]!
      assert.strictEqual(yield* owner.clusterCountkeysinslot(slot), 1)
      assert.deepStrictEqual(yield* owner.clusterGetkeysinslot(slot, 10), ["counted"])
      assert.isTrue(Array.isArray(yield* redis.clusterShards()))
      assert.isTrue(Array.isArray(yield* redis.clusterLinks()))
    }), { timeout: 60_000 })

  it.scopedLive(
    "pipelines span masters and keep their order; keys sharing a hash tag share a slot",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* setup()
        const batch = Array.from({ length: 50 }, (_, i) => [
          commands.set(`p:${i}`, String(i)),
          commands.get(`p:${i}`)
        ]).flat()
        const results = yield* redis.pipeline(batch)
        assert.deepStrictEqual(
          results,
          Array.from({ length: 50 }, (_, i) => [Either.right(true), Either.right(Option.some(String(i)))]).flat()
        )
        yield* redis.mset({ "{user:1}:name": "Ada", "{user:1}:email": "ada@example.com" })
        assert.deepStrictEqual(yield* redis.mget(["{user:1}:name", "{user:1}:email"]), [
          Option.some("Ada"),
          Option.some("ada@example.com")
        ])
        const crossSlot = yield* Effect.flip(redis.mget(["a", "b"]))
        assert.strictEqual(crossSlot._tag, "RedisReplyError")
        assert.strictEqual(crossSlot._tag === "RedisReplyError" && crossSlot.code, "CROSSSLOT")
      }),
    { timeout: 60_000 }
  )

  it.scopedLive(
    "transactions and WATCH run on the master of their keys, which must share a slot",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* setup()
        const applied = yield* redis.transaction([
          commands.set("{cart:7}:items", "3"),
          commands.incr("{cart:7}:version")
        ])
        assert.deepStrictEqual(applied, [Either.right(true), Either.right(1)])
        const watched = yield* redis.watch(["{cart:7}:items"], (connection) =>
          Effect.map(connection.get("{cart:7}:items"), (items) => [
            commands.set(
              "{cart:7}:items",
              String(
                Number(Option.getOrElse(items, () =>
                  "0")) + 1
              )
            )
          ]))
        assert.deepStrictEqual(watched, [Either.right(true)])
        assert.deepStrictEqual(yield* redis.get("{cart:7}:items"), Option.some("4"))
        const refused = yield* Effect.flip(redis.transaction([commands.set("a", "1"), commands.set("b", "2")]))
        assert.strictEqual(refused._tag, "RedisArgumentError")
        assert.strictEqual(refused._tag === "RedisArgumentError" && refused.outcome, "not-sent")
        assert.include(refused.message, "hash slot")
        assert.deepStrictEqual(yield* redis.exists(["a"]), 0)
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("blocking commands wait on a dedicated connection to their key's master", () =>
    Effect.gen(function*() {
      const { cluster, direct, redis } = yield* setup()
      const owner = direct[ownerIndex(cluster, ClusterSlot.slotOf("jobs"))]!
      const popped = yield* Effect.fork(redis.blpop(["jobs"], 30))
      // The push comes only once the BLPOP waits on the key's master, so the wait itself is exercised.
      yield* eventually(blockedClients(owner), (count) => count === 1, 10)
      assert.deepStrictEqual(yield* owner.llen("jobs"), 0)
      yield* redis.rpush("jobs", ["job-1"])
      assert.deepStrictEqual(yield* Fiber.join(popped), Option.some(["jobs", "job-1"] as const))
      assert.deepStrictEqual(yield* owner.llen("jobs"), 0)
      assert.strictEqual(yield* blockedClients(owner), 0)
    }), { timeout: 60_000 })

  it.scopedLive(
    "places commands as on one server: state-changing ones refused unsent, a pipeline with a blocking command on a pool connection",
    () =>
      Effect.gen(function*() {
        const { cluster, direct } = yield* setup()
        const redis = yield* connect({ cluster: { nodes: cluster.seeds }, commandTimeout: "1 second" })
        const owner = direct[ownerIndex(cluster, ClusterSlot.slotOf("place"))]!
        const selects = Effect.forEach(direct, (node) => calls(node, "select"))
        const before = yield* selects
        for (const args of [["SELECT", "0"], ["CLIENT", "SETNAME", "x"], ["WATCH", "{place}k"], ["MULTI"]]) {
          const refused = yield* Effect.flip(redis.raw(args))
          assert.strictEqual(refused._tag, "RedisArgumentError", args.join(" "))
          assert.strictEqual(refused._tag === "RedisArgumentError" && refused.outcome, "not-sent", args.join(" "))
        }
        assert.deepStrictEqual(yield* selects, before, "nothing reached the servers")
        const WATCH = Command.make(
          Command.spec("WATCH", { flags: Command.Flags.connectionState, keys: undefined }),
          ["WATCH", "{place}k"],
          ReplyDecoder.raw
        )
        const batch = yield* redis.pipeline([commands.set("{place}k", "v"), WATCH])
        assert.isTrue(batch.every(Either.isLeft), "a batch with a lone WATCH is refused whole")
        assert.isTrue(Option.isNone(yield* redis.get("{place}k")))

        const waiting = yield* Effect.fork(
          redis.pipeline([commands.blpop(["{place}list"], 0), commands.get("{place}k")])
        )
        yield* eventually(blockedClients(owner), (count) => count === 1, 10)
        // Same master, same slot: answered while the BLPOP blocks, so that is not on the shared connection.
        assert.isTrue(Option.isNone(yield* redis.get("{place}other")))
        yield* redis.rpush("{place}list", ["x"])
        assert.deepStrictEqual<ReadonlyArray<unknown>>(yield* Fiber.join(waiting), [
          Either.right(Option.some(["{place}list", "x"])),
          Either.right(Option.none())
        ])
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("follows MOVED after a slot moves, and ASK while it migrates", () =>
    Effect.gen(function*() {
      const env = yield* setup()
      const { direct, redis } = env
      const movedKey = "moving:one"
      const { from, to } = yield* writeAndMove(env, movedKey, "before", { finish: true })
      // The client still maps the slot to the old master: it gets MOVED and follows it.
      assert.deepStrictEqual(yield* redis.get(movedKey), Option.some("before"))
      yield* redis.set(movedKey, "after")
      assert.deepStrictEqual(yield* direct[to]!.get(movedKey), Option.some("after"))
      assert.deepStrictEqual(yield* direct[from]!.dbsize(), 0)

      // The key moves, the slot stays half-way: the old master answers ASK for it.
      const askedKey = "asking:two"
      yield* writeAndMove(env, askedKey, "migrating", { finish: false })
      assert.deepStrictEqual(yield* redis.get(askedKey), Option.some("migrating"))
      const inPipeline = yield* redis.pipeline([commands.get(askedKey), commands.get(movedKey)])
      assert.deepStrictEqual(inPipeline, [Either.right(Option.some("migrating")), Either.right(Option.some("after"))])
    }), { timeout: 60_000 })

  it.scopedLive(
    "caches reads from every master and drops them when another client writes",
    () =>
      Effect.gen(function*() {
        const cluster = yield* RedisCluster.make()
        const redis = yield* connect({ cluster: { nodes: cluster.seeds }, cache: {} })
        const other = yield* connect({ cluster: { nodes: cluster.seeds } })
        const keys = ["cache:a", "cache:b", "cache:c", "cache:d"]
        yield* Effect.forEach(keys, (key) => other.set(key, "1"), { discard: true })
        for (const key of keys) yield* redis.get(key)
        for (const key of keys) yield* redis.get(key)
        assert.deepStrictEqual(yield* redis.cacheStats, { hits: 4, misses: 4, size: 4, evictions: 0, invalidations: 0 })
        yield* Effect.forEach(keys, (key) => other.set(key, "2"), { discard: true })
        for (const key of keys) yield* eventually(redis.get(key), (value) => Option.getOrNull(value) === "2", 5)
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("asks again while a slot is not served (CLUSTERDOWN), until it is", () =>
    Effect.gen(function*() {
      const { cluster, direct } = yield* setup()
      const redis = yield* connect({ cluster: { nodes: cluster.seeds, maxRedirects: 100 } })
      const key = "down:1"
      const slot = ClusterSlot.slotOf(key)
      const owner = direct[ownerIndex(cluster, slot)]!
      yield* redis.set(key, "kept")
      yield* owner.raw(["CLUSTER", "DELSLOTS", slot])
      const refusal = yield* Effect.flip(owner.get(key))
      assert.strictEqual(refusal._tag === "RedisReplyError" && refusal.code, "CLUSTERDOWN")
      const clusterDowns = Effect.map(
        Effect.forEach(direct, (node) => refusals(node, "CLUSTERDOWN")),
        (counts) => counts.reduce((a, b) => a + b, 0)
      )
      const before = yield* clusterDowns
      const read = yield* Effect.fork(redis.get(key))
      // The client was refused at least once before the slot is served again.
      yield* eventually(clusterDowns, (count) => count > before, 10)
      yield* owner.raw(["CLUSTER", "ADDSLOTS", slot])
      assert.deepStrictEqual(yield* Fiber.join(read), Option.some("kept"))
    }), { timeout: 60_000 })

  it.scopedLive("publishes and subscribes across the cluster", () =>
    Effect.gen(function*() {
      const { direct, redis } = yield* setup()
      const messages = yield* redis.subscription({ channels: ["news"] })
      const received = yield* Effect.fork(Stream.runCollect(Stream.take(messages, 3)))
      yield* redis.publish("news", "through the client")
      for (const node of direct.slice(1)) yield* node.publish("news", "through another master")
      const all = Chunk.toReadonlyArray(yield* Fiber.join(received)).map((message) => message.message)
      assert.deepStrictEqual(all, ["through the client", "through another master", "through another master"])
    }), { timeout: 60_000 })

  it.scopedLive(
    "subscribes shard channels on the master of their slot, merged with plain channels",
    () =>
      Effect.gen(function*() {
        const { cluster, direct, redis } = yield* setup()
        // One shard channel on each master.
        const shardChannels = cluster.masters.map((_, index) =>
          Array.from({ length: 100 }, (_, i) => `orders:${i}`).find((channel) =>
            ownerIndex(cluster, ClusterSlot.slotOf(channel)) === index
          )!
        )
        const messages = yield* redis.subscription({ channels: ["news"], shardChannels })
        for (const [index, channel] of shardChannels.entries()) {
          assert.deepStrictEqual(yield* direct[index]!.pubsubShardnumsub(channel), { [channel]: 1 })
        }
        const received = yield* Effect.fork(Stream.runCollect(Stream.take(messages, shardChannels.length + 1)))
        for (const channel of shardChannels) yield* redis.spublish(channel, `to ${channel}`)
        yield* redis.publish("news", "to everyone")
        const all = Chunk.toReadonlyArray(yield* Fiber.join(received)).map((message) =>
          `${message.channel}: ${message.message}`
        )
        assert.deepStrictEqual(all.sort(), [...shardChannels.map((c) => `${c}: to ${c}`), "news: to everyone"].sort())
      }),
    { timeout: 60_000 }
  )

  it.scopedLive(
    "a shard channel whose slot moves: its stream fails saying so, and subscribing again follows it",
    () =>
      Effect.gen(function*() {
        const { cluster, direct, redis } = yield* setup()
        const channel = "moving:{shard}"
        const slot = ClusterSlot.slotOf(channel)
        const from = ownerIndex(cluster, slot)
        const to = (from + 1) % cluster.masters.length
        const messages = yield* redis.subscription({ shardChannels: [channel] })
        const ended = yield* Effect.fork(Effect.flip(Stream.runDrain(messages)))
        yield* startMove(cluster, direct, slot, from, to)
        yield* finishMove(cluster, direct, slot, to)
        // The old owner ended the subscription as it let the slot go: the stream does not go quiet.
        const error = yield* Fiber.join(ended).pipe(
          Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "the stream went quiet" })
        )
        assert.strictEqual(error._tag === "RedisConnectionError" && error.reason, "Lost", error.message)
        assert.include(error.message, "slot moved")
        // Subscribing again reaches the new owner, once the client has read the map again.
        const scope = yield* Effect.scope
        const again = yield* eventually(Scope.extend(redis.subscription({ shardChannels: [channel] }), scope), () =>
          true, 10)
        assert.deepStrictEqual(yield* direct[to]!.pubsubShardnumsub(channel), { [channel]: 1 })
        const received = yield* Effect.fork(Stream.runCollect(Stream.take(again, 1)))
        yield* redis.spublish(channel, "after the move")
        const [message] = Chunk.toReadonlyArray(yield* Fiber.join(received))
        assert.strictEqual(message?.message, "after the move")
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("keyspace notifications come from every master", () =>
    Effect.gen(function*() {
      const { cluster, direct, redis } = yield* setup()
      const keys = cluster.masters.map((_, index) =>
        Array.from({ length: 100 }, (_, i) => `ks:${i}`).find((key) =>
          ownerIndex(cluster, ClusterSlot.slotOf(key)) === index
        )!
      )
      const events = redis.keyspaceEvents({ keys: "ks:*", enable: "KA" })
      const received = yield* Effect.fork(Stream.runCollect(Stream.take(events, keys.length)))
      for (const node of direct) yield* eventually(node.pubsubNumpat(), (count) => count === 1, 10)
      for (const key of keys) yield* redis.set(key, "1")
      const all = Chunk.toReadonlyArray(yield* Fiber.join(received))
      assert.deepStrictEqual(
        all.map((event) => event.key).sort(),
        [...keys].sort()
      )
      assert.isTrue(all.every((event) => event.event === "set" && event.database === 0))
    }), { timeout: 60_000 })

  it.scopedLive(
    "reports what it could not reach, and refuses options a cluster cannot honour",
    () =>
      Effect.gen(function*() {
        const down = { host: "127.0.0.1", port: yield* closedPort }
        const unreachable = yield* Effect.flip(connect({ cluster: { nodes: [down] } }))
        assert.strictEqual(unreachable._tag, "RedisConnectionError")
        assert.include(unreachable.message, `127.0.0.1:${down.port}`)
        const invalid = [
          { cluster: { nodes: [] } },
          { cluster: { nodes: [down] }, database: 2 },
          { cluster: { nodes: [down] }, sentinel: { name: "m", sentinels: [down] } },
          { cluster: { nodes: [down], maxRedirects: -1 } }
        ]
        for (const options of invalid) {
          const result = RedisConfig.resolve(options)
          assert.isTrue(Either.isLeft(result) && result.left._tag === "RedisConfigError", JSON.stringify(options))
        }
        const standalone = Command.keyIndices(commands.get("k"))
        assert.deepStrictEqual(standalone, [1])
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("reads from replicas when asked to, and writes to masters", () =>
    Effect.gen(function*() {
      const cluster = yield* RedisCluster.make({ replicasPerMaster: 1 })
      const redis = yield* connect({
        cluster: { nodes: cluster.seeds, readFrom: "replicas", refreshInterval: "100 millis" }
      })
      // Only the client under test reads the map on its own during the test.
      const writer = yield* connect({ cluster: { nodes: cluster.seeds, refreshInterval: "1 hour" } })
      const keys = Array.from({ length: 30 }, (_, i) => `replicated:${i}`)
      yield* Effect.forEach(keys, (key) => writer.set(key, key), { discard: true })
      const masters = yield* Effect.forEach(cluster.masters, (node) => connect({ url: node.url }))
      // Every write on its replica before reading there.
      for (const master of masters) assert.strictEqual(yield* master.wait(1, 5_000), 1)
      // CLUSTER SLOTS lists a replica once gossip reports it has replicated something.
      yield* eventually(writer.clusterSlots(), (ranges) => ranges.every((range) => range.replicas.length === 1), 10)
      const total = (nodes: ReadonlyArray<Redis.Redis>, command: string) =>
        Effect.map(Effect.forEach(nodes, (node) => calls(node, command)), (counts) => counts.reduce((a, b) => a + b, 0))
      const replicas = yield* Effect.forEach(cluster.replicas, (node) => connect({ url: node.url }))
      // The client started before that: a periodic map read finds the replicas and connects to each
      // (READONLY: flag `r`)…
      const readonlyClients = (node: Redis.Redis) =>
        Effect.map(node.clientList(), (clients) => clients.filter((client) => client.flags?.includes("r")).length)
      for (const replica of replicas) yield* eventually(readonlyClients(replica), (count) => count === 1, 10)
      // …and the next map read, which starts after that one is in place, asks a node of the cluster.
      const allNodes = [...masters, ...replicas]
      const mapReads = yield* total(allNodes, "cluster|slots")
      yield* eventually(total(allNodes, "cluster|slots"), (count) => count > mapReads, 10)
      const before = yield* total(masters, "get")
      assert.deepStrictEqual(yield* Effect.forEach(keys, (key) => redis.get(key)), keys.map(Option.some))
      assert.strictEqual(yield* total(replicas, "get"), keys.length)
      assert.strictEqual(yield* total(masters, "get"), before)
      const setsBefore = yield* total(masters, "set")
      yield* redis.set(keys[0]!, "again")
      assert.strictEqual(yield* total(masters, "set"), setsBefore + 1)
    }), { timeout: 60_000 })

  it.scopedLive("caches replica reads, which replication invalidates", () =>
    Effect.gen(function*() {
      const cluster = yield* RedisCluster.make({ replicasPerMaster: 1 })
      const writer = yield* connect({ cluster: { nodes: cluster.seeds } })
      yield* writer.set("tracked", "1")
      const masters = yield* Effect.forEach(cluster.masters, (node) => connect({ url: node.url }))
      for (const master of masters) yield* master.wait(1, 5_000)
      const slot = ClusterSlot.slotOf("tracked")
      yield* eventually(
        writer.clusterSlots(),
        (ranges) => ranges.some((range) => range.start <= slot && slot <= range.end && range.replicas.length === 1),
        10
      )
      const redis = yield* connect({ cluster: { nodes: cluster.seeds, readFrom: "replicas" }, cache: {} })
      assert.deepStrictEqual(yield* redis.get("tracked"), Option.some("1"))
      assert.deepStrictEqual(yield* redis.get("tracked"), Option.some("1"))
      assert.deepStrictEqual(yield* redis.cacheStats, { hits: 1, misses: 1, size: 1, evictions: 0, invalidations: 0 })
      const owner = cluster.masters[ownerIndex(cluster, slot)]!
      const replica = yield* connect({ url: cluster.replicas.find((node) => node.masterId === owner.id)!.url })
      assert.strictEqual(yield* calls(replica, "get"), 1, "the one miss was read from the replica")
      // Written on the master; the replica applies it and invalidates its tracked key.
      yield* writer.set("tracked", "2")
      yield* eventually(redis.get("tracked"), (value) => Option.getOrNull(value) === "2", 5)
    }), { timeout: 60_000 })

  it.scopedLive(
    "after a master fails, its replica takes over: commands and subscriptions follow",
    () =>
      Effect.gen(function*() {
        const cluster = yield* RedisCluster.make({ replicasPerMaster: 1 })
        const redis = yield* connect({ cluster: { nodes: cluster.seeds }, commandTimeout: "2 seconds" })
        // The master of slot 0 also carries the subscriber connection.
        const owner = cluster.masters[0]!
        const key = Array.from({ length: 100 }, (_, i) => `k${i}`).find((k) => ClusterSlot.slotOf(k) <= owner.slots[1])!
        yield* redis.set(key, "kept")
        const messages = yield* redis.subscription({ channels: ["alerts"] })
        const received = yield* Effect.fork(Stream.runCollect(Stream.take(messages, 1)))
        const replica = cluster.replicas.find((node) => node.masterId === owner.id)!
        // The replica has the write before its master goes.
        assert.strictEqual(yield* (yield* connect({ url: owner.url })).wait(1, 5_000), 1)
        yield* owner.stop
        const value = yield* eventually(Effect.either(redis.get(key)), Either.isRight, 30)
        assert.deepStrictEqual(value, Either.right(Option.some("kept")))
        yield* redis.set(key, "after failover")
        const promoted = yield* connect({ url: replica.url })
        assert.deepStrictEqual(yield* promoted.get(key), Option.some("after failover"))
        // Published once the subscription is back (on the new master of slot 0).
        const live = [
          promoted,
          ...(yield* Effect.forEach(cluster.masters.slice(1), (node) => connect({ url: node.url })))
        ]
        const subscribers = Effect.map(
          Effect.forEach(live, (node) => node.pubsubNumsub("alerts")),
          (counts) => counts.reduce((sum, count) => sum + (count["alerts"] ?? 0), 0)
        )
        yield* eventually(subscribers, (count) => count === 1, 30)
        yield* redis.publish("alerts", "failed over")
        const [message] = Chunk.toReadonlyArray(yield* Fiber.join(received))
        assert.strictEqual(message?.message, "failed over")
        assert.isTrue(message?.gap)
        assert.isTrue(Exit.isSuccess(yield* Effect.exit(redis.ping())))
      }),
    { timeout: 90_000 }
  )
})
