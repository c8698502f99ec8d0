import { type PubSub, Redis, type RedisConfig } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Scope, Stream } from "effect"
import { eventually, withMarker } from "./utils.js"

const connect = (options: RedisConfig.Options = {}, server: RedisServer.Options = {}) =>
  Effect.gen(function*() {
    const redisServer = yield* RedisServer.make(server)
    const redis = yield* Redis.make({ url: redisServer.url, ...options }).pipe(Effect.provide(NodeTransport.layer))
    return { server: redisServer, redis }
  })

const numsub = (redis: Redis.Redis, channel: string) =>
  Effect.map(redis.pubsubNumsub(channel), (counts) => counts[channel] ?? 0)

const subscriberConnections = (redis: Redis.Redis) =>
  Effect.map(
    redis.clientList(),
    (clients) => clients.filter((client) => client.sub !== "0" || client.psub !== "0").length
  )

describe("pub/sub", () => {
  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      it.scopedLive("delivers 10,000 messages in order", () =>
        Effect.gen(function*() {
          const { redis } = yield* connect({ protocol })
          const messages = yield* redis.subscription({ channels: ["news"] })
          const received = yield* Effect.fork(Stream.runCollect(Stream.take(messages, 10_000)))
          yield* Effect.forEach(Array.from({ length: 10_000 }, (_, i) => i), (i) => redis.publish("news", `m${i}`), {
            concurrency: 100
          })
          const all = Chunk.toReadonlyArray(yield* Fiber.join(received))
          assert.deepStrictEqual(all.map((m) => m.message), Array.from({ length: 10_000 }, (_, i) => `m${i}`))
          assert.isTrue(all.every((m) => m.channel === "news" && m.pattern === undefined && !m.gap))
        }), { timeout: 60_000 })

      it.scopedLive("matches patterns as Redis does and reports the pattern", () =>
        Effect.gen(function*() {
          const { redis } = yield* connect({ protocol })
          const messages = yield* redis.subscription({ patterns: ["user:*:login", "h?llo", "r[ae]d"] })
          for (const channel of ["user:1:login", "user:1:logout", "hello", "hallo", "heello", "red", "rad", "rod"]) {
            yield* redis.publish(channel, channel)
          }
          yield* redis.publish("done", "x")
          const got = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(messages, 5)))
          assert.deepStrictEqual(got.map((m) => [m.channel, m.pattern]), [
            ["user:1:login", "user:*:login"],
            ["hello", "h?llo"],
            ["hallo", "h?llo"],
            ["red", "r[ae]d"],
            ["rad", "r[ae]d"]
          ])
        }), { timeout: 30_000 })

      it.scopedLive("carries binary payloads byte for byte", () =>
        Effect.gen(function*() {
          const { redis } = yield* connect({ protocol })
          const payload = new Uint8Array(256).map((_, i) => i)
          const messages = yield* redis.binary.subscription({ channels: ["bytes"] })
          yield* redis.publish("bytes", payload)
          const [message] = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(messages, 1)))
          assert.deepStrictEqual(Array.from(message!.message), Array.from(payload))
          assert.strictEqual(message!.channel, "bytes")
        }), { timeout: 30_000 })

      it.scopedLive("delivers shard channel messages", () =>
        Effect.gen(function*() {
          const { redis } = yield* connect({ protocol })
          const messages = yield* redis.subscription({ shardChannels: ["shard:a"] })
          yield* redis.spublish("shard:a", "hi")
          const [message] = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(messages, 1)))
          assert.strictEqual(message!.message, "hi")
        }), { timeout: 30_000 })

      it.scopedLive(
        "unsubscribes when the last stream ends; 100 streams share one connection",
        () =>
          Effect.gen(function*() {
            const { redis } = yield* connect({ protocol })
            const channels = Array.from({ length: 10 }, (_, i) => `room${i}`)
            const fibers = yield* Effect.forEach(
              Array.from({ length: 100 }, (_, i) => i),
              (i) => Effect.fork(Stream.runDrain(redis.subscribe(channels[i % 10]!))),
              { concurrency: "unbounded" }
            )
            yield* eventually(numsub(redis, "room9"), (n) => n === 1, 10)
            assert.strictEqual(yield* subscriberConnections(redis), 1)
            for (const channel of channels) assert.strictEqual(yield* numsub(redis, channel), 1)
            // Ending 9 of the 10 streams on room0 keeps the subscription…
            yield* Effect.forEach(fibers.filter((_, i) => i % 10 === 0).slice(1), Fiber.interrupt)
            assert.strictEqual(yield* numsub(redis, "room0"), 1)
            // …and ending the last one unsubscribes.
            yield* Fiber.interrupt(fibers[0]!)
            yield* eventually(numsub(redis, "room0"), (n) => n === 0, 10)
            // A stream that completes on its own unsubscribes too.
            const one = yield* Effect.fork(Stream.runCollect(Stream.take(redis.subscribe("once"), 1)))
            yield* eventually(numsub(redis, "once"), (n) => n === 1, 10)
            yield* redis.publish("once", "bye")
            yield* Fiber.join(one)
            yield* eventually(numsub(redis, "once"), (n) => n === 0, 10)
          }),
        { timeout: 60_000 }
      )

      it.scopedLive(
        "re-subscribes after CLIENT KILL and after a server restart, and reports the gap",
        () =>
          Effect.gen(function*() {
            const { redis, server } = yield* connect({ protocol })
            const messages = yield* redis.subscription({ channels: ["live"], patterns: ["li*"] })
            const received: Array<PubSub.Message<string>> = []
            const consumer = yield* Effect.fork(
              Stream.runForEach(Stream.take(messages, 6), (message) => Effect.sync(() => received.push(message)))
            )
            // Each kill waits until both copies of the message before it have arrived: a server killed right
            // after answering PUBLISH may not yet have written the message to the subscriber.
            const arrived = (count: number) => eventually(Effect.sync(() => received.length), (n) => n === count, 10)
            yield* redis.publish("live", "before")
            yield* arrived(2)

            const subscriberIds = yield* Effect.map(
              redis.clientList(),
              (clients) => clients.filter((client) => client.sub !== "0").map((client) => client.id)
            )
            assert.strictEqual(subscriberIds.length, 1)
            yield* redis.clientKill({ id: Number(subscriberIds[0]) })
            yield* eventually(numsub(redis, "live"), (n) => n === 1, 10)
            yield* redis.publish("live", "after kill")
            yield* arrived(4)

            yield* server.kill
            yield* server.start
            yield* eventually(numsub(redis, "live"), (n) => n === 1, 20)
            yield* redis.publish("live", "after restart")

            yield* Fiber.join(consumer)
            assert.deepStrictEqual(received.map((m) => [m.message, m.pattern ?? "", m.gap]), [
              ["before", "", false],
              ["before", "li*", false],
              ["after kill", "", true],
              ["after kill", "li*", false],
              ["after restart", "", true],
              ["after restart", "li*", false]
            ])
          }),
        { timeout: 60_000 }
      )
    })
  }

  it.scopedLive("a stalled consumer keeps the newest messages within its buffer", () =>
    Effect.gen(function*() {
      const { redis } = yield* connect()
      const messages = yield* redis.subscription({ channels: ["flood"], bufferSize: 100 })
      const sync = yield* withMarker(redis)
      yield* Effect.forEach(Array.from({ length: 5_000 }, (_, i) => i), (i) => redis.publish("flood", String(i)), {
        concurrency: 100
      })
      yield* redis.publish("flood", "last")
      // The subscriber connection has read the whole flood (nothing consumes meanwhile).
      yield* sync
      const kept = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(messages, 100)))
      assert.strictEqual(kept.length, 100)
      assert.strictEqual(kept[kept.length - 1]!.message, "last")
      assert.deepStrictEqual(
        kept.map((m) => m.message).slice(0, 99),
        Array.from({ length: 99 }, (_, i) => String(4_901 + i))
      )
    }), { timeout: 30_000 })

  it.scopedLive("a subscription's stream ends with its scope, after what it buffered", () =>
    Effect.gen(function*() {
      const { redis } = yield* connect()
      const scope = yield* Scope.make()
      const messages = yield* redis.subscription({ channels: ["short"] }).pipe(Scope.extend(scope))
      const sync = yield* withMarker(redis)
      yield* redis.publish("short", "a")
      yield* redis.publish("short", "b")
      // The subscriber connection has read both (nothing consumes meanwhile).
      yield* sync
      yield* Scope.close(scope, Exit.void)
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(messages))
      assert.deepStrictEqual(all.map((m) => m.message), ["a", "b"])
      assert.strictEqual(yield* numsub(redis, "short"), 0)
    }), { timeout: 30_000 })

  it.scopedLive(
    "a subscription's stream run twice at once delivers each message to one of the runs",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect()
        const scope = yield* Scope.make()
        const messages = yield* redis.subscription({ channels: ["twice"] }).pipe(Scope.extend(scope))
        const sync = yield* withMarker(redis)
        const first = yield* Effect.fork(Stream.runCollect(messages))
        const second = yield* Effect.fork(Stream.runCollect(messages))
        const sent = Array.from({ length: 50 }, (_, i) => `m${i}`)
        for (const message of sent) yield* redis.publish("twice", message)
        // All 50 reached the stream's buffer: closing its scope ends both runs after them.
        yield* sync
        yield* Scope.close(scope, Exit.void)
        const received = [...yield* Fiber.join(first), ...yield* Fiber.join(second)].map((m) => m.message)
        assert.deepStrictEqual(received.sort(), [...sent].sort())
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("keyspace notifications arrive as typed events", () =>
    Effect.gen(function*() {
      const { redis } = yield* connect({ database: 2 })
      const events = redis.keyspaceEvents({ keys: "ks:*", enable: "KA" })
      const received = yield* Effect.fork(Stream.runCollect(Stream.take(events, 4)))
      yield* eventually(redis.pubsubNumpat(), (n) => n === 1, 10)
      yield* redis.set("ks:a", "1")
      yield* redis.expire("ks:a", 100)
      yield* redis.del("ks:a")
      yield* redis.set("other", "1")
      yield* redis.set("ks:b", "2")
      const all = Chunk.toReadonlyArray(yield* Fiber.join(received))
      assert.deepStrictEqual(all, [
        { key: "ks:a", event: "set", database: 2 },
        { key: "ks:a", event: "expire", database: 2 },
        { key: "ks:a", event: "del", database: 2 },
        { key: "ks:b", event: "set", database: 2 }
      ])
    }), { timeout: 30_000 })
})
