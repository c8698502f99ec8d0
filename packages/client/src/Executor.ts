/**
 * The replaceable parts a `Redis` service is built from (see
 * `Redis.fromExecutors`): an `Executor` that runs commands, a `Lender` of
 * dedicated connections, and a `Subscribe` function for pub/sub. A single
 * server, a Sentinel-managed master and a cluster router are each one set
 * of these parts; the service on top is the same.
 *
 * @since 0.2.0
 */
import type { Effect, Exit, Scope, Stream } from "effect"
import type * as Command from "./Command.js"
import type { ConnectionStates } from "./ConnectionState.js"
import type { MonitorEvent } from "./Monitor.js"
import type * as PubSub from "./PubSub.js"
import type { RedisError } from "./RedisError.js"

/**
 * What runs commands: a single connection, a Sentinel-managed master, or a
 * cluster router.
 *
 * @since 0.2.0
 * @category models
 */
export interface Executor {
  /** Runs one command; `binary` decodes bulk strings as `Uint8Array`. */
  readonly execute: <A>(command: Command.Command<A>, binary: boolean) => Effect.Effect<A, RedisError>
  /**
   * Runs commands as one contiguous batch (one write, nothing interleaved)
   * and reports every outcome in order. A batch with an invalid argument,
   * or (on a shared connection) a state-changing command outside a
   * complete MULTI … EXEC, is refused whole.
   */
  readonly executeAll: (
    commands: ReadonlyArray<Command.Command<unknown>>,
    binary: boolean
  ) => Effect.Effect<Array<Exit.Exit<unknown, RedisError>>>
  /**
   * A cluster's masters, one executor each, in slot order: what `scanStream`
   * walks so that it sees every key. `undefined` for a single server.
   */
  readonly masters?: Effect.Effect<ReadonlyArray<Executor>>
}

/**
 * A dedicated connection lent for a scope (see {@link Lender}).
 *
 * @since 0.2.0
 * @category models
 */
export interface Lent extends Executor {
  /**
   * Closes the connection when the scope ends instead of returning it to
   * the pool: its state (database, subscriptions, client reply mode…) is no
   * longer what the pool promises.
   */
  readonly discardOnRelease: () => void
}

/**
 * Lends dedicated connections (from a pool): for blocking commands, WATCH
 * transactions and `reserve`, which must not share the multiplexed
 * connection.
 *
 * @since 0.2.0
 * @category models
 */
export interface Lender {
  /**
   * A healthy connection for the scope. It goes back to the pool when the
   * scope ends, unless `discardOnRelease` was called or the connection was
   * lost; then it is closed.
   */
  readonly borrow: Effect.Effect<Lent, RedisError, Scope.Scope>
  /**
   * Runs `use` on a borrowed connection. The connection goes back to the
   * pool only when `use` succeeded or failed with a reply error: after an
   * interruption, a timeout or a lost connection its state is unknown and
   * it is closed.
   */
  readonly withConnection: <A, E, R>(
    use: (connection: Executor) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | RedisError, R>
}

/**
 * Subscribes to `targets` (on one subscriber connection, or on several in a
 * cluster) and completes, with the stream of their messages, once the
 * server has confirmed everything. The subscription ends with the scope;
 * the stream fails when the subscription can no longer be served
 * (reconnecting gave up, the client closed, an overflow with `"fail"`).
 *
 * @since 0.2.0
 * @category models
 */
export type Subscribe = (
  targets: PubSub.Targets,
  binary: boolean
) => Effect.Effect<Stream.Stream<PubSub.Message<unknown>, RedisError>, RedisError, Scope.Scope>

/**
 * Sends MONITOR on connections of its own (one per master in a cluster)
 * and completes, with the stream of the commands the servers receive, once
 * they confirmed it. The connections close with the scope.
 *
 * @since 0.2.0
 * @category models
 */
export type Monitor = (
  options: PubSub.BufferOptions
) => Effect.Effect<Stream.Stream<MonitorEvent, RedisError>, RedisError, Scope.Scope>

/**
 * What client-side caching did since the client started (all zero when
 * the `cache` option is off).
 *
 * @since 0.2.0
 * @category models
 */
export interface CacheStats {
  /** Replies served from memory. */
  readonly hits: number
  /** Cacheable calls that went to the server. */
  readonly misses: number
  /** Replies held now. */
  readonly size: number
  /** Replies dropped for room (least recently used). */
  readonly evictions: number
  /** Replies dropped because a key changed, was flushed, or the connection was lost. */
  readonly invalidations: number
}

/**
 * Everything `Redis.fromExecutors` builds a service from.
 *
 * @since 0.2.0
 * @category models
 */
export interface Parts {
  /** Runs commands and batches (blocking commands on dedicated connections). */
  readonly executor: Executor
  /** The lender of dedicated connections for `reserve` and `watch`, for the given keys (a cluster has one per master). */
  readonly lender: (keys: ReadonlyArray<Command.RedisKey>) => Effect.Effect<Lender, RedisError>
  /** Opens subscriptions. */
  readonly subscribe: Subscribe
  /** Backs `redis.monitor`; without it, `redis.monitor` fails with `RedisArgumentError`. */
  readonly monitor?: Monitor | undefined
  /** The database `keyspaceEvents` watches by default. */
  readonly database: number
  /** When set, every command and batch runs in a client span with these attributes (and `db.operation.name`). */
  readonly spanAttributes?: Record<string, unknown> | undefined
  /** What backs `redis.cacheStats`; all zero when omitted. */
  readonly cacheStats?: Effect.Effect<CacheStats> | undefined
  /**
   * What backs `redis.connectionState` and `redis.connections`; without
   * it, they report no connection.
   *
   * @since 0.2.0
   */
  readonly connectionStates?: ConnectionStates | undefined
  /**
   * When set, every key the service's commands name gets this prefix (see
   * the `keyPrefix` option); the executors and lenders are given the full
   * key names.
   *
   * @since 0.2.0
   */
  readonly keyPrefix?: string | undefined
}
