import { Commands, Redis, type RedisConfig } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Metric, MetricState, Stream } from "effect"
import { eventually } from "./utils.js"

let clients = 0

/** A server and a client with metrics on, labelled so that its metrics are told apart from other tests'. */
const setup = (options: Omit<RedisConfig.Options, "url" | "metrics"> = {}) =>
  Effect.gen(function*() {
    const server = yield* RedisServer.make()
    const client = `metrics-${process.pid}-${++clients}`
    const redis = yield* Redis.make({ ...options, url: server.url, metrics: { labels: { client } } }).pipe(
      Effect.provide(NodeTransport.layer)
    )
    return { server, redis, client }
  })

/** The states of the metrics named `name` whose labels include `labels`. */
const statesOf = (name: string, labels: Record<string, string>) =>
  Effect.map(Metric.snapshot, (pairs) =>
    pairs.filter(({ metricKey }) => {
      if (metricKey.name !== name) return false
      const tags = new Map(metricKey.tags.map((tag) => [tag.key, tag.value]))
      return Object.entries(labels).every(([key, value]) => tags.get(key) === value)
    }).map(({ metricState }) => metricState))

/** The sum of the counters or gauges named `name` whose labels include `labels`. */
const valueOf = (name: string, labels: Record<string, string>) =>
  Effect.map(statesOf(name, labels), (states) =>
    states.reduce((sum, state) => {
      if (MetricState.isCounterState(state)) return sum + Number(state.count)
      if (MetricState.isGaugeState(state)) return sum + Number(state.value)
      return sum
    }, 0))

/** How many observations the histograms named `name` with `labels` hold. */
const observations = (name: string, labels: Record<string, string>) =>
  Effect.map(
    statesOf(name, labels),
    (states) => states.reduce((sum, state) => sum + (MetricState.isHistogramState(state) ? state.count : 0), 0)
  )

