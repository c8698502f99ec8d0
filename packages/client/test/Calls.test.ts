import { Commands, Redis, ReplyDecoder, Script } from "@effect-redis/client"
import type { PooledCommandError } from "@effect-redis/client/RedisError"
import { assert, describe, expectTypeOf, layer } from "@effect/vitest"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import { eventually, testLayer } from "./utils.js"

describe("one way to call a command", () => {
  layer(testLayer(), { timeout: 60_000, excludeTestServices: true })("calls", (it) => {
    const key = (name: string) => `calls:${name}`

    it.effect("a pipeline built with the service's methods is typed position by position", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const results = yield* redis.pipeline((r) => [r.set(key("a"), "1"), r.incr(key("n")), r.get(key("a"))])
        expectTypeOf(results).toEqualTypeOf<
          [
            Either.Either<boolean, PooledCommandError>,
            Either.Either<number, PooledCommandError>,
            Either.Either<Option.Option<string>, PooledCommandError>
          ]
        >()
        assert.deepStrictEqual(results, [Either.right(true), Either.right(1), Either.right(Option.some("1"))])
      }))

    it.effect("the builder is one shared object: Commands.commands itself", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const seen: Array<unknown> = []
        yield* redis.pipeline((r) => {
          seen.push(r)
          return [r.ping()]
        })
        yield* redis.transaction((r) => {
          seen.push(r)
          return [r.ping()]
        })
        yield* redis.binary.pipeline((r) => {
          seen.push(r)
          return [r.ping()]
        })
        assert.deepStrictEqual(seen.map((r) => r === Commands.commands), [true, true, true])
      }))

    it.effect("a transaction takes the builder too, and the array form still works", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const built = yield* redis.transaction((r) => [r.incr(key("t")), r.incrby(key("t"), 10)])
        expectTypeOf(built).toEqualTypeOf<
          [Either.Either<number, PooledCommandError>, Either.Either<number, PooledCommandError>]
        >()
        assert.deepStrictEqual(built, [Either.right(1), Either.right(11)])
        const { get } = Commands.commands
        const [value] = yield* redis.transaction([get(key("t"))])
        assert.deepStrictEqual(value, Either.right(Option.some("11")))
      }))

    it.effect("the binary view's builder returns bytes, and a reserved connection has the same vocabulary", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const [, value] = yield* redis.binary.pipeline((r) => [r.set(key("bin"), "hi"), r.get(key("bin"))])
        expectTypeOf(value).toEqualTypeOf<Either.Either<Option.Option<Uint8Array>, PooledCommandError>>()
        assert.deepStrictEqual(
          Either.map(value, Option.map((v) => Array.from(v))),
          Either.right(Option.some([104, 105]))
        )
        const reservedResults = yield* Effect.scoped(
          Effect.gen(function*() {
            const reserved = yield* redis.reserve
            return yield* reserved.pipeline((r) => [r.set(key("reserved"), "x"), r.strlen(key("reserved"))])
          })
        )
        assert.deepStrictEqual(reservedResults, [Either.right(true), Either.right(1)])
      }))

    it.effect("watch hands its body the builder, and takes one key or many", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.set(key("balance"), "100")
        const [written] = yield* redis.watch(key("balance"), (tx, r) =>
          Effect.map(tx.get(key("balance")), (balance) =>
            [
              r.set(key("balance"), String(Number(Option.getOrElse(balance, () => "0")) - 10))
            ] as const))
        expectTypeOf(written).toEqualTypeOf<Either.Either<boolean, PooledCommandError>>()
        assert.deepStrictEqual(written, Either.right(true))
        const [count] = yield* redis.watch(
          [key("balance"), key("other")],
          (_tx, r) => Effect.succeed([r.incr(key("w"))])
        )
        assert.deepStrictEqual(count, Either.right(1))
        assert.deepStrictEqual(yield* redis.get(key("balance")), Option.some("90"))
      }))

    it.effect("a list argument is one value or an array, in every family", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.set(key("d1"), "1")
        yield* redis.set(key("d2"), "2")
        assert.strictEqual(yield* redis.del(key("d1")), 1)
        assert.strictEqual(yield* redis.del([key("d2")]), 1)
        const id = Option.getOrThrow(yield* redis.xadd(key("s"), "*", { f: "v" }))
        const id2 = Option.getOrThrow(yield* redis.xadd(key("s"), "*", { f: "w" }))
        assert.strictEqual(yield* redis.xdel(key("s"), id), 1)
        assert.strictEqual(yield* redis.xdel(key("s"), [id2]), 1)
        // Commands whose arguments are all the list take them spread or as an array.
        assert.deepStrictEqual(
          Object.keys(yield* redis.configGet(["maxmemory", "maxclients"])).sort(),
          Object.keys(yield* redis.configGet("maxmemory", "maxclients")).sort()
        )
        assert.deepStrictEqual(
          yield* redis.pubsubNumsub([key("c1"), key("c2")]),
          { [key("c1")]: 0, [key("c2")]: 0 }
        )
      }))

    it.effect("subscribe takes channels as separate arguments or as an array", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const channels = [key("sub1"), key("sub2")]
        const received = yield* Effect.fork(
          redis.subscribe(channels).pipe(
            Stream.merge(redis.subscribe(key("sub3"), key("sub4"))),
            Stream.take(4),
            Stream.runCollect
          )
        )
        yield* eventually(
          redis.pubsubNumsub([...channels, key("sub3"), key("sub4")]),
          (counts) => Object.values(counts).every((n) => n === 1),
          10
        )
        for (const channel of [...channels, key("sub3"), key("sub4")]) yield* redis.publish(channel, channel)
        const messages = Chunk.toArray(yield* received.await.pipe(Effect.flatten))
        assert.deepStrictEqual(messages.map((m) => m.message).sort(), [...channels, key("sub3"), key("sub4")])
      }))

    it.effect("a script is a typed function: its calls run alone, in pipelines and in transactions, EVAL after a flush", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const incrementBy = Script.make("return redis.call('INCRBY', KEYS[1], ARGV[1])", ReplyDecoder.integer)
        const call = incrementBy([key("script")], [5])
        expectTypeOf(call).toEqualTypeOf<Script.ScriptCall<number>>()
        assert.strictEqual(call.script, incrementBy)
        assert.deepStrictEqual(call.args, Script.call(incrementBy, [key("script")], [5]).args)

        // Never loaded: EVALSHA meets NOSCRIPT, the call falls back to EVAL, which caches it.
        yield* redis.scriptFlush()
        const total: number = yield* redis.execute(call)
        assert.strictEqual(total, 5)
        assert.deepStrictEqual(yield* redis.scriptExists(incrementBy.sha1), [true])

        yield* redis.scriptFlush()
        const piped = yield* redis.pipeline((r) => [incrementBy([key("script")], [1]), r.get(key("script"))])
        expectTypeOf(piped).toEqualTypeOf<
          [Either.Either<number, PooledCommandError>, Either.Either<Option.Option<string>, PooledCommandError>]
        >()
        assert.deepStrictEqual(piped, [Either.right(6), Either.right(Option.some("6"))])

        yield* redis.scriptFlush()
        const queued = yield* redis.transaction((r) => [r.set(key("script"), "10"), incrementBy([key("script")], [2])])
        assert.deepStrictEqual(queued, [Either.right(true), Either.right(12)])
        assert.deepStrictEqual(yield* redis.scriptExists([incrementBy.sha1]), [true])

        const noArguments = Script.make("return 7", ReplyDecoder.integer, { readOnly: true })
        assert.strictEqual(yield* redis.execute(noArguments()), 7)
      }))
  })
})
