import { Redis, type RedisConfig } from "@effect-redis/client"
import type { MonitorEvent } from "@effect-redis/client/Monitor"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Scope, Stream } from "effect"
import { failureOf, monitors } from "./utils.js"

const connect = (url: string, options: RedisConfig.Options = {}) =>
  Redis.make({ url, ...options }).pipe(Effect.provide(NodeTransport.layer))

/** Events up to the first one running `marker` (excluded), collected in the background. */
const collectUntil = (events: Stream.Stream<MonitorEvent, unknown>, marker: string) =>
  Effect.fork(Stream.runCollect(Stream.takeWhile(events, (event) => event.args[1] !== marker)))

describe("MONITOR", () => {
  for (const protocol of [2, 3] as const) {
    it.scopedLive(
      `RESP${protocol}: yields every command as time, database, client address and arguments`,
      () =>
        Effect.gen(function*() {
          const server = yield* RedisServer.make({ unixSocket: true })
          const redis = yield* connect(server.url, { protocol })
          const other = yield* connect(server.url, { database: 3 })
          const local = yield* Redis.make({ path: server.socketPath! }).pipe(Effect.provide(NodeTransport.layer))
          const events = yield* redis.monitor()
          const collected = yield* collectUntil(events, "monitor:end")
          const startedMillis = Date.now()
          const { addr } = yield* other.clientInfo()

          yield* other.set("monitor:\"quoted\"", "line\nbreak \\ tab\t bell\u0007 back\b é")
          yield* other.set("monitor:bytes", new Uint8Array([0x00, 0x7f, 0xff]))
          yield* redis.eval("return redis.call('GET', KEYS[1])", ["monitor:key"])
          yield* local.ping()
          yield* redis.get("monitor:end")
          const seen = Chunk.toReadonlyArray(yield* Fiber.join(collected))
          const endedMillis = Date.now()

          const quoted = seen.find((event) => event.args[1] === "monitor:\"quoted\"")
          assert.deepStrictEqual(quoted?.args, [
            "SET",
            "monitor:\"quoted\"",
            "line\nbreak \\ tab\t bell\u0007 back\b é"
          ])
          assert.strictEqual(quoted?.database, 3)
          assert.strictEqual(quoted?.client, addr)
          assert.isTrue(quoted!.time / 1000 >= startedMillis - 1000 && quoted!.time / 1000 <= endedMillis + 1000)
          assert.isTrue(Number.isInteger(quoted!.time))
          const bytes = seen.find((event) => event.args[1] === "monitor:bytes")
          assert.deepStrictEqual(bytes?.args, ["SET", "monitor:bytes", "\u0000\u007f\ufffd"])
          const scripted = seen.find((event) => event.client === "lua")
          assert.deepStrictEqual(scripted?.args, ["GET", "monitor:key"])
          assert.strictEqual(scripted?.database, 0)
          const viaSocket = seen.find((event) => event.args[0] === "PING")
          assert.strictEqual(viaSocket?.client, `unix:${server.socketPath}`)
          assert.isTrue(seen.every((event) => !event.gap && event.dropped === 0))
        }),
      { timeout: 30_000 }
    )
  }

  it.scopedLive("the monitor connection closes with its scope, and the stream ends", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const redis = yield* connect(server.url)
      const scope = yield* Scope.make()
      const events = yield* redis.monitor().pipe(Scope.extend(scope))
      assert.strictEqual((yield* monitors(redis)).length, 1)
      const running = yield* Effect.fork(Stream.runCollect(events))
      yield* redis.set("monitor:seen", "1")
      yield* Scope.close(scope, Exit.void)
      yield* Effect.repeat(monitors(redis), { until: (list) => list.length === 0 })
      // Ended, not failed.
      yield* Fiber.join(running)
    }), { timeout: 30_000 })

  it.scopedLive(
    "a slow consumer loses the oldest events beyond its buffer, each loss counted",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* connect(server.url)
        const events = yield* redis.monitor({ bufferSize: 10 })
        yield* Effect.forEach(Array.from({ length: 100 }, (_, i) => i), (i) => redis.set(`monitor:n${i}`, "v"), {
          discard: true
        })
        const collected = yield* collectUntil(events, "monitor:end")
        yield* redis.get("monitor:end")
        const seen = Chunk.toReadonlyArray(yield* Fiber.join(collected))
        const dropped = seen.reduce((sum, event) => sum + event.dropped, 0)
        assert.strictEqual(seen.length + dropped, 100)
        assert.isAbove(dropped, 0)
        assert.isTrue(seen.some((event) => event.gap && event.dropped > 0))
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "the stream fails with RedisConnectionError when the monitor connection is killed",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* connect(server.url)
        const events = yield* redis.monitor()
        const running = yield* Effect.fork(Stream.runDrain(events))
        const [monitor] = yield* monitors(redis)
        yield* redis.clientKill({ id: Number(monitor!.id) })
        const error = failureOf(yield* Fiber.await(running))
        assert.strictEqual(error?._tag, "RedisConnectionError")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("the stream fails with RedisClosedError when the client closes", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const clientScope = yield* Scope.make()
      const redis = yield* connect(server.url).pipe(Scope.extend(clientScope))
      const observer = yield* connect(server.url)
      const events = yield* redis.monitor()
      const running = yield* Effect.fork(Stream.runDrain(events))
      yield* Scope.close(clientScope, Exit.void)
      assert.strictEqual(failureOf(yield* Fiber.await(running))?._tag, "RedisClosedError")
      yield* Effect.repeat(monitors(observer), { until: (list) => list.length === 0 })
    }), { timeout: 30_000 })
})
