/**
 * The `Redis` service: one typed method per command, each an Effect whose
 * error channel holds the errors it can really fail with
 * (`RedisError.CommandError`, `PooledCommandError` for blocking commands),
 * plus `execute` for `Command` values and `raw`
 * for anything untyped.
 *
 * ```ts
 * import { Redis } from "@effect-redis/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const redis = yield* Redis.Redis
 *   yield* redis.set("greeting", "hello")
 *   const value = yield* redis.get("greeting") // Option<string>
 * })
 * ```
 *
 * Replies are text by default; `redis.binary` has the same methods with bulk
 * strings as `Uint8Array` (the `decode_responses=False` of redis-py).
 *
 * @since 0.1.0
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import { dual } from "effect/Function"
import type * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as Command from "./Command.js"
import type { commands } from "./Commands.js"
import type * as Keys from "./commands/keys.js"
import type * as ConnectionState from "./ConnectionState.js"
import type * as Parts from "./Executor.js"
import * as Service from "./internal/service.js"
import * as Topology from "./internal/topology.js"
import { makeClient as makeView } from "./internal/view.js"
import type * as Monitor from "./Monitor.js"
import type * as PubSub from "./PubSub.js"
import * as RedisConfig from "./RedisConfig.js"
import {
  type CommandError,
  type PooledCommandError,
  type RedisError,
  RedisTransactionError,
  type TransactionError
} from "./RedisError.js"
import { RedisTransport } from "./RedisTransport.js"

/**
 * The shape of a result when bulk strings come back as bytes: `string`
 * becomes `Uint8Array`, recursively through options, arrays, tuples, records
 * and maps; string literal types (statuses, type names) stay as they are,
 * and so do record keys and raw `RespValue`s.
 *
 * @since 0.1.0
 * @category models
 */
export type Binary<A> = RespValue extends A ? A
  : A extends string ? string extends A ? Uint8Array : A
  : A extends Option.Option<infer X> ? Option.Option<Binary<X>>
  : A extends Either.Either<infer R, infer L> ? Either.Either<Binary<R>, L>
  : A extends ReadonlyMap<infer K, infer V> ? Map<K, Binary<V>>
  : A extends ReadonlyArray<unknown> ? { -readonly [K in keyof A]: Binary<A[K]> }
  : A extends Uint8Array ? A
  : A extends object ? { [K in keyof A]: Binary<A[K]> }
  : A

type Out<A, IsBinary extends boolean> = IsBinary extends true ? Binary<A> : A

/**
 * The methods of the blocking commands, which run on a pool connection
 * and so can also fail with `RedisPoolError` (see
 * `RedisError.PooledCommandError`); every other method runs on the shared
 * connection and fails with a `RedisError.CommandError`.
 *
 * @since 0.3.0
 * @category models
 */
export type BlockingMethod =
  | "blmove"
  | "blmpop"
  | "blpop"
  | "brpop"
  | "brpoplpush"
  | "bzmpop"
  | "bzpopmax"
  | "bzpopmin"
  | "xreadBlock"
  | "xreadgroupBlock"
  | "wait"

/**
 * The typed methods built from a table of command definitions.
 *
 * @since 0.1.0
 * @category models
 */
export type Methods<Table, IsBinary extends boolean> = {
  readonly [K in keyof Table]: Table[K] extends
    (...args: infer P extends ReadonlyArray<unknown>) => Command.Command<infer A> ? (
      ...args: P
    ) => Effect.Effect<Out<A, IsBinary>, K extends BlockingMethod ? PooledCommandError : CommandError>
    : never
}

/**
 * One result per command of a pipeline or transaction, in order.
 *
 * @since 0.1.0
 * @category models
 */
export type Results<Commands extends ReadonlyArray<Command.Command<unknown>>, IsBinary extends boolean> = {
  -readonly [K in keyof Commands]: Either.Either<Out<Command.Result<Commands[K]>, IsBinary>, PooledCommandError>
}

