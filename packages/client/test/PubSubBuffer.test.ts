import { Commands, Redis, type RedisConfig } from "@effect-redis/client"
import type { Message } from "@effect-redis/client/PubSub"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, type Option, Stream } from "effect"
import { failureOf, markerChannel, withMarker } from "./utils.js"

const connect = (options: RedisConfig.Options = {}) =>
  Effect.gen(function*() {
    const server = yield* RedisServer.make()
    const redis = yield* Redis.make({ url: server.url, ...options }).pipe(Effect.provide(NodeTransport.layer))
    return { server, redis }
  })

const { publish } = Commands.commands

/** Publishes `count` messages `<prefix><i>` (of `size` characters at least) in one pipeline. */
const flood = (redis: Redis.Redis, channel: string, count: number, prefix = "m", size = 0) =>
  redis.pipeline(Array.from({ length: count }, (_, i) => publish(channel, `${prefix}${i}`.padEnd(size, "."))))

/** Pulls batches until one holds a message `last`; returns them all. */
const pullThrough = <E>(pull: Effect.Effect<Chunk.Chunk<Message<string>>, Option.Option<E>>, last: string) =>
  Effect.gen(function*() {
    const batches: Array<ReadonlyArray<Message<string>>> = []
    while (!batches.some((batch) => batch.some((message) => message.message.startsWith(last)))) {
      batches.push(Chunk.toReadonlyArray(yield* pull))
    }
    return batches
  })

const droppedIn = (messages: ReadonlyArray<Message<string>>) =>
  messages.reduce((sum, message) => sum + message.dropped, 0)

describe("subscription buffers", () => {
  it.scopedLive(
    "a stream holds at most bufferSize messages, counting the batch its consumer works on",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect()
        const pull = yield* Stream.toPull(yield* redis.subscription({ channels: ["buffer:held"], bufferSize: 100 }))
        const sync = yield* withMarker(redis)
        yield* flood(redis, "buffer:held", 100, "a")
        yield* sync
        // The consumer takes a batch and is still working on it…
        const working = Chunk.toReadonlyArray(yield* pull)
        // …while a thousand more arrive.
        yield* flood(redis, "buffer:held", 1_000, "b")
        yield* sync
        const held = (yield* pullThrough(pull, "b999")).flat()
        assert.isAtMost(working.length + held.length, 100)
        // Every message is delivered or counted as dropped.
        assert.strictEqual(working.length + held.length + droppedIn([...working, ...held]), 1_100)
        assert.deepStrictEqual(held.at(-1)?.message, "b999")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("a stream holds at most bufferBytes of payload", () =>
    Effect.gen(function*() {
      const { redis } = yield* connect({ protocol: 2 })
      const messages = yield* redis.subscription({ channels: ["buffer:bytes"], bufferBytes: 64 * 1024 })
      const pull = yield* Stream.toPull(messages)
      const sync = yield* withMarker(redis)
      yield* flood(redis, "buffer:bytes", 200, "m", 16 * 1024)
      yield* sync
      const held = (yield* pullThrough(pull, "m199")).flat()
      assert.isAtMost(held.reduce((bytes, message) => bytes + message.message.length, 0), 64 * 1024)
      assert.strictEqual(held.length + droppedIn(held), 200)
    }), { timeout: 30_000 })

  it.scopedLive(
    "a reconnect's gap survives an overflow, and the first message kept counts the dropped ones",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect()
        const pull = yield* Stream.toPull(yield* redis.subscription({ channels: ["buffer:gap"], bufferSize: 10 }))
        const sync = yield* withMarker(redis)
        const [subscriber] = yield* redis.clientList({ type: "pubsub" })
        yield* redis.clientKill({ id: Number(subscriber!.id) })
        yield* Effect.repeat(redis.pubsubNumsub("buffer:gap", markerChannel), {
          until: (counts) => counts["buffer:gap"] === 1 && counts[markerChannel] === 1
        })
        yield* flood(redis, "buffer:gap", 100)
        yield* sync
        const kept = (yield* pullThrough(pull, "m99")).flat()
        assert.deepStrictEqual(
          kept.map((message) => message.message),
          Array.from({ length: 10 }, (_, i) => `m${90 + i}`)
        )
        assert.deepStrictEqual(
          kept.map((message) => [message.gap, message.dropped]),
          [[true, 90], ...Array.from({ length: 9 }, () => [false, 0])]
        )
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "overflow dropNewest keeps the first messages, and the next one delivered counts the rest",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect()
        const messages = yield* redis.subscription({
          channels: ["buffer:newest"],
          bufferSize: 10,
          overflow: "dropNewest"
        })
        const pull = yield* Stream.toPull(messages)
        const sync = yield* withMarker(redis)
        yield* flood(redis, "buffer:newest", 100)
        yield* sync
        const kept = (yield* pullThrough(pull, "m9")).flat()
        assert.deepStrictEqual(kept.map((message) => message.message), Array.from({ length: 10 }, (_, i) => `m${i}`))
        assert.isTrue(kept.every((message) => !message.gap && message.dropped === 0))
        yield* redis.publish("buffer:newest", "after")
        const [after] = (yield* pullThrough(pull, "after")).flat()
        assert.deepStrictEqual([after?.message, after?.gap, after?.dropped], ["after", true, 90])
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "overflow fail ends the stream with RedisOverflowError after the messages it held",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect()
        const messages = yield* redis.subscription({ channels: ["buffer:fail"], bufferSize: 10, overflow: "fail" })
        const sync = yield* withMarker(redis)
        yield* flood(redis, "buffer:fail", 100)
        yield* sync
        const received: Array<string> = []
        const exit = yield* Effect.exit(
          Stream.runForEach(messages, (message) => Effect.sync(() => received.push(message.message)))
        )
        assert.deepStrictEqual(received, Array.from({ length: 10 }, (_, i) => `m${i}`))
        assert.strictEqual(failureOf(exit)?._tag, "RedisOverflowError")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "overflow backpressure loses nothing: the subscriber connection waits for the consumer",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect()
        const messages = yield* redis.subscription({
          channels: ["buffer:pressure"],
          bufferSize: 10,
          overflow: "backpressure"
        })
        // 20 MB: more than the sockets buffer between the server and the client.
        yield* flood(redis, "buffer:pressure", 20_000, "m", 1_000)
        // The client stopped reading: the server holds the rest for it.
        yield* Effect.repeat(redis.clientList({ type: "pubsub" }), {
          until: (clients) => Number(clients[0]?.omem ?? 0) > 1024 * 1024
        })
        const received = yield* Effect.fork(
          Stream.runCollect(Stream.takeUntil(messages, (message) => message.message.startsWith("m19999")))
        )
        const all = Chunk.toReadonlyArray(yield* Fiber.join(received))
        assert.strictEqual(all.length, 20_000)
        assert.isTrue(all.every((message, i) => message.message.startsWith(`m${i}.`) && !message.gap))
        assert.strictEqual(droppedIn(all), 0)
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("invalid buffer options fail the subscription with RedisArgumentError", () =>
    Effect.gen(function*() {
      const { redis } = yield* connect()
      for (
        const options of [{ bufferSize: 0 }, { bufferBytes: 1.5 }, { overflow: "dropAll" as "dropOldest" }]
      ) {
        const exit = yield* Effect.exit(Effect.scoped(redis.subscription({ channels: ["buffer:bad"], ...options })))
        assert.strictEqual(failureOf(exit)?._tag, "RedisArgumentError")
      }
    }), { timeout: 30_000 })
})
