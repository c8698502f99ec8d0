/**
 * The states of a client's connections, as `redis.connectionState` and
 * `redis.connections` report them: one event per change, naming the
 * connection's role and address.
 *
 * ```ts
 * import { Redis } from "@effect-redis/client"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const redis = yield* Redis.Redis
 *   yield* redis.connectionState.pipe(
 *     Stream.filter((event) => event.state._tag === "Reconnecting"),
 *     Stream.runForEach((event) => Effect.logWarning(`${event.role} ${event.address} reconnecting`)),
 *     Effect.forkScoped
 *   )
 * })
 * ```
 *
 * @since 0.2.0
 */

import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { RedisError } from "./RedisError.js"

/**
 * What a connection is for:
 * - `shared`: the multiplexed connection commands run on;
 * - `replica`: the connection replica reads go to (`readFrom: "replicas"` behind Sentinel);
 * - `subscriber`: a pub/sub connection;
 * - `pool`: a dedicated connection of the pool (blocking commands, `reserve`, `watch`);
 * - `node`: a cluster node's multiplexed connection.
 *
 * @since 0.2.0
 * @category models
 */
export type Role = "shared" | "replica" | "subscriber" | "pool" | "node"

/**
 * A connection's state:
 * - `Connecting`: the first dial and handshake;
 * - `Ready`: connected, commands are written;
 * - `Reconnecting`: lost; `attempt` is the attempt about to be made (1
 *   first), `error` why the connection is down (the loss, then the last
 *   attempt's failure). Commands wait in the offline queue. When the
 *   `reconnectSchedule` ends, `Unavailable` follows instead of that attempt;
 * - `Unavailable`: a round of reconnect attempts gave up (the
 *   `reconnectSchedule` ended); waiting commands failed, the next command
 *   starts a new round;
 * - `Closed`: closed for good (the client's scope ended, or a pool
 *   connection was lost or discarded). The last event of a connection.
 *
 * @since 0.2.0
 * @category models
 */
export type State =
  | { readonly _tag: "Connecting" }
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Reconnecting"; readonly attempt: number; readonly error: RedisError }
  | { readonly _tag: "Unavailable"; readonly error: RedisError }
  | { readonly _tag: "Closed" }

/**
 * One connection's state change.
 *
 * @since 0.2.0
 * @category models
 */
export interface ConnectionEvent {
  /** Tells the client's connections apart (two pool connections to one server have the same role and address). */
  readonly id: number
  readonly role: Role
  /**
   * `host:port` or the socket path; behind Sentinel `sentinel:<master
   * name>` (the master moves); `cluster` for a cluster's subscriber
   * connections (they follow the slots they serve).
   */
  readonly address: string
  readonly state: State
}

/**
 * Where a client's connections report their states (see
 * `Executor.Parts`): what backs `redis.connectionState` and
 * `redis.connections`.
 *
 * @since 0.2.0
 * @category models
 */
export interface ConnectionStates {
  /**
   * The current state of every open connection, then every change. Each
   * consumer reads from a bounded, sliding buffer: one that falls behind
   * by more than 256 events loses the oldest. Ends after the `Closed`
   * events once the client closed.
   */
  readonly changes: Stream.Stream<ConnectionEvent>
  /** The state of every open connection now. */
  readonly current: Effect.Effect<ReadonlyArray<ConnectionEvent>>
}
