/**
 * `RateLimiter.RateLimiterStore` (from `@effect/experimental`) on the app's
 * `Redis` service: both algorithms, each consumption one Lua script, so
 * any number of fibers and processes share a limit exactly.
 *
 * ```ts
 * import { RedisRateLimiter } from "@effect-redis/experimental"
 * import { NodeRedis } from "@effect-redis/node"
 * import { RateLimiter } from "@effect/experimental"
 * import { Effect } from "effect"
 *
 * const handle = (userId: string) => Effect.gen(function*() {
 *   const limiter = yield* RateLimiter.RateLimiter
 *   yield* limiter.consume({ key: `api:${userId}`, limit: 100, window: "1 minute" })
 * })
 *
 * handle("ada").pipe(
 *   Effect.provide(RateLimiter.layer),
 *   Effect.provide(RedisRateLimiter.layerStore()),
 *   Effect.provide(NodeRedis.layerFromUrl("redis://localhost:6379"))
 * )
 * ```
 *
 * Layout, with the default prefix `ratelimiter:`:
 * - fixed window: the string key `ratelimiter:<key>` holds the tokens
 *   taken, and expires when the window ends. This is the layout of
 *   `@effect/experimental`'s ioredis store (`RateLimiter/Redis`): both
 *   stores share a window, so instances can move from one to the other
 *   while they run.
 * - token bucket: `ratelimiter:{<key>}` holds the tokens left and
 *   `ratelimiter:{<key>}:refill` when the bucket was last refilled (server
 *   time, in milliseconds). The braces put both keys in one cluster slot,
 *   which the ioredis store's `<key>` and `<key>:refill` do not share: its
 *   buckets are not read by this store. Both keys expire once the bucket
 *   would be full again (a missing bucket is a full one).
 *
 * Time is the server's (TIME, PTTL): processes whose clocks disagree still
 * share one window or one bucket.
 *
 * @since 0.2.0
 */
import { Redis, RedisConfig, ReplyDecoder, Script } from "@effect-redis/client"
import type { RedisError } from "@effect-redis/client/RedisError"
import * as RateLimiter from "@effect/experimental/RateLimiter"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** Prepended to every key the store writes. Default `"ratelimiter:"`. */
  readonly prefix?: string | undefined
}

// KEYS[1]: the window's counter. ARGV: tokens to take, milliseconds each
// token adds to the window, the limit ("" for none). Replies { count, pttl }.
const fixedWindow = Script.make(
  `
local tokens = tonumber(ARGV[1])
local perToken = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local taken = tonumber(redis.call("GET", KEYS[1]))
if taken == nil then
  local ttl = math.max(1, math.ceil(tokens * perToken))
  redis.call("SET", KEYS[1], tokens, "PX", ttl)
  return { tokens, ttl }
end
local ttl = math.max(0, redis.call("PTTL", KEYS[1]))
local wanted = taken + tokens
if limit ~= nil and wanted > limit then
  return { wanted, ttl }
end
ttl = math.max(1, math.ceil(ttl + tokens * perToken))
redis.call("SET", KEYS[1], wanted, "PX", ttl)
return { wanted, ttl }
`,
  ReplyDecoder.tuple(ReplyDecoder.integer, ReplyDecoder.integer)
)

// KEYS[1]: tokens left, KEYS[2]: last refill (ms). ARGV: tokens to take,
// milliseconds per token refilled, the bucket's size, "1" to let the count
// go below zero. Replies the tokens left after taking (negative: short by).
const tokenBucket = Script.make(
  `
local tokens = tonumber(ARGV[1])
local perToken = tonumber(ARGV[2])
local size = tonumber(ARGV[3])
local overflow = ARGV[4] == "1"
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local left = tonumber(redis.call("GET", KEYS[1]))
local refilled = tonumber(redis.call("GET", KEYS[2]))
if left == nil or refilled == nil then
  left = size
  refilled = now
else
  local steps = math.floor((now - refilled) / perToken)
  if steps > 0 then
    left = math.min(size, left + steps)
    refilled = refilled + steps * perToken
  end
end
local after = left - tokens
if after >= 0 or overflow then
  left = after
end
local untilFull = math.max(1, math.ceil((size - left) * perToken))
redis.call("SET", KEYS[1], left, "PX", untilFull)
redis.call("SET", KEYS[2], refilled, "PX", untilFull)
return after
`,
  ReplyDecoder.integer
)

const storeError = (algorithm: string) => (cause: RedisError) =>
  new RateLimiter.RateLimitStoreError({
    message: `The ${algorithm} rate limit could not be checked in Redis: ${cause.message}`,
    cause
  })

/**
 * Builds the store on the `Redis` service of the context.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<Context.Tag.Service<RateLimiter.RateLimiterStore>, never, Redis.Redis> =>
  Effect.map(Redis.Redis, (redis) => {
    const prefix = options.prefix ?? "ratelimiter:"
    return RateLimiter.RateLimiterStore.of({
      fixedWindow: ({ key, limit, refillRate, tokens }) =>
        redis.execute(
          Script.call(fixedWindow, [`${prefix}${key}`], [tokens, Duration.toMillis(refillRate), limit ?? ""])
        ).pipe(Effect.mapError(storeError("fixed-window"))),
      tokenBucket: ({ allowOverflow, key, limit, refillRate, tokens }) => {
        const bucket = `${prefix}{${key}}`
        return redis.execute(
          Script.call(tokenBucket, [bucket, `${bucket}:refill`], [
            tokens,
            Duration.toMillis(refillRate),
            limit,
            allowOverflow ? "1" : "0"
          ])
        ).pipe(Effect.mapError(storeError("token-bucket")))
      }
    })
  })

/**
 * The store as a layer, on the `Redis` service of the context. Provide
 * `RateLimiter.layer` on top for the `RateLimiter` service.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerStore = (options: Options = {}): Layer.Layer<RateLimiter.RateLimiterStore, never, Redis.Redis> =>
  Layer.effect(RateLimiter.RateLimiterStore, make(options))

/**
 * The store as a layer, its options read from `Config`: each a `Config` or
 * a plain value (`RedisConfig.ConfigInput`).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerStoreConfig = (
  options: RedisConfig.ConfigInput<Options>
): Layer.Layer<RateLimiter.RateLimiterStore, ConfigError.ConfigError, Redis.Redis> =>
  Layer.effect(RateLimiter.RateLimiterStore, Effect.flatMap(RedisConfig.configOf(options), make))
