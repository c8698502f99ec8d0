/**
 * One test per row of the README's table of outcomes: each error, in the
 * situation the table names, carries the outcome the table promises, and
 * the server's state shows the outcome is true.
 */
import { Command, Commands, Redis, type RedisConfig, type RedisError, ReplyDecoder } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { FaultProxy, RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Scope } from "effect"
import { closedPort, eventually, failure } from "./utils.js"

/** Fails `effect` and checks the error's tag, outcome and (when given) connection reason or reply code. */
const expectOutcome = <A, R>(
  effect: Effect.Effect<A, RedisError.RedisError, R>,
  tag: RedisError.RedisError["_tag"],
  outcome: RedisError.Outcome,
  detail?: string
) =>
  Effect.map(Effect.exit(effect), (exit) => {
    const error = failure(exit)
    assert.strictEqual(error._tag, tag, error.message)
    assert.strictEqual("outcome" in error ? error.outcome : undefined, outcome, error.message)
    if (detail !== undefined) {
      assert.strictEqual("reason" in error ? error.reason : "code" in error ? error.code : undefined, detail)
    }
    return error
  })

const client = (url: string, options: RedisConfig.Options = {}) =>
  Redis.make({ url, ...options }).pipe(Effect.provide(NodeTransport.layer))

/** A server and a client on it, both closed with the test's scope. */
const serve = (serverOptions: RedisServer.Options = {}, options: RedisConfig.Options = {}) =>
  Effect.gen(function*() {
    const server = yield* RedisServer.make(serverOptions)
    return { server, redis: yield* client(server.url, options) }
  })

/** A server, a fault proxy in front of it, a client through the proxy and an admin client to the server. */
const behindProxy = (options: RedisConfig.Options = {}) =>
  Effect.gen(function*() {
    const server = yield* RedisServer.make()
    const proxy = yield* FaultProxy.make({ port: server.port })
    return { proxy, redis: yield* client(proxy.url, options), admin: yield* client(server.url) }
  })

const spec = (name: string) => Command.spec(name, Command.keyless)

