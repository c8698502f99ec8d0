/**
 * The parts of a service for each topology: a standalone server (directly
 * or behind Sentinel) or a Redis Cluster, with client-side caching,
 * tracing and metrics applied as configured, and every connection
 * reporting its state.
 *
 * The modules of Cluster, Sentinel, client-side caching and metrics are
 * loaded here, when the option that needs them is set, rather than when
 * the package is imported (see "Import cost" in docs/DESIGN.md).
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Command from "../Command.js"
import type { Executor, Lender, Parts, Subscribe } from "../Executor.js"
import type { Resolved } from "../RedisConfig.js"
import type { RedisError } from "../RedisError.js"
import type { Transport } from "../RedisTransport.js"
import * as Connection from "./connection.js"
import * as ConnectionStates from "./connectionStates.js"
import * as Monitor from "./monitor.js"
import * as Placement from "./placement.js"
import * as ConnectionPool from "./pool.js"
import * as Retry from "./retry.js"
import * as Subscriber from "./subscriber.js"
import { spanAttributes } from "./tracing.js"

/** A module of an optional feature, imported when a client uses it (a failure to load it is a defect). */
const load = <A>(module: () => Promise<A>): Effect.Effect<A> => Effect.promise(module)

/**
 * Connects as `config` says: the first connection (or reading the cluster's
 * slot map) must succeed; everything closes with the scope.
 */
export const connect = (config: Resolved, base: Transport): Effect.Effect<Parts, RedisError, Scope.Scope> =>
  Effect.gen(function*() {
    // First: its finalizer runs last, after every connection reported `Closed`.
    const states = yield* ConnectionStates.make
    const meter = config.metrics === undefined ? undefined : (yield* load(() => import("./metrics.js"))).make(config)
    const observer = { states, meter }
    const cache = config.cache === undefined ? undefined : new (yield* load(() => import("./cache.js"))).ClientCache(
      config.cache.maxEntries,
      config.cache.ttlMillis,
      yield* Effect.clock,
      meter
    )
    const tracking = { ...(cache && { listener: cache.listener, tracking: true }), observer }
    const common = {
      spanAttributes: config.tracing ? spanAttributes(config) : undefined,
      keyPrefix: config.keyPrefix,
      cacheStats: cache && Effect.sync(() => cache.stats),
      connectionStates: states
    }
    /** Refusals retried (inside the cache, so that a retried read is cached once); metered outside it all. */
    const decorated = (executor: Executor, policy: Retry.Policy | undefined) => {
      const retried = policy === undefined ? executor : Retry.decorate(executor, policy)
      const cached = cache === undefined ? retried : cache.decorate(retried)
      return meter === undefined ? cached : meter.decorate(cached)
    }
    const metered = (lender: Lender): Lender => meter === undefined ? lender : meter.lender(lender)

    if (config.cluster !== undefined) {
      const [Cluster, ClusterPubSub] = yield* load(() =>
        Promise.all([import("./cluster.js"), import("./clusterPubSub.js")])
      )
      const cluster = yield* Cluster.make(config, config.cluster, base, tracking)
      const routed: Executor = {
        execute: (command, binary) => cluster.execute(command, binary),
        executeAll: (batch, binary) => cluster.executeAll(batch, binary),
        masters: Effect.sync(() => cluster.masters())
      }
      return {
        ...common,
        executor: decorated(routed, Retry.policyOf(config)),
        lender: (keys) => Effect.map(cluster.poolFor(keys), metered),
        subscribe: yield* ClusterPubSub.make(config, cluster, observer),
        monitor: yield* Monitor.make(
          config,
          Effect.sync(() => cluster.map.masterSlots().map(({ slot }) => cluster.map.transportFor(slot)))
        ),
        database: 0
      }
    }

    const sentinel = config.sentinel === undefined
      ? undefined
      : yield* (yield* load(() => import("./sentinel.js"))).make(base, config, config.sentinel)
    const transport = sentinel?.master ?? base
    const connection = yield* Connection.make(config, transport, tracking)
    const pool = yield* ConnectionPool.make(config, transport, observer)
    const subscriber = yield* Subscriber.lazy(config, transport, observer)
    // Replica reads: a second connection, to a replica (its handshake does not insist on a master).
    const reader = sentinel === undefined || config.sentinel?.readFrom !== "replicas"
      ? undefined
      : yield* Connection.make({ ...config, sentinel: undefined }, sentinel.replicas, {
        ...tracking,
        role: "replica",
        address: ConnectionStates.addressOf(config)
      })
    // Blocking commands go to the pool; state-changing ones are refused (see placement.ts).
    const aside = <A>(command: Command.Command<A>, binary: boolean) =>
      Placement.aside(command, (command) => pool.withConnection((member) => member.execute(command, binary)))
    const direct: Executor = {
      execute: reader === undefined
        ? (command, binary) =>
          (command.spec.flags & Placement.dedicated) !== 0
            ? aside(command, binary)
            : connection.execute(command, binary)
        : (command, binary) => {
          const flags = command.spec.flags
          if ((flags & Placement.dedicated) !== 0) return aside(command, binary)
          return (flags & Command.Flags.readonly) !== 0
            ? reader.execute(command, binary)
            : connection.execute(command, binary)
        },
      executeAll: (batch, binary) => {
        const place = Placement.ofBatch(batch)
        if (place === "shared") return connection.executeAll(batch, binary)
        return place === "pool"
          ? Placement.onPool(pool, batch, binary)
          : Effect.succeed(Placement.failedBatch(batch, place))
      }
    }
    const subscribe: Subscribe = (targets, binary) =>
      Effect.flatMap(subscriber(binary), (opened) => opened.subscribe(targets))
    return {
      ...common,
      // A write answered READONLY reached a demoted master: reconnecting finds the new one.
      executor: decorated(
        direct,
        Retry.policyOf(config, (refusal) => refusal.code === "READONLY" && connection.recycle())
      ),
      lender: () => Effect.succeed(metered(pool)),
      subscribe,
      monitor: yield* Monitor.make(config, Effect.succeed([transport])),
      database: config.database
    }
  })
