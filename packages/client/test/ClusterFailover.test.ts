import { ClusterSlot, type RedisError } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber, Option, Stream } from "effect"
import { connect, keyOn, ownerIndex } from "./clusterUtils.js"
import { eventually } from "./utils.js"

/** An error a command in flight at the kill may report: it was written and got no answer. */
const inFlightAtKill = (error: RedisError.RedisError): boolean =>
  error._tag === "RedisConnectionError" && error.reason === "Lost" && error.outcome === "may-have-executed"

describe("Redis Cluster failover", () => {
  it.scopedLive(
    "commands for a killed master's slots wait, then go to its promoted replica, slot 0 or not",
    () =>
      Effect.gen(function*() {
        const cluster = yield* RedisCluster.make({ replicasPerMaster: 1 })
        const redis = yield* connect({ cluster: { nodes: cluster.seeds } })
        const loadKeys = cluster.masters.map((_, index) => keyOn(cluster, index, "load:"))
        // Enough keys on master 1 for a SCAN of 10 at a time to be half-way through it at the kill.
        const scanned = Array.from({ length: 600 }, (_, i) => `scan:${i}`)
        yield* Effect.forEach(scanned, (key) => redis.set(key, "v"), { discard: true })
        const onMaster1 = (key: string) => ownerIndex(cluster, ClusterSlot.slotOf(key)) === 1
        // A master that does not serve slot 0 first, then the one that does.
        for (const index of [1, 0]) {
          const master = cluster.masters[index]!
          const replica = cluster.replicas.find((node) => node.masterId === master.id)!
          const key = keyOn(cluster, index, `failover:${index}:`)
          yield* redis.set(key, "before")
          assert.strictEqual(yield* (yield* connect({ url: master.url })).wait(1, 5_000), 1)
          // Load on every master while it fails over; the first unexpected failures are kept.
          const unexpected: Array<string> = []
          const load = yield* Effect.fork(
            Effect.forEach(loadKeys, (loadKey) =>
              Effect.catchAll(redis.incr(loadKey), (error) =>
                Effect.sync(() => {
                  if (!inFlightAtKill(error)) unexpected.push(error.message)
                })), { concurrency: "unbounded" }).pipe(
                // Paced, so that commands failing at once cannot spin.
                Effect.zipLeft(Effect.sleep("1 millis")),
                Effect.repeat({ while: () => unexpected.length < 5 })
              )
          )
          // On master 1: a SCAN walk that has reached it (its masters in slot order) when it is killed.
          const pull = index === 1 ? yield* Stream.toPull(redis.scanStream({ match: "scan:*", count: 10 })) : undefined
          if (pull !== undefined) {
            while (!Chunk.some(yield* pull, onMaster1));
          }
          yield* master.kill
          const promoted = yield* connect({ url: replica.url })
          yield* eventually(promoted.role(), (role) => role.role === "master", 30)
          // The first write issued after the promotion goes through.
          assert.deepStrictEqual(yield* Effect.either(redis.set(key, "after")), Either.right(true))
          if (pull !== undefined) {
            // The walk cannot go on elsewhere (a cursor means nothing to another node): it fails as a connection
            // lost, not as a client that was closed.
            const error = yield* Effect.flip(Effect.forever(pull))
            assert.isTrue(Option.isSome(error), "the walk ended without an error")
            const failure = Option.getOrThrow(error)
            assert.strictEqual(failure._tag, "RedisConnectionError", failure.message)
          }
          yield* Fiber.interrupt(load)
          assert.deepStrictEqual(unexpected, [])
        }
      }),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "with the cache and replica reads, what was read from a replica that leaves the map is not served again",
    () =>
      Effect.gen(function*() {
        const cluster = yield* RedisCluster.make({ replicasPerMaster: 1 })
        const master = cluster.masters[0]!
        const replica = cluster.replicas.find((node) => node.masterId === master.id)!
        const admin = yield* connect({ url: master.url })
        const listsReplica = Effect.map(admin.raw(["CLUSTER", "SLOTS"]), (slots) => JSON.stringify(slots))
        // Replicas are listed once gossip reports they have replicated something.
        yield* eventually(listsReplica, (slots) => cluster.replicas.every((node) => slots.includes(`${node.port}`)), 30)
        const redis = yield* connect({
          cluster: { nodes: cluster.seeds, readFrom: "replicas", refreshInterval: "200 millis" },
          cache: {}
        })
        const key = keyOn(cluster, 0, "cached:")
        yield* admin.set(key, "old")
        assert.strictEqual(yield* admin.wait(1, 5_000), 1)
        assert.deepStrictEqual(yield* redis.get(key), Option.some("old"))
        assert.deepStrictEqual(yield* redis.get(key), Option.some("old"))
        assert.strictEqual((yield* redis.cacheStats).hits, 1, "the second read came from the cache")
        // The replica stops answering: its invalidations stop with it, and the cluster drops it from the map.
        yield* replica.pause
        yield* Effect.gen(function*() {
          yield* admin.set(key, "new")
          yield* eventually(listsReplica, (slots) => !slots.includes(`${replica.port}`), 30)
          yield* eventually(redis.get(key), (value) => Option.getOrNull(value) === "new", 10)
        }).pipe(Effect.ensuring(replica.resume))
      }),
    { timeout: 120_000 }
  )
})
