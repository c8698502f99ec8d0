/**
 * The subscriber connection of a client: one connection shared by every
 * subscription stream, with channels, patterns and shard channels counted
 * by reference (SUBSCRIBE when the first stream needs one, UNSUBSCRIBE when
 * the last one ends) and re-subscribed after every reconnect. Its streams
 * fail when reconnecting gives up or the client closes.
 */
import type { RespError, RespValue } from "@effect-redis/resp/RespValue"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { Message, Targets } from "../PubSub.js"
import type { Resolved } from "../RedisConfig.js"
import {
  RedisClosedError,
  RedisConnectionError,
  type RedisError,
  RedisReplyError,
  RedisTimeoutError
} from "../RedisError.js"
import type { Transport } from "../RedisTransport.js"
import * as ReplyDecoder from "../ReplyDecoder.js"
import * as Connection from "./connection.js"
import type { Observer } from "./connectionStates.js"
import { Inbox, overflowError, resolveBounds } from "./inbox.js"
import type { Meter } from "./metrics.js"

/** The three subscription namespaces of Redis. */
type Kind = "channel" | "pattern" | "shard"

const commandOf = { channel: "SUBSCRIBE", pattern: "PSUBSCRIBE", shard: "SSUBSCRIBE" } as const
const undoOf = { channel: "UNSUBSCRIBE", pattern: "PUNSUBSCRIBE", shard: "SUNSUBSCRIBE" } as const

/**
 * A delivered message. A class rather than an object literal: V8 may decide
 * to allocate everything a literal site creates directly in the old
 * generation once many of its objects outlive a young collection (which a
 * burst queued in a slow consumer's buffer does), and every message of a
 * flood would then need a full collection to be freed. Class instances are
 * never pretenured that way.
 */
class Delivered implements Message<unknown> {
  /** Written by the inbox before the stream emits the message. */
  gap = false
  dropped = 0
  constructor(
    readonly channel: string,
    readonly pattern: string | undefined,
    readonly message: unknown
  ) {}

  /** What the message counts against its stream's `bufferBytes`: the payload. */
  get size(): number {
    const payload = this.message
    return typeof payload === "string" ? payload.length : payload instanceof Uint8Array ? payload.byteLength : 0
  }
}

/** One stream's end of a subscription. */
type Sink = Inbox<Delivered, RedisError>

/** A subscribed name: who listens, and whether the server has confirmed it on this connection. */
class Entry {
  constructor(readonly name: string) {}
  /** An array, not a Set: delivery walks it for every message, and a Set's iterator is an allocation. */
  readonly sinks: Array<Sink> = []
  confirmed = false
  readonly waiters: Array<Deferred.Deferred<void, RedisError>> = []
}

const closedError = () =>
  new RedisClosedError({ message: "The Redis client is closed: its subscriptions ended", outcome: "not-sent" })

