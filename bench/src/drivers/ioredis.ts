/**
 * The ioredis driver, plain (`ioredis`) or with `enableAutoPipelining`
 * (`ioredis-auto`); otherwise ioredis 6 defaults.
 *
 * @since 0.1.0
 */
import { Redis } from "ioredis"
import type { Driver } from "../result.js"
import { logErrors, runPromiseClient } from "./promise.js"

/**
 * @since 0.1.0
 * @category drivers
 */
export const run: Driver = (client, scenario, port, timing) =>
  runPromiseClient(client, async () => {
    const redis = new Redis({
      host: "127.0.0.1",
      port,
      lazyConnect: true,
      enableAutoPipelining: client === "ioredis-auto"
    })
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
  }, scenario, port, timing)
