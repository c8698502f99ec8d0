/**
 * The `Redis` service: one typed method per command, each an Effect with a
 * typed `RedisError` channel, plus `execute` for `Command` values and `raw`
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
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Command from "./Command.js"
import { commands } from "./Commands.js"
import * as Keys from "./commands/keys.js"
import * as Server from "./commands/server.js"
import * as Cache from "./internal/cache.js"
import * as Cluster from "./internal/cluster.js"
import * as ClusterPubSub from "./internal/clusterPubSub.js"
import * as Connection from "./internal/connection.js"
import * as ConnectionPool from "./internal/pool.js"
import * as Sentinel from "./internal/sentinel.js"
import * as Subscriber from "./internal/subscriber.js"
import * as Transaction from "./internal/transaction.js"
import * as PubSub from "./PubSub.js"
import * as RedisConfig from "./RedisConfig.js"
import { type RedisError, RedisTransactionError } from "./RedisError.js"
import { RedisTransport } from "./RedisTransport.js"
import * as ReplyDecoder from "./ReplyDecoder.js"
import * as Script from "./Script.js"

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
 * The typed methods built from a table of command definitions.
 *
 * @since 0.1.0
 * @category models
 */
export type Methods<Table, IsBinary extends boolean> = {
  readonly [K in keyof Table]: Table[K] extends
    (...args: infer P extends ReadonlyArray<unknown>) => Command.Command<infer A>
    ? (...args: P) => Effect.Effect<Out<A, IsBinary>, RedisError>
    : never
}

/**
 * One result per command of a pipeline or transaction, in order.
 *
 * @since 0.1.0
 * @category models
 */
export type Results<Commands extends ReadonlyArray<Command.Command<unknown>>, IsBinary extends boolean> = {
  -readonly [K in keyof Commands]: Either.Either<Out<Command.Result<Commands[K]>, IsBinary>, RedisError>
}

/**
 * What runs commands: a single connection, a Sentinel-managed master, or a
 * cluster router. The `Redis` service is built on one; swapping it changes
 * where commands go without changing the service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Executor {
  /** Runs one command. */
  readonly execute: <A>(command: Command.Command<A>, binary: boolean) => Effect.Effect<A, RedisError>
  /**
   * Runs commands as one contiguous batch (one write, nothing interleaved)
   * and reports every outcome in order. A batch with an invalid argument is
   * refused whole.
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
 * The command surface shared by the text and the binary view.
 *
 * @since 0.1.0
 * @category models
 */
