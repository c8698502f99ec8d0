import { Redis, RedisSchema } from "@effect-redis/client"
import * as MsgPack from "@effect/platform/MsgPack"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { testLayer } from "./utils.js"

const User = Schema.Struct({ name: Schema.String, joined: Schema.Date })
const users = RedisSchema.json(User)
const ada = { name: "Ada", joined: new Date("2024-05-06T07:08:09.000Z") }

describe("RedisSchema", () => {
  it.layer(testLayer(), { timeout: 30_000 })("against a real server", (it) => {
    it.effect("stores a value as the JSON of its encoded form and reads it back", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.isTrue(yield* RedisSchema.set(users, "schema:ada", ada, { ex: 60 }))
        assert.deepStrictEqual(yield* RedisSchema.get(users, "schema:ada"), Option.some(ada))
        assert.deepStrictEqual(
          yield* redis.get("schema:ada"),
          Option.some(`{"name":"Ada","joined":"2024-05-06T07:08:09.000Z"}`)
        )
        assert.isAbove(yield* redis.ttl("schema:ada"), 0)
        assert.deepStrictEqual(yield* RedisSchema.get(users, "schema:nobody"), Option.none())
        // SET's conditions still apply.
        assert.isFalse(yield* RedisSchema.set(users, "schema:ada", ada, { nx: true }))
      }))

    it.effect("stores text codecs as their text", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const counts = RedisSchema.text(Schema.NumberFromString)
        yield* RedisSchema.set(counts, "schema:count", 42.5)
        assert.deepStrictEqual(yield* redis.get("schema:count"), Option.some("42.5"))
        yield* redis.incrbyfloat("schema:count", 1)
        assert.deepStrictEqual(yield* RedisSchema.get(counts, "schema:count"), Option.some(43.5))
      }))

    it.effect("stores binary codecs as bytes, exactly", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const packed = RedisSchema.binary(MsgPack.schema(User))
        yield* RedisSchema.set(packed, "schema:packed", ada)
        assert.deepStrictEqual(yield* RedisSchema.get(packed, "schema:packed"), Option.some(ada))
        // The key holds the codec's bytes themselves.
        assert.deepStrictEqual(
          yield* redis.binary.get("schema:packed"),
          Option.some(yield* Schema.encode(MsgPack.schema(User))(ada))
        )
      }))

    it.effect("fails to read a value that does not decode with RedisSchemaError naming the key", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.set("schema:broken", `{"name":"Ada"}`)
        const error = yield* Effect.flip(RedisSchema.get(users, "schema:broken"))
        assert.strictEqual(error._tag, "RedisSchemaError")
        if (error._tag !== "RedisSchemaError") return
        assert.strictEqual(error.reason, "Decode")
        assert.strictEqual(error.key, "schema:broken")
        assert.include(error.message, `"schema:broken"`)
        assert.include(error.message, "joined")
      }))

    it.effect("sends nothing when the value does not encode", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const positive = RedisSchema.json(Schema.Number.pipe(Schema.positive()))
        const error = yield* Effect.flip(RedisSchema.set(positive, "schema:negative", -1))
        assert.strictEqual(error._tag, "RedisSchemaError")
        if (error._tag !== "RedisSchemaError") return
        assert.strictEqual(error.reason, "Encode")
        assert.strictEqual(yield* redis.exists("schema:negative"), 0)
      }))

    it.effect("encodes and decodes values for any other command", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.hset("schema:users", { ada: yield* RedisSchema.encode(users, "schema:users", ada) })
        const stored = Option.getOrThrow(yield* redis.hget("schema:users", "ada"))
        assert.deepStrictEqual(yield* RedisSchema.decode(users, "schema:users", stored), ada)
        // A text codec reads bytes too.
        const bytes = Option.getOrThrow(yield* redis.binary.hget("schema:users", "ada"))
        assert.deepStrictEqual(yield* RedisSchema.decode(users, "schema:users", bytes), ada)
      }))
  })
})