describe("outcomes", () => {
  it.scopedLive(
    "RedisArgumentError, not-sent: an invalid argument, or a state change on the shared connection",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* serve()
        yield* expectOutcome(redis.raw(["SET", "outcome:arg", Number.NaN]), "RedisArgumentError", "not-sent")
        yield* expectOutcome(redis.raw(["SELECT", "1"]), "RedisArgumentError", "not-sent")
        assert.isTrue(Option.isNone(yield* redis.get("outcome:arg")))
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "RedisConnectionError Connect or Handshake, not-sent: the client could not connect",
    () =>
      Effect.gen(function*() {
        const port = yield* closedPort
        yield* expectOutcome(client(`redis://127.0.0.1:${port}`), "RedisConnectionError", "not-sent", "Connect")
        const server = yield* RedisServer.make()
        yield* expectOutcome(client(server.url, { database: 99 }), "RedisConnectionError", "not-sent", "Handshake")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "RedisConnectionError Unavailable, not-sent: no room to wait for a connection",
    () =>
      Effect.gen(function*() {
        const { admin, proxy, redis } = yield* behindProxy({ offlineQueueSize: 0 })
        yield* proxy.refuse
        yield* proxy.closeAll
        yield* eventually(
          Effect.flip(redis.set("outcome:unavailable", "x")),
          (error) => error._tag === "RedisConnectionError" && error.reason === "Unavailable",
          10
        )
        yield* expectOutcome(redis.set("outcome:unavailable", "x"), "RedisConnectionError", "not-sent", "Unavailable")
        assert.isTrue(Option.isNone(yield* admin.get("outcome:unavailable")))
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "RedisConnectionError Lost, may-have-executed: the connection dropped with the command in flight",
    () =>
      Effect.gen(function*() {
        const { admin, proxy, redis } = yield* behindProxy()
        // The server runs the command; its reply never reaches the client.
        yield* proxy.stall("toClient")
        const inFlight = yield* Effect.fork(redis.set("outcome:lost", "applied"))
        yield* eventually(admin.get("outcome:lost"), Option.isSome, 10)
        yield* proxy.closeAll
        yield* expectOutcome(Fiber.join(inFlight), "RedisConnectionError", "may-have-executed", "Lost")
        assert.deepStrictEqual(yield* admin.get("outcome:lost"), Option.some("applied"), "it did execute")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("RedisTimeoutError, may-have-executed: written, no reply in time", () =>
    Effect.gen(function*() {
      const { admin, proxy, redis } = yield* behindProxy({ commandTimeout: "300 millis" })
      yield* proxy.stall("toClient")
      yield* expectOutcome(redis.set("outcome:timeout", "applied"), "RedisTimeoutError", "may-have-executed")
      assert.deepStrictEqual(yield* admin.get("outcome:timeout"), Option.some("applied"), "it did execute")
    }), { timeout: 30_000 })

  it.scopedLive(
    "RedisTimeoutError, not-sent: still waiting to be written when the time ran out",
    () =>
      Effect.gen(function*() {
        const { admin, proxy, redis } = yield* behindProxy({ commandTimeout: "300 millis" })
        yield* proxy.refuse
        yield* proxy.closeAll
        yield* eventually(Effect.sync(() => proxy.connections), (accepted) => accepted > 1, 10)
        yield* expectOutcome(redis.set("outcome:waited", "x"), "RedisTimeoutError", "not-sent")
        yield* proxy.passThrough
        yield* eventually(redis.ping(), () => true, 10)
        assert.isTrue(Option.isNone(yield* admin.get("outcome:waited")), "it never ran")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "RedisReplyError, rejected: the server refused the command and nothing ran",
    () =>
      Effect.gen(function*() {
        const { redis, server } = yield* serve({
          aclUsers: ["reader on >pw ~* +@all -set", "deaf on >pw ~* resetchannels +@all"],
          args: ["--busy-reply-threshold", "50"]
        })
        yield* redis.set("outcome:string", "x")
        yield* expectOutcome(redis.lpush("outcome:string", ["y"]), "RedisReplyError", "rejected", "WRONGTYPE")
        yield* expectOutcome(redis.raw(["SET", "outcome:syntax", "x", "NOPE"]), "RedisReplyError", "rejected", "ERR")
        yield* expectOutcome(redis.evalsha("0".repeat(40)), "RedisReplyError", "rejected", "NOSCRIPT")
        const reader = yield* client(`redis://reader:pw@127.0.0.1:${server.port}`)
        yield* expectOutcome(reader.set("outcome:acl", "x"), "RedisReplyError", "rejected", "NOPERM")
        const deaf = yield* client(`redis://deaf:pw@127.0.0.1:${server.port}`)
        yield* expectOutcome(
          Effect.scoped(deaf.subscription({ channels: ["outcome:channel"] })),
          "RedisReplyError",
          "rejected",
          "NOPERM"
        )
        assert.deepStrictEqual(yield* redis.pubsubNumsub("outcome:channel"), { "outcome:channel": 0 })
        assert.isTrue(Option.isNone(yield* redis.get("outcome:syntax")))
        assert.isTrue(Option.isNone(yield* redis.get("outcome:acl")))
        // BUSY: another client's script holds the server.
        const busy = yield* Effect.fork(Effect.exit(reader.eval("while true do end")))
        yield* eventually(Effect.flip(redis.get("outcome:string")), (error) => error._tag === "RedisReplyError", 10)
        yield* expectOutcome(redis.get("outcome:string"), "RedisReplyError", "rejected", "BUSY")
        yield* redis.raw(["SCRIPT", "KILL"])
        yield* Fiber.join(busy)

        const full = yield* serve({ args: ["--maxmemory", "1"] })
        yield* expectOutcome(full.redis.set("outcome:oom", "x"), "RedisReplyError", "rejected", "OOM")
        const replica = yield* serve({ args: ["--replicaof", "127.0.0.1", String(server.port)] })
        yield* expectOutcome(replica.redis.set("outcome:ro", "x"), "RedisReplyError", "rejected", "READONLY")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "RedisReplyError, may-have-executed: a script or MIGRATE failed after it may have written",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* serve()
        const writesThenFails = "redis.call('SET', KEYS[1], 'written'); return redis.call('LPUSH', KEYS[1], 'x')"
        yield* expectOutcome(
          redis.eval(writesThenFails, ["outcome:script"]),
          "RedisReplyError",
          "may-have-executed",
          "WRONGTYPE"
        )
        assert.deepStrictEqual(yield* redis.get("outcome:script"), Option.some("written"), "the write stayed")
        yield* redis.set("outcome:migrated", "x")
        const port = yield* closedPort
        yield* expectOutcome(
          redis.migrate("127.0.0.1", port, ["outcome:migrated"], 0, 200),
          "RedisReplyError",
          "may-have-executed",
          "IOERR"
        )
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("RedisTransactionError, not-sent: the transaction applied nothing", () =>
    Effect.gen(function*() {
      const { redis } = yield* serve()
      const wrongArity = Command.make(spec("INCR"), ["INCR"], ReplyDecoder.raw)
      yield* expectOutcome(
        redis.transaction([Commands.commands.set("outcome:tx", "x"), wrongArity]),
        "RedisTransactionError",
        "not-sent"
      )
      assert.isTrue(Option.isNone(yield* redis.get("outcome:tx")))
      yield* redis.set("outcome:watched", "0")
      yield* expectOutcome(
        redis.watch(["outcome:watched"], () =>
          Effect.as(redis.set("outcome:watched", "changed"), [Commands.commands.set("outcome:watched", "mine")])),
        "RedisTransactionError",
        "not-sent"
      )
      assert.deepStrictEqual(yield* redis.get("outcome:watched"), Option.some("changed"))
    }), { timeout: 30_000 })

  it.scopedLive(
    "RedisDecodeError, may-have-executed: the reply had an unexpected shape; the command ran",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* serve()
        const setAsInteger = Command.make(spec("SET"), ["SET", "outcome:decode", "x"], ReplyDecoder.integer)
        yield* expectOutcome(redis.execute(setAsInteger), "RedisDecodeError", "may-have-executed")
        assert.deepStrictEqual(yield* redis.get("outcome:decode"), Option.some("x"))
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "RedisClosedError: not-sent after the client closed, may-have-executed if closed in flight",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const proxy = yield* FaultProxy.make({ port: server.port })
        const scope = yield* Scope.make()
        const redis = yield* Scope.extend(client(proxy.url, { closeTimeout: "100 millis" }), scope)
        yield* proxy.stall("toClient")
        const inFlight = yield* Effect.fork(redis.set("outcome:closing", "x"))
        yield* eventually(Effect.sync(() => proxy.received("toClient")), (bytes) => bytes > 0, 10)
        yield* Scope.close(scope, Exit.void)
        yield* expectOutcome(Fiber.join(inFlight), "RedisClosedError", "may-have-executed")
        yield* expectOutcome(redis.get("outcome:closing"), "RedisClosedError", "not-sent")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("RedisPoolError, not-sent: no pool connection became free in time", () =>
    Effect.gen(function*() {
      const { redis } = yield* serve({}, { pool: { max: 1, acquireTimeout: "200 millis" } })
      yield* redis.reserve
      yield* expectOutcome(Effect.scoped(redis.reserve), "RedisPoolError", "not-sent")
    }), { timeout: 30_000 })
})
