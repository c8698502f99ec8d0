/**
 * `PersistedQueue.PersistedQueueStore` (from `@effect/experimental`) on the
 * app's `Redis` service: at-least-once queues shared by any number of
 * processes.
 *
 * ```ts
 * import { RedisPersistedQueue } from "@effect-redis/experimental"
 * import { NodeRedis } from "@effect-redis/node"
 * import { PersistedQueue } from "@effect/experimental"
 * import { Effect, Schema } from "effect"
 *
 * const Email = Schema.Struct({ to: Schema.String })
 * declare const send: (email: typeof Email.Type) => Effect.Effect<void, Error>
 *
 * const program = Effect.gen(function*() {
 *   const emails = yield* PersistedQueue.make({ name: "emails", schema: Email })
 *   yield* emails.offer({ to: "ada@example.com" }, { id: "welcome-ada" }) // once per id
 *   yield* emails.take((email) => send(email)) // back in the queue if `send` fails
 * })
 *
 * program.pipe(
 *   Effect.provide(PersistedQueue.layer),
 *   Effect.provide(RedisPersistedQueue.layerStore()),
 *   Effect.provide(NodeRedis.layerFromUrl("redis://localhost:6379"))
 * )
 * ```
 *
 * - `offer` with an id queues the element once: an id offered before
 *   (even long done) is ignored. Ids are remembered for the queue's life.
 * - A taken element is leased to its taker, which renews the lease while it
 *   works. When the taker's scope ends, the element is done (success), put
 *   back at the end of the queue with one more attempt (failure or defect;
 *   after `maxAttempts` it goes to the failed list instead), or put back
 *   unchanged (interruption).
 * - A taker that stops without ending its scope (a crashed process, a lost
 *   network) stops renewing: once its lease has run out (`lockExpiration`)
 *   the next take puts the element back in the queue, attempts unchanged.
 *
 * Keys, with the default prefix `persistedqueue:`, share the hash tag
 * `{<name>}`, so one queue lives in one cluster slot:
 * `persistedqueue:{<name>}:waiting` (ids), `:elements` (id -> element),
 * `:leases`, `:holders`, `:ids`, `:failed` (the elements that ran out of
 * attempts, as `{ id, element, attempts, lastFailure }` JSON). The element
 * JSON is that of `@effect/experimental`'s ioredis store, but not the keys:
 * its per-element lock keys cannot share a slot with their queue, so its
 * queues are not read by this store.
 *
 * @since 0.2.0
 */
import { Redis, RedisConfig, RedisError, Script } from "@effect-redis/client"
import * as PersistedQueue from "@effect/experimental/PersistedQueue"
import * as Cause from "effect/Cause"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Scripts from "./internal/queueScripts.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** Prepended to every key the store writes. Default `"persistedqueue:"`. */
  readonly prefix?: string | undefined
  /** How often a take waiting for an element asks again. Default 1 second. */
  readonly pollInterval?: Duration.DurationInput | undefined
  /**
   * How long a taken element stays leased without a renewal: how long the
   * elements of a crashed taker wait before they are taken again. Default
   * 90 seconds.
   */
  readonly lockExpiration?: Duration.DurationInput | undefined
  /** How often a taker renews its leases; shorter than `lockExpiration`. Default 30 seconds. */
  readonly lockRefreshInterval?: Duration.DurationInput | undefined
}

/** What the queue holds for an element, as JSON. */
interface Stored {
  readonly id: string
  readonly element: unknown
  readonly attempts: number
  readonly lastFailure?: string
}

type Store = Context.Tag.Service<PersistedQueue.PersistedQueueStore>

const { PersistedQueueError } = PersistedQueue
const queueError = (message: string) => (cause: unknown) => new PersistedQueueError({ message, cause })

const parseStored = (json: string): Stored | undefined => {
  try {
    const stored = JSON.parse(json) as Partial<Stored> | null
    return typeof stored?.id === "string" && typeof stored.attempts === "number" ? stored as Stored : undefined
  } catch {
    return undefined
  }
}

