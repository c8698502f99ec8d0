/**
 * The node-redis driver: `createClient({ url })` from `redis`, its
 * defaults (RESP3); `createCluster({ rootNodes: [{ url }] })` in cluster
 * scenarios.
 *
 * @since 0.1.0
 */
import { createClient, createCluster } from "redis"
import type { Driver } from "../result.js"
import { type NodeRedisClient, onCluster } from "../scenarios.js"
import { logErrors, runPromiseClient } from "./promise.js"

/**
 * @since 0.1.0
 * @category drivers
 */
export const run: Driver = (client, scenario, port, timing) =>
  runPromiseClient(
    client,
    async () => {
      // Without a reconnect strategy a refused connection fails the run instead
      // of retrying forever; it changes nothing while the connection is up.
      const url = `redis://127.0.0.1:${port}`
      // The cluster client has the same commands; the scenarios' steps take it as a client.
      const redis: NodeRedisClient = onCluster(scenario)
        ? createCluster({
          rootNodes: [{ url }],
          defaults: { socket: { reconnectStrategy: false } }
        }) as unknown as NodeRedisClient
        : createClient({ url, socket: { reconnectStrategy: false } })
      redis.on("error", logErrors(client))
      await redis.connect()
      return {
        set: (key, value) => redis.set(key, value),
        get: (key) => redis.get(key),
        del: (keys) => redis.del(keys),
        step: (scenario) => scenario.nodeRedis(redis),
        receive: (scenario, counter) => scenario.nodeRedis(redis, counter),
        close: () => redis.destroy()
      }
    },
    scenario,
    port,
    timing
  )
