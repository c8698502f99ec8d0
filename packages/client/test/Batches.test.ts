import { Command, Commands, Redis, type RedisError, ReplyDecoder, Script } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, layer } from "@effect/vitest"
import { Effect, Either, Exit, Fiber, Option, Schedule, Stream } from "effect"
import { testLayer } from "./utils.js"

const { get, incr, lpush, set } = Commands.commands

describe("pipelines, transactions and scripts", () => {
  for (const protocol of [2, 3] as const) {
    layer(testLayer({ protocol }), { timeout: 60_000, excludeTestServices: true })(`RESP${protocol}`, (it) => {
      const key = (name: string) => `batch:${protocol}:${name}`

      it.effect("a pipeline returns one typed result per command, errors in place", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const [written, value, count, wrongType] = yield* redis.pipeline([
            set(key("p"), "v"),
            get(key("p")),
            incr(key("n")),
            lpush(key("p"), "x")
          ])
          assert.deepStrictEqual(written, Either.right(true))
          assert.deepStrictEqual(value, Either.right(Option.some("v")))
          assert.isTrue(Either.isRight(count))
          assert.isTrue(Either.isLeft(wrongType))
          if (Either.isLeft(wrongType)) {
            assert.strictEqual(wrongType.left._tag === "RedisReplyError" && wrongType.left.code, "WRONGTYPE")
          }
        }))

      it.effect("a pipeline of binary commands returns bytes", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const bytes = new Uint8Array([0, 255, 13, 10, 128])
          const [, value] = yield* redis.binary.pipeline([set(key("bin"), bytes), get(key("bin"))])
          assert.deepStrictEqual(
            Either.map(value, Option.map((v) => Array.from(v))),
            Either.right(Option.some([0, 255, 13, 10, 128]))
          )
        }))

      it.effect("a transaction applies every command and decodes each result", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const [a, b, c] = yield* redis.transaction([set(key("t"), "1"), incr(key("t")), get(key("t"))])
          assert.deepStrictEqual(a, Either.right(true))
          assert.deepStrictEqual(b, Either.right(2))
          assert.deepStrictEqual(c, Either.right(Option.some("2")))
        }))

      it.effect("a command refused while queueing aborts the transaction and names the command", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          // An unknown command passes the client and is refused by the server at queue time.
          const unknown = Command.make(
            Command.spec("NOSUCHCOMMAND", { keys: undefined }),
            ["NOSUCHCOMMAND"],
            ReplyDecoder.raw
          )
          const exit = yield* Effect.exit(
            redis.transaction([set(key("abort"), "1"), Commands.commands.incrby(key("abort"), 1), unknown])
          )
          assert.isTrue(Exit.isFailure(exit))
          const error = Exit.isFailure(exit) ? exit.cause : undefined
          const failure = error?._tag === "Fail" ? error.error : undefined
          assert.strictEqual(failure?._tag, "RedisTransactionError")
          if (failure?._tag === "RedisTransactionError") {
            assert.strictEqual(failure.reason, "Aborted")
            assert.strictEqual(failure.command, "NOSUCHCOMMAND")
          }
          assert.isTrue(Option.isNone(yield* redis.get(key("abort"))), "nothing was applied")
        }))

      it.effect("a runtime error stays in its position; the rest is applied", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          yield* redis.set(key("str"), "text")
          const [bad, good] = yield* redis.transaction([incr(key("str")), set(key("after"), "yes")])
          assert.isTrue(Either.isLeft(bad))
          assert.deepStrictEqual(good, Either.right(true))
        }))

      it.effect("a changed WATCHed key aborts the transaction, and retryOnConflict runs it again", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          yield* redis.set(key("balance"), "100")
          let attempts = 0
          const withdraw = redis.watch([key("balance")], (connection) =>
            Effect.gen(function*() {
              attempts++
              const balance = Number(Option.getOrThrow(yield* connection.get(key("balance"))))
              // Another client changes the key between the read and EXEC, once.
              if (attempts === 1) yield* redis.set(key("balance"), "90")
              return [set(key("balance"), String(balance - 30))] as const
            }))
          const conflict = yield* Effect.exit(withdraw)
          assert.isTrue(Exit.isFailure(conflict))
          const failure = Exit.isFailure(conflict) && conflict.cause._tag === "Fail" ? conflict.cause.error : undefined
          assert.strictEqual(failure?._tag === "RedisTransactionError" && failure.reason, "Conflict")
          assert.deepStrictEqual(
            yield* redis.get(key("balance")),
            Option.some("90"),
            "the aborted transaction applied nothing"
          )

          attempts = 0
          const [result] = yield* withdraw.pipe(Redis.retryOnConflict(Schedule.recurs(3)))
          assert.deepStrictEqual(result, Either.right(true))
          assert.strictEqual(attempts, 2)
          assert.deepStrictEqual(yield* redis.get(key("balance")), Option.some("60"))
        }))

      it.scoped("a watch body that changes its connection (SELECT, CLIENT SETNAME) has it closed, not lent again", () =>
        Effect.gen(function*() {
          const server = yield* RedisServer.RedisServer
          // One pooled connection: the next borrower would get the very one the body changed.
          const lone = yield* Redis.make({ url: server.url, protocol, pool: { max: 1 } }).pipe(
            Effect.provide(NodeTransport.layer)
          )
          yield* lone.watch([key("dirty")], (connection) =>
            Effect.gen(function*() {
              yield* connection.raw(["SELECT", "5"])
              yield* connection.raw(["CLIENT", "SETNAME", "dirty"])
              return [set(key("dirty"), "x")] as const
            }))
          const info = yield* Effect.scoped(
            Effect.flatMap(lone.reserve, (connection) => connection.raw(["CLIENT", "INFO"]))
          )
          assert.match(ReplyDecoder.text(info), / db=0 /)
          assert.notMatch(ReplyDecoder.text(info), / name=dirty /)
        }))

      it.effect("a watch body may not end its WATCH early: a transaction, EXEC or UNWATCH in it is refused", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const attempts: ReadonlyArray<(connection: Redis.Client) => Effect.Effect<unknown, RedisError.RedisError>> = [
            (connection) => connection.transaction([incr(key("audit"))]),
            (connection) => connection.raw(["UNWATCH"])
          ]
          for (const attempt of attempts) {
            const error = yield* Effect.flip(
              redis.watch(
                [key("guarded")],
                (connection) => Effect.as(attempt(connection), [set(key("guarded"), "x")] as const)
              )
            )
            assert.strictEqual(error._tag, "RedisArgumentError", error.message)
            assert.strictEqual(error._tag === "RedisArgumentError" && error.outcome, "not-sent")
          }
          assert.deepStrictEqual(yield* redis.get(key("audit")), Option.none(), "the inner transaction never ran")
          assert.deepStrictEqual(yield* redis.get(key("guarded")), Option.none(), "nor did the outer one")
        }))

      it.effect("a script runs by SHA1 and falls back to EVAL after SCRIPT FLUSH", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const incrementBy = Script.make("return redis.call('INCRBY', KEYS[1], ARGV[1])", ReplyDecoder.integer)
          assert.strictEqual(incrementBy.sha1, yield* redis.scriptLoad(incrementBy.lua))
          assert.strictEqual(yield* redis.execute(Script.call(incrementBy, [key("s")], [5])), 5)
          yield* redis.scriptFlush()
          assert.strictEqual(yield* redis.execute(Script.call(incrementBy, [key("s")], [5])), 10)
          yield* redis.scriptFlush()
          const [inPipeline] = yield* redis.pipeline([Script.call(incrementBy, [key("s")], [1])])
          assert.deepStrictEqual(inPipeline, Either.right(11))
          yield* redis.scriptFlush()
          const [inTransaction] = yield* redis.transaction([Script.call(incrementBy, [key("s")], [1])])
          assert.deepStrictEqual(inTransaction, Either.right(12))
        }))

      it.effect("SCAN as a stream returns each of 10,000 keys exactly once", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const names = Array.from({ length: 10_000 }, (_, i) => key(`scan:${i}`))
          yield* redis.pipeline(names.map((name) => set(name, "1")))
          const seen = yield* redis.scanStream({ match: key("scan:*"), count: 500 }).pipe(
            Stream.runCollect,
            Effect.map((chunk) => Array.from(chunk))
          )
          assert.strictEqual(seen.length, 10_000)
          assert.strictEqual(new Set(seen).size, 10_000)
        }))

      it.effect("HSCAN, SSCAN and ZSCAN streams cover the collection; interrupting stops early", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const fields = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]))
          yield* redis.hset(key("h"), fields)
          const pairs = yield* Stream.runCollect(redis.hscanStream(key("h"), { count: 50 }))
          assert.deepStrictEqual(Object.fromEntries(Array.from(pairs)), fields)
          yield* redis.sadd(key("set"), ["a", "b", "c"])
          assert.deepStrictEqual(Array.from(yield* Stream.runCollect(redis.sscanStream(key("set")))).sort(), [
            "a",
            "b",
            "c"
          ])
          yield* redis.zadd(key("z"), [[1, "one"], [2, "two"]])
          assert.deepStrictEqual(
            Array.from(yield* Stream.runCollect(redis.zscanStream(key("z")))).sort(),
            [["one", 1], ["two", 2]]
          )
          const firstTen = yield* Stream.runCollect(
            Stream.take(redis.scanStream({ match: key("scan:*"), count: 10 }), 10)
          )
          assert.strictEqual(firstTen.length, 10)
        }))

      it.effect("interrupting a pipeline leaves the connection in step", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const fiber = yield* Effect.fork(
            redis.pipeline(Array.from({ length: 1000 }, (_, i) => set(key(`i${i}`), "x")))
          )
          yield* Fiber.interrupt(fiber)
          assert.deepStrictEqual(yield* redis.get(key("i999")), Option.some("x"))
          assert.strictEqual(yield* redis.echo("still in step"), "still in step")
        }))
    })
  }
})
