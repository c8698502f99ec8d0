import { Redis } from "@effect-redis/client"
import { RedisPersistence } from "@effect-redis/experimental"
import * as PersistedCache from "@effect/experimental/PersistedCache"
import * as Persistence from "@effect/experimental/Persistence"
import * as IoRedisPersistence from "@effect/experimental/Persistence/Redis"
import { assert, it } from "@effect/vitest"
import { Context, Duration, Effect, Exit, Layer, Option, PrimaryKey, Schema } from "effect"
import { Endpoint, standalone, topologies } from "./topologies.js"

class GetUser extends Schema.TaggedRequest<GetUser>()("GetUser", {
  failure: Schema.String,
  success: Schema.Struct({ name: Schema.String, joined: Schema.Date }),
  payload: { id: Schema.Number }
}) {
  [PrimaryKey.symbol]() {
    return `user-${this.id}`
  }
}

const backing = (storeId: string) => Effect.flatMap(RedisPersistence.make, (persistence) => persistence.make(storeId))

for (const [topology, redisLayer] of topologies) {
  it.layer(redisLayer, { timeout: 60_000 })(`RedisPersistence (${topology})`, (it) => {
    it.scoped("stores each entry as JSON under storeId:key", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const store = yield* backing("p-json")
        yield* store.set("a", { n: 1, list: [1, "two"] }, Option.none())
        assert.deepStrictEqual(yield* store.get("a"), Option.some({ n: 1, list: [1, "two"] }))
        assert.deepStrictEqual(yield* redis.get("p-json:a"), Option.some(`{"n":1,"list":[1,"two"]}`))
        assert.deepStrictEqual(yield* store.get("missing"), Option.none())
        yield* store.remove("a")
        assert.deepStrictEqual(yield* redis.exists("p-json:a"), 0)
      }))

    it.scoped("gives each entry its time to live as the key's", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const store = yield* backing("p-ttl")
        yield* store.set("hour", 1, Option.some(Duration.hours(1)))
        yield* store.set("forever", 2, Option.none())
        yield* store.set("infinite", 3, Option.some(Duration.infinity))
        yield* store.set("gone", 4, Option.some(Duration.zero))
        const hour = yield* redis.pttl("p-ttl:hour")
        assert.isTrue(hour > 3_590_000 && hour <= 3_600_000, `PTTL ${hour}`)
        assert.strictEqual(yield* redis.pttl("p-ttl:forever"), -1)
        assert.strictEqual(yield* redis.pttl("p-ttl:infinite"), -1)
        assert.strictEqual(yield* redis.exists("p-ttl:gone"), 0)
      }))

    it.scoped("reads and writes many entries spread over the keyspace", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const store = yield* backing("p-many")
        const keys = Array.from({ length: 30 }, (_, i) => `k${i}`)
        yield* store.setMany(
          keys.map((key, i) => [key, { i }, i % 2 === 0 ? Option.some(Duration.minutes(5)) : Option.none()] as const)
        )
        assert.deepStrictEqual(
          yield* store.getMany([...keys, "missing"]),
          [...keys.map((_, i) => Option.some({ i })), Option.none()]
        )
        assert.isAbove(yield* redis.pttl("p-many:k0"), 0)
        assert.strictEqual(yield* redis.pttl("p-many:k1"), -1)
        assert.deepStrictEqual(yield* store.getMany([]), [])
      }))

    it.scoped("clear removes the store's entries and no other store's", () =>
      Effect.gen(function*() {
        const store = yield* backing("p-clear")
        const neighbour = yield* backing("p-clear-next")
        yield* Effect.forEach(Array.from({ length: 25 }, (_, i) => `k${i}`), (key) => store.set(key, 1, Option.none()))
        yield* neighbour.set("k0", "kept", Option.none())
        yield* store.clear
        assert.deepStrictEqual(yield* store.getMany(["k0", "k24"]), [Option.none(), Option.none()])
        assert.deepStrictEqual(yield* neighbour.get("k0"), Option.some("kept"))
      }))

    it.scoped("fails with a PersistenceBackingError when an entry is not JSON", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.set("p-garbage:k", "{not json")
        const store = yield* backing("p-garbage")
        const error = yield* Effect.flip(store.get("k"))
        assert.strictEqual(error.reason, "BackingError")
        assert.strictEqual(error.method, "get")
      }))

    it.scoped("serves a PersistedCache: a second cache finds the first one's results", () =>
      Effect.gen(function*() {
        let lookups = 0
        const makeCache = PersistedCache.make({
          storeId: "p-cache",
          lookup: (request: GetUser) =>
            Effect.sync(() => lookups++).pipe(
              Effect.zipRight(
                request.id === 0 ? Effect.fail("no such user") : Effect.succeed({
                  name: `user ${request.id}`,
                  joined: new Date("2020-02-02T00:00:00.000Z")
                })
              )
            ),
          timeToLive: () => "1 hour"
        })
        const first = yield* makeCache
        const second = yield* makeCache
        const user = yield* first.get(new GetUser({ id: 1 }))
        assert.deepStrictEqual(yield* second.get(new GetUser({ id: 1 })), user)
        // Failures are cached too.
        assert.strictEqual(yield* Effect.flip(first.get(new GetUser({ id: 0 }))), "no such user")
        assert.strictEqual(yield* Effect.flip(second.get(new GetUser({ id: 0 }))), "no such user")
        assert.strictEqual(lookups, 2)
        const redis = yield* Redis.Redis
        assert.isAbove(yield* redis.pttl("p-cache:user-1"), 0)
      }).pipe(Effect.provide(RedisPersistence.layerResult)))
  })
}