export class Subscriber {
  private readonly entries: Record<Kind, Map<string, Entry>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map()
  }
  connection: Connection.Connection | undefined = undefined
  private closed = false
  /** How many streams with `overflow: "backpressure"` are full: while any is, the connection does not read. */
  private pressing = 0

  constructor(
    private readonly timeoutMillis: number,
    private readonly meter: Meter | undefined,
    /** Told when the server ends a shard subscription itself: its slot moved to another master. */
    private readonly onShardMoved: (() => void) | undefined = undefined
  ) {}

  /** The listener the subscriber connection reports to. */
  readonly listener: Connection.ConnectionListener = {
    onPush: (items) => this.onFrame(items),
    onReconnect: () => this.resubscribe(),
    onStrayError: (error) => this.refuse(error),
    onUnavailable: (error) => this.end(error)
  }

  /** The client closed: every stream fails after what it buffered, and nothing new is accepted. */
  close(): void {
    this.closed = true
    this.end(closedError())
  }

  /**
   * Every stream fails with `error` after what it buffered, and every name
   * is forgotten: the next subscription starts afresh (and, when
   * reconnecting gave up, a new round of attempts).
   */
  private end(error: RedisError): void {
    for (const entries of Object.values(this.entries)) {
      for (const entry of entries.values()) {
        for (const waiter of entry.waiters.splice(0)) Deferred.unsafeDone(waiter, Effect.fail(error))
        for (const sink of entry.sinks) sink.fail(error)
      }
      entries.clear()
    }
  }

  /** A `backpressure` stream became full (`true`) or has room again (`false`). */
  private readonly press = (full: boolean): void => {
    if (full) {
      if (this.pressing++ === 0) this.connection?.pauseReading()
    } else if (--this.pressing === 0) {
      this.connection?.resumeReading()
    }
  }

  /** The server refused a subscription (ACL, wrong name): every stream still waiting fails with it. */
  private refuse(error: RespError): void {
    const failure = new RedisReplyError({
      code: error.code,
      message: error.message,
      command: "SUBSCRIBE",
      outcome: "rejected"
    })
    for (const entries of Object.values(this.entries)) {
      for (const entry of entries.values()) {
        for (const waiter of entry.waiters.splice(0)) Deferred.unsafeDone(waiter, Effect.fail(failure))
      }
    }
  }

  private onFrame(items: Array<RespValue>): void {
    const kind = items[0]
    const tag = typeof kind === "string" ? kind : ReplyDecoder.text(kind ?? "")
    switch (tag) {
      case "message":
        return this.deliver(this.entries.channel, items[1]!, undefined, items[2]!)
      case "smessage":
        return this.deliver(this.entries.shard, items[1]!, undefined, items[2]!)
      case "pmessage":
        return this.deliver(this.entries.pattern, items[1]!, items[2], items[3]!)
      case "subscribe":
        return this.confirm(this.entries.channel, items[1]!)
      case "psubscribe":
        return this.confirm(this.entries.pattern, items[1]!)
      case "ssubscribe":
        return this.confirm(this.entries.shard, items[1]!)
      case "sunsubscribe":
        return this.ended(items[1]!)
    }
  }

  /**
   * A `sunsubscribe` for a name still wanted and confirmed was not asked
   * for: the server ended the subscription because the channel's slot moved
   * to another master (a resharding). This connection cannot follow it, so
   * the name's streams fail, saying so, rather than go quiet; subscribing
   * again reaches the new owner. (The answer to the client's own SUNSUBSCRIBE
   * finds the name gone, or, re-subscribed meanwhile, not yet confirmed.)
   */
  private ended(name: RespValue): void {
    const channel = ReplyDecoder.text(name)
    const entry = this.entries.shard.get(channel)
    if (entry === undefined || !entry.confirmed) return
    this.entries.shard.delete(channel)
    const error = new RedisConnectionError({
      reason: "Lost",
      message: `The server ended the subscription to shard channel "${channel}": its slot moved to another ` +
        "master; subscribe again to follow it",
      outcome: "not-sent"
    })
    for (const sink of entry.sinks) sink.fail(error)
    this.onShardMoved?.()
  }

  private confirm(entries: Map<string, Entry>, name: RespValue): void {
    const entry = entries.get(ReplyDecoder.text(name))
    if (entry === undefined || entry.confirmed) return
    entry.confirmed = true
    for (const waiter of entry.waiters.splice(0)) Deferred.unsafeDone(waiter, Effect.void)
  }

  private deliver(
    entries: Map<string, Entry>,
    first: RespValue,
    second: RespValue | undefined,
    payload: RespValue
  ): void {
    // pmessage carries the pattern first, then the channel.
    const key = ReplyDecoder.text(first)
    const entry = entries.get(key)
    // Until the server confirms (again), what arrives belongs to an older subscription.
    if (entry === undefined || !entry.confirmed) return
    // The entry's own name, not the decoded copy: messages then keep no string of their own for it.
    const channel = second === undefined ? entry.name : ReplyDecoder.text(second)
    const pattern = second === undefined ? undefined : entry.name
    const sinks = entry.sinks
    this.meter?.message()
    for (let i = 0; i < sinks.length; i++) sinks[i]!.offer(new Delivered(channel, pattern, payload))
  }

  /** After a reconnect: every live name again, and every stream told about the gap. */
  private resubscribe(): void {
    // A new socket reads until told otherwise.
    if (this.pressing > 0) this.connection?.pauseReading()
    for (const kind of ["channel", "pattern", "shard"] as const) {
      const names: Array<string> = []
      for (const [name, entry] of this.entries[kind]) {
        entry.confirmed = false
        for (const sink of entry.sinks) sink.markGap()
        names.push(name)
      }
      // SSUBSCRIBE takes one shard's channels at a time in a cluster; standalone takes any set.
      if (names.length > 0) this.connection?.sendOneway([commandOf[kind], ...names])
    }
  }

  /**
   * Adds a stream for the targets; completes once the server has confirmed
   * every name, so nothing published afterwards is missed.
   */
  subscribe(targets: Targets): Effect.Effect<Stream.Stream<Message<unknown>, RedisError>, RedisError, Scope.Scope> {
    return Effect.gen(this, function*() {
      if (this.closed) return yield* Effect.fail(closedError())
      const bounds = yield* resolveBounds(targets, "SUBSCRIBE")
      const sink: Sink = new Inbox(
        bounds,
        overflowError(bounds, "subscription"),
        this.press,
        this.meter?.dropped
      )
      // When the last round of reconnect attempts gave up, this subscription starts a new one.
      this.connection?.reconnectIfGivenUp()
      const wanted: ReadonlyArray<readonly [Kind, ReadonlyArray<string>]> = [
        ["channel", [...new Set(targets.channels ?? [])]],
        ["pattern", [...new Set(targets.patterns ?? [])]],
        ["shard", [...new Set(targets.shardChannels ?? [])]]
      ]
      const waits: Array<Deferred.Deferred<void, RedisError>> = []
      yield* Effect.acquireRelease(
        Effect.gen(this, function*() {
          for (const [kind, names] of wanted) {
            const entries = this.entries[kind]
            const fresh: Array<string> = []
            for (const name of names) {
              let entry = entries.get(name)
              if (entry === undefined) {
                entry = new Entry(name)
                entries.set(name, entry)
                fresh.push(name)
              }
              entry.sinks.push(sink)
              if (!entry.confirmed) {
                const waiter = yield* Deferred.make<void, RedisError>()
                entry.waiters.push(waiter)
                waits.push(waiter)
              }
            }
            // While disconnected this is skipped; the reconnect sends every live name.
            if (fresh.length > 0) this.connection?.sendOneway([commandOf[kind], ...fresh])
          }
        }),
        () =>
          Effect.sync(() => {
            sink.close()
            for (const [kind, names] of wanted) {
              const entries = this.entries[kind]
              const gone: Array<string> = []
              for (const name of names) {
                const entry = entries.get(name)
                if (entry === undefined) continue
                const at = entry.sinks.indexOf(sink)
                if (at === -1) continue
                entry.sinks.splice(at, 1)
                if (entry.sinks.length === 0) {
                  entries.delete(name)
                  gone.push(name)
                }
              }
              if (gone.length > 0) this.connection?.sendOneway([undoOf[kind], ...gone])
            }
          })
      )
      yield* Effect.forEach(waits, Deferred.await, { discard: true }).pipe(
        Effect.timeoutFail({
          duration: this.timeoutMillis,
          onTimeout: () =>
            new RedisTimeoutError({
              message: `The subscription was not confirmed within ${this.timeoutMillis} ms`,
              command: "SUBSCRIBE",
              timeoutMillis: this.timeoutMillis,
              outcome: "may-have-executed"
            })
        })
      )
      return sink.stream
    })
  }
}

