/**
 * `KeyValueStore` (from `@effect/platform`) on the app's `Redis` service: one
 * client, standalone, Sentinel or Cluster, serves the app and the store.
 *
 * ```ts
 * import { RedisKeyValueStore } from "@effect-redis/platform"
 * import { NodeRedis } from "@effect-redis/node"
 * import { KeyValueStore } from "@effect/platform"
 * import { Effect, Schema } from "effect"
 *
 * const User = Schema.Struct({ id: Schema.Number, name: Schema.String })
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* KeyValueStore.KeyValueStore
 *   yield* store.set("greeting", "hello")
 *   const users = store.forSchema(User)
 *   yield* users.set("user:1", { id: 1, name: "Ada" })
 * })
 *
 * program.pipe(
 *   Effect.provide(RedisKeyValueStore.layer({ prefix: "app:" })),
 *   Effect.provide(NodeRedis.layerFromUrl("redis://localhost:6379"))
 * )
 * ```
 *
 * Each entry is one Redis string: text is stored as UTF-8, bytes as they
 * are, so `getUint8Array` returns exactly what was set.
 *
 * @since 0.2.0
 */
import { Commands, KeyScan, Redis, RedisConfig, type RedisError } from "@effect-redis/client"
import type { PlatformError } from "@effect/platform/Error"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { platformError } from "./internal/platformError.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * Prepended to every key. `size`, `isEmpty` and `clear` only see keys with
   * this prefix. Default `""`: the store is the whole database, and `clear`
   * deletes every key in it.
   */
  readonly prefix?: string | undefined
}

const { get, set } = Commands.commands

/**
 * Builds the store on the `Redis` service of the context.
 *
 * - `modify` and `modifyUint8Array` are atomic: they read and write under
 *   WATCH and start again when another client changed the key meanwhile,
 *   so `f` may run more than once and must not have effects. They keep the
 *   key's time to live.
 * - `size`, `isEmpty` and `clear` SCAN the database (every master of a
 *   cluster): they cost O(keys in the database).
 * - Failures are `SystemError`s (reason `TimedOut`, `PermissionDenied`,
 *   `InvalidData`, `Busy` or `Unknown`) or `BadArgument`s, with the
 *   `RedisError` as their `cause`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<KeyValueStore.KeyValueStore, never, Redis.Redis> =>
  Effect.map(Redis.Redis, (redis) => {
    const prefix = options.prefix ?? ""
    const at = (key: string) => `${prefix}${key}`

    const modifyWith = <V extends string | Uint8Array>(
      method: string,
      read: (connection: Redis.Client, key: string) => Effect.Effect<Option.Option<V>, RedisError.RedisError>,
      key: string,
      f: (value: V) => V
    ): Effect.Effect<Option.Option<V>, PlatformError> =>
      Effect.suspend(() => {
        let written = Option.none<V>()
        return redis.watch([at(key)], (connection) =>
          Effect.map(read(connection, at(key)), (current) => {
            written = Option.map(current, f)
            return Option.match(written, {
              onNone: () => [],
              onSome: (value) => [set(at(key), value, { keepttl: true })]
            })
          })).pipe(
            Redis.retryOnConflict(Schedule.forever),
            Effect.map(() => written),
            Effect.mapError(platformError(method, key))
          )
      })

    const keys = redis.binary.scanStream({ match: KeyScan.prefixPattern(prefix) })

    return KeyValueStore.make({
      get: (key) => Effect.mapError(redis.get(at(key)), platformError("get", key)),
      getUint8Array: (key) => Effect.mapError(redis.binary.get(at(key)), platformError("getUint8Array", key)),
      set: (key, value) => Effect.mapError(redis.set(at(key), value), platformError("set", key)),
      remove: (key) => Effect.mapError(redis.unlink(at(key)), platformError("remove", key)),
      has: (key) => Effect.mapError(Effect.map(redis.exists(at(key)), (n) => n > 0), platformError("has", key)),
      modify: (key, f) => modifyWith("modify", (connection, k) => connection.execute(get(k)), key, f),
      modifyUint8Array: (key, f) =>
        modifyWith("modifyUint8Array", (connection, k) => connection.binary.execute(get(k)), key, f),
      size: Effect.mapError(KeyScan.count(redis, prefix), platformError("size")),
      isEmpty: Effect.mapError(Effect.map(Stream.runHead(keys), Option.isNone), platformError("isEmpty")),
      clear: Effect.mapError(KeyScan.unlink(redis, prefix), platformError("clear"))
    })
  })

/**
 * The store as a layer, on the `Redis` service of the context.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<KeyValueStore.KeyValueStore, never, Redis.Redis> =>
  Layer.effect(KeyValueStore.KeyValueStore, make(options))

/**
 * The store as a layer, its options read from `Config`: each a `Config` or
 * a plain value (`RedisConfig.ConfigInput`).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  options: RedisConfig.ConfigInput<Options>
): Layer.Layer<KeyValueStore.KeyValueStore, ConfigError.ConfigError, Redis.Redis> =>
  Layer.effect(KeyValueStore.KeyValueStore, Effect.flatMap(RedisConfig.configOf(options), make))
