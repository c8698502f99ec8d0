import { Redis, RedisConfig } from "@effect-redis/client"
import { NodeRedis, NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Either, Layer, Redacted } from "effect"

describe("NodeRedis layers", () => {
  it.scopedLive("layerFromUrl connects with the user, password and database of the URL", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ aclUsers: ["app on >s3cr%t ~* &* +@all"] })
      const url = `redis://app:${encodeURIComponent("s3cr%t")}@127.0.0.1:${server.port}/4?name=layer-test`
      const info = yield* Effect.provide(
        Effect.flatMap(Redis.Redis, (redis) => redis.clientInfo()),
        NodeRedis.layerFromUrl(url)
      )
      assert.strictEqual(info.user, "app")
      assert.strictEqual(info.db, "4")
      assert.strictEqual(info.name, "layer-test")
    }), { timeout: 30_000 })

  it.scopedLive("layerConfig reads the URL from Config, redacted", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ password: "from-config" })
      const provider = ConfigProvider.fromMap(
        new Map([["REDIS_URL", `redis://:from-config@127.0.0.1:${server.port}/1`]])
      )
      const layer = NodeRedis.layerConfig({ url: Config.redacted("REDIS_URL") }).pipe(
        Layer.provide(Layer.setConfigProvider(provider))
      )
      const pong = yield* Effect.provide(Effect.flatMap(Redis.Redis, (redis) => redis.ping()), layer)
      assert.strictEqual(pong, "PONG")
    }), { timeout: 30_000 })

  it.scopedLive("layerConfig reads keyPrefix from Config", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const provider = ConfigProvider.fromMap(new Map([["REDIS_PREFIX", "svc:"]]))
      const layer = NodeRedis.layerConfig({ url: Config.succeed(server.url), keyPrefix: Config.string("REDIS_PREFIX") })
        .pipe(
          Layer.provide(Layer.setConfigProvider(provider))
        )
      yield* Effect.provide(Effect.flatMap(Redis.Redis, (redis) => redis.set("from-config", "1")), layer)
      const plain = yield* Redis.make({ url: server.url }).pipe(Effect.provide(NodeTransport.layer))
      assert.deepStrictEqual(yield* plain.keys("*"), ["svc:from-config"])
    }), { timeout: 30_000 })

  it.scopedLive("layerConfig takes plain values next to Configs", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const provider = ConfigProvider.fromMap(new Map([["REDIS_PREFIX", "svc:"]]))
      const layer = NodeRedis.layerConfig({
        host: "127.0.0.1",
        port: server.port,
        database: 2,
        keyPrefix: Config.string("REDIS_PREFIX"),
        pool: { max: 1 }
      }).pipe(Layer.provide(Layer.setConfigProvider(provider)))
      const info = yield* Effect.provide(
        Effect.flatMap(Redis.Redis, (redis) => Effect.zipRight(redis.set("plain", "1"), redis.clientInfo())),
        layer
      )
      assert.strictEqual(info.db, "2")
      const plain = yield* Redis.make({ url: `${server.url}/2` }).pipe(Effect.provide(NodeTransport.layer))
      assert.deepStrictEqual(yield* plain.keys("*"), ["svc:plain"])
    }), { timeout: 30_000 })

  it.scopedLive("layerConfig reports a missing setting as a configuration error", () =>
    Effect.gen(function*() {
      const layer = NodeRedis.layerConfig({ url: Config.redacted("NOT_SET_ANYWHERE") }).pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map())))
      )
      const error = yield* Effect.flip(Effect.provide(Effect.flatMap(Redis.Redis, (redis) => redis.ping()), layer))
      assert.strictEqual(error._tag, "RedisConfigError")
      assert.include(error.message, "NOT_SET_ANYWHERE")
    }))

  it.scopedLive("an invalid URL fails the layer before dialing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(Effect.flatMap(Redis.Redis, (redis) => redis.ping()), NodeRedis.layerFromUrl("redis://h:99999"))
      )
      assert.strictEqual(error._tag, "RedisConfigError")
    }))

  it("keeps passwords redacted in the resolved options", () => {
    const resolved = Either.getOrThrow(RedisConfig.resolve({ url: "redis://u:hunter2@h/0" }))
    assert.notInclude(String(resolved.password), "hunter2")
    assert.notInclude(JSON.stringify(resolved), "hunter2")
    assert.strictEqual(Redacted.value(resolved.password!), "hunter2")
  })
})
