import type { Redis } from "@effect-redis/client"
import { NodeRedis } from "@effect-redis/node"
import { RedisCluster, RedisSentinel, RedisServer } from "@effect-redis/testing"
import { Effect, Layer } from "effect"

/** A `Redis` service on a throwaway server, a sentinel-watched master, or a three-master cluster. */
export const topologies: ReadonlyArray<readonly [name: string, layer: Layer.Layer<Redis.Redis, unknown>]> = [
  ["standalone", Layer.unwrapScoped(Effect.map(RedisServer.make(), (server) => NodeRedis.layer({ url: server.url })))],
  [
    "sentinel",
    Layer.unwrapScoped(Effect.gen(function*() {
      const master = yield* RedisServer.make()
      const sentinel = yield* RedisSentinel.make({ master })
      return NodeRedis.layer({ sentinel: { name: sentinel.name, sentinels: [sentinel] } })
    }))
  ],
  [
    "cluster",
    Layer.unwrapScoped(
      Effect.map(RedisCluster.make(), (cluster) => NodeRedis.layer({ cluster: { nodes: cluster.seeds } }))
    )
  ]
]