/** Opens the subscriber connection in `scope`; its streams fail with `RedisClosedError` when the scope closes. */
export const make = (
  config: Resolved,
  transport: Transport,
  binary: boolean,
  observer?: Observer,
  onShardMoved?: () => void
): Effect.Effect<Subscriber, RedisError, Scope.Scope> =>
  Effect.gen(function*() {
    const subscriber = new Subscriber(config.commandTimeoutMillis, observer?.meter, onShardMoved)
    subscriber.connection = yield* Connection.make(config, transport, {
      listener: subscriber.listener,
      binaryPushes: binary,
      subscriber: true,
      observer,
      role: "subscriber"
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => subscriber.close()))
    return subscriber
  })

/**
 * The subscriber connections of a client, opened at the first subscription
 * (one for text, one for binary payloads) and closed with the client's
 * scope; afterwards, asking for one fails with `RedisClosedError`. A failed
 * opening is not remembered: the next subscription tries again.
 */
export const lazy = (
  config: Resolved,
  transport: Transport,
  observer?: Observer,
  onShardMoved?: () => void
): Effect.Effect<(binary: boolean) => Effect.Effect<Subscriber, RedisError>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const lock = yield* Effect.makeSemaphore(1)
    const opened: { text?: Subscriber; binary?: Subscriber } = {}
    let closed = false
    yield* Effect.addFinalizer(() => Effect.sync(() => closed = true))
    return (binary: boolean) =>
      lock.withPermits(1)(Effect.suspend(() => {
        if (closed) return Effect.fail(closedError())
        const existing = binary ? opened.binary : opened.text
        if (existing !== undefined) return Effect.succeed(existing)
        return make(config, transport, binary, observer, onShardMoved).pipe(
          Scope.extend(scope),
          Effect.tap((subscriber) => {
            if (binary) opened.binary = subscriber
            else opened.text = subscriber
          })
        )
      }))
  })
