import { Commands, Redis, type RedisConfig, ReplyDecoder } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { FakeServer, RedisServer } from "@effect-redis/testing"
import { assert, describe, it, layer } from "@effect/vitest"
import { Cause, Effect, Either, Exit, Fiber, Option, Random, Scope } from "effect"
import { isBare } from "../src/internal/bareAsync.js"
import { eventually, failure, recordingTransport, testLayer } from "./utils.js"

/**
 * A server of its own and a client on it, both closed with the test's
 * scope; `wires` records the client's sockets, in the order they connected.
 */
const connect = (options: RedisConfig.Options = {}, serverOptions: RedisServer.Options = {}) =>
  Effect.gen(function*() {
    const server = yield* RedisServer.make(serverOptions)
    const { layer, wires } = recordingTransport()
    const redis = yield* Redis.make({ url: server.url, ...options }).pipe(Effect.provide(layer))
    return { server, redis, wires }
  })

/** How many times `text` occurs in `within`. */
const occurrences = (within: string, text: string) => within.split(text).length - 1

describe("Connection", () => {
  // Commands wait on the runtime's own asynchronous instruction, whose shape
  // is checked on first use; an Effect release that changes it would make
  // every command silently slower (`Effect.async` instead).
  it("waits for replies on Effect's own asynchronous instruction, not the slower Effect.async", () => {
    assert.isTrue(isBare())
  })

  for (const protocol of [2, 3] as const) {
    layer(testLayer({ protocol }), { timeout: 60_000, excludeTestServices: true })(`RESP${protocol}`, (it) => {
      it.effect("answers commands from many fibers in order", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const replies = yield* Effect.forEach(
            Array.from({ length: 1000 }, (_, i) => i),
            (i) => redis.raw(["ECHO", `m${i}`]),
            { concurrency: "unbounded" }
          )
          replies.forEach((reply, i) => assert.strictEqual(reply, `m${i}`))
        }))

      it.effect("runs a command's effect again each time it runs, also from fibers at once", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const key = `conn:${protocol}:rerun`
          yield* redis.del(key)
          const incr = redis.incr(key)
          assert.deepStrictEqual(yield* Effect.replicateEffect(incr, 3), [1, 2, 3])
          const together = yield* Effect.all(Array.from({ length: 100 }, () => incr), { concurrency: "unbounded" })
          assert.deepStrictEqual([...together].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i + 4))
          assert.deepStrictEqual(yield* redis.get(key), Option.some("103"))
        }))

      it.effect("reports an error reply with its code", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          yield* redis.raw(["SET", `conn:${protocol}:str`, "x"])
          const error = failure(yield* Effect.exit(redis.raw(["LPUSH", `conn:${protocol}:str`, "y"])))
          assert.strictEqual(error._tag, "RedisReplyError")
          assert.strictEqual(error._tag === "RedisReplyError" && error.code, "WRONGTYPE")
          assert.strictEqual(error._tag === "RedisReplyError" && error.command, "LPUSH")
        }))

      it.effect("survives 10,000 commands with random interrupts", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const fibers = yield* Effect.forEach(
            Array.from({ length: 10_000 }, (_, i) => i),
            (i) => Effect.fork(Effect.map(redis.raw(["ECHO", String(i)]), (reply) => [i, reply] as const))
          )
          let interrupted = 0
          for (const fiber of fibers) {
            if ((yield* Random.nextIntBetween(0, 3)) === 0) {
              yield* Fiber.interruptFork(fiber)
              interrupted++
            }
          }
          let answered = 0
          for (const fiber of fibers) {
            const exit = yield* Fiber.await(fiber)
            if (Exit.isSuccess(exit)) {
              const [i, reply] = exit.value
              assert.strictEqual(reply, String(i))
              answered++
            } else {
              assert.isTrue(Cause.isInterruptedOnly(exit.cause))
            }
          }
          assert.isAtLeast(answered, 10_000 - interrupted)
          // The connection is still in step.
          assert.strictEqual(yield* redis.raw(["ECHO", "after"]), "after")
        }))
    })
  }

  it.scopedLive(
    "fails in-flight commands as may-have-executed when the server dies, and recovers after restart",
    () =>
      Effect.gen(function*() {
        const { redis, server, wires } = yield* connect()
        // Paused, the server takes the bytes but answers nothing: every command is in flight…
        yield* server.pause
        const load = yield* Effect.forEach(
          Array.from({ length: 2000 }, (_, i) => i),
          (i) => Effect.fork(Effect.exit(redis.raw(["SET", `k${i}`, "v"])))
        )
        // …once the client has written it.
        yield* eventually(Effect.sync(() => occurrences(wires[0]!.written, "$3\r\nSET\r\n")), (n) => n === 2000, 10)
        yield* server.kill
        for (const fiber of load) {
          const error = failure(yield* Fiber.join(fiber))
          assert.strictEqual(error._tag, "RedisConnectionError")
          assert.strictEqual(error._tag === "RedisConnectionError" && error.reason, "Lost")
          assert.strictEqual(error._tag === "RedisConnectionError" && error.outcome, "may-have-executed")
        }
        const later = yield* Effect.fork(redis.raw(["SET", "after", "restart"]))
        yield* server.start
        assert.strictEqual(yield* Fiber.join(later), "OK")
        assert.strictEqual(yield* redis.raw(["GET", "after"]), "restart")
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("times out against a stalled server, then drops the late reply", () =>
    Effect.gen(function*() {
      const { redis, server } = yield* connect({ commandTimeout: "300 millis" })
      yield* server.pause
      const error = failure(yield* Effect.exit(redis.raw(["ECHO", "late"])))
      assert.strictEqual(error._tag, "RedisTimeoutError")
      assert.strictEqual(error._tag === "RedisTimeoutError" && error.outcome, "may-have-executed")
      yield* server.resume
      assert.strictEqual(yield* redis.raw(["ECHO", "on time"]), "on time")
    }), { timeout: 30_000 })

  it.scopedLive("writes a pipeline or a transaction in one write when nothing else is in flight", () =>
    Effect.gen(function*() {
      const { redis, wires } = yield* connect()
      const wire = wires[0]!
      const sets = (name: string) =>
        Array.from({ length: 100 }, (_, i) => Commands.commands.set(`conn:one-write:${name}:${i}`, "v"))
      const before = wire.writes
      const piped = yield* redis.pipeline(sets("p"))
      assert.strictEqual(wire.writes - before, 1)
      assert.isTrue(piped.every((result) => Either.isRight(result) && result.right === true))
      const applied = yield* redis.transaction(sets("t"))
      assert.strictEqual(wire.writes - before, 2)
      assert.isTrue(applied.every((result) => Either.isRight(result) && result.right === true))
    }))

  it.scopedLive("reconnects after CLIENT KILL with its database and name intact", () =>
    Effect.gen(function*() {
      const { redis, server } = yield* connect({ database: 3, clientName: "kill-test" })
      const admin = yield* Redis.make({ url: server.url }).pipe(Effect.provide(NodeTransport.layer))
      const before = yield* redis.raw(["CLIENT", "ID"])
      yield* admin.raw(["CLIENT", "KILL", "ID", String(before)])
      const info = ReplyDecoder.text(yield* Effect.retry(redis.raw(["CLIENT", "INFO"]), { times: 20 }))
      assert.include(info, "name=kill-test")
      assert.include(info, " db=3 ")
      assert.notStrictEqual(yield* redis.raw(["CLIENT", "ID"]), before)
    }), { timeout: 30_000 })

  it.scopedLive(
    "holds commands while reconnecting and runs them once the server is back",
    () =>
      Effect.gen(function*() {
        const { redis, server, wires } = yield* connect()
        yield* server.kill
        yield* eventually(Effect.sync(() => wires[0]!.closed), (closed) => closed, 10)
        const waiting = yield* Effect.fork(redis.raw(["ECHO", "queued"]))
        yield* server.start
        assert.strictEqual(yield* Fiber.join(waiting), "queued")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("fails at once while disconnected when the offline queue is off", () =>
    Effect.gen(function*() {
      const { redis, server, wires } = yield* connect({ offlineQueueSize: 0 })
      yield* server.kill
      yield* eventually(Effect.sync(() => wires[0]!.closed), (closed) => closed, 10)
      const error = failure(yield* Effect.exit(redis.raw(["PING"])))
      assert.strictEqual(error._tag, "RedisConnectionError")
      assert.strictEqual(error._tag === "RedisConnectionError" && error.reason, "Unavailable")
      assert.strictEqual(error._tag === "RedisConnectionError" && error.outcome, "not-sent")
    }), { timeout: 30_000 })

  it.scopedLive("refuses commands after its scope closed", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const scope = yield* Scope.make()
      const redis = yield* Redis.make({ url: server.url }).pipe(
        Effect.provide(NodeTransport.layer),
        Scope.extend(scope)
      )
      assert.strictEqual(yield* redis.raw(["PING"]), "PONG")
      yield* Scope.close(scope, Exit.void)
      const error = failure(yield* Effect.exit(redis.raw(["PING"])))
      assert.strictEqual(error._tag, "RedisClosedError")
    }), { timeout: 30_000 })

  it.scopedLive(
    "authenticates with a password and reports a wrong one without echoing it",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make({ password: "correct-horse" })
        const redis = yield* Redis.make({ url: server.url, password: "correct-horse" }).pipe(
          Effect.provide(NodeTransport.layer)
        )
        assert.strictEqual(yield* redis.raw(["PING"]), "PONG")
        for (const protocol of [2, 3] as const) {
          const wrong = failure(
            yield* Effect.exit(
              Redis.make({ url: server.url, password: "battery-staple", protocol }).pipe(
                Effect.provide(NodeTransport.layer)
              )
            )
          )
          assert.strictEqual(wrong._tag, "RedisAuthError")
          assert.notInclude(wrong.message, "battery-staple")
          assert.notInclude(JSON.stringify(wrong), "battery-staple")
        }
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("surfaces a missing ACL permission as NOPERM", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ aclUsers: ["reader on >pw ~* +get +ping +hello +client|setname"] })
      const redis = yield* Redis.make({ url: `redis://reader:pw@127.0.0.1:${server.port}` }).pipe(
        Effect.provide(NodeTransport.layer)
      )
      assert.isTrue(Option.isNone(Option.fromNullable(yield* redis.raw(["GET", "missing"]))))
      const error = failure(yield* Effect.exit(redis.raw(["SET", "k", "v"])))
      assert.strictEqual(error._tag === "RedisReplyError" && error.code, "NOPERM")
    }), { timeout: 30_000 })

  it.scopedLive("connects over TLS with the test CA", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ tls: true })
      const tls = server.tls!
      const redis = yield* Redis.make({ url: tls.url, tls: { ca: tls.ca } }).pipe(Effect.provide(NodeTransport.layer))
      assert.strictEqual(yield* redis.raw(["ECHO", "secure"]), "secure")
      const withClientCert = yield* Redis.make({
        url: tls.url,
        tls: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey }
      }).pipe(Effect.provide(NodeTransport.layer))
      assert.strictEqual(yield* withClientCert.raw(["PING"]), "PONG")
      const untrusted = failure(
        yield* Effect.exit(Redis.make({ url: tls.url }).pipe(Effect.provide(NodeTransport.layer)))
      )
      assert.strictEqual(untrusted._tag === "RedisConnectionError" && untrusted.reason, "Connect")
    }), { timeout: 30_000 })

  it.scopedLive("connects over a Unix socket", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ unixSocket: true })
      const redis = yield* Redis.make({ url: `unix://${server.socketPath}?db=2` }).pipe(
        Effect.provide(NodeTransport.layer)
      )
      assert.include(ReplyDecoder.text(yield* redis.raw(["CLIENT", "INFO"])), " db=2 ")
    }), { timeout: 30_000 })

  it.scopedLive("fails with a typed error when nothing listens", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      yield* server.stop
      const error = failure(
        yield* Effect.exit(Redis.make({ url: server.url }).pipe(Effect.provide(NodeTransport.layer)))
      )
      assert.strictEqual(error._tag === "RedisConnectionError" && error.reason, "Connect")
      assert.include(error.message, `127.0.0.1:${server.port}`)
    }), { timeout: 30_000 })

  it.scopedLive("resets the connection on garbage bytes and keeps working", () =>
    Effect.gen(function*() {
      let calls = 0
      const fake = yield* FakeServer.make((command, connection) => {
        calls++
        // Call 1 is the handshake's PING; call 2 is the test's command.
        connection.write(calls === 2 ? "?this is not RESP\r\n" : `+${command.join(" ")}\r\n`)
      })
      const redis = yield* Redis.make({ url: fake.url, protocol: 2 }).pipe(Effect.provide(NodeTransport.layer))
      const error = failure(yield* Effect.exit(redis.raw(["PING"])))
      assert.strictEqual(error._tag, "RedisConnectionError")
      assert.include(error.message, "invalid RESP")
      assert.strictEqual(yield* Effect.retry(redis.raw(["PING"]), { times: 20 }), "PING")
    }), { timeout: 30_000 })

  it.scopedLive("closing waits for replies in flight, within the close bound", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ enableDebugCommand: true })
      const { layer, wires } = recordingTransport()
      /** Until the client's latest socket has written a DEBUG SLEEP: it is in flight from then on. */
      const sent = eventually(Effect.sync(() => wires.at(-1)?.written ?? ""), (text) => text.includes("SLEEP"), 10)
      const scope = yield* Scope.make()
      const redis = yield* Redis.make({ url: server.url }).pipe(Effect.provide(layer), Scope.extend(scope))
      const slow = yield* Effect.fork(redis.raw(["DEBUG", "SLEEP", "0.3"]))
      yield* sent
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(yield* Fiber.join(slow), "OK")

      const bounded = yield* Scope.make()
      const impatient = yield* Redis.make({ url: server.url, closeTimeout: "100 millis" }).pipe(
        Effect.provide(layer),
        Scope.extend(bounded)
      )
      const tooSlow = yield* Effect.fork(impatient.raw(["DEBUG", "SLEEP", "2"]))
      yield* sent
      yield* Scope.close(bounded, Exit.void)
      const error = failure(yield* Fiber.await(tooSlow))
      assert.strictEqual(error._tag, "RedisClosedError")
      assert.strictEqual(error._tag === "RedisClosedError" && error.outcome, "may-have-executed")
    }), { timeout: 30_000 })

  it.scopedLive(
    "the health check replaces a connection to a server that stopped answering",
    () =>
      Effect.gen(function*() {
        const { redis, server, wires } = yield* connect({
          healthCheckInterval: "100 millis",
          commandTimeout: "300 millis",
          connectTimeout: "300 millis"
        })
        const before = yield* redis.raw(["CLIENT", "ID"])
        yield* server.pause
        // The health check's PING timed out and the client dropped the connection.
        yield* eventually(Effect.sync(() => wires[0]!.closed), (closed) => closed, 10)
        yield* server.resume
        const after = yield* Effect.retry(redis.raw(["CLIENT", "ID"]), { times: 20 })
        assert.notStrictEqual(after, before, "a new connection was made")
      }),
    { timeout: 30_000 }
  )
})
