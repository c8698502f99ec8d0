import { Redis, type RedisConfig, ReplyDecoder } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RespMap } from "@effect-redis/resp/RespValue"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Either, Exit, Fiber, type FiberRefs, Option, Scope } from "effect"
import { blockedClients as blockedNow, eventually } from "./utils.js"

const connect = (options: RedisConfig.Options = {}) =>
  Effect.gen(function*() {
    const server = yield* RedisServer.make()
    const redis = yield* Redis.make({ url: server.url, ...options }).pipe(Effect.provide(NodeTransport.layer))
    return { server, redis }
  })

/** The clients the server sees blocked in a command. */
const blockedClients = (redis: Redis.Redis) =>
  Effect.map(
    redis.raw(["CLIENT", "LIST"]),
    (list) =>
      ReplyDecoder.text(list).split("\n").filter((line) => / cmd=(blpop|brpop|blmove|bzpopmin|xread)\b/.test(line))
        .length
  )

/**
 * How many entries the FiberRef stacks of `refs` hold in all. Not public
 * API: the stacks (one entry per fiber that set a value) are what grows
 * when a fiber runs finalizers another fiber registered.
 */
const stackEntries = (refs: FiberRefs.FiberRefs): number => {
  let entries = 0
  for (const stack of (refs as unknown as { locals: Map<unknown, ReadonlyArray<unknown>> }).locals.values()) {
    entries += stack.length
  }
  return entries
}

