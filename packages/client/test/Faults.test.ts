import { Commands, Redis, type RedisConfig, type RedisError } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { FakeServer, FaultProxy, RedisServer } from "@effect-redis/testing"
import { assert, describe, it, vi } from "@effect/vitest"
import { Cause, Effect, Either, Exit, Fiber, Option, Runtime, Schedule, Scope } from "effect"
import { calls, eventually } from "./utils.js"

const { incr } = Commands.commands

const failure = (exit: Exit.Exit<unknown, RedisError.RedisError>): RedisError.RedisError => {
  assert.isTrue(Exit.isFailure(exit), "expected a failure")
  return Option.getOrThrow(Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none())
}

/** A server, a fault proxy in front of it, a client through the proxy and an admin client straight to the server. */
const setup = (options: RedisConfig.Options = {}) =>
  Effect.gen(function*() {
    const server = yield* RedisServer.make()
    const proxy = yield* FaultProxy.make({ port: server.port })
    const redis = yield* Redis.make({ url: proxy.url, ...options }).pipe(Effect.provide(NodeTransport.layer))
    const admin = yield* Redis.make({ url: server.url }).pipe(Effect.provide(NodeTransport.layer))
    return { proxy, redis, admin }
  })

/** Drops the client's connection and refuses new ones, until the client has tried (and failed) to reconnect. */
const disconnect = (proxy: FaultProxy.FaultProxy) =>
  Effect.gen(function*() {
    const before = proxy.connections
    yield* proxy.refuse
    yield* proxy.closeAll
    yield* eventually(Effect.sync(() => proxy.connections), (accepted) => accepted > before, 10)
  })

/**
 * Runs `effect` in a fiber started at once, on this thread, up to its first
 * wait: a command it sends is written or queued when this returns.
 */
const startNow = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.runtime<never>(), (runtime) => Runtime.runFork(runtime)(effect, { immediate: true }))

const incrs = (key: string, count: number) => Array.from({ length: count }, () => incr(key))

const hour = 3_600_000

