/**
 * `Persistence.BackingPersistence` (from `@effect/experimental`) on the
 * app's `Redis` service, and so `ResultPersistence` and `PersistedCache`.
 *
 * ```ts
 * import { RedisPersistence } from "@effect-redis/experimental"
 * import { NodeRedis } from "@effect-redis/node"
 * import { PersistedCache } from "@effect/experimental"
 * import { Effect, PrimaryKey, Schema } from "effect"
 *
 * class User extends Schema.Class<User>("User")({ id: Schema.Number, name: Schema.String }) {}
 * class UserNotFound extends Schema.TaggedError<UserNotFound>()("UserNotFound", { id: Schema.Number }) {}
 *
 * class GetUser extends Schema.TaggedRequest<GetUser>()("GetUser", {
 *   failure: UserNotFound,
 *   success: User,
 *   payload: { id: Schema.Number }
 * }) {
 *   [PrimaryKey.symbol]() {
 *     return `${this.id}`
 *   }
 * }
 *
 * declare const fetchUser: (id: number) => Effect.Effect<User, UserNotFound>
 *
 * const program = Effect.gen(function*() {
 *   const cache = yield* PersistedCache.make({
 *     storeId: "users",
 *     lookup: (req: GetUser) => fetchUser(req.id),
 *     timeToLive: () => "1 hour"
 *   })
 *   const ada = yield* cache.get(new GetUser({ id: 1 }))
 * })
 *
 * program.pipe(
 *   Effect.scoped,
 *   Effect.provide(RedisPersistence.layerResult),
 *   Effect.provide(NodeRedis.layerFromUrl("redis://localhost:6379"))
 * )
 * ```
 *
 * The layout is the one of `@effect/experimental`'s ioredis store
 * (`Persistence/Redis`): the entry `key` of the store `storeId` is the
 * string key `storeId:key` holding the value as JSON, with the entry's time
 * to live as the key's (PX). Both stores read what the other wrote, so
 * instances can move from one to the other while they run.
 *
 * @since 0.2.0
 */
import { type Command, Commands, KeyScan, Redis } from "@effect-redis/client"
import type { RedisError } from "@effect-redis/client/RedisError"
import * as Persistence from "@effect/experimental/Persistence"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

const { del, get, set } = Commands.commands

const parse = (method: string) => (stored: Option.Option<string>) =>
  Option.match(stored, {
    onNone: () => Effect.succeedNone,
    onSome: (json) =>
      Effect.try({
        try: () => Option.some<unknown>(JSON.parse(json)),
        catch: (cause) => Persistence.PersistenceBackingError.make(method, cause)
      })
  })

const stringify = (method: string, value: unknown) =>
  Effect.try({
    try: () => {
      const json = JSON.stringify(value)
      if (json === undefined) throw new TypeError("The value has no JSON form")
      return json
    },
    catch: (cause) => Persistence.PersistenceBackingError.make(method, cause)
  })

/**
 * The command that writes an entry: SET with its time to live in
 * milliseconds (rounded up, as PX takes whole milliseconds), or without one
 * for an infinite one; DEL for a time to live of zero or less, which ends
 * the entry at once.
 */
const writeEntry = (key: string, json: string, ttl: Option.Option<Duration.Duration>): Command.Command<unknown> => {
  if (Option.isNone(ttl) || !Duration.isFinite(ttl.value)) return set(key, json)
  const millis = Math.ceil(Duration.toMillis(ttl.value))
  return millis > 0 ? set(key, json, { px: millis }) : del(key)
}

const backingError = (method: string) => (cause: RedisError) => Persistence.PersistenceBackingError.make(method, cause)

const makeStore = (redis: Redis.Redis, storeId: string): Persistence.BackingPersistenceStore => {
  const at = (key: string) => `${storeId}:${key}`
  return {
    get: (key) => Effect.flatMap(Effect.mapError(redis.get(at(key)), backingError("get")), parse("get")),
    getMany: (keys) =>
      keys.length === 0 ? Effect.succeed([]) : Effect.flatMap(
        // One GET each, in one write: the keys may live on different cluster masters.
        redis.pipeline(keys.map((key) => get(at(key)))),
        (results) =>
          Effect.forEach(results, (result) =>
            Effect.flatMap(Effect.mapError(result, backingError("getMany")), parse("getMany")))
      ),
    set: (key, value, ttl) =>
      Effect.flatMap(
        stringify("set", value),
        (json) => Effect.mapError(redis.execute(writeEntry(at(key), json, ttl)), backingError("set"))
      ),
    setMany: (entries) =>
      Effect.gen(function*() {
        const commands: Array<Command.Command<unknown>> = []
        for (const [key, value, ttl] of entries) {
          commands.push(writeEntry(at(key), yield* stringify("setMany", value), ttl))
        }
        if (commands.length === 0) return
        const results = yield* redis.pipeline(commands)
        yield* Effect.forEach(results, (result) => Effect.mapError(result, backingError("setMany")), { discard: true })
      }),
    remove: (key) => Effect.mapError(redis.del(at(key)), backingError("remove")),
    clear: Effect.mapError(KeyScan.unlink(redis, `${storeId}:`), backingError("clear"))
  }
}

/**
 * Builds the backing persistence on the `Redis` service of the context.
 *
 * - `setMany` writes each entry with its time to live in one command, all
 *   in one pipeline: entries are not applied all or nothing (a cluster
 *   spreads them over masters).
 * - `clear` SCANs the database (every master of a cluster) for the store's
 *   keys and UNLINKs them.
 * - Redis failures are `PersistenceBackingError`s with the `RedisError` as
 *   `cause`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: Effect.Effect<Persistence.BackingPersistence, never, Redis.Redis> = Effect.map(
  Redis.Redis,
  (redis) =>
    Persistence.BackingPersistence.of({
      [Persistence.BackingPersistenceTypeId]: Persistence.BackingPersistenceTypeId,
      make: (storeId) => Effect.sync(() => makeStore(redis, storeId))
    })
)

/**
 * The backing persistence as a layer, on the `Redis` service of the context.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: Layer.Layer<Persistence.BackingPersistence, never, Redis.Redis> = Layer.effect(
  Persistence.BackingPersistence,
  make
)

/**
 * `ResultPersistence` (what `PersistedCache` needs) on this backing
 * persistence.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerResult: Layer.Layer<Persistence.ResultPersistence, never, Redis.Redis> = Persistence.layerResult
  .pipe(Layer.provide(layer))