/**
 * What pipelines, transactions and `watch` build their commands with: one
 * function per method of the service, taking the same arguments and
 * returning the command as a value (`r.incr("n")` is a
 * `Command<number>`). It is `Commands.commands` itself, one object shared
 * by every call.
 *
 * @since 0.3.0
 * @category models
 */
export type Builder = typeof commands

/**
 * The commands of a batch: an array of command values, or a function that
 * builds them from the {@link Builder} (`(r) => [r.set("a", "1"), r.incr("n")]`).
 * Either way the results are typed position by position.
 *
 * @since 0.3.0
 * @category models
 */
export type Batch<Commands extends ReadonlyArray<Command.Command<unknown>>> =
  | Commands
  | ((r: Builder) => Commands)

/**
 * What runs commands (see the `Executor` module).
 *
 * @since 0.1.0
 * @category models
 */
export type Executor = Parts.Executor

/**
 * The command surface shared by the text and the binary view.
 *
 * @since 0.1.0
 * @category models
 */
export interface View<IsBinary extends boolean> {
  /** Runs a command value (a typed definition's result, or one built with `Command.make`). */
  readonly execute: <A>(command: Command.Command<A>) => Effect.Effect<Out<A, IsBinary>, PooledCommandError>
  /**
   * Sends any command line and returns the reply as decoded (see
   * `RespValue` in `@effect-redis/resp`). Error replies still fail with
   * `RedisReplyError`. Commands that change the connection's state
   * (SELECT, SUBSCRIBE, WATCH, MULTI, CLIENT REPLY, HELLO…, by name) are
   * refused on the shared connection with `RedisArgumentError` before
   * anything is sent: run them on a connection from `reserve`. Blocking
   * commands (BLPOP…, by name) run on a pool connection.
   */
  readonly raw: (args: ReadonlyArray<Command.RedisArg>) => Effect.Effect<RespValue, PooledCommandError>
  /**
   * Sends the commands in one write and returns one result per command, in
   * order: a failed command does not fail the others. The commands are
   * built with the same methods as the service's (see {@link Builder}), or
   * given as an array of command values.
   *
   * ```ts
   * import { Redis } from "@effect-redis/client"
   * import { Effect } from "effect"
   *
   * const program = Effect.gen(function*() {
   *   const redis = yield* Redis.Redis
   *   // [Either<boolean, PooledCommandError>, Either<number, PooledCommandError>]
   *   const [set, count] = yield* redis.pipeline((r) => [r.set("k", "v"), r.incr("n")])
   * })
   * ```
   */
  readonly pipeline: <const Commands extends ReadonlyArray<Command.Command<unknown>>>(
    commands: Batch<Commands>
  ) => Effect.Effect<Results<Commands, IsBinary>>
  /**
   * MULTI, the commands, EXEC, as one write: applied all together or not at
   * all. A command the server refuses while queueing aborts the transaction
   * with `RedisTransactionError` (reason `Aborted`, naming the command);
   * errors while executing (e.g. WRONGTYPE) are per position, as in Redis.
   * The commands are given as for `pipeline`.
   */
  readonly transaction: <const Commands extends ReadonlyArray<Command.Command<unknown>>>(
    commands: Batch<Commands>
  ) => Effect.Effect<Results<Commands, IsBinary>, TransactionError>
  /**
   * Every key (matching the options), as a stream driven by SCAN. A key
   * present for the whole scan is emitted at least once; keys added or
   * removed meanwhile may or may not be. Interrupting the stream stops the
   * cursor.
   */
  readonly scanStream: (options?: Keys.ScanOptions) => Stream.Stream<Out<string, IsBinary>, CommandError>
  /** Every member of a set, through SSCAN (same guarantees as `scanStream`). */
  readonly sscanStream: (
    key: Command.RedisKey,
    options?: Keys.CollectionScanOptions
  ) => Stream.Stream<Out<string, IsBinary>, CommandError>
  /** Every `[field, value]` of a hash, through HSCAN (same guarantees as `scanStream`). */
  readonly hscanStream: (
    key: Command.RedisKey,
    options?: Keys.CollectionScanOptions
  ) => Stream.Stream<Out<readonly [string, string], IsBinary>, CommandError>
  /** Every `[member, score]` of a sorted set, through ZSCAN (same guarantees as `scanStream`). */
  readonly zscanStream: (
    key: Command.RedisKey,
    options?: Keys.CollectionScanOptions
  ) => Stream.Stream<Out<readonly [string, number], IsBinary>, CommandError>
}