describe("faults", () => {
  it.scopedLive(
    "a transaction waiting for a reconnect expires whole: none of it runs afterwards",
    () =>
      Effect.gen(function*() {
        const { admin, proxy, redis } = yield* setup({ commandTimeout: "1 second" })
        yield* disconnect(proxy)
        // A clock that jumps while the commands are queued: "past" makes every reading an hour behind; "jump"
        // makes the first reading an hour behind and every later one an hour ahead, so that commands queued
        // one by one would get deadlines two hours apart.
        const realNow = Date.now.bind(Date)
        let mode: "off" | "past" | "jump" = "off"
        let jumped = false
        const clock = vi.spyOn(Date, "now").mockImplementation(() => {
          if (mode === "off") return realNow()
          if (mode === "past" || !jumped) {
            jumped = mode === "jump"
            return realNow() - hour
          }
          return realNow() + hour
        })
        yield* Effect.addFinalizer(() => Effect.sync(() => clock.mockRestore()))
        // Queued first and already overdue: once it has expired, the sweep has been past the transaction.
        const probe = yield* startNow(Effect.zipRight(Effect.sync(() => mode = "past"), redis.raw(["PING"])))
        const transaction = yield* startNow(
          Effect.zipRight(Effect.sync(() => mode = "jump"), redis.transaction(incrs("faults:tx", 100)))
        )
        mode = "off"
        clock.mockRestore()
        const expired = failure(yield* Fiber.await(probe))
        assert.strictEqual(expired._tag === "RedisTimeoutError" && expired.outcome, "not-sent")
        yield* proxy.passThrough
        assert.strictEqual(yield* redis.raw(["PING"]), "PONG", "reconnected; everything queued before was handled")
        assert.strictEqual(yield* calls(admin, "incr"), 0, "no INCR ran outside its transaction")
        const outcome = failure(yield* Fiber.await(transaction))
        assert.strictEqual(outcome._tag, "RedisTimeoutError")
        assert.strictEqual(outcome._tag === "RedisTimeoutError" && outcome.outcome, "not-sent")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "an interrupted command, pipeline or transaction waiting for a reconnect is never sent",
    () =>
      Effect.gen(function*() {
        const { admin, proxy, redis } = yield* setup()
        yield* disconnect(proxy)
        const command = yield* startNow(redis.incr("faults:command"))
        const pipeline = yield* startNow(redis.pipeline(incrs("faults:pipeline", 20)))
        const transaction = yield* startNow(redis.transaction(incrs("faults:transaction", 20)))
        yield* Fiber.interrupt(command)
        yield* Fiber.interrupt(pipeline)
        yield* Fiber.interrupt(transaction)
        yield* proxy.passThrough
        assert.strictEqual(yield* redis.raw(["PING"]), "PONG", "reconnected; everything queued before was handled")
        assert.strictEqual(yield* calls(admin, "incr"), 0)
        assert.strictEqual(yield* calls(admin, "multi"), 0)
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "writes are bounded: beyond writeBufferSize commands fail at once, and an unwritable connection is reset",
    () =>
      Effect.gen(function*() {
        const { proxy, redis } = yield* setup({ commandTimeout: "5 seconds", writeBufferSize: 4 * 1024 * 1024 })
        // The server side stops reading: a large write cannot leave the client's socket.
        yield* proxy.stall("toServer")
        const stuck = yield* startNow(Effect.exit(redis.set("faults:big", "b".repeat(32 * 1024 * 1024))))
        const megabyte = "m".repeat(1024 * 1024)
        const later = yield* Effect.forEach(
          Array.from({ length: 10 }, (_, i) => i),
          (i) => startNow(Effect.exit(redis.set(`faults:m${i}`, megabyte)))
        )
        // Beyond the bound: failed at once, while the first connection still stands.
        const done = () => later.map((fiber) => fiber.unsafePoll()).filter((exit) => exit !== null)
        const refused = yield* eventually(Effect.sync(done), (exits) => exits.length > 0, 10)
        assert.strictEqual(proxy.connections, 1, "refused before the timeout, not after it")
        for (const exit of refused) {
          const error = failure(Exit.flatten(exit))
          assert.strictEqual(error._tag === "RedisConnectionError" && error.reason, "Unavailable")
          assert.strictEqual(error._tag === "RedisConnectionError" && error.outcome, "not-sent")
        }
        // Unwritable past the command timeout: the connection is replaced.
        yield* eventually(Effect.sync(() => proxy.connections), (accepted) => accepted >= 2, 10)
        const head = failure(yield* Fiber.join(stuck))
        assert.strictEqual(head._tag === "RedisTimeoutError" && head.outcome, "may-have-executed")
        const waited = failure(yield* Fiber.join(later[0]!))
        assert.strictEqual(waited._tag === "RedisTimeoutError" && waited.outcome, "not-sent", "never written")
        yield* proxy.passThrough
        yield* eventually(redis.set("faults:after", "ok"), () => true, 10)
      }),
    { timeout: 30_000 }
  )

  for (const protocol of [2, 3] as const) {
    it.scopedLive(
      `RESP${protocol}: a handshake nobody answers fails within the connect timeout`,
      () =>
        Effect.gen(function*() {
          const { proxy } = yield* setup()
          yield* proxy.blackHole
          const error = failure(
            yield* Effect.exit(
              Redis.make({ url: proxy.url, protocol, connectTimeout: "500 millis" }).pipe(
                Effect.provide(NodeTransport.layer)
              )
            )
          )
          assert.strictEqual(error._tag === "RedisConnectionError" && error.reason, "Handshake")
          assert.strictEqual(error._tag === "RedisConnectionError" && error.outcome, "not-sent")
        }),
      { timeout: 30_000 }
    )
  }

  it.scopedLive(
    "a connection that ends during the handshake fails it as a handshake whose commands were not sent",
    () =>
      Effect.gen(function*() {
        const closing = yield* FakeServer.make((_, connection) => connection.destroy())
        const garbled = yield* FakeServer.make((_, connection) => connection.write("garbage\r\n"))
        for (
          const [fake, message] of [
            [closing, "The server closed the connection during the Redis handshake"],
            [garbled, "The server answered the Redis handshake with invalid RESP"]
          ] as const
        ) {
          const error = failure(
            yield* Effect.exit(Redis.make({ url: fake.url }).pipe(Effect.provide(NodeTransport.layer)))
          )
          assert.strictEqual(error._tag === "RedisConnectionError" && error.reason, "Handshake", error.message)
          assert.strictEqual(error._tag === "RedisConnectionError" && error.outcome, "not-sent")
          assert.include(error.message, message)
        }
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "a handshake overtaken by a clock jump still fails as a handshake within the connect timeout",
    () =>
      Effect.gen(function*() {
        const { proxy } = yield* setup()
        yield* proxy.blackHole
        const before = proxy.received("toServer")
        const realNow = Date.now.bind(Date)
        let ahead = 0
        const clock = vi.spyOn(Date, "now").mockImplementation(() => realNow() + ahead)
        yield* Effect.addFinalizer(() => Effect.sync(() => clock.mockRestore()))
        const scope = yield* Effect.scope
        const connecting = yield* startNow(Effect.exit(
          Redis.make({ url: proxy.url, connectTimeout: "500 millis" }).pipe(
            Effect.provide(NodeTransport.layer),
            Scope.extend(scope)
          )
        ))
        // Once the handshake is written, the clock jumps an hour: its commands look overdue before the
        // connect timeout's own timer fires.
        yield* eventually(Effect.sync(() => proxy.received("toServer")), (bytes) => bytes > before, 10)
        ahead = hour
        const error = failure(yield* Fiber.join(connecting))
        assert.strictEqual(error._tag === "RedisConnectionError" && error.reason, "Handshake", error.message)
        assert.strictEqual(error._tag === "RedisConnectionError" && error.outcome, "not-sent")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "a handshake that times out leaves nothing behind for an attempt made at once",
    () =>
      Effect.gen(function*() {
        // The first connection serves, then drops; the second never answers HELLO; the rest serve.
        const connections: Array<FakeServer.FakeConnection> = []
        const fake = yield* FakeServer.make((command, connection) => {
          if (!connections.includes(connection)) connections.push(connection)
          const number = connections.indexOf(connection) + 1
          if (command[0]!.toUpperCase() === "HELLO") {
            if (number !== 2) connection.write("%1\r\n+proto\r\n:3\r\n")
          } else {
            connection.write(`+from-${number}\r\n`)
          }
        })
        // No delay between attempts: the next one starts before the timed-out socket reports its close.
        const redis = yield* Redis.make({
          url: fake.url,
          connectTimeout: "300 millis",
          commandTimeout: "10 seconds",
          reconnectSchedule: Schedule.forever
        }).pipe(Effect.provide(NodeTransport.layer))
        assert.strictEqual(yield* redis.raw(["ECHO", "x"]), "from-1")
        connections[0]!.destroy()
        yield* eventually(Effect.sync(() => fake.connections), (accepted) => accepted >= 2, 10)
        // Waits for a connection: the third, whose HELLO reply must be its own handshake's.
        assert.strictEqual(yield* redis.raw(["ECHO", "y"]), "from-3")
        assert.strictEqual(fake.connections, 3)
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "a reply stuck half-way resets the connection; what waits goes to the new one",
    () =>
      Effect.gen(function*() {
        const { proxy, redis } = yield* setup({ commandTimeout: "1 second" })
        yield* redis.set("faults:value", "v".repeat(100_000))
        yield* proxy.stallAfter("toClient", 50)
        const stuck = yield* startNow(Effect.exit(redis.get("faults:value")))
        const behind = yield* startNow(Effect.exit(redis.raw(["ECHO", "behind"])))
        const timedOut = failure(yield* Fiber.join(stuck))
        assert.strictEqual(timedOut._tag === "RedisTimeoutError" && timedOut.outcome, "may-have-executed")
        // In flight behind it: timed out too, or failed with the connection.
        const lost = failure(yield* Fiber.join(behind))
        assert.include(["RedisTimeoutError", "RedisConnectionError"], lost._tag)
        assert.strictEqual("outcome" in lost && lost.outcome, "may-have-executed")
        // The new connection's handshake is stalled too: a command sent now waits for it.
        yield* eventually(Effect.sync(() => proxy.connections), (accepted) => accepted >= 2, 10)
        const waiting = yield* startNow(redis.raw(["ECHO", "waiting"]))
        yield* proxy.passThrough
        assert.strictEqual(yield* Fiber.join(waiting), "waiting")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "an unfinished reply from a server that then says nothing resets the connection",
    () =>
      Effect.gen(function*() {
        let stuck = false
        const fake = yield* FakeServer.make((command, connection) => {
          if (command[0] === "GET" && !stuck) {
            stuck = true
            connection.write("*2\r\n:1\r\n") // one element of two, then silence
          } else if (command[0] === "ECHO") {
            connection.write(`$${command[1]!.length}\r\n${command[1]}\r\n`)
          } else {
            connection.write("+PONG\r\n")
          }
        })
        const redis = yield* Redis.make({ url: fake.url, protocol: 2, commandTimeout: "500 millis" }).pipe(
          Effect.provide(NodeTransport.layer)
        )
        const error = failure(yield* Effect.exit(redis.get("k")))
        assert.strictEqual(error._tag === "RedisTimeoutError" && error.outcome, "may-have-executed")
        assert.strictEqual(yield* eventually(redis.raw(["ECHO", "fresh"]), () => true, 10), "fresh")
        assert.strictEqual(fake.connections, 2)
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("a batch waiting for a reconnect is written whole once connected", () =>
    Effect.gen(function*() {
      const { proxy, redis } = yield* setup()
      yield* disconnect(proxy)
      const transaction = yield* startNow(redis.transaction(incrs("faults:later", 3)))
      yield* proxy.passThrough
      assert.deepStrictEqual(yield* Fiber.join(transaction), [Either.right(1), Either.right(2), Either.right(3)])
    }), { timeout: 30_000 })
})
