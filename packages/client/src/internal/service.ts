/**
 * The `Redis` service assembled from its parts: the text and binary views
 * of the executor, with `reserve`, `watch`, the subscriptions and
 * `keyspaceEvents` on top, traced and key-prefixed when asked.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Command from "../Command.js"
import { commands } from "../Commands.js"
import * as Server from "../commands/server.js"
import type { ConnectionStates } from "../ConnectionState.js"
import type { CacheStats, Executor, Lent, Monitor, Parts, Subscribe } from "../Executor.js"
import * as PubSub from "../PubSub.js"
import { RedisArgumentError } from "../RedisError.js"
import * as ReplyDecoder from "../ReplyDecoder.js"
import * as Args from "./args.js"
import { KeyFinder } from "./commandKeys.js"
import { KeyPrefix } from "./keyPrefix.js"
import { reusableAfter } from "./pool.js"
import { traced } from "./tracing.js"
import * as Transaction from "./transaction.js"
import * as View from "./view.js"

const WATCH = Command.spec("WATCH", { flags: Command.Flags.connectionState, keys: Command.allKeys })
const UNWATCH = Command.spec("UNWATCH", { flags: Command.Flags.connectionState, keys: undefined })
const unwatch = Command.make(UNWATCH, ["UNWATCH"], ReplyDecoder.ok)

/** Commands after which a reserved connection is closed rather than returned to the pool. */
const stateFlags = Command.Flags.connectionState | Command.Flags.pubsub | Command.Flags.raw

const noMonitor: Monitor = () =>
  Effect.fail(
    new RedisArgumentError({
      message: "MONITOR: the parts this client was built from have no monitor",
      command: "MONITOR",
      outcome: "not-sent"
    })
  )

const noStates: ConnectionStates = { changes: Stream.empty, current: Effect.succeed([]) }

const noCache: Effect.Effect<CacheStats> = Effect.succeed({
  hits: 0,
  misses: 0,
  size: 0,
  evictions: 0,
  invalidations: 0
})

/** A lent connection's executor that marks it for closing once a command changes its state. */
const trackingState = (lent: Lent): Executor => ({
  execute: (command, binary) => {
    if (changesState(command)) lent.discardOnRelease()
    return lent.execute(command, binary)
  },
  executeAll: (batch, binary) => {
    if (batch.some(changesState)) lent.discardOnRelease()
    return lent.executeAll(batch, binary)
  }
})

const changesState = (command: Command.Command<unknown>): boolean => (command.spec.flags & stateFlags) !== 0

/** Commands that would end a WATCH before the transaction it guards. */
const endingWatch = new Set(["MULTI", "EXEC", "DISCARD", "UNWATCH", "RESET"])

const endsWatch = (command: Command.Command<unknown>): boolean =>
  endingWatch.has(command.spec.name) ||
  ((command.spec.flags & Command.Flags.raw) !== 0 && endingWatch.has(String(command.args[0]).toUpperCase()))

const watchEnded = (command: Command.Command<unknown>) =>
  new RedisArgumentError({
    message: `${command.spec.name} inside a watch body would end the WATCH before the transaction it guards: ` +
      "return the commands from the body instead",
    command: command.spec.name,
    outcome: "not-sent"
  })

/** The executor a watch body gets: everything but what would end the WATCH early. */
const keepingWatch = (executor: Executor): Executor => ({
  execute: (command, binary) =>
    endsWatch(command) ? Effect.fail(watchEnded(command)) : executor.execute(command, binary),
  executeAll: (batch, binary) => {
    const ending = batch.find(endsWatch)
    return ending === undefined
      ? executor.executeAll(batch, binary)
      : Effect.succeed(batch.map(() => Exit.fail(watchEnded(ending))))
  }
})