/**
 * Builds the store on the `Redis` service of the context. Fails with
 * `RedisConfigError` when `lockRefreshInterval` is not shorter than
 * `lockExpiration`, or an interval is not positive.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Store, RedisError.RedisConfigError, Redis.Redis> =>
  Effect.gen(function*() {
    const redis = yield* Redis.Redis
    const prefix = options.prefix ?? "persistedqueue:"
    const pollInterval = Duration.decode(options.pollInterval ?? "1 second")
    const lease = Duration.decode(options.lockExpiration ?? "90 seconds")
    const renewEvery = Duration.decode(options.lockRefreshInterval ?? "30 seconds")
    if (!Duration.greaterThan(pollInterval, Duration.zero) || !Duration.greaterThan(renewEvery, Duration.zero)) {
      return yield* new RedisError.RedisConfigError({
        message: "pollInterval and lockRefreshInterval must be longer than zero"
      })
    }
    if (!Duration.lessThan(renewEvery, lease)) {
      return yield* new RedisError.RedisConfigError({
        message: `lockRefreshInterval (${Duration.format(renewEvery)}) must be shorter than lockExpiration (${
          Duration.format(lease)
        }), or leases run out while their elements are worked on`
      })
    }
    const leaseMillis = Math.ceil(Duration.toMillis(lease))

    const finish = (
      keys: Scripts.QueueKeys,
      id: string,
      token: string,
      outcome: "done" | "retry" | "failed",
      json: string
    ) =>
      redis.execute(
        Script.call(Scripts.finish, [keys.waiting, keys.elements, keys.leases, keys.holders, keys.failed], [
          id,
          token,
          outcome,
          json
        ])
      )

    /** Ends a take as its scope ended. Failing here leaves the lease to run out, after which the element is taken again. */
    const release =
      (keys: Scripts.QueueKeys, token: string, json: string, stored: Stored, maxAttempts: number) =>
      (exit: Exit.Exit<unknown, unknown>) => {
        if (Exit.isSuccess(exit)) return finish(keys, stored.id, token, "done", json)
        if (Cause.isInterruptedOnly(exit.cause)) return finish(keys, stored.id, token, "retry", json)
        const attempts = stored.attempts + 1
        const failed = JSON.stringify({
          ...stored,
          attempts,
          lastFailure: Cause.pretty(exit.cause, { renderErrorCause: true })
        })
        return finish(keys, stored.id, token, attempts >= maxAttempts ? "failed" : "retry", failed)
      }

    const renewals = (keys: Scripts.QueueKeys, id: string, token: string) =>
      Effect.gen(function*() {
        while (true) {
          yield* Effect.sleep(renewEvery)
          const renewed = yield* redis.execute(
            Script.call(Scripts.renew, [keys.leases, keys.holders], [id, token, leaseMillis])
          ).pipe(Effect.catchAll((error) => Effect.as(Effect.logWarning("Could not renew a lease", error), 1)))
          if (renewed === 0) {
            return yield* Effect.logWarning(
              `The lease of element ${id} ran out before it was renewed: it was put back in the queue`
            )
          }
        }
      })

    const take = (
      { maxAttempts, name }: { readonly name: string; readonly maxAttempts: number }
    ): Effect.Effect<
      { id: string; attempts: number; element: unknown },
      PersistedQueue.PersistedQueueError,
      Scope.Scope
    > =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          const keys = Scripts.queueKeys(prefix, name)
          const token = crypto.randomUUID()
          const poll = redis.execute(
            Script.call(Scripts.take, [keys.waiting, keys.elements, keys.leases, keys.holders], [token, leaseMillis])
          ).pipe(Effect.mapError(queueError("Could not take from the queue")))
          // Only the wait between polls is interruptible: a take that reached Redis always gets its release.
          let taken = yield* poll
          while (Option.isNone(taken)) {
            yield* restore(Effect.sleep(pollInterval))
            taken = yield* poll
          }
          const [id, json] = taken.value
          const stored = parseStored(json)
          if (stored === undefined) {
            yield* Effect.ignore(finish(keys, id, token, "failed", json))
            return yield* new PersistedQueueError({
              message:
                `The element ${id} of queue ${name} is not an element this store wrote; it was moved to ${keys.failed}`
            })
          }
          yield* Effect.addFinalizer((exit) =>
            release(keys, token, json, stored, maxAttempts)(exit).pipe(
              Effect.catchAll((error) =>
                Effect.logWarning(`Could not release element ${id}: it is taken again once its lease runs out`, error)
              )
            )
          )
          yield* Effect.forkScoped(Effect.interruptible(renewals(keys, id, token)))
          return { id, attempts: stored.attempts, element: stored.element }
        })
      )

    return PersistedQueue.PersistedQueueStore.of({
      offer: ({ element, id, isCustomId, name }) =>
        Effect.try({
          try: () => JSON.stringify({ id, element, attempts: 0 } satisfies Stored),
          catch: queueError("The element has no JSON form")
        }).pipe(
          Effect.flatMap((json) => {
            const keys = Scripts.queueKeys(prefix, name)
            return redis.execute(
              Script.call(Scripts.offer, [keys.waiting, keys.elements, keys.ids], [id, json, isCustomId ? "1" : "0"])
            ).pipe(Effect.mapError(queueError("Could not offer the element to the queue")))
          }),
          Effect.asVoid
        ),
      take
    })
  })

/**
 * The store as a layer, on the `Redis` service of the context. Provide
 * `PersistedQueue.layer` on top for `PersistedQueue.make`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerStore = (
  options: Options = {}
): Layer.Layer<PersistedQueue.PersistedQueueStore, RedisError.RedisConfigError, Redis.Redis> =>
  Layer.effect(PersistedQueue.PersistedQueueStore, make(options))

/**
 * The store as a layer, its options read from `Config`: each a `Config` or
 * a plain value (`RedisConfig.ConfigInput`).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerStoreConfig = (
  options: RedisConfig.ConfigInput<Options>
): Layer.Layer<
  PersistedQueue.PersistedQueueStore,
  RedisError.RedisConfigError | ConfigError.ConfigError,
  Redis.Redis
> => Layer.effect(PersistedQueue.PersistedQueueStore, Effect.flatMap(RedisConfig.configOf(options), make))