describe("metrics", () => {
  it.scopedLive(
    "counts commands by name and result, times them, and tracks those in flight",
    () =>
      Effect.gen(function*() {
        const { redis, client, server } = yield* setup()
        yield* redis.set("m:key", "v")
        yield* redis.get("m:key")
        yield* redis.get("m:key")
        yield* Effect.exit(redis.lpush("m:key", "x")) // WRONGTYPE
        yield* redis.pipeline([Commands.commands.get("m:key"), Commands.commands.get("m:key")])

        assert.strictEqual(
          yield* valueOf("redis.client.commands", { client, "db.operation.name": "GET", result: "ok" }),
          2
        )
        assert.strictEqual(
          yield* valueOf("redis.client.commands", { client, "db.operation.name": "SET", result: "ok" }),
          1
        )
        assert.strictEqual(
          yield* valueOf("redis.client.commands", { client, "db.operation.name": "LPUSH", result: "RedisReplyError" }),
          1
        )
        assert.strictEqual(
          yield* valueOf("redis.client.commands", { client, "db.operation.name": "PIPELINE", result: "ok" }),
          1
        )
        const duration = {
          client,
          "db.operation.name": "GET",
          "db.system.name": "redis",
          "server.port": `${server.port}`
        }
        assert.strictEqual(yield* observations("db.client.operation.duration", duration), 2)
        assert.strictEqual(
          yield* observations("db.client.operation.duration", {
            client,
            "db.operation.name": "LPUSH",
            "error.type": "RedisReplyError"
          }),
          1
        )

        // A blocking command in flight counts until it is answered.
        const blocked = yield* Effect.fork(redis.blpop("m:list", 0))
        yield* eventually(valueOf("redis.client.commands.in_flight", { client }), (n) => n === 1, 10)
        yield* redis.rpush("m:list", "x")
        yield* Fiber.join(blocked)
        assert.strictEqual(yield* valueOf("redis.client.commands.in_flight", { client }), 0)
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("reports the pool's used, idle and waiting connections", () =>
    Effect.gen(function*() {
      const { redis, client } = yield* setup({ pool: { max: 1 } })
      const used = { client, "db.client.connection.state": "used" }
      const idle = { client, "db.client.connection.state": "idle" }
      const blocked = yield* Effect.fork(redis.blpop("m:pool", 0))
      yield* eventually(valueOf("db.client.connection.count", used), (n) => n === 1, 10)
      // A second borrower waits for the only connection.
      const second = yield* Effect.fork(redis.blpop("m:pool2", 0))
      yield* eventually(valueOf("db.client.connection.pending_requests", { client }), (n) => n === 1, 10)
      yield* redis.rpush("m:pool", "a")
      yield* Fiber.join(blocked)
      // The connection went to the waiter.
      assert.strictEqual(yield* valueOf("db.client.connection.pending_requests", { client }), 0)
      assert.strictEqual(yield* valueOf("db.client.connection.count", used), 1)
      yield* redis.rpush("m:pool2", "b")
      yield* Fiber.join(second)
      assert.strictEqual(yield* valueOf("db.client.connection.pending_requests", { client }), 0)
      assert.strictEqual(yield* valueOf("db.client.connection.count", used), 0)
      assert.strictEqual(yield* valueOf("db.client.connection.count", idle), 1)
    }), { timeout: 30_000 })

  it.scopedLive("counts pub/sub messages and the ones a full buffer dropped", () =>
    Effect.gen(function*() {
      const { redis, client } = yield* setup()
      const stream = yield* redis.subscription({ channels: ["m:chan"], bufferSize: 1, overflow: "dropNewest" })
      yield* redis.publish("m:chan", "1")
      yield* redis.publish("m:chan", "2")
      yield* redis.publish("m:chan", "3")
      yield* eventually(valueOf("redis.client.pubsub.messages", { client }), (n) => n === 3, 10)
      // The buffer holds one message: the other two were dropped.
      assert.strictEqual(yield* valueOf("redis.client.pubsub.dropped", { client }), 2)
      const [first] = yield* stream.pipe(Stream.take(1), Stream.runCollect)
      assert.strictEqual(first!.message, "1")
    }), { timeout: 30_000 })

  it.scopedLive("counts cache hits and misses", () =>
    Effect.gen(function*() {
      const { redis, client } = yield* setup({ cache: {} })
      yield* redis.set("m:cached", "v")
      yield* redis.get("m:cached")
      yield* redis.get("m:cached")
      yield* redis.get("m:cached")
      assert.strictEqual(yield* valueOf("redis.client.cache.misses", { client }), 1)
      assert.strictEqual(yield* valueOf("redis.client.cache.hits", { client }), 2)
    }), { timeout: 30_000 })

  it.scopedLive("counts reconnects, and the commands waiting in the offline queue", () =>
    Effect.gen(function*() {
      const { redis, client, server } = yield* setup()
      const admin = yield* Redis.make({ url: server.url }).pipe(Effect.provide(NodeTransport.layer))
      const id = yield* redis.raw(["CLIENT", "ID"])
      yield* admin.raw(["CLIENT", "KILL", "ID", String(id)])
      yield* eventually(valueOf("redis.client.reconnects", { client, "redis.connection.role": "shared" }), (n) =>
        n === 1, 10)

      yield* server.stop
      // Commands sent once the client knows the connection is down wait in the offline queue.
      yield* eventually(redis.connections, (now) =>
        now[0]?.state._tag === "Reconnecting", 10)
      const waiting = yield* Effect.fork(Effect.all([redis.get("m:a"), redis.get("m:b")], { concurrency: 2 }))
      yield* eventually(valueOf("redis.client.offline_queue.size", { client }), (n) =>
        n === 2, 10)
      yield* server.start
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(waiting)))
      assert.strictEqual(yield* valueOf("redis.client.offline_queue.size", { client }), 0)
      assert.strictEqual(yield* valueOf("redis.client.reconnects", { client, "redis.connection.role": "shared" }), 2)
    }), { timeout: 30_000 })

  it.scopedLive("records nothing when off", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const redis = yield* Redis.make({ url: server.url }).pipe(Effect.provide(NodeTransport.layer))
      yield* redis.set("m:off", "v")
      const port = `${server.port}`
      assert.strictEqual(yield* valueOf("redis.client.commands", { "server.port": port }), 0)
      assert.strictEqual(yield* observations("db.client.operation.duration", { "server.port": port }), 0)
    }), { timeout: 30_000 })
})
