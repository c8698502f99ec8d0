import { Command, Commands, Redis, type RedisConfig, type RedisError, ReplyDecoder } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, Fiber, Option, Scope } from "effect"
import { blockedClients, calls, eventually } from "./utils.js"

const { blpop, get, incr, rpush } = Commands.commands

const failure = (exit: Exit.Exit<unknown, RedisError.RedisError>): RedisError.RedisError => {
  assert.isTrue(Exit.isFailure(exit), "expected a failure")
  return Option.getOrThrow(Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none())
}

const assertRefused = (error: RedisError.RedisError, context: string) => {
  assert.strictEqual(error._tag, "RedisArgumentError", context)
  assert.strictEqual(error._tag === "RedisArgumentError" && error.outcome, "not-sent", context)
  assert.include(error.message, "redis.reserve", context)
}

const client = (server: RedisServer.RedisServer, options: RedisConfig.Options = {}) =>
  Redis.make({ url: server.url, ...options }).pipe(Effect.provide(NodeTransport.layer))

/** Commands a caller could send through `raw` that would change the shared connection for everyone. */
const stateChanging: ReadonlyArray<ReadonlyArray<string>> = [
  ["SELECT", "2"],
  ["select", "2"],
  ["SUBSCRIBE", "iso:ch"],
  ["PSUBSCRIBE", "iso:*"],
  ["SSUBSCRIBE", "iso:shard"],
  ["UNSUBSCRIBE"],
  ["MONITOR"],
  ["WATCH", "iso:k"],
  ["UNWATCH"],
  ["MULTI"],
  ["EXEC"],
  ["DISCARD"],
  ["CLIENT", "REPLY", "ON"],
  ["CLIENT", "TRACKING", "ON"],
  ["client", "setname", "hijacked"],
  ["CLIENT", "NO-EVICT", "ON"],
  ["RESET"],
  ["HELLO", "2"],
  ["AUTH", "nobody", "secret"],
  ["QUIT"],
  ["READONLY"],
  ["READWRITE"],
  ["ASKING"],
  ["SCRIPT", "DEBUG", "YES"]
]

/** A spec a caller might declare for a command the client has no method for. */
const stateSpec = (name: string) => Command.spec(name, { flags: Command.Flags.connectionState, keys: undefined })
const MULTI = Command.make(stateSpec("MULTI"), ["MULTI"], ReplyDecoder.raw)
const EXEC = Command.make(stateSpec("EXEC"), ["EXEC"], ReplyDecoder.raw)
const WATCH = Command.make(stateSpec("WATCH"), ["WATCH", "iso:k"], ReplyDecoder.raw)