describe("pool and dedicated connections", () => {
  it.scopedLive(
    "100 blocked BLPOP consumers do not delay 10,000 GETs on the shared connection",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect({ pool: { max: 100 } })
        const consumers = yield* Effect.forEach(
          Array.from({ length: 100 }, (_, i) => i),
          () => Effect.fork(redis.blpop("pool:queue", 0)),
          { concurrency: "unbounded" }
        )
        yield* Effect.repeat(blockedClients(redis), { until: (n) => n === 100 })
        yield* redis.set("pool:value", "v")
        const values = yield* Effect.forEach(
          Array.from({ length: 10_000 }),
          () => redis.get("pool:value"),
          { concurrency: 1000 }
        )
        assert.isTrue(values.every((value) => Option.getOrNull(value) === "v"))
        assert.strictEqual(yield* blockedClients(redis), 100, "the consumers are still waiting")
        yield* redis.rpush("pool:queue", Array.from({ length: 100 }, (_, i) => `job${i}`))
        const popped = yield* Effect.forEach(consumers, Fiber.join)
        const jobs = popped.map((result) => Option.getOrThrow(result)[1]).sort()
        assert.deepStrictEqual(jobs, Array.from({ length: 100 }, (_, i) => `job${i}`).sort())
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("an exhausted pool fails with RedisPoolError after the acquire timeout", () =>
    Effect.gen(function*() {
      const { redis } = yield* connect({ pool: { max: 1, acquireTimeout: "200 millis" } })
      const holder = yield* Effect.fork(redis.blpop("pool:exhausted", 0))
      yield* Effect.repeat(blockedClients(redis), { until: (n) => n === 1 })
      const exit = yield* Effect.exit(redis.blpop("pool:exhausted", 1))
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.strictEqual(error?._tag, "RedisPoolError")
      assert.strictEqual(error?._tag === "RedisPoolError" && error.outcome, "not-sent")
      yield* redis.rpush("pool:exhausted", "x")
      assert.deepStrictEqual(yield* Fiber.join(holder), Option.some(["pool:exhausted", "x"] as const))
    }), { timeout: 30_000 })

  it.scopedLive(
    "a long-lived fiber's state does not grow with each discarded connection",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect()
        const discardReserved = Effect.ignore(Effect.scoped(Effect.zipRight(redis.reserve, Effect.fail("abandoned"))))
        const changeState = Effect.scoped(Effect.flatMap(redis.reserve, (reserved) => reserved.raw(["SELECT", "1"])))
        const interruptBlocking = Effect.flatMap(Effect.fork(redis.blpop("pool:fiber-state", 0)), Fiber.interrupt)
        const discards = Effect.forEach(
          Array.from({ length: 300 }),
          () => Effect.all([discardReserved, changeState, interruptBlocking], { discard: true }),
          { discard: true }
        )
        yield* discards
        const before = stackEntries(yield* Effect.getFiberRefs)
        yield* discards
        assert.strictEqual(stackEntries(yield* Effect.getFiberRefs), before)
      }),
    { timeout: 60_000 }
  )

  it.scopedLive(
    "blocking commands beyond pool.max fail after pool.acquireTimeout, naming both",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect({ pool: { max: 16, acquireTimeout: "300 millis" } })
        const consumers = yield* Effect.forEach(
          Array.from({ length: 20 }),
          () => Effect.fork(Effect.either(redis.blpop("pool:capped", 0))),
          { concurrency: "unbounded" }
        )
        yield* Effect.repeat(blockedClients(redis), { until: (n) => n === 16 })
        // The four left waiting give up after pool.acquireTimeout, while the sixteen stay blocked.
        const finished = Effect.map(Effect.forEach(consumers, Fiber.poll), (polls) => polls.filter(Option.isSome))
        const refused = yield* eventually(finished, (done) => done.length === 4, 10)
        for (const done of refused) {
          const error = Exit.isSuccess(done.value) && Either.isLeft(done.value.value)
            ? done.value.value.left
            : undefined
          assert.strictEqual(error?._tag, "RedisPoolError")
          assert.include(error?.message, "all 16 (pool.max)")
          assert.include(error?.message, "within 300 ms (pool.acquireTimeout)")
        }
        assert.strictEqual(yield* blockedClients(redis), 16)
        yield* redis.rpush("pool:capped", Array.from({ length: 16 }, (_, i) => `job${i}`))
        yield* Effect.forEach(consumers, Fiber.join)
        assert.deepStrictEqual(yield* redis.llen("pool:capped"), 0)
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "a borrower interrupted while waiting for a connection leaves the pool whole",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect({ pool: { max: 1, acquireTimeout: "30 seconds" } })
        const holder = yield* Effect.fork(redis.blpop("pool:waiting", 0))
        yield* Effect.repeat(blockedClients(redis), { until: (n) => n === 1 })
        const waiting = yield* Effect.fork(redis.blpop("pool:waiting", 0))
        yield* Fiber.interrupt(waiting)
        yield* redis.rpush("pool:waiting", "first")
        assert.deepStrictEqual(yield* Fiber.join(holder), Option.some(["pool:waiting", "first"] as const))
        // The one connection went back and serves the next borrower.
        yield* redis.rpush("pool:waiting", "second")
        assert.deepStrictEqual(yield* redis.blpop("pool:waiting", 1), Option.some(["pool:waiting", "second"] as const))
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "pool.min connections open at once, and idle ones beyond it close after idleTimeToLive",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect({ pool: { min: 2, idleTimeToLive: "1 second" } })
        const connected = Effect.map(redis.clientList(), (clients) => clients.length)
        // The shared connection, and the pool's two.
        yield* eventually(connected, (n) => n === 3, 10)
        // Five scopes holding a connection each: three more open.
        const gate = yield* Deferred.make<void>()
        const holders = yield* Effect.forEach(
          Array.from({ length: 5 }),
          () => Effect.fork(Effect.scoped(Effect.zipRight(redis.reserve, Deferred.await(gate)))),
          { concurrency: "unbounded" }
        )
        yield* eventually(connected, (n) => n === 6, 10)
        yield* Deferred.succeed(gate, undefined)
        yield* Effect.forEach(holders, Fiber.join)
        yield* eventually(connected, (n) => n === 3, 10)
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("a pool member killed with CLIENT KILL is replaced", () =>
    Effect.gen(function*() {
      const { redis } = yield* connect({ pool: { max: 1 } })
      const firstId = yield* Effect.scoped(Effect.flatMap(redis.reserve, (reserved) => reserved.clientId()))
      yield* redis.clientKill({ id: firstId })
      const secondId = yield* Effect.retry(
        Effect.scoped(Effect.flatMap(redis.reserve, (reserved) => reserved.clientId())),
        { times: 3 }
      )
      assert.notStrictEqual(secondId, firstId)
      assert.deepStrictEqual(yield* redis.blpop("pool:none", 0.05), Option.none())
    }), { timeout: 30_000 })

  it.scopedLive("interrupting a blocking command discards its connection", () =>
    Effect.gen(function*() {
      const { redis } = yield* connect()
      const fiber = yield* Effect.fork(redis.blpop("pool:interrupt", 0))
      yield* Effect.repeat(blockedClients(redis), { until: (n) => n === 1 })
      yield* Fiber.interrupt(fiber)
      yield* Effect.repeat(blockedClients(redis), { until: (n) => n === 0 })
      // The element pushed now is not swallowed by a stale blocked connection.
      yield* redis.rpush("pool:interrupt", "kept")
      assert.deepStrictEqual(yield* redis.lrange("pool:interrupt", 0, -1), ["kept"])
    }), { timeout: 30_000 })

  it.scopedLive("a reserved connection that changed its state is not reused", () =>
    Effect.gen(function*() {
      const { redis } = yield* connect({ pool: { max: 1 } })
      yield* Effect.scoped(Effect.flatMap(redis.reserve, (reserved) => reserved.raw(["SELECT", "5"])))
      const info = yield* Effect.scoped(Effect.flatMap(redis.reserve, (reserved) => reserved.clientInfo()))
      assert.strictEqual(info.db, "0")
    }), { timeout: 30_000 })

  it.scopedLive(
    "a reserved view builds only the methods it uses, and destructured methods work",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect()
        const ownMembers = yield* Effect.scoped(Effect.gen(function*() {
          const reserved = yield* redis.reserve
          const before = Object.keys(reserved).length
          const { set, get } = reserved
          yield* set("pool:view", "v")
          assert.deepStrictEqual(yield* get("pool:view"), Option.some("v"))
          return [before, Object.keys(reserved).length]
        }))
        assert.deepStrictEqual(ownMembers, [0, 2])
        const { incr } = redis
        assert.strictEqual(yield* incr("pool:counter"), 1)
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "a blocking command times out by its own allowance, not the command timeout",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect({ commandTimeout: "200 millis" })
        assert.deepStrictEqual(yield* redis.blpop("pool:slow", 0.5), Option.none())
      }),
    { timeout: 30_000 }
  )
})

