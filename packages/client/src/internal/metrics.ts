/**
 * Metrics: Effect `Metric`s a client updates when its `metrics` option is
 * on. Nothing here exists when it is off: the executor is decorated, and
 * the connections, pools, subscribers and cache are given a `Meter`, only
 * then.
 *
 * Updates go through `unsafeUpdate` / `unsafeModify` with label arrays
 * made once (Effect caches a metric's hook per label array), so a command
 * costs two clock reads and three map lookups, no Effect of its own.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import type { Executor, Lender } from "../Executor.js"
import type { Resolved } from "../RedisConfig.js"
import type { RedisError } from "../RedisError.js"
import { spanAttributes } from "./tracing.js"

type Labels = ReadonlyArray<MetricLabel.MetricLabel>

/** Seconds, from 0.1 ms to about 13 s (doubling), for command latencies. */
const durationBoundaries = MetricBoundaries.exponential({ start: 0.0001, factor: 2, count: 18 })

/** The metrics, by name (see the README's list). */
export const metrics = {
  duration: Metric.histogram(
    "db.client.operation.duration",
    durationBoundaries,
    "Duration of Redis commands and batches, in seconds"
  ),
  commands: Metric.counter("redis.client.commands", {
    description: "Commands run, by db.operation.name and result (ok, or the error's tag)",
    incremental: true
  }),
  inFlight: Metric.gauge("redis.client.commands.in_flight", {
    description: "Commands (and batches) sent or waiting, not yet answered"
  }),
  offlineQueue: Metric.gauge("redis.client.offline_queue.size", {
    description: "Commands waiting to be written: while reconnecting, or while the socket drains"
  }),
  connections: Metric.gauge("db.client.connection.count", {
    description: "Pool connections, by db.client.connection.state (idle or used)"
  }),
  pending: Metric.gauge("db.client.connection.pending_requests", {
    description: "Borrowers waiting for a pool connection"
  }),
  reconnects: Metric.counter("redis.client.reconnects", {
    description: "Successful reconnections, by redis.connection.role",
    incremental: true
  }),
  messages: Metric.counter("redis.client.pubsub.messages", {
    description: "Pub/sub messages received",
    incremental: true
  }),
  dropped: Metric.counter("redis.client.pubsub.dropped", {
    description: "Pub/sub messages dropped because a subscription's buffer was full",
    incremental: true
  }),
  cacheHits: Metric.counter("redis.client.cache.hits", {
    description: "Client-side cache: replies served from memory",
    incremental: true
  }),
  cacheMisses: Metric.counter("redis.client.cache.misses", {
    description: "Client-side cache: cacheable calls that went to the server",
    incremental: true
  })
}

const labelsOf = (record: Record<string, string>): Labels =>
  Object.entries(record).map(([key, value]) => MetricLabel.make(key, value))

/** The labels every metric of a client carries: the spans' attributes (see tracing.ts) and the user's. */
const baseLabels = (config: Resolved, user: Readonly<Record<string, string>>): Record<string, string> => {
  const labels: Record<string, string> = {}
  for (const [key, value] of Object.entries(spanAttributes(config))) labels[key] = String(value)
  return { ...labels, ...user }
}

/** The meter of a client, when its `metrics` option is on. */
export const make = (config: Resolved): Meter | undefined =>
  config.metrics && new Meter(baseLabels(config, config.metrics.labels))

/** Per command name: the labels of its outcomes, made once. */
class Operation {
  readonly ok: Labels
  readonly duration: Labels
  private readonly failures = new Map<string, { readonly count: Labels; readonly duration: Labels }>()
  constructor(private readonly base: Record<string, string>, private readonly name: string) {
    this.ok = labelsOf({ ...base, "db.operation.name": name, "result": "ok" })
    this.duration = labelsOf({ ...base, "db.operation.name": name })
  }
  failure(tag: string) {
    let labels = this.failures.get(tag)
    if (labels === undefined) {
      const named = { ...this.base, "db.operation.name": this.name }
      labels = {
        count: labelsOf({ ...named, "result": tag }),
        duration: labelsOf({ ...named, "error.type": tag })
      }
      this.failures.set(tag, labels)
    }
    return labels
  }
}

/** What a client's parts report to when metrics are on. */
export class Meter {
  private readonly base: Labels
  private readonly used: Labels
  private readonly idle: Labels
  private readonly roles = new Map<string, Labels>()
  private readonly operations = new Map<string, Operation>()

