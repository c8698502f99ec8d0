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
 * - When reconnecting gives up (a bounded `reconnectSchedule` ran out),
 *   every stream fails with `RedisConnectionError` (reason `Unavailable`);
 *   the next subscription starts a new round of attempts.
 * - When the client closes, every stream fails with `RedisClosedError`
 *   after the messages it buffered, and subscriptions asked for afterwards
 *   fail at once with it. A stream whose own scope closes ends normally.
 * - Each stream has a bounded buffer: `bufferSize` messages (default
 *   10,000) and `bufferBytes` of payload (default 32 MiB), counting the
 *   batch the consumer is working on. What happens when it is full is the
 *   `overflow` option (default `"dropOldest"`); a dropped message is never
 *   silent: the next message delivered says how many were dropped before it
 *   (`dropped`) and has `gap: true`.
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
   * `true` when messages may be missing just before this one: the
   * subscription was re-established after a lost connection (Redis keeps
   * nothing for a disconnected subscriber), or this stream's buffer dropped
   * some (then `dropped` says how many).
   */
  readonly gap: boolean
  /**
   * How many messages this stream's buffer dropped just before this one
   * because the consumer fell behind (see `SubscribeOptions.overflow`); 0
   * when none. Summing it over a stream counts every drop.
   *
   * @since 0.2.0
   */
  readonly dropped: number
}

/**
 * What a subscription stream does when its buffer is full (see
 * {@link SubscribeOptions}):
 *
 * - `"dropOldest"` (default): the oldest buffered message makes room; the
 *   consumer keeps up with the newest.
 * - `"dropNewest"`: the arriving message is dropped; the consumer sees an
 *   unbroken prefix, then a jump.
 * - `"fail"`: the stream fails with `RedisOverflowError` after the
 *   messages it holds.
 * - `"backpressure"`: nothing is dropped; the subscriber connection stops
 *   reading until the consumer catches up, which holds up every stream of
 *   that connection (all subscriptions of the client, text or binary
 *   alike), and Redis buffers for it instead. Redis disconnects a
 *   subscriber whose output buffer passes its `client-output-buffer-limit
 *   pubsub` (32 MB by default): the client reconnects and the next message
 *   has `gap: true`. The bound may be passed by what one socket read
 *   brings (about 64 KB).
 *
 * @since 0.2.0
 * @category models
 */
export type Overflow = "dropOldest" | "dropNewest" | "fail" | "backpressure"

/**
 * How much a stream buffers for a consumer that falls behind, and what it
 * does when full: the options of subscriptions and of `redis.monitor`.
 *
 * @since 0.2.0
 * @category models
 */
export interface BufferOptions {
  /**
   * How many messages the stream holds: those buffered plus the batch
   * the consumer is working on (a batch is at most half of it). Default
   * 10,000.
   *
   * @since 0.1.0
   */
  readonly bufferSize?: number
  /**
   * How many bytes of payload (string length, or byte length for
   * `redis.binary`) the stream holds, counted like `bufferSize`. A single
   * message larger than this is still delivered when nothing else is held.
   * Default 32 MiB (Redis's own limit for a subscriber's output buffer).
   */
  readonly bufferBytes?: number
  /**
   * What to do when either bound is reached (see {@link Overflow}).
   * Default `"dropOldest"`.
   */
  readonly overflow?: Overflow
}

/**
 * Options of a subscription.
 *
 * @since 0.1.0
 * @category models
 */
export type SubscribeOptions = BufferOptions

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
