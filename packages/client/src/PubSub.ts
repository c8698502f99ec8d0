/**
 * Pub/sub as Streams.
 *
 * ```ts
 * import { Redis } from "@effect-redis/client"
 * import { Console, Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const redis = yield* Redis.Redis
 *   yield* redis.subscribe("orders").pipe(
 *     Stream.runForEach((message) => Console.log(message.channel, message.message))
 *   )
 * })
 * ```
 *
 * - Every client has one subscriber connection, opened at the first
 *   subscription and shared by every stream (one more for `redis.binary`
 *   subscriptions, which receive payloads as bytes). It is separate from the
 *   command connection under RESP2 and RESP3 alike, so a flood of messages
 *   never queues behind commands or the other way round.
 * - Channels, patterns and shard channels are counted by reference:
 *   SUBSCRIBE goes out when the first stream needs a name, UNSUBSCRIBE when
 *   the last stream using it ends (completion, failure or interruption).
 * - A stream emits only after the server confirmed its subscription:
 *   `redis.subscription(...)` completes at that moment, so a PUBLISH made
 *   afterwards is never missed.
 * - After a reconnect every live name is subscribed again. Messages
 *   published while disconnected are lost (Redis keeps none); the first
 *   message a stream receives afterwards has `gap: true`.
 * - Each stream has a bounded buffer (`bufferSize`, default 10,000). A
 *   consumer that falls behind loses the oldest messages, never memory.
 *
 * Performance: under a flood (over a million messages a second) the limit
 * is V8's garbage collector. Messages, their buffer and the chunks a stream
 * emits are built so that V8 keeps allocating them in the young
 * generation; `docs/DESIGN.md` has the measurements.
 *
 * @since 0.1.0
 */

/**
 * A message received on a subscription.
 *
 * @since 0.1.0
 * @category models
 */
export interface Message<A> {
  /** The channel it was published on. */
  readonly channel: string
  /** The pattern that matched, for pattern subscriptions. */
  readonly pattern: string | undefined
  /** The payload: a string, or bytes through `redis.binary`. */
  readonly message: A
  /**
   * `true` on the first message after the subscription was re-established
   * following a lost connection: messages may have been missed before it.
   */
  readonly gap: boolean
}

/**
 * Options of a subscription.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscribeOptions {
  /**
   * How many undelivered messages the stream buffers. When full, the
   * oldest are dropped. Default 10,000.
   */
  readonly bufferSize?: number
}

/**
 * What `redis.subscription` subscribes to, all in one stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface Targets extends SubscribeOptions {
  readonly channels?: ReadonlyArray<string>
  /** Glob-style patterns (PSUBSCRIBE). */
  readonly patterns?: ReadonlyArray<string>
  /** Shard channels (SSUBSCRIBE, Redis 7). */
  readonly shardChannels?: ReadonlyArray<string>
}

/**
 * A keyspace notification: `event` (`set`, `del`, `expire`, `expired`,
 * `lpush`, …) happened to `key` in `database`.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyspaceEvent {
  readonly key: string
  readonly event: string
  readonly database: number
}

/**
 * Options of `redis.keyspaceEvents`.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyspaceOptions extends SubscribeOptions {
  /** A glob pattern of the keys to watch. Default `"*"`. */
  readonly keys?: string
  /**
   * When given, sets the server's `notify-keyspace-events` to this value
   * first (`"KA"` for everything, `"Kg$x"` for generic, string and expiry
   * events…). The setting is server-wide and stays after the stream ends.
   * Without it the server's current setting applies, and by default Redis
   * sends no notifications.
   */
  readonly enable?: string
  /** The database to watch. Default: the client's database. */
  readonly database?: number
}

const keyspacePrefix = /^__keyspace@(\d+)__:/

/**
 * Reads a keyspace notification (`__keyspace@<db>__:<key>` with the event
 * as payload).
 *
 * @since 0.1.0
 * @category parsing
 */
export const toKeyspaceEvent = (message: Message<string>): KeyspaceEvent | undefined => {
  const match = keyspacePrefix.exec(message.channel)
  if (match === null) return undefined
  return { key: message.channel.slice(match[0].length), event: message.message, database: Number(match[1]) }
}
