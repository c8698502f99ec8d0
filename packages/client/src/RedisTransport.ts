/**
 * What the client needs from a platform: a byte stream to an endpoint and,
 * optionally, the platform's fast ways of turning its bytes into strings and
 * binary values. `@effect-redis/node` provides both for TCP, TLS and Unix
 * sockets.
 *
 * The interface is callback based on purpose: it sits on the hot path, where
 * every reply is handled synchronously in the socket's data handler.
 *
 * @since 0.1.0
 */
import type { RespDecoderPlatform } from "@effect-redis/resp/RespDecoder"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { Endpoint } from "./RedisConfig.js"
import type { RedisConnectionError } from "./RedisError.js"

/**
 * An open connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface Socket {
  /**
   * Queues bytes for sending; never throws. Returns `false` when the bytes
   * could not all be handed to the operating system and wait in the
   * transport: the client then writes nothing more until `onDrain`. A
   * transport without flow control may return nothing.
   */
  readonly write: (data: Uint8Array) => boolean | void
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
  /**
   * Everything waiting in the transport was sent, after a `write` returned
   * `false`. A transport whose `write` can return `false` must call it.
   *
   * @since 0.2.0
   */
  readonly onDrain: () => void
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
   * How replies read from this transport's sockets are decoded into strings
   * and binary values. Default: the standard `TextDecoder` platform of
   * `@effect-redis/resp`. A transport that wraps another must pass its
   * platform on.
   *
   * @since 0.2.0
   */
  readonly decoderPlatform?: RespDecoderPlatform | undefined
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
