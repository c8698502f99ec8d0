/**
 * The ioredis driver, plain (`ioredis`) or with `enableAutoPipelining`
 * (`ioredis-auto`); otherwise ioredis 6 defaults. Cluster scenarios use
 * `new Cluster([seed])` with the same options.
 *
 * @since 0.1.0
 */
import { Cluster, Redis } from "ioredis"
import type { Driver } from "../result.js"
import { onCluster } from "../scenarios.js"
import { logErrors, runPromiseClient } from "./promise.js"

/**
 * @since 0.1.0
 * @category drivers
 */
export const run: Driver = (client, scenario, port, timing) =>
  runPromiseClient(
    client,
    async () => {
      const options = { lazyConnect: true, enableAutoPipelining: client === "ioredis-auto" }
      // The cluster client has the same commands; the scenarios' steps take it as a Redis.
      const redis = onCluster(scenario)
        ? new Cluster([{ host: "127.0.0.1", port }], options) as unknown as Redis
        : new Redis({ host: "127.0.0.1", port, ...options })
      redis.on("error", logErrors(client))
      await redis.connect()
      return {
        set: (key, value) => redis.set(key, value),
        get: (key) => redis.get(key),
        del: (keys) => redis.del(keys),
        step: (scenario) => scenario.ioredis(redis),
        receive: (scenario, counter) => scenario.ioredis(redis, counter),
        close: () => redis.disconnect()
      }
    },
    scenario,
    port,
    timing
  )
