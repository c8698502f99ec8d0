import { Effect, Layer } from "effect"
import { NodeRedis } from "@effect-redis/node"
import type { RedisConfig } from "@effect-redis/client"
import { RedisServer } from "@effect-redis/testing"

/**
 * A throwaway redis-server and a `Redis` client connected to it, both
 * closed with the layer. The server is provided too, for fault tests.
 */
export const testLayer = (
  options: Omit<RedisConfig.Options, "url" | "host" | "port"> & {
    readonly server?: RedisServer.Options
  } = {}
) => {
  const { server: serverOptions, ...clientOptions } = options
  const server = RedisServer.layer(serverOptions ?? {})
  const client = Layer.unwrapEffect(
    Effect.map(RedisServer.RedisServer, (server) => NodeRedis.layer({ ...clientOptions, url: server.url }))
  )
  return Layer.provideMerge(client, server)
}