/** The longest the server has seen a client blocked in `command`, in seconds (CLIENT LIST `idle`). */
const longestBlocked = (redis: Redis.Redis, command: string) =>
  Effect.map(redis.raw(["CLIENT", "LIST"]), (list) =>
    Math.max(
      -1,
      ...ReplyDecoder.text(list).split("\n").filter((line) => line.includes(` cmd=${command} `)).map((line) =>
        Number(/ idle=(\d+)/.exec(line)?.[1] ?? -1)
      )
    ))
const longestBlpop = (redis: Redis.Redis) => longestBlocked(redis, "blpop")

// Blocking commands sharing a pool of one connection: each waits for the
// connection, then blocks as long as it says, whatever the command timeout.
describe("pool of one connection, two blocking commands", () => {
  it.scopedLive(
    "two BLPOPs on one key: the second takes the connection after the first, and the next push",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect({ pool: { max: 1 } })
        const first = yield* Effect.fork(redis.blpop(["k"], 0))
        yield* eventually(blockedNow(redis), (n) => n === 1, 10)
        const second = yield* Effect.fork(redis.blpop(["k"], 0))
        yield* redis.lpush("k", "a")
        assert.deepStrictEqual(yield* Fiber.join(first), Option.some(["k", "a"] as const))
        yield* eventually(blockedNow(redis), (n) => n === 1, 10)
        yield* redis.lpush("k", "b")
        assert.deepStrictEqual(yield* Fiber.join(second), Option.some(["k", "b"] as const))
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "two BLPOPs on different keys: the second waits for the connection, then finds its element",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect({ pool: { max: 1 } })
        const first = yield* Effect.fork(redis.blpop(["k1"], 0))
        yield* eventually(blockedNow(redis), (n) => n === 1, 10)
        const second = yield* Effect.fork(redis.blpop(["k2"], 0))
        // Pushed while the only connection is blocked on k1: it waits for the second.
        yield* redis.lpush("k2", "b")
        yield* redis.lpush("k1", "a")
        assert.deepStrictEqual(yield* Fiber.join(first), Option.some(["k1", "a"] as const))
        assert.deepStrictEqual(yield* Fiber.join(second), Option.some(["k2", "b"] as const))
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "the health check leaves blocked connections alone: each BLPOP blocks past the command timeout",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect({
          pool: { max: 1, acquireTimeout: "30 seconds" },
          commandTimeout: "1 second",
          healthCheckInterval: "200 millis"
        })
        const first = yield* Effect.fork(redis.blpop(["k"], 0))
        // Blocked for three seconds by the server's count: past several health checks and their timeout.
        yield* eventually(longestBlpop(redis), (seconds) => seconds >= 3, 10)
        const second = yield* Effect.fork(redis.blpop(["k"], 0))
        yield* redis.lpush("k", "a")
        assert.deepStrictEqual(yield* Fiber.join(first), Option.some(["k", "a"] as const))
        yield* eventually(longestBlpop(redis), (seconds) => seconds >= 3, 10)
        yield* redis.lpush("k", "b")
        assert.deepStrictEqual(yield* Fiber.join(second), Option.some(["k", "b"] as const))
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("a client whose pool connections run health checks closes them all", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const observer = yield* Redis.make({ url: server.url }).pipe(Effect.provide(NodeTransport.layer))
      const scope = yield* Scope.make()
      const redis = yield* Redis.make({ url: server.url, healthCheckInterval: "100 millis" }).pipe(
        Effect.provide(NodeTransport.layer),
        Scope.extend(scope)
      )
      yield* redis.lpush("k", "a")
      assert.deepStrictEqual(yield* redis.blpop(["k"], 0), Option.some(["k", "a"] as const))
      // The pool's connection checks its health in a fiber of its own, which the close must end.
      yield* Scope.close(scope, Exit.void)
      const clients = Effect.map(observer.raw(["CLIENT", "LIST"]), (list) => ReplyDecoder.text(list).trim().split("\n"))
      assert.lengthOf(yield* eventually(clients, (lines) => lines.length === 1, 10), 1)
    }), { timeout: 30_000 })

  it.scopedLive(
    "raw BLPOPs block past the command timeout, like the typed method, one after the other",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect({ pool: { max: 1, acquireTimeout: "30 seconds" }, commandTimeout: "1 second" })
        const first = yield* Effect.fork(redis.raw(["BLPOP", "k", "0"]))
        // Blocked for two seconds by the server's count: twice the command timeout.
        yield* eventually(longestBlpop(redis), (seconds) => seconds >= 2, 10)
        const second = yield* Effect.fork(redis.raw(["BLPOP", "k", "30"]))
        yield* redis.lpush("k", "a")
        assert.deepStrictEqual(yield* Fiber.join(first), ["k", "a"])
        yield* eventually(longestBlpop(redis), (seconds) => seconds >= 2, 10)
        yield* redis.lpush("k", "b")
        assert.deepStrictEqual(yield* Fiber.join(second), ["k", "b"])
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "a raw XREAD BLOCK counts its block in milliseconds past the command timeout",
    () =>
      Effect.gen(function*() {
        const { redis } = yield* connect({ pool: { max: 1 }, commandTimeout: "1 second" })
        const read = yield* Effect.fork(redis.raw(["XREAD", "BLOCK", "60000", "STREAMS", "s", "$"]))
        yield* eventually(longestBlocked(redis, "xread"), (seconds) => seconds >= 2, 10)
        const id = yield* redis.raw(["XADD", "s", "*", "f", "v"])
        assert.deepStrictEqual(yield* Fiber.join(read), new RespMap(["s", [[id, ["f", "v"]]]]))
      }),
    { timeout: 30_000 }
  )
})