describe("isolation of the shared connection", () => {
  for (const protocol of [2, 3] as const) {
    it.scopedLive(
      `RESP${protocol}: refuses state-changing commands before sending them, raw and typed`,
      () =>
        Effect.gen(function*() {
          const server = yield* RedisServer.make()
          const redis = yield* client(server, { protocol })
          const admin = yield* client(server)
          const before = yield* Effect.all([calls(admin, "select"), calls(admin, "subscribe"), calls(admin, "multi")])
          for (const args of stateChanging) {
            assertRefused(failure(yield* Effect.exit(redis.raw(args))), args.join(" "))
          }
          assertRefused(failure(yield* Effect.exit(redis.clientNoEvict(true))), "clientNoEvict")
          const after = yield* Effect.all([calls(admin, "select"), calls(admin, "subscribe"), calls(admin, "multi")])
          assert.deepStrictEqual(after, before, "nothing reached the server")
          // The shared connection is as configured: database 0, not subscribed, and answers in step.
          const info = ReplyDecoder.text(yield* redis.raw(["CLIENT", "INFO"]))
          assert.include(info, " db=0 ")
          assert.include(info, " sub=0 ")
          yield* admin.set("iso:k", "v")
          const [first, second] = yield* Effect.all([redis.get("iso:k"), redis.raw(["ECHO", "mine"])], {
            concurrency: "unbounded"
          })
          assert.deepStrictEqual(first, Option.some("v"))
          assert.strictEqual(second, "mine")
        }),
      { timeout: 30_000 }
    )
  }

  it.scopedLive(
    "a complete MULTI … EXEC in one batch is allowed; a lone WATCH or MULTI is refused whole",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* client(server)
        assert.deepStrictEqual(yield* redis.transaction([incr("iso:n")]), [Either.right(1)])
        const [queued, , executed] = yield* redis.pipeline([MULTI, incr("iso:n"), EXEC])
        assert.deepStrictEqual(queued, Either.right("OK"))
        assert.deepStrictEqual(executed, Either.right([2]))
        for (const batch of [[WATCH, get("iso:n")], [MULTI, incr("iso:n")], [EXEC]]) {
          const results = yield* redis.pipeline(batch)
          for (const result of results) {
            assert.isTrue(Either.isLeft(result))
            if (Either.isLeft(result)) assertRefused(result.left, batch.map((command) => command.spec.name).join(" "))
          }
        }
        assert.deepStrictEqual(yield* redis.get("iso:n"), Option.some("2"), "the refused batches sent nothing")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "on a reserved connection they run, and that connection is closed afterwards",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* client(server)
        const scope = yield* Scope.make()
        const reserved = yield* Scope.extend(redis.reserve, scope)
        const id = yield* reserved.clientId()
        assert.strictEqual(yield* reserved.raw(["SELECT", "5"]), "OK")
        yield* reserved.set("iso:db5", "x")
        yield* reserved.clientNoEvict(true)
        const info = ReplyDecoder.text(yield* reserved.raw(["CLIENT", "INFO"]))
        assert.include(info, " db=5 ")
        assert.include(info, "flags=e")
        assert.isTrue(Option.isNone(yield* redis.get("iso:db5")), "the shared connection stayed in database 0")
        yield* Scope.close(scope, Exit.void)
        yield* eventually(redis.clientList(), (clients) => clients.every((c) => c["id"] !== String(id)), 10)

        // A subscription: its reply is the first confirmation, under either protocol.
        for (const protocol of [2, 3] as const) {
          const subscriber = yield* client(server, { protocol })
          const confirmation = yield* Effect.scoped(
            Effect.flatMap(subscriber.reserve, (own) => own.raw(["SUBSCRIBE", "iso:ch"]))
          )
          assert.deepStrictEqual(confirmation, ["subscribe", "iso:ch", 1], `RESP${protocol}`)
          yield* eventually(redis.pubsubNumsub("iso:ch"), (counts) => counts["iso:ch"] === 0, 10)
        }
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "CLIENT REPLY OFF and SKIP are refused everywhere: they take replies away",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* client(server)
        const reserved = yield* redis.reserve
        for (const mode of ["OFF", "SKIP"]) {
          for (const on of [redis, reserved]) {
            const error = failure(yield* Effect.exit(on.raw(["CLIENT", "REPLY", mode])))
            assert.strictEqual(error._tag, "RedisArgumentError")
            assert.strictEqual(error._tag === "RedisArgumentError" && error.outcome, "not-sent")
          }
        }
        assert.strictEqual(yield* reserved.raw(["CLIENT", "REPLY", "ON"]), "OK")
      }),
    { timeout: 30_000 }
  )
})

describe("blocking commands and timeouts", () => {
  it.scopedLive(
    "a pipeline with a blocking command runs on a pool connection: other callers go on",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* client(server, { commandTimeout: "500 millis" })
        const waiting = yield* Effect.fork(redis.pipeline([blpop(["iso:list"], 0)]))
        yield* eventually(blockedClients(redis), (blocked) => blocked === 1, 10)
        assert.isTrue(Option.isNone(yield* redis.get("iso:other")), "answered while the BLPOP blocks")
        yield* redis.execute(rpush("iso:list", ["x"]))
        assert.deepStrictEqual(yield* Fiber.join(waiting), [Either.right(Option.some(["iso:list", "x"] as const))])
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("a blocking command through raw runs on a pool connection", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const redis = yield* client(server)
      const waiting = yield* Effect.fork(redis.raw(["BLPOP", "iso:raw", "0"]))
      yield* eventually(blockedClients(redis), (blocked) => blocked === 1, 10)
      assert.strictEqual(yield* redis.raw(["ECHO", "free"]), "free")
      yield* redis.execute(rpush("iso:raw", ["y"]))
      assert.deepStrictEqual(yield* Fiber.join(waiting), ["iso:raw", "y"])
    }), { timeout: 30_000 })

  it.scopedLive(
    "a command behind a blocking one times out on time; its late reply is dropped",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* client(server, { commandTimeout: "500 millis" })
        const reserved = yield* redis.reserve
        const waiting = yield* Effect.fork(reserved.blpop(["iso:queue"], 0))
        yield* eventually(blockedClients(redis), (blocked) => blocked === 1, 10)
        const error = failure(yield* Effect.exit(reserved.get("iso:behind")))
        assert.strictEqual(error._tag, "RedisTimeoutError")
        assert.strictEqual(error._tag === "RedisTimeoutError" && error.outcome, "may-have-executed")
        yield* redis.execute(rpush("iso:queue", ["z"]))
        assert.deepStrictEqual(yield* Fiber.join(waiting), Option.some(["iso:queue", "z"] as const))
        yield* redis.set("iso:behind", "now")
        assert.deepStrictEqual(yield* reserved.get("iso:behind"), Option.some("now"), "still in step")
      }),
    { timeout: 30_000 }
  )
})