/**
 * The commands and batches of one connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface Client extends Methods<typeof commands, false>, View<false> {
  /** The same commands with bulk strings returned as `Uint8Array`. */
  readonly binary: Methods<typeof commands, true> & View<true>
}

/**
 * A connection lent for the length of a scope (see `Redis.reserve`).
 *
 * @since 0.1.0
 * @category models
 */
export type Reserved = Client

/**
 * Pub/sub as Streams (see the `PubSub` module for the semantics). The
 * channels and patterns are given as separate arguments or as arrays
 * (`subscribe("a", "b")`, `subscribe(["a", "b"])`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Subscriptions<IsBinary extends boolean> {
  /** Messages published on the channels, from the moment the server confirmed the subscription. */
  readonly subscribe: (
    ...channels: ReadonlyArray<Command.OneOrMany<string>>
  ) => Stream.Stream<PubSub.Message<Out<string, IsBinary>>, RedisError>
  /** Messages on channels matching the glob-style patterns (PSUBSCRIBE). */
  readonly psubscribe: (
    ...patterns: ReadonlyArray<Command.OneOrMany<string>>
  ) => Stream.Stream<PubSub.Message<Out<string, IsBinary>>, RedisError>
  /** Messages on shard channels (SSUBSCRIBE). */
  readonly ssubscribe: (
    ...channels: ReadonlyArray<Command.OneOrMany<string>>
  ) => Stream.Stream<PubSub.Message<Out<string, IsBinary>>, RedisError>
  /**
   * Subscribes to everything in `targets` and completes once the server has
   * confirmed all of it, with the stream of messages: anything published
   * after this effect completes is in the stream. The subscription ends
   * with the scope, and the stream then ends after what it buffered. It
   * fails with `RedisConnectionError` when reconnecting gives up, with
   * `RedisClosedError` when the client closes, and with
   * `RedisOverflowError` when full with `overflow: "fail"`.
   */
  readonly subscription: (
    targets: PubSub.Targets
  ) => Effect.Effect<Stream.Stream<PubSub.Message<Out<string, IsBinary>>, RedisError>, RedisError, Scope.Scope>
}

/**
 * What client-side caching did since the client started (see the
 * `Executor` module).
 *
 * @since 0.1.0
 * @category models
 */
export type CacheStats = Parts.CacheStats

