import { Commands, Redis, type RedisConfig } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Schedule, Scope, Stream } from "effect"
import { failureOf } from "./utils.js"

const connect = (options: RedisConfig.Options = {}) =>
  Effect.gen(function*() {
    const server = yield* RedisServer.make()
    const redis = yield* Redis.make({ url: server.url, ...options }).pipe(Effect.provide(NodeTransport.layer))
    return { server, redis }
  })

describe("subscriptions over the client's life", () => {
  it.scopedLive(
    "when reconnecting gives up, every stream fails with RedisConnectionError and the next subscription reconnects",
    () =>
      Effect.gen(function*() {
        const { redis, server } = yield* connect({ reconnectSchedule: Schedule.recurs(3) })
        const first = yield* redis.subscription({ channels: ["giveup:a"] })
        const second = yield* redis.subscription({ patterns: ["giveup:*"] })
        const running = yield* Effect.forEach([first, second], (stream) => Effect.fork(Stream.runDrain(stream)))
        yield* server.kill
        for (const fiber of running) {
          const error = failureOf(yield* Fiber.await(fiber))
          assert.strictEqual(error?._tag, "RedisConnectionError")
          assert.strictEqual(error?._tag === "RedisConnectionError" && error.reason, "Unavailable")
        }
        yield* server.start
        const again = yield* redis.subscription({ channels: ["giveup:a"] })
        yield* redis.publish("giveup:a", "back")
        const [message] = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(again, 1)))
        assert.strictEqual(message?.message, "back")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "when the client closes, its streams fail with RedisClosedError and anything asked afterwards fails at once",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const clientScope = yield* Scope.make()
        const redis = yield* Redis.make({ url: server.url }).pipe(
          Effect.provide(NodeTransport.layer),
          Scope.extend(clientScope)
        )
        const messages = yield* redis.subscription({ channels: ["closing"] })
        const received: Array<string> = []
        const running = yield* Effect.fork(
          Stream.runForEach(messages, (message) => Effect.sync(() => received.push(message.message)))
        )
        const pattern = yield* Effect.fork(Stream.runDrain(redis.psubscribe("clos*")))
        yield* Effect.repeat(redis.pubsubNumpat(), { until: (n) => n === 1 })
        yield* redis.publish("closing", "last")
        yield* Effect.repeat(Effect.sync(() => received.length), { until: (n) => n === 1 })
        yield* Scope.close(clientScope, Exit.void)

        for (const fiber of [running, pattern]) {
          assert.strictEqual(failureOf(yield* Fiber.await(fiber))?._tag, "RedisClosedError")
        }
        assert.deepStrictEqual(received, ["last"])
        const afterwards: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
          Effect.scoped(redis.subscription({ channels: ["late"] })),
          Stream.runDrain(redis.subscribe("late")),
          Stream.runDrain(redis.binary.subscribe("late")),
          Stream.runDrain(redis.keyspaceEvents()),
          redis.get("late"),
          redis.pipeline([Commands.commands.get("late")]).pipe(Effect.flatMap(([result]) => result)),
          redis.blpop("late", 1),
          Effect.scoped(redis.reserve),
          redis.watch(["late"], () => Effect.succeed([])),
          Effect.scoped(redis.monitor())
        ]
        for (const effect of afterwards) {
          assert.strictEqual(failureOf(yield* Effect.exit(effect))?._tag, "RedisClosedError")
        }
      }),
    { timeout: 30_000 }
  )

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol} with a 10 ms health check`, () => {
      it.scopedLive("200 subscriptions in a row are each confirmed", () =>
        Effect.gen(function*() {
          const { redis } = yield* connect({ protocol, healthCheckInterval: "10 millis", commandTimeout: "1 second" })
          // Keeps the connection subscribed, so that every PING is answered in pub/sub form.
          yield* redis.subscription({ channels: ["health:keep"] })
          for (let i = 0; i < 200; i++) {
            yield* Effect.scoped(redis.subscription({ channels: [`health:${i}`] }))
          }
        }), { timeout: 60_000 })

      it.scopedLive("none of 100,000 published messages is lost", () =>
        Effect.gen(function*() {
          const { redis } = yield* connect({ protocol, healthCheckInterval: "10 millis" })
          const messages = yield* redis.subscription({ channels: ["health:flood"], bufferSize: 200_000 })
          const received = yield* Effect.fork(
            Stream.runFold(
              Stream.takeUntil(messages, (message) => message.message === "end"),
              { count: 0, inOrder: true, dropped: 0, gaps: 0 },
              (seen, message) => ({
                count: message.message === "end" ? seen.count : seen.count + 1,
                inOrder: seen.inOrder && (message.message === "end" || message.message === String(seen.count)),
                dropped: seen.dropped + message.dropped,
                gaps: seen.gaps + (message.gap ? 1 : 0)
              })
            )
          )
          const { publish } = Commands.commands
          yield* Effect.forEach(Array.from({ length: 100 }, (_, batch) => batch), (batch) =>
            redis.pipeline(Array.from({ length: 1_000 }, (_, i) =>
              publish("health:flood", String(batch * 1_000 + i)))), {
            discard: true
          })
          yield* redis.publish("health:flood", "end")
          assert.deepStrictEqual(yield* Fiber.join(received), { count: 100_000, inOrder: true, dropped: 0, gaps: 0 })
        }), { timeout: 60_000 })
    })
  }
})
