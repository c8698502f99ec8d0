import { Redis } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisKeyValueStore } from "@effect-redis/platform"
import { RedisServer } from "@effect-redis/testing"
import * as PlatformError from "@effect/platform/Error"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { topologies } from "./topologies.js"

const storeUnder = (prefix: string) => RedisKeyValueStore.make({ prefix })

/** Every byte value, in an order that is not valid UTF-8. */
const allBytes = Uint8Array.from({ length: 256 }, (_, i) => 255 - i)

for (const [topology, redisLayer] of topologies) {
  it.layer(redisLayer, { timeout: 60_000 })(`RedisKeyValueStore (${topology})`, (it) => {
    it.effect("stores text and reads bytes back exactly", () =>
      Effect.gen(function*() {
        const store = yield* storeUnder("kv-values:")
        yield* store.set("text", "héllo")
        assert.deepStrictEqual(yield* store.get("text"), Option.some("héllo"))
        assert.deepStrictEqual(yield* store.getUint8Array("text"), Option.some(new TextEncoder().encode("héllo")))

        yield* store.set("bytes", allBytes)
        assert.deepStrictEqual(yield* store.getUint8Array("bytes"), Option.some(allBytes))
        assert.deepStrictEqual(yield* store.getUint8Array("missing"), Option.none())
        // The key holds the bytes themselves, not an encoding of them.
        const redis = yield* Redis.Redis
        assert.deepStrictEqual(yield* redis.binary.get("kv-values:bytes"), Option.some(allBytes))
      }))

    it.effect("layerConfig takes a plain prefix as well as a Config", () =>
      Effect.gen(function*() {
        const store = yield* Effect.provide(
          KeyValueStore.KeyValueStore,
          RedisKeyValueStore.layerConfig({ prefix: "kv-config:" })
        )
        yield* store.set("a", "1")
        const redis = yield* Redis.Redis
        assert.deepStrictEqual(yield* redis.get("kv-config:a"), Option.some("1"))
      }))

    it.effect("has and remove address one key", () =>
      Effect.gen(function*() {
        const store = yield* storeUnder("kv-remove:")
        yield* store.set("a", "1")
        assert.isTrue(yield* store.has("a"))
        yield* store.remove("a")
        assert.isFalse(yield* store.has("a"))
        assert.deepStrictEqual(yield* store.get("a"), Option.none())
        yield* store.remove("a")
      }))

    it.effect("size, isEmpty and clear see only the keys under the prefix", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const store = yield* storeUnder("kv-clear[1]*:")
        // Glob characters in the prefix are literal: this key is not the store's.
        yield* redis.set("kv-clear1x:outside", "kept")
        assert.isTrue(yield* store.isEmpty)
        yield* Effect.forEach(Array.from({ length: 40 }, (_, i) => `key-${i}`), (key) => store.set(key, key), {
          discard: true
        })
        assert.strictEqual(yield* store.size, 40)
        assert.isFalse(yield* store.isEmpty)

        yield* store.clear
        assert.strictEqual(yield* store.size, 0)
        assert.isTrue(yield* store.isEmpty)
        assert.deepStrictEqual(yield* redis.get("kv-clear1x:outside"), Option.some("kept"))
      }))

    it.effect("modify applies every concurrent update once and keeps the time to live", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const store = yield* storeUnder("kv-modify:")
        yield* redis.set("kv-modify:counter", "0", { ex: 3600 })
        const results = yield* Effect.forEach(
          Array.from({ length: 30 }),
          () => store.modify("counter", (value) => String(Number(value) + 1)),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(yield* store.get("counter"), Option.some("30"))
        // Each update saw a different value: none was lost.
        assert.strictEqual(new Set(results.map(Option.getOrThrow)).size, 30)
        assert.isAbove(yield* redis.ttl("kv-modify:counter"), 0)

        yield* store.set("bytes", Uint8Array.of(1, 2))
        const modified = yield* store.modifyUint8Array("bytes", (bytes) => Uint8Array.of(...bytes, 255))
        assert.deepStrictEqual(modified, Option.some(Uint8Array.of(1, 2, 255)))
        assert.deepStrictEqual(yield* store.getUint8Array("bytes"), Option.some(Uint8Array.of(1, 2, 255)))
      }))

    it.effect("modify of a missing key writes nothing", () =>
      Effect.gen(function*() {
        const store = yield* storeUnder("kv-modify-missing:")
        assert.deepStrictEqual(yield* store.modify("nothing", () => "written"), Option.none())
        assert.isFalse(yield* store.has("nothing"))
      }))

    it.effect("forSchema stores values through their schema", () =>
      Effect.gen(function*() {
        const User = Schema.Struct({ name: Schema.String, since: Schema.Date })
        const users = (yield* storeUnder("kv-schema:")).forSchema(User)
        const ada = { name: "Ada", since: new Date("2024-01-02T03:04:05.000Z") }
        yield* users.set("ada", ada)
        assert.deepStrictEqual(yield* users.get("ada"), Option.some(ada))
        const renamed = yield* users.modify("ada", (user) => ({ ...user, name: "Ada L." }))
        assert.deepStrictEqual(Option.map(renamed, (user) => user.name), Option.some("Ada L."))
        const redis = yield* Redis.Redis
        assert.deepStrictEqual(
          yield* redis.get("kv-schema:ada"),
          Option.some(JSON.stringify({ name: "Ada L.", since: "2024-01-02T03:04:05.000Z" }))
        )
      }))

    it.effect("fails with a SystemError naming the key when the key holds another type", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.hset("kv-errors:hash", { field: "value" })
        const store = yield* storeUnder("kv-errors:")
        const error = yield* Effect.flip(store.get("hash"))
        assert.instanceOf(error, PlatformError.SystemError)
        assert.strictEqual(error.reason, "InvalidData")
        assert.strictEqual(error.pathOrDescriptor, "hash")
        assert.strictEqual((error.cause as { readonly _tag: string })._tag, "RedisReplyError")
      }))

    it.effect("is provided as the KeyValueStore service", () =>
      Effect.gen(function*() {
        const store = yield* KeyValueStore.KeyValueStore
        yield* store.set("service", "yes")
        const redis = yield* Redis.Redis
        assert.deepStrictEqual(yield* redis.get("kv-layer:service"), Option.some("yes"))
      }).pipe(Effect.provide(RedisKeyValueStore.layer({ prefix: "kv-layer:" }))))
  })
}

it.scopedLive(
  "composes with the client's keyPrefix: its keys, size and clear stay inside the client's namespace",
  () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const plain = yield* Redis.make({ url: server.url }).pipe(Effect.provide(NodeTransport.layer))
      const redis = yield* Redis.make({ url: server.url, keyPrefix: "tenant:" }).pipe(
        Effect.provide(NodeTransport.layer)
      )
      const store = yield* storeUnder("kv:").pipe(Effect.provideService(Redis.Redis, redis))
      yield* plain.set("kv:outside", "not the tenant's")
      yield* store.set("a", "1")
      yield* store.set("b", allBytes)
      assert.deepStrictEqual([...yield* plain.keys("*")].sort(), ["kv:outside", "tenant:kv:a", "tenant:kv:b"])
      assert.deepStrictEqual(yield* store.getUint8Array("b"), Option.some(allBytes))
      assert.strictEqual(yield* store.size, 2)
      yield* store.clear
      assert.deepStrictEqual(yield* plain.keys("*"), ["kv:outside"])
    }),
  { timeout: 30_000 }
)