export interface View<IsBinary extends boolean> {
  /** Runs a command value (a typed definition's result, or one built with `Command.make`). */
  readonly execute: <A>(command: Command.Command<A>) => Effect.Effect<Out<A, IsBinary>, RedisError>
  /**
   * Sends any command line and returns the reply as decoded (see
   * `RespValue` in `@effect-redis/resp`). Error replies still fail with
   * `RedisReplyError`.
   */
  readonly raw: (args: ReadonlyArray<Command.RedisArg>) => Effect.Effect<RespValue, RedisError>
  /**
   * Sends the commands in one write and returns one result per command, in
   * order: a failed command does not fail the others.
   *
   * ```ts
   * import { Commands, Redis } from "@effect-redis/client"
   * import { Effect } from "effect"
   *
   * const program = Effect.gen(function*() {
   *   const redis = yield* Redis.Redis
   *   const [set, value] = yield* redis.pipeline([Commands.commands.set("k", "v"), Commands.commands.get("k")])
   * })
   * ```
   */
  readonly pipeline: <const Commands extends ReadonlyArray<Command.Command<unknown>>>(
    commands: Commands
  ) => Effect.Effect<Results<Commands, IsBinary>>
  /**
   * MULTI, the commands, EXEC, as one write: applied all together or not at
   * all. A command the server refuses while queueing aborts the transaction
   * with `RedisTransactionError` (reason `Aborted`, naming the command);
   * errors while executing (e.g. WRONGTYPE) are per position, as in Redis.
   */
  readonly transaction: <const Commands extends ReadonlyArray<Command.Command<unknown>>>(
    commands: Commands
  ) => Effect.Effect<Results<Commands, IsBinary>, RedisError>
  /**
   * Every key (matching the options), as a stream driven by SCAN. A key
   * present for the whole scan is emitted at least once; keys added or
   * removed meanwhile may or may not be. Interrupting the stream stops the
   * cursor.
   */
  readonly scanStream: (options?: Keys.ScanOptions) => Stream.Stream<Out<string, IsBinary>, RedisError>
  /** Every member of a set, through SSCAN (same guarantees as `scanStream`). */
  readonly sscanStream: (
    key: Command.RedisKey,
    options?: Keys.CollectionScanOptions
  ) => Stream.Stream<Out<string, IsBinary>, RedisError>
  /** Every `[field, value]` of a hash, through HSCAN (same guarantees as `scanStream`). */
  readonly hscanStream: (
    key: Command.RedisKey,
    options?: Keys.CollectionScanOptions
  ) => Stream.Stream<Out<readonly [string, string], IsBinary>, RedisError>
  /** Every `[member, score]` of a sorted set, through ZSCAN (same guarantees as `scanStream`). */
  readonly zscanStream: (
    key: Command.RedisKey,
    options?: Keys.CollectionScanOptions
  ) => Stream.Stream<Out<readonly [string, number], IsBinary>, RedisError>
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
 * Pub/sub as Streams (see the `PubSub` module for the semantics).
 *
 * @since 0.1.0
 * @category models
 */
export interface Subscriptions<IsBinary extends boolean> {
  /** Messages published on the channels, from the moment the server confirmed the subscription. */
  readonly subscribe: (
    ...channels: ReadonlyArray<string>
  ) => Stream.Stream<PubSub.Message<Out<string, IsBinary>>, RedisError>
  /** Messages on channels matching the glob-style patterns (PSUBSCRIBE). */
  readonly psubscribe: (
    ...patterns: ReadonlyArray<string>
  ) => Stream.Stream<PubSub.Message<Out<string, IsBinary>>, RedisError>
  /** Messages on shard channels (SSUBSCRIBE). */
  readonly ssubscribe: (
    ...channels: ReadonlyArray<string>
  ) => Stream.Stream<PubSub.Message<Out<string, IsBinary>>, RedisError>
  /**
   * Subscribes to everything in `targets` and completes once the server has
   * confirmed all of it, with the stream of messages: anything published
   * after this effect completes is in the stream. The subscription ends
   * with the scope.
   */
  readonly subscription: (
    targets: PubSub.Targets
  ) => Effect.Effect<Stream.Stream<PubSub.Message<Out<string, IsBinary>>>, RedisError, Scope.Scope>
}

/**
 * What client-side caching did since the client started (all zero when
 * the `cache` option is off).
 *
 * @since 0.1.0
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
   * connection state (SELECT, CLIENT REPLY…) or long sequences that must not
   * interleave. It goes back to the pool when the scope ends, or is closed
   * instead if the scope failed or changed its connection state.
   */
  readonly reserve: Effect.Effect<Reserved, RedisError, Scope.Scope>
  /**
   * An optimistic transaction: WATCHes `keys` on a dedicated connection,
   * runs `body` (reads through the connection it is given; it returns the
   * commands to apply), then MULTI/EXEC. If a watched key changed meanwhile,
   * nothing is applied and it fails with `RedisTransactionError` (reason
   * `Conflict`); `retryOnConflict` runs the whole block again.
   */
  readonly watch: <const Commands extends ReadonlyArray<Command.Command<unknown>>, E, R>(
    keys: ReadonlyArray<Command.RedisKey>,
    body: (connection: Client) => Effect.Effect<Commands, E, R>
  ) => Effect.Effect<Results<Commands, false>, RedisError | E, R>
  /** Client-side caching counters (see the `cache` option). */
  readonly cacheStats: Effect.Effect<CacheStats>
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

const RAW = Command.spec("RAW", { keys: undefined, flags: Command.Flags.raw })
const WATCH = Command.spec("WATCH", { flags: Command.Flags.connectionState, keys: Command.allKeys })
const UNWATCH = Command.spec("UNWATCH", { flags: Command.Flags.connectionState, keys: undefined })

/** EVALSHA, and EVAL when the server does not have the script. */
const executeScript = (executor: Executor, call: Script.ScriptCall<unknown>, binary: boolean) =>
  Effect.catchIf(
    executor.execute(call, binary),
    (error) => error._tag === "RedisReplyError" && error.code === "NOSCRIPT",
    () => executor.execute(call.withSource, binary)
  )

/** Runs a batch with SCRIPT LOAD in front for the scripts it calls, and drops their outcomes. */
const withScriptsLoaded = (executeAll: Executor["executeAll"]): Executor["executeAll"] => (batch, binary) => {
  const loads = Script.loadsFor(batch)
  return loads.length === 0
    ? executeAll(batch, binary)
    : Effect.map(executeAll([...loads, ...batch], binary), (exits) => exits.slice(loads.length))
}

/** Follows a SCAN-family cursor from 0 until the server returns 0, one chunk per page. */
const scanning = <A>(page: (cursor: bigint) => Effect.Effect<Keys.ScanPage<A>, RedisError>) =>
  Stream.paginateChunkEffect(
    0n,
    (cursor) =>
      Effect.map(
        page(cursor),
        ([next, items]) => [Chunk.unsafeFromArray(items), next === 0n ? Option.none() : Option.some(next)] as const
      )
  )

const makeView = (executor: Executor, binary: boolean): Record<string, unknown> => {
  const executeAll = withScriptsLoaded(executor.executeAll)
  const view: Record<string, unknown> = {
    execute: (command: Command.Command<unknown>) =>
      Script.isScriptCall(command) ? executeScript(executor, command, binary) : executor.execute(command, binary),
    raw: (args: ReadonlyArray<Command.RedisArg>) =>
      executor.execute(
        Command.make({ ...RAW, name: String(args[0] ?? "RAW").toUpperCase() }, args, ReplyDecoder.raw),
        binary
      ),
    pipeline: (batch: ReadonlyArray<Command.Command<unknown>>) =>
      Effect.map(executeAll(batch, binary), Transaction.toEithers),
    transaction: (batch: ReadonlyArray<Command.Command<unknown>>) =>
      Transaction.run(executor.executeAll, batch, binary),
    scanStream: (options?: Keys.ScanOptions) => {
      const scan = (on: Executor) => scanning((cursor) => on.execute(Keys.commands.scan(cursor, options), binary))
      return executor.masters === undefined
        ? scan(executor)
        : Stream.flatMap(Stream.fromIterableEffect(executor.masters), scan)
    },
    sscanStream: (key: Command.RedisKey, options?: Keys.CollectionScanOptions) =>
      scanning((cursor) => executor.execute(Keys.commands.sscan(key, cursor, options), binary)),
    hscanStream: (key: Command.RedisKey, options?: Keys.CollectionScanOptions) =>
      scanning((cursor) => executor.execute(Keys.commands.hscan(key, cursor, options), binary)),
    zscanStream: (key: Command.RedisKey, options?: Keys.CollectionScanOptions) =>
      scanning((cursor) => executor.execute(Keys.commands.zscan(key, cursor, options), binary))
  }
  for (const name of Object.keys(commands)) {
    const define = (commands as Record<string, (...args: Array<unknown>) => Command.Command<unknown>>)[name]!
    view[name] = (...args: Array<unknown>) => executor.execute(define(...args), binary)
  }
  return view
}

/**
 * The commands and batches of an executor, in text and binary form.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeClient = (executor: Executor): Client => {
  const view = makeView(executor, false)
  view.binary = makeView(executor, true)
  return view as unknown as Client
}

/**
 * Builds the service: `shared` runs commands (blocking ones on dedicated
 * connections) and batches; `poolFor` lends the dedicated connections for
 * `reserve` and `watch`, from the pool that serves the given keys;
 * `subscribe` opens subscriptions. With `spans` (attributes), every command
 * and batch runs in a client span; `cacheStats` backs `redis.cacheStats`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromExecutors = (
  shared: Executor,
  poolFor: (keys: ReadonlyArray<Command.RedisKey>) => Effect.Effect<ConnectionPool.ConnectionPool, RedisError>,
  subscribe: Subscribe,
  database: number,
  spans?: Record<string, unknown>,
  cacheStats: Effect.Effect<CacheStats> = noCache
): Redis => {
  const trace = (executor: Executor): Executor => spans === undefined ? executor : traced(executor, spans)
  const client = makeClient(trace(shared)) as Client & {
    reserve?: unknown
    watch?: unknown
    keyspaceEvents?: unknown
    cacheStats?: unknown
  }
  client.cacheStats = cacheStats
  const reserve = Effect.gen(function*() {
    const pool = yield* poolFor([])
    const connection = yield* pool.borrow
    let dirty = false
    const tracked: Executor = {
      execute: (command, binary) => {
        if ((command.spec.flags & stateFlags) !== 0) dirty = true
        return connection.execute(command, binary)
      },
      executeAll: (batch, binary) => {
        if (batch.some((command) => (command.spec.flags & stateFlags) !== 0)) dirty = true
        return connection.executeAll(batch, binary)
      }
    }
    yield* Effect.addFinalizer((exit) =>
      Exit.isSuccess(exit) && !dirty && connection.isReady ? Effect.void : pool.discard(connection)
    )
    return makeClient(trace(tracked))
  })
  // The reads of a WATCH block go through the borrowed connection; its client is built once per connection.
  const clients = new WeakMap<Connection.Connection, Client>()
  const clientOf = (connection: Connection.Connection): Client => {
    let client = clients.get(connection)
    if (client === undefined) {
      client = makeClient(trace(connection))
      clients.set(connection, client)
    }
    return client
  }
  client.reserve = reserve
  Object.assign(client, makeSubscriptions(subscribe, false))
  Object.assign(client.binary as object, makeSubscriptions(subscribe, true))
  client.keyspaceEvents = (options: PubSub.KeyspaceOptions = {}) => {
    const db = options.database ?? database
    const configSet = Server.commands.configSet({ "notify-keyspace-events": options.enable ?? "" })
    // In a cluster every master sends its own notifications: each is configured.
    const enable = options.enable === undefined
      ? Effect.void
      : shared.masters === undefined
      ? shared.execute(configSet, false)
      : Effect.flatMap(
        shared.masters,
        (masters) => Effect.forEach(masters, (master) => master.execute(configSet, false), { discard: true })
      )
    return Stream.unwrapScoped(
      Effect.zipRight(
        enable,
        subscribe({ patterns: [`__keyspace@${db}__:${options.keys ?? "*"}`], ...bufferOf(options) }, false)
      )
    ).pipe(
      Stream.filterMap((message) => Option.fromNullable(PubSub.toKeyspaceEvent(message as PubSub.Message<string>)))
    )
  }
  client.watch = (
    keys: ReadonlyArray<Command.RedisKey>,
    body: (connection: Client) => Effect.Effect<ReadonlyArray<Command.Command<unknown>>, unknown, unknown>
  ) =>
    Effect.flatMap(poolFor(keys), (pool) =>
      pool.withConnection((connection) =>
        Effect.gen(function*() {
          const watch = keys.length === 0
            ? Keys.noneGiven(WATCH, "key")
            : Command.make(WATCH, ["WATCH", ...keys], ReplyDecoder.ok)
          yield* connection.execute(watch, false)
          const batch = yield* body(clientOf(connection)).pipe(
            Effect.tapErrorCause(() => connection.execute(Command.make(UNWATCH, ["UNWATCH"], ReplyDecoder.ok), false))
          )
          return yield* Transaction.run(connection.executeAll, batch, false)
        })
      ))
  return client as unknown as Redis
}

const bufferOf = (options: PubSub.SubscribeOptions): PubSub.SubscribeOptions =>
  options.bufferSize === undefined ? {} : { bufferSize: options.bufferSize }

/**
 * Subscribes to `targets` (on one subscriber connection, or on several in a
 * cluster) and completes, with the stream of their messages, once the
 * server has confirmed everything.
 *
 * @since 0.1.0
 * @category models
 */
export type Subscribe = (
  targets: PubSub.Targets,
  binary: boolean
) => Effect.Effect<Stream.Stream<PubSub.Message<unknown>>, RedisError, Scope.Scope>

/** Every subscription on the one subscriber connection of `binary`. */
const subscribeThrough =
  (subscriber: (binary: boolean) => Effect.Effect<Subscriber.Subscriber, RedisError>): Subscribe => (targets, binary) =>
    Effect.flatMap(subscriber(binary), (subscriber) => subscriber.subscribe(targets))

const makeSubscriptions = (subscribe: Subscribe, binary: boolean): Subscriptions<boolean> =>
  ({
    subscribe: (...channels) => Stream.unwrapScoped(subscribe({ channels }, binary)),
    psubscribe: (...patterns) => Stream.unwrapScoped(subscribe({ patterns }, binary)),
    ssubscribe: (...shardChannels) => Stream.unwrapScoped(subscribe({ shardChannels }, binary)),
    subscription: (targets) => subscribe(targets, binary)
  }) as Subscriptions<boolean>

const noCache: Effect.Effect<CacheStats> = Effect.succeed({
  hits: 0,
  misses: 0,
  size: 0,
  evictions: 0,
  invalidations: 0
})

/** An executor whose single commands go through client-side caching, and whose batches drop what they wrote. */
const cachedBy = (cache: Cache.ClientCache, executor: Executor): Executor => ({
  ...(executor.masters && { masters: executor.masters }),
  execute: (command, binary) => cache.through(command, binary, executor.execute),
  executeAll: (batch, binary) =>
    Effect.ensuring(executor.executeAll(batch, binary), Effect.sync(() => cache.afterBatch(batch)))
})

/** Commands after which a reserved connection is closed rather than returned to the pool. */
const stateFlags = Command.Flags.connectionState | Command.Flags.pubsub | Command.Flags.raw

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
    const base = yield* RedisTransport
    const spans = config.tracing ? spanAttributes(config) : undefined
    const cache = config.cache === undefined
      ? undefined
      : new Cache.ClientCache(config.cache.maxEntries, config.cache.ttlMillis)
    const tracking = cache && { listener: cache.listener, tracking: true }
    const cacheStats = cache && Effect.sync(() => cache.stats)
    if (config.cluster !== undefined) {
      const cluster = yield* Cluster.make(config, config.cluster, base, tracking)
      const routed: Executor = {
        execute: (command, binary) => cluster.execute(command, binary),
        executeAll: (batch, binary) => cluster.executeAll(batch, binary),
        masters: Effect.sync(() => cluster.masters())
      }
      const subscribe = yield* ClusterPubSub.make(config, cluster)
      const shared = cache === undefined ? routed : cachedBy(cache, routed)
      return fromExecutors(shared, (keys) => cluster.poolFor(keys), subscribe, 0, spans, cacheStats)
    }
    const sentinel = config.sentinel === undefined ? undefined : yield* Sentinel.make(base, config, config.sentinel)
    const transport = sentinel?.master ?? base
    const connection = yield* Connection.make(config, transport, tracking)
    const pool = yield* ConnectionPool.make(config, transport)
    const subscriber = yield* Subscriber.lazy(config, transport)
    // Replica reads: a second connection, to a replica (its handshake does not insist on a master).
    const reader = sentinel === undefined || config.sentinel?.readFrom !== "replicas"
      ? undefined
      : yield* Connection.make({ ...config, sentinel: undefined }, sentinel.replicas, tracking)
    const pooled = <A>(command: Command.Command<A>, binary: boolean) =>
      pool.withConnection((member) => member.execute(command, binary))
    const direct: Executor = {
      execute: reader === undefined
        ? (command, binary) =>
          (command.spec.flags & Command.Flags.blocking) !== 0
            ? pooled(command, binary)
            : connection.execute(command, binary)
        : (command, binary) => {
          const flags = command.spec.flags
          if ((flags & Command.Flags.blocking) !== 0) return pooled(command, binary)
          return (flags & Command.Flags.readonly) !== 0
            ? reader.execute(command, binary)
            : connection.execute(command, binary)
        },
      executeAll: connection.executeAll
    }
    const shared = cache === undefined ? direct : cachedBy(cache, direct)
    return fromExecutors(
      shared,
      () => Effect.succeed(pool),
      subscribeThrough(subscriber),
      config.database,
      spans,
      cacheStats
    )
  })

