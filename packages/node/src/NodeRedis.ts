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
import type * as Config from "effect/Config"
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
 * Like `layer`, with every option read from Effect `Config`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (config: Config.Config.Wrap<RedisConfig.Options>): Layer.Layer<Redis.Redis, RedisError> =>
  Layer.unwrapEffect(Effect.map(RedisConfig.fromConfig(config), layer))

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