/** `@effect/experimental`'s own ioredis-based store, on the same server. */
const ioredisStore = (storeId: string) =>
  Effect.gen(function*() {
    const { server } = yield* Endpoint
    const context = yield* Layer.build(IoRedisPersistence.layer({ host: server!.host, port: server!.port }))
    return yield* Context.get(context, Persistence.BackingPersistence).make(storeId)
  })

it.layer(standalone, { timeout: 60_000 })("RedisPersistence and the ioredis store of @effect/experimental", (it) => {
  it.scoped("read each other's entries and times to live", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.Redis
      const ours = yield* backing("p-compat")
      const theirs = yield* ioredisStore("p-compat")
      yield* theirs.set("from-ioredis", { by: "ioredis" }, Option.some(Duration.hours(1)))
      yield* ours.set("from-effect-redis", { by: "effect-redis" }, Option.some(Duration.hours(1)))
      assert.deepStrictEqual(yield* ours.get("from-ioredis"), Option.some({ by: "ioredis" }))
      assert.deepStrictEqual(yield* theirs.get("from-effect-redis"), Option.some({ by: "effect-redis" }))
      assert.deepStrictEqual(
        yield* theirs.getMany(["from-ioredis", "from-effect-redis"]),
        yield* ours.getMany(["from-ioredis", "from-effect-redis"])
      )
      assert.isAbove(yield* redis.pttl("p-compat:from-ioredis"), 0)
      assert.isAbove(yield* redis.pttl("p-compat:from-effect-redis"), 0)
      yield* ours.clear
      assert.deepStrictEqual(yield* theirs.get("from-ioredis"), Option.none())
    }))

  it.scoped("a ResultPersistence on either store reads the other's results", () =>
    Effect.gen(function*() {
      const exit = Exit.succeed({ name: "Ada", joined: new Date("2021-01-01T00:00:00.000Z") })
      const write = Effect.flatMap(Persistence.ResultPersistence, (persistence) =>
        Effect.flatMap(persistence.make({ storeId: "p-compat-result" }), (store) =>
          store.set(new GetUser({ id: 7 }), exit)))
      const read = Effect.flatMap(Persistence.ResultPersistence, (persistence) =>
        Effect.flatMap(persistence.make({ storeId: "p-compat-result" }), (store) =>
          store.get(new GetUser({ id: 7 }))))
      const { server } = yield* Endpoint
      yield* write.pipe(Effect.provide(IoRedisPersistence.layerResult({ host: server!.host, port: server!.port })))
      assert.deepStrictEqual(yield* read.pipe(Effect.provide(RedisPersistence.layerResult)), Option.some(exit))
    }))
})