/** OpenTelemetry database attributes of a client's spans (never arguments). */
const spanAttributes = (config: RedisConfig.Resolved): Record<string, unknown> => {
  const common = { "db.system.name": "redis", "db.namespace": String(config.database) }
  const endpoint = config.endpoint
  // Behind Sentinel the server changes with failovers, in a cluster with the key: no address is recorded.
  if (config.sentinel !== undefined || config.cluster !== undefined) return common
  return endpoint._tag === "Tcp"
    ? { ...common, "server.address": endpoint.host, "server.port": endpoint.port }
    : { ...common, "server.address": endpoint.path }
}

/** An executor that opens a client span per command and per batch. */
const traced = (executor: Executor, attributes: Record<string, unknown>): Executor => ({
  ...(executor.masters && {
    masters: Effect.map(executor.masters, (masters) => masters.map((master) => traced(master, attributes)))
  }),
  execute: (command, binary) =>
    Effect.withSpan(executor.execute(command, binary), command.spec.name, {
      kind: "client",
      attributes: { ...attributes, "db.operation.name": command.spec.name }
    }),
  executeAll: (batch, binary) =>
    Effect.withSpan(executor.executeAll(batch, binary), "PIPELINE", {
      kind: "client",
      attributes: { ...attributes, "db.operation.name": "PIPELINE", "db.operation.batch.size": batch.length }
    })
})
