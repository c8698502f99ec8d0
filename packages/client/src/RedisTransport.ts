/**
 * The one thing the client needs from a platform: a byte stream to an
 * endpoint. `@effect-redis/node` provides it for TCP, TLS and Unix sockets.
 *
 * The interface is callback based on purpose: it sits on the hot path, where
 * every reply is handled synchronously in the socket's data handler.
 *
 * @since 0.1.0
 */
import { Context, type Effect } from "effect"
import type { Endpoint } from "./RedisConfig.js"
import type { RedisConnectionError } from "./RedisError.js"

/**
 * An open connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface Socket {
  /** Queues bytes for sending; never throws. */
  readonly write: (data: Uint8Array) => void
  /** Closes after pending writes are flushed. */
  readonly end: () => void
  /** Closes now. `onClose` still fires once. */
  readonly destroy: () => void
  /**
   * Stops calling `onData` until `resume` (flow control: a subscriber
   * whose consumer fell behind lets the server buffer instead).
   *
   * @since 0.2.0
   */
  readonly pause: () => void
  /**
   * Calls `onData` again after `pause`.
   *
   * @since 0.2.0
   */
  readonly resume: () => void
}

/**
 * What the transport calls back.
 *
 * @since 0.1.0
 * @category models
 */
export interface Handlers {
  /** A chunk arrived. The transport must not reuse the chunk's memory afterwards. */
  readonly onData: (chunk: Uint8Array) => void
  /** The connection closed, by either side, with the error if there was one. Called exactly once. */
  readonly onClose: (error: unknown) => void
}

/**
 * Opens byte streams.
 *
 * @since 0.1.0
 * @category models
 */
export interface Transport {
  /**
   * Dials the endpoint. Succeeds when the connection (and the TLS session)
   * is established; the handlers are live from then on. Interruption
   * abandons the attempt and closes the socket.
   */
  readonly connect: (
    endpoint: Endpoint,
    handlers: Handlers,
    timeoutMillis: number
  ) => Effect.Effect<Socket, RedisConnectionError>
}

/**
 * The transport the client uses.
 *
 * @since 0.1.0
 * @category tags
 */
export class RedisTransport extends Context.Tag("@effect-redis/client/RedisTransport")<RedisTransport, Transport>() {}
