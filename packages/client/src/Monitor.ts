/**
 * MONITOR as a Stream: every command the server receives, parsed.
 *
 * ```ts
 * import { Redis } from "@effect-redis/client"
 * import { Console, Effect, Stream } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const redis = yield* Redis.Redis
 *     const events = yield* redis.monitor()
 *     yield* events.pipe(
 *       Stream.take(100),
 *       Stream.runForEach((event) => Console.log(event.client, event.args))
 *     )
 *   })
 * )
 * ```
 *
 * - `redis.monitor()` opens a connection of its own, sends MONITOR, and
 *   completes once the server confirmed it: every command the server runs
 *   afterwards is in the stream. The connection closes with the scope, and
 *   the stream then ends after what it buffered.
 * - The stream fails with `RedisConnectionError` when the connection is
 *   lost (it is not re-established: a new monitor would miss commands
 *   anyway), with `RedisClosedError` when the client closes, and with
 *   `RedisDecodeError` should a line not have the MONITOR format.
 * - It buffers like a subscription (`bufferSize`, `bufferBytes`,
 *   `overflow`; see `PubSub.BufferOptions`): a busy server sends a line per
 *   command, and a slow consumer loses the oldest lines by default, each
 *   loss counted in the next event's `dropped`.
 * - In a cluster, every master the slot map lists when the stream starts
 *   is monitored, and their events are merged.
 * - MONITOR costs the server: Redis documents a throughput drop of up to
 *   half with one monitor attached. It is a debugging tool.
 *
 * @since 0.2.0
 */

/**
 * One command the server received.
 *
 * @since 0.2.0
 * @category models
 */
export interface MonitorEvent {
  /**
   * When the server received it, in microseconds since the Unix epoch (an
   * exact integer: `time / 1000` for a `Date`).
   */
  readonly time: number
  /** The database it ran in. */
  readonly database: number
  /**
   * Who sent it, as the server prints it: `ip:port`, `unix:/path/to/socket`,
   * or `lua` for a command a script ran.
   */
  readonly client: string
  /**
   * The command name as sent, then its arguments. Bytes outside ASCII are
   * read as UTF-8 (a byte that is not valid UTF-8 becomes U+FFFD).
   */
  readonly args: ReadonlyArray<string>
  /** `true` when events may be missing just before this one (the buffer dropped some). */
  readonly gap: boolean
  /** How many events the buffer dropped just before this one; 0 when none. */
  readonly dropped: number
}
