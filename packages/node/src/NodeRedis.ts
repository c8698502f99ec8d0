/**
 * Ready-made `Redis` layers for Node.js.
 *
 * ```ts
 * import { NodeRedis } from "@effect-redis/node"
 * import { Config } from "effect"
 *
 * const RedisLive = NodeRedis.layerFromUrl("redis://localhost:6379/0")
 * const RedisFromEnv = NodeRedis.layerConfig({ url: Config.redacted("REDIS_URL") })
 * ```
 *
 * @since 0.1.0
 */
import * as Redis from "@effect-redis/client/Redis"
import * as RedisConfig from "@effect-redis/client/RedisConfig"
import type { RedisError } from "@effect-redis/client/RedisError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as NodeTransport from "./NodeTransport.js"

/**
 * A `Redis` service over TCP, TLS or a Unix socket, closed with the layer.
 * Building the layer fails with a typed error when the options are invalid
 * or the first connection fails.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: RedisConfig.Options): Layer.Layer<Redis.Redis, RedisError> =>
  Layer.scoped(Redis.Redis, Redis.make(options)).pipe(Layer.provide(NodeTransport.layer))

/**
 * Like `layer`, with options read from Effect `Config`. Each option is a
 * `Config` or a plain value, and a group such as `pool` an object of
 * either (`RedisConfig.ConfigInput`): a value that is not a `Config` is
 * taken as it is. A setting missing or invalid fails the layer with
 * `RedisConfigError`.
 *
 * ```ts
 * import { NodeRedis } from "@effect-redis/node"
 * import { Config } from "effect"
 *
 * const RedisLive = NodeRedis.layerConfig({
 *   url: Config.redacted("REDIS_URL"),
 *   keyPrefix: "orders:",
 *   pool: { max: Config.integer("REDIS_POOL_MAX").pipe(Config.withDefault(16)) }
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: RedisConfig.ConfigInput<RedisConfig.Options>
): Layer.Layer<Redis.Redis, RedisError> => Layer.unwrapEffect(Effect.map(RedisConfig.fromConfig(config), layer))

/**
 * A `Redis` service from a URL such as `redis://user:pass@host:6379/0`,
 * `rediss://…` or `unix:///run/redis.sock?db=1`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromUrl = (
  url: string | Redacted.Redacted<string>,
  options: Omit<RedisConfig.Options, "url"> = {}
): Layer.Layer<Redis.Redis, RedisError> => layer({ ...options, url })
