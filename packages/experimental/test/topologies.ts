import type { Redis, RedisConfig } from "@effect-redis/client"
import { NodeRedis } from "@effect-redis/node"
import { RedisCluster, RedisServer } from "@effect-redis/testing"
import { Context, Effect, Layer } from "effect"

/** How to reach the test's Redis again: for a second client, a child process or ioredis. */
export class Endpoint extends Context.Tag("test/Endpoint")<Endpoint, {
  readonly options: RedisConfig.Options
  /** The standalone server, absent for a cluster. */
  readonly server: RedisServer.RedisServer | undefined
}>() {}

const served = (options: RedisConfig.Options, server?: RedisServer.RedisServer) =>
  Layer.merge(NodeRedis.layer(options), Layer.succeed(Endpoint, { options, server }))

export const standalone: Layer.Layer<Redis.Redis | Endpoint, unknown> = Layer.unwrapScoped(
  Effect.map(RedisServer.make(), (server) => served({ url: server.url }, server))
)

export const cluster: Layer.Layer<Redis.Redis | Endpoint, unknown> = Layer.unwrapScoped(
  Effect.map(RedisCluster.make(), (cluster) => served({ cluster: { nodes: cluster.seeds } }))
)

/** The topologies every store is tested on. */
export const topologies = [["standalone", standalone], ["cluster", cluster]] as const
