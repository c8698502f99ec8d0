/**
 * Connection states users can watch: every connection of a client reports
 * its changes here; `redis.connections` reads the current ones,
 * `redis.connectionState` streams them.
 *
 * Bounded everywhere: the current states hold one entry per open
 * connection (a closed one is removed), and each stream reads from a
 * sliding subscription of the hub (a consumer that falls behind loses the
 * oldest events, never grows a buffer); a stream that stops unsubscribes.
 */
import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as ConnectionState from "../ConnectionState.js"
import type { Resolved } from "../RedisConfig.js"
import type { Meter } from "./metrics.js"

/** Events a stream's consumer may be behind by before the oldest are dropped. */
const capacity = 256

/** Told to streams after the client closed (after every connection's `Closed`): they end. */
const end = Symbol("end")

/** Reports one connection's states; ignores anything after `Closed`. */
export type Report = (state: ConnectionState.State) => void

/** What a client's connections report to: their states always, metrics when on. */
export interface Observer {
  readonly states: ConnectionStates
  readonly meter: Meter | undefined
}

export class ConnectionStates implements ConnectionState.ConnectionStates {
  private nextId = 0
  private readonly open = new Map<number, ConnectionState.ConnectionEvent>()
  private ended = false

  constructor(private readonly hub: PubSub.PubSub<ConnectionState.ConnectionEvent | typeof end>) {}

  /** A new connection of `role` at `address`, connecting. */
  register(role: ConnectionState.Role, address: string): Report {
    const id = ++this.nextId
    let closed = false
    const report: Report = (state) => {
      if (closed || this.ended) return
      const event: ConnectionState.ConnectionEvent = { id, role, address, state }
      if (state._tag === "Closed") {
        closed = true
        this.open.delete(id)
      } else {
        this.open.set(id, event)
      }
      this.publish(event)
    }
    report({ _tag: "Connecting" })
    return report
  }

  readonly current: Effect.Effect<ReadonlyArray<ConnectionState.ConnectionEvent>> = Effect.sync(
    () => [...this.open.values()]
  )

  readonly changes: Stream.Stream<ConnectionState.ConnectionEvent> = Stream.unwrapScoped(
    Effect.gen(this, function*() {
      const subscription = yield* PubSub.subscribe(this.hub)
      if (this.ended) return Stream.empty
      const now = [...this.open.values()]
      return Stream.concat(Stream.fromIterable(now), Stream.fromQueue(subscription)).pipe(
        Stream.takeWhile((event): event is ConnectionState.ConnectionEvent => event !== end)
      )
    })
  )

  /**
   * Offers to every stream, dropping a lagging stream's oldest event when
   * its buffer is full. Not `unsafeOffer`: that drops the new event
   * instead, whatever the strategy (and so could lose the end marker).
   */
  private publish(event: ConnectionState.ConnectionEvent | typeof end): void {
    Effect.runSync(PubSub.publish(this.hub, event))
  }

  /** The client closed: streams end after what they have not read yet. */
  close(): void {
    if (this.ended) return
    this.ended = true
    this.open.clear()
    this.publish(end)
  }
}

/** A client's hub, closed with the scope (after the connections opened later in it). */
export const make: Effect.Effect<ConnectionStates, never, Scope.Scope> = Effect.gen(function*() {
  const states = new ConnectionStates(yield* PubSub.sliding<ConnectionState.ConnectionEvent | typeof end>(capacity))
  yield* Effect.addFinalizer(() => Effect.sync(() => states.close()))
  return states
})

/**
 * How a connection's address is shown: `host:port`, the socket path,
 * `sentinel:<name>` behind Sentinel, `cluster` for a cluster's subscribers
 * (they follow the slots they serve).
 */
export const addressOf = (config: Resolved): string => {
  if (config.sentinel !== undefined) return `sentinel:${config.sentinel.name}`
  if (config.cluster !== undefined) return "cluster"
  const endpoint = config.endpoint
  return endpoint._tag === "Tcp" ? `${endpoint.host}:${endpoint.port}` : endpoint.path
}