/** The service, untyped: `Redis.ts` gives it its public type. */
export const make = (parts: Parts): object => {
  const attributes = parts.spanAttributes
  const prefix = parts.keyPrefix === undefined || parts.keyPrefix === ""
    ? undefined
    : new KeyPrefix(parts.keyPrefix, new KeyFinder(parts.executor.execute))
  const traceOnly = (executor: Executor): Executor => attributes === undefined ? executor : traced(executor, attributes)
  // The views' executors: prefixed above tracing, caching and routing, which all see full key names.
  const trace = (executor: Executor): Executor => traceOnly(prefix === undefined ? executor : prefix.decorate(executor))
  const { subscribe } = parts
  const service = View.makeClient(trace(parts.executor))

  const reserve = Effect.gen(function*() {
    const lender = yield* parts.lender([])
    const lent = yield* lender.borrow
    // Runs before the lender's own release: a failed scope leaves the connection in an unknown state.
    yield* Effect.addFinalizer((exit) => Effect.sync(() => Exit.isFailure(exit) && lent.discardOnRelease()))
    return View.makeClient(trace(trackingState(lent)))
  })

  const watch = (
    watched: Command.OneOrMany<Command.RedisKey>,
    body: (connection: object, r: typeof commands) => Effect.Effect<
      ReadonlyArray<Command.Command<unknown>>,
      unknown,
      unknown
    >
  ) => {
    const keys = Args.many(watched)
    const run = (lent: Lent) =>
      Effect.gen(function*() {
        const decorate = (executor: Executor) => traceOnly(prefix === undefined ? executor : prefix.decorate(executor))
        // WATCH, UNWATCH and the transaction leave the connection as they found it; the body may not.
        const own = decorate(lent)
        const command = keys.length === 0
          ? Args.noneGiven(WATCH, "key")
          : Command.make(WATCH, ["WATCH", ...keys], ReplyDecoder.ok)
        yield* own.execute(command, false)
        const batch = yield* body(View.makeClient(keepingWatch(decorate(trackingState(lent)))), commands).pipe(
          Effect.tapErrorCause(() => own.execute(unwatch, false))
        )
        if (batch.some(changesState)) lent.discardOnRelease()
        return yield* Transaction.run(own.executeAll, batch, false)
      })
    return Effect.flatMap(
      parts.lender(prefix === undefined ? keys : keys.map(prefix.key) as Array<Command.RedisKey>),
      (lender) =>
        // A scope of its own: the body's effect keeps the caller's scope, if it needs one.
        Effect.acquireUseRelease(
          Scope.make(),
          (scope) =>
            Effect.flatMap(Scope.extend(lender.borrow, scope), (lent) =>
              run(lent).pipe(
                // A conflict or a refusal leaves the connection as WATCH found it; anything else, unknown.
                Effect.onExit((exit) => Effect.sync(() => reusableAfter(exit) || lent.discardOnRelease()))
              )),
          (scope, exit) => Scope.close(scope, exit)
        )
    )
  }

  const keyspaceEvents = (options: PubSub.KeyspaceOptions = {}) => {
    const database = options.database ?? parts.database
    const configSet = Server.commands.configSet({ "notify-keyspace-events": options.enable ?? "" })
    const executor = parts.executor
    // In a cluster every master sends its own notifications: each is configured.
    const enable = options.enable === undefined
      ? Effect.void
      : executor.masters === undefined
      ? executor.execute(configSet, false)
      : Effect.flatMap(
        executor.masters,
        (masters) => Effect.forEach(masters, (master) => master.execute(configSet, false), { discard: true })
      )
    const { database: _database, enable: _enable, keys, ...bounds } = options
    const pattern = prefix === undefined ? keys ?? "*" : prefix.pattern(keys ?? "*")
    return Stream.unwrapScoped(
      Effect.zipRight(
        enable,
        subscribe({ patterns: [`__keyspace@${database}__:${String(pattern)}`], ...bounds }, false)
      )
    ).pipe(
      Stream.filterMap((message) => {
        const event = PubSub.toKeyspaceEvent(message as PubSub.Message<string>)
        return Option.fromNullable(
          event && prefix !== undefined ? { ...event, key: prefix.strip(event.key) as string } : event
        )
      })
    )
  }

  View.extend(service, {
    cacheStats: parts.cacheStats ?? noCache,
    connectionState: (parts.connectionStates ?? noStates).changes,
    connections: (parts.connectionStates ?? noStates).current,
    reserve,
    watch,
    keyspaceEvents,
    monitor: (options: PubSub.BufferOptions = {}) => (parts.monitor ?? noMonitor)(options),
    ...subscriptions(subscribe, false)
  })
  View.extend((service as { readonly binary: object }).binary, subscriptions(subscribe, true))
  return service
}

type Names = ReadonlyArray<Command.OneOrMany<string>>

const subscriptions = (subscribe: Subscribe, binary: boolean): Record<string, unknown> => ({
  subscribe: (...channels: Names) => Stream.unwrapScoped(subscribe({ channels: channels.flat() }, binary)),
  psubscribe: (...patterns: Names) => Stream.unwrapScoped(subscribe({ patterns: patterns.flat() }, binary)),
  ssubscribe: (...shardChannels: Names) =>
    Stream.unwrapScoped(subscribe({ shardChannels: shardChannels.flat() }, binary)),
  subscription: (targets: PubSub.Targets) => subscribe(targets, binary)
})
