/**
 * Redis Cluster: the same `Redis` service, with commands routed to the
 * master of their key's slot, hash tags for multi-key work, a SCAN over
 * every master, sharded pub/sub and client-side caching.
 *
 * Run it with `pnpm --filter @effect-redis/examples cluster`. It uses
 * REDIS_CLUSTER_NODES (`host:port,host:port`) when set; otherwise it forms a
 * throwaway three-master cluster from redis-server on PATH.
 */
import { ClusterSlot, Redis } from "@effect-redis/client"
import { NodeRedis } from "@effect-redis/node"
import { RedisCluster } from "@effect-redis/testing"
import { NodeRuntime } from "@effect/platform-node"
import { Chunk, Config, Console, Effect, Fiber, Layer, Option, Stream } from "effect"

const program = Effect.gen(function*() {
  const redis = yield* Redis.Redis

  // Keys spread over the masters by slot; the client sends each command to its master.
  for (const key of ["user:1", "user:2", "user:3"]) {
    yield* redis.set(key, key.toUpperCase())
    yield* Console.log(`SET ${key} (slot ${ClusterSlot.slotOf(key)})`)
  }

  // A hash tag puts keys in one slot: a transaction may then touch all of them.
  const order = yield* redis.transaction((r) => [
    r.hset("{order:7}:lines", { apples: "3" }),
    r.incr("{order:7}:version")
  ])
  const results = order.map((result) => result._tag === "Right" ? String(result.right) : result.left.message)
  yield* Console.log(`MULTI on {order:7} (slot ${ClusterSlot.slotOf("{order:7}")}) -> ${results.join(", ")}`)

  // SCAN through scanStream walks every master.
  const users = yield* Stream.runCollect(redis.scanStream({ match: "user:*" }))
  yield* Console.log(`SCAN user:* over every master -> ${JSON.stringify([...Chunk.toReadonlyArray(users)].sort())}`)

  // Shard channels are subscribed on the master of their slot.
  const messages = yield* redis.subscription({ shardChannels: ["orders:eu", "orders:us"] })
  const received = yield* Effect.fork(Stream.runCollect(Stream.take(messages, 2)))
  yield* redis.spublish("orders:eu", "order 7 shipped")
  yield* redis.spublish("orders:us", "order 8 paid")
  const both = Chunk.toReadonlyArray(yield* Fiber.join(received)).map((m) => `${m.channel}: ${m.message}`)
  yield* Console.log(`SSUBSCRIBE -> ${JSON.stringify(both.sort())}`)

  // Client-side caching: the second read is served from memory.
  yield* redis.get("user:1")
  yield* redis.get("user:1")
  yield* Console.log(`cache after two GETs -> ${JSON.stringify(yield* redis.cacheStats)}`)
}).pipe(Effect.scoped)

// REDIS_CLUSTER_NODES when given, else a cluster formed for this program.
const RedisLive = Layer.unwrapScoped(
  Effect.gen(function*() {
    const given = yield* Config.option(Config.string("REDIS_CLUSTER_NODES"))
    const nodes = Option.isSome(given)
      ? given.value.split(",").map((node) => {
        const [host = "", port = ""] = node.trim().split(":")
        return { host, port: Number(port) }
      })
      : (yield* RedisCluster.make()).seeds
    if (Option.isNone(given)) {
      yield* Console.log(`REDIS_CLUSTER_NODES is not set: formed a cluster on ${JSON.stringify(nodes)}`)
    }
    return NodeRedis.layer({ cluster: { nodes }, cache: {} })
  })
)

program.pipe(Effect.provide(RedisLive), NodeRuntime.runMain)