/**
 * The `Redis` service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Redis extends Client, Subscriptions<false> {
  /** The same commands and subscriptions with bulk strings returned as `Uint8Array`. */
  readonly binary: Methods<typeof commands, true> & View<true> & Subscriptions<true>
  /**
   * Keyspace notifications for keys matching `options.keys`, as typed
   * events. Set `options.enable` (e.g. `"KA"`) to switch the server's
   * notifications on first.
   */
  readonly keyspaceEvents: (options?: PubSub.KeyspaceOptions) => Stream.Stream<PubSub.KeyspaceEvent, RedisError>
  /**
   * Lends a dedicated connection from the pool for the scope: for
   * connection state (SELECT, WATCH, CLIENT TRACKING…, which the shared
   * connection refuses) or long sequences that must not interleave. It goes
   * back to the pool when the scope ends, or is closed instead if the scope
   * failed or ran a state-changing or `raw` command.
   */
  readonly reserve: Effect.Effect<Reserved, PooledCommandError, Scope.Scope>
  /**
   * An optimistic transaction: WATCHes `keys` on a dedicated connection,
   * runs `body` (reads through the connection it is given; it returns the
   * commands to apply, built with the {@link Builder} it is given second),
   * then MULTI/EXEC. If a watched key changed meanwhile, nothing is applied
   * and it fails with `RedisTransactionError` (reason `Conflict`);
   * `retryOnConflict` runs the whole block again.
   */
  readonly watch: <const Commands extends ReadonlyArray<Command.Command<unknown>>, E, R>(
    keys: Command.OneOrMany<Command.RedisKey>,
    body: (connection: Client, r: Builder) => Effect.Effect<Commands, E, R>
  ) => Effect.Effect<Results<Commands, false>, TransactionError | E, R>
  /** Client-side caching counters (see the `cache` option). */
  readonly cacheStats: Effect.Effect<CacheStats>
  /**
   * Every connection's state (shared, replica, subscriber, pool, cluster
   * node): the current ones first, then each change (connecting, ready,
   * reconnecting with the attempt and the error, unavailable, closed). See
   * the `ConnectionState` module; the stream ends once the client closed.
   *
   * @since 0.2.0
   */
  readonly connectionState: Stream.Stream<ConnectionState.ConnectionEvent>
  /**
   * The state of every open connection now.
   *
   * @since 0.2.0
   */
  readonly connections: Effect.Effect<ReadonlyArray<ConnectionState.ConnectionEvent>>
  /**
   * Sends MONITOR on a connection of its own and completes once the server
   * confirmed it, with the stream of every command the server receives
   * from then on (see the `Monitor` module). The connection closes with
   * the scope, and the stream then ends after what it buffered.
   *
   * @since 0.2.0
   */
  readonly monitor: (
    options?: PubSub.BufferOptions
  ) => Effect.Effect<Stream.Stream<Monitor.MonitorEvent, RedisError>, RedisError, Scope.Scope>
}

/**
 * The tag of the `Redis` service.
 *
 * @since 0.1.0
 * @category tags
 */
export const Redis: Context.Tag<Redis, Redis> = Context.GenericTag<Redis>("@effect-redis/client/Redis")

/**
 * Retries an optimistic transaction (see `Redis.watch`) when a watched key
 * changed, following `schedule`; any other error ends the retries.
 *
 * @since 0.1.0
 * @category combinators
 */
export const retryOnConflict: {
  <Out, R2>(
    schedule: Schedule.Schedule<Out, RedisError, R2>
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R | R2>
  <A, E, R, Out, R2>(
    self: Effect.Effect<A, E, R>,
    schedule: Schedule.Schedule<Out, RedisError, R2>
  ): Effect.Effect<A, E, R | R2>
} = dual(2, <A, E, R, Out, R2>(
  self: Effect.Effect<A, E, R>,
  schedule: Schedule.Schedule<Out, RedisError, R2>
): Effect.Effect<A, E, R | R2> =>
  Effect.retry(self, {
    schedule: schedule as Schedule.Schedule<Out, unknown, R2>,
    while: (error) => error instanceof RedisTransactionError && error.reason === "Conflict"
  }))

/**
 * The commands and batches of an executor, in text and binary form.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeClient = (executor: Executor): Client => makeView(executor) as Client

/**
 * Builds the service from its parts (see the `Executor` module): an
 * executor for commands and batches, a lender of dedicated connections for
 * `reserve` and `watch`, and a `Subscribe` for pub/sub. This is how a
 * test or an unusual topology plugs its own pieces in; `make` builds the
 * parts for a standalone server, Sentinel or a cluster.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromExecutors = (parts: Parts.Parts): Redis => Service.make(parts) as Redis

/**
 * Connects to a standalone server, to the master Redis Sentinel names
 * (`sentinel` option) or to a Redis Cluster (`cluster` option), and builds
 * the service: the first connection (or reading the cluster's slot map)
 * must succeed; every connection and pool closes with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: RedisConfig.Options
): Effect.Effect<Redis, RedisError, RedisTransport | Scope.Scope> =>
  Effect.gen(function*() {
    const config = yield* RedisConfig.resolve(options)
    const parts = yield* Topology.connect(config, yield* RedisTransport)
    return fromExecutors(parts)
  })