  constructor(private readonly labels: Record<string, string>) {
    this.base = labelsOf(labels)
    this.used = labelsOf({ ...labels, "db.client.connection.state": "used" })
    this.idle = labelsOf({ ...labels, "db.client.connection.state": "idle" })
  }

  private operation(name: string): Operation {
    let operation = this.operations.get(name)
    if (operation === undefined) {
      operation = new Operation(this.labels, name)
      this.operations.set(name, operation)
    }
    return operation
  }

  /** Times `effect` as the operation `name`; `failed` tells a batch's failure apart from its success value. */
  private timed<A, E extends RedisError>(
    name: string,
    effect: Effect.Effect<A, E>,
    failed: (a: A) => string | undefined
  ): Effect.Effect<A, E> {
    return Effect.suspend(() => {
      const operation = this.operation(name)
      const started = performance.now()
      metrics.inFlight.unsafeModify(1, this.base)
      return Effect.onExit(effect, (exit) =>
        Effect.sync(() => {
          metrics.inFlight.unsafeModify(-1, this.base)
          const seconds = (performance.now() - started) / 1000
          const error = Exit.isSuccess(exit) ? failed(exit.value) : errorOf(exit.cause)
          if (error === undefined) {
            metrics.commands.unsafeUpdate(1, operation.ok)
            metrics.duration.unsafeUpdate(seconds, operation.duration)
          } else {
            const labels = operation.failure(error)
            metrics.commands.unsafeUpdate(1, labels.count)
            metrics.duration.unsafeUpdate(seconds, labels.duration)
          }
        }))
    })
  }

  /** An executor whose commands and batches are counted and timed. */
  decorate(executor: Executor): Executor {
    return {
      ...(executor.masters && {
        masters: Effect.map(executor.masters, (masters) => masters.map((master) => this.decorate(master)))
      }),
      execute: (command, binary) => this.timed(command.spec.name, executor.execute(command, binary), none),
      executeAll: (batch, binary) =>
        this.timed("PIPELINE", executor.executeAll(batch, binary), (exits) => {
          // A batch counts as failed with the first failure among its commands.
          for (const exit of exits) if (Exit.isFailure(exit)) return errorOf(exit.cause)
          return undefined
        })
    }
  }

  /** A lender whose connections' commands are counted and timed. */
  lender(lender: Lender): Lender {
    return {
      borrow: Effect.map(
        lender.borrow,
        (lent) => ({ ...this.decorate(lent), discardOnRelease: lent.discardOnRelease })
      ),
      withConnection: (use) => lender.withConnection((connection) => use(this.decorate(connection)))
    }
  }

  /** Commands joined (positive) or left (negative) a connection's waiting queue. */
  queued(delta: number): void {
    metrics.offlineQueue.unsafeModify(delta, this.base)
  }

  /** A pool's connections changed by these amounts. */
  pool(used: number, idle: number, waiting: number): void {
    if (used !== 0) metrics.connections.unsafeModify(used, this.used)
    if (idle !== 0) metrics.connections.unsafeModify(idle, this.idle)
    if (waiting !== 0) metrics.pending.unsafeModify(waiting, this.base)
  }

  /** A connection of `role` is ready again after a loss. */
  reconnected(role: string): void {
    let labels = this.roles.get(role)
    if (labels === undefined) {
      labels = labelsOf({ ...this.labels, "redis.connection.role": role })
      this.roles.set(role, labels)
    }
    metrics.reconnects.unsafeUpdate(1, labels)
  }

  /** A pub/sub message arrived. */
  readonly message = (): void => metrics.messages.unsafeUpdate(1, this.base)

  /** A subscription's buffer dropped a message. */
  readonly dropped = (): void => metrics.dropped.unsafeUpdate(1, this.base)

  /** The client-side cache answered (`true`) or sent the command on (`false`). */
  cache(hit: boolean): void {
    ;(hit ? metrics.cacheHits : metrics.cacheMisses).unsafeUpdate(1, this.base)
  }
}

const none = (): undefined => undefined

/** The tag of a command's failure: its `RedisError` tag, or `Interrupted` / `Defect`. */
const errorOf = (cause: Cause.Cause<RedisError>): string => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return failure.value._tag
  return Cause.isInterruptedOnly(cause) ? "Interrupted" : "Defect"
}
