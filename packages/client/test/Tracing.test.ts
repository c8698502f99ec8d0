import { Commands, Redis } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { recording } from "./utils.js"

describe("tracing", () => {
  it.scopedLive(
    "opens a client span per command and per batch, with database attributes and no arguments",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* Redis.make({ url: server.url, database: 3, tracing: true }).pipe(
          Effect.provide(NodeTransport.layer)
        )
        const { spans, tracer } = yield* recording
        yield* Effect.withTracer(
          Effect.gen(function*() {
            yield* redis.set("traced", "secret-value")
            yield* redis.pipeline([Commands.commands.get("traced"), Commands.commands.get("traced")])
            yield* redis.blpop("traced:list", 0.01)
            yield* redis.watch("traced", () => Effect.succeed([Commands.commands.set("traced", "watched")]))
          }),
          tracer
        )
        const set = spans.find((span) => span.name === "SET")!
        assert.strictEqual(set.kind, "client")
        assert.strictEqual(set.attributes.get("db.system.name"), "redis")
        assert.strictEqual(set.attributes.get("db.operation.name"), "SET")
        assert.strictEqual(set.attributes.get("db.namespace"), "3")
        assert.strictEqual(set.attributes.get("server.address"), "127.0.0.1")
        assert.strictEqual(set.attributes.get("server.port"), server.port)
        assert.notInclude(JSON.stringify([...set.attributes.values()]), "secret-value")
        const pipeline = spans.find((span) => span.name === "PIPELINE")!
        assert.strictEqual(pipeline.attributes.get("db.operation.batch.size"), 2)
        assert.isDefined(spans.find((span) => span.name === "BLPOP"), "blocking commands are traced too")
        // watch: its WATCH and its transaction (MULTI, the body's commands, EXEC) are traced like any other.
        assert.isDefined(spans.find((span) => span.name === "WATCH"), "a watch's WATCH is traced")
        assert.isDefined(
          spans.find((span) => span.name === "PIPELINE" && span.attributes.get("db.operation.batch.size") === 3),
          "a watch's transaction is traced"
        )
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("opens no span unless asked", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const redis = yield* Redis.make({ url: server.url }).pipe(Effect.provide(NodeTransport.layer))
      const { spans, tracer } = yield* recording
      yield* Effect.withTracer(redis.set("untraced", "v"), tracer)
      assert.strictEqual(spans.length, 0)
    }), { timeout: 30_000 })
})
