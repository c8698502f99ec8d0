import { Redis, RedisConfig, type RedisError } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RespMap, type RespValue } from "@effect-redis/resp/RespValue"
import { RedisSentinel, RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, Exit, Fiber, Option, Stream } from "effect"
import { calls, closedPort, eventually } from "./utils.js"

type Address = { readonly host: string; readonly port: number }

/**
 * A master, a replica of it in sync, and one sentinel watching them (started
 * last, so that its first look at the master already finds the replica).
 */
const topology = (options: { readonly sentinelPassword?: string } = {}) =>
  Effect.gen(function*() {
    const master = yield* RedisServer.make({ args: ["--repl-diskless-sync-delay", "0"] })
    const replica = yield* RedisServer.make({ args: ["--replicaof", master.host, String(master.port)] })
    const direct = yield* Redis.make({ url: replica.url }).pipe(Effect.provide(NodeTransport.layer))
    yield* eventually(direct.role(), (role) => role.role === "slave" && role.state === "connected", 20)
    const sentinel = yield* RedisSentinel.make({ master, password: options.sentinelPassword })
    return { master, replica, sentinel }
  })

const viaSentinel = (sentinels: ReadonlyArray<Address>, options: Partial<RedisConfig.Options> = {}) =>
  Redis.make({ sentinel: { name: "mymaster", sentinels }, ...options }).pipe(Effect.provide(NodeTransport.layer))

/** Whether the sentinel's view of its first replica (`SENTINEL REPLICAS`) has the link to the master up. */
const linkOk = (replicas: RespValue): boolean => {
  const first = Array.isArray(replicas) ? replicas[0] : undefined
  const fields = first instanceof RespMap ? first.entries : Array.isArray(first) ? first : []
  const at = fields.indexOf("master-link-status")
  return at !== -1 && fields[at + 1] === "ok"
}

/** The port of the server a client's commands reach. */
const servingPort = (redis: Redis.Redis) =>
  Effect.map(redis.info("server"), (info) => Number(info["server"]?.["tcp_port"]))

describe("Sentinel", () => {
  it.scopedLive("finds the master through the sentinels, skipping one that is down", () =>
    Effect.gen(function*() {
      const { master, sentinel } = yield* topology()
      const down = { host: "127.0.0.1", port: yield* closedPort }
      // host and port point nowhere: with `sentinel` they are not used.
      const redis = yield* viaSentinel([down, sentinel], { host: "127.0.0.1", port: down.port })
      yield* redis.set("where", "master")
      assert.deepStrictEqual(yield* redis.get("where"), Option.some("master"))
      assert.strictEqual(yield* servingPort(redis), master.port)
      assert.strictEqual((yield* redis.role()).role, "master")
      // The pool and the subscriber connection are found the same way.
      assert.isTrue(Option.isNone(yield* redis.blpop(["nothing"], 0.05)))
      const messages = yield* redis.subscription({ channels: ["news"] })
      yield* redis.publish("news", "hello")
      const [message] = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(messages, 1)))
      assert.strictEqual(message?.message, "hello")
    }), { timeout: 30_000 })

  it.scopedLive("reads from a healthy replica when asked to, and writes to the master", () =>
    Effect.gen(function*() {
      const { master, replica, sentinel } = yield* topology()
      const direct = (url: string) => Redis.make({ url }).pipe(Effect.provide(NodeTransport.layer))
      const toMaster = yield* direct(master.url)
      const toReplica = yield* direct(replica.url)
      const admin = yield* Redis.make({ host: sentinel.host, port: sentinel.port }).pipe(
        Effect.provide(NodeTransport.layer)
      )
      // The sentinel reports the replica healthy once it has looked at it.
      yield* eventually(admin.raw(["SENTINEL", "REPLICAS", "mymaster"]), (replicas) => linkOk(replicas), 20)
      const redis = yield* viaSentinel([sentinel], {
        sentinel: { name: "mymaster", sentinels: [sentinel], readFrom: "replicas" }
      })
      yield* redis.set("shared", "1")
      assert.strictEqual(yield* toMaster.wait(1, 5_000), 1)
      assert.deepStrictEqual(yield* redis.get("shared"), Option.some("1"))
      assert.strictEqual(yield* calls(toReplica, "get"), 1)
      assert.strictEqual(yield* calls(toMaster, "get"), 0)
      assert.strictEqual(yield* calls(toMaster, "set"), 1)
    }), { timeout: 60_000 })

  it.scopedLive("follows a failover to the promoted replica", () =>
    Effect.gen(function*() {
      const { replica, sentinel } = yield* topology()
      const redis = yield* viaSentinel([sentinel])
      const admin = yield* Redis.make({ host: sentinel.host, port: sentinel.port }).pipe(
        Effect.provide(NodeTransport.layer)
      )
      // The sentinel must have looked at the replica itself before it can promote it.
      yield* eventually(admin.raw(["SENTINEL", "REPLICAS", "mymaster"]), (replicas) => linkOk(replicas), 20)
      yield* redis.set("before", "failover")
      const alerts = yield* redis.subscription({ channels: ["alerts"] })
      const firstAlert = yield* Effect.fork(Stream.runHead(alerts))
      yield* admin.raw(["SENTINEL", "FAILOVER", "mymaster"])
      // Commands keep working and, once the sentinels have switched, reach the former replica.
      const port = yield* eventually(
        Effect.zipRight(redis.set("after", "failover"), servingPort(redis)),
        (port) => port === replica.port,
        30
      )
      assert.strictEqual(port, replica.port)
      assert.strictEqual((yield* redis.role()).role, "master")
      assert.deepStrictEqual(yield* redis.get("before"), Option.some("failover"))
      // The subscription moved too: published on the new master, the message arrives marked as after a gap.
      const alert = yield* eventually(
        Effect.zipRight(redis.publish("alerts", "after failover"), Fiber.poll(firstAlert)),
        Option.isSome,
        20
      )
      assert.deepStrictEqual(
        Option.map(alert, Exit.map(Option.map((m) => [m.message, m.gap]))),
        Option.some(Exit.succeed(Option.some(["after failover", true])))
      )
    }), { timeout: 60_000 })

  it.scopedLive(
    "with no master up, a new pool or subscriber connection fails within the connect timeout",
    () =>
      Effect.gen(function*() {
        const { master, replica, sentinel } = yield* topology()
        const redis = yield* viaSentinel([sentinel], { connectTimeout: "1 second" })
        yield* redis.set("before", "down")
        yield* replica.kill
        yield* master.kill
        // The shared connection has connected once: its redials wait for a master as long as it takes. A first
        // dial (a pool member for BLPOP, the subscriber connection) is bounded instead of waiting with it.
        const bounded = <A, R>(effect: Effect.Effect<A, RedisError.RedisError, R>) =>
          Effect.flip(effect).pipe(Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => "still waiting" }))
        const blocking = yield* bounded(redis.blpop("queue", 0.1))
        const subscribing = yield* bounded(redis.subscription({ channels: ["alerts"] }))
        for (const error of [blocking, subscribing]) {
          assert.strictEqual(error._tag === "RedisConnectionError" && error.reason, "Connect", error.message)
          assert.strictEqual(error._tag === "RedisConnectionError" && error.outcome, "not-sent")
        }
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("names the master it could not find", () =>
    Effect.gen(function*() {
      const { sentinel } = yield* topology()
      const error = yield* Effect.flip(
        Redis.make({ sentinel: { name: "elsewhere", sentinels: [sentinel] } }).pipe(Effect.provide(NodeTransport.layer))
      )
      assert.strictEqual(error._tag, "RedisConnectionError")
      assert.include(error.message, `No sentinel gave the address of master "elsewhere"`)
      assert.include(error.message, `monitors no master named "elsewhere"`)
    }), { timeout: 30_000 })

  it.scopedLive("fails with every sentinel it tried when none answers", () =>
    Effect.gen(function*() {
      const ports = [yield* closedPort, yield* closedPort]
      const error = yield* Effect.flip(viaSentinel(ports.map((port) => ({ host: "127.0.0.1", port }))))
      assert.strictEqual(error._tag, "RedisConnectionError")
      for (const port of ports) assert.include(error.message, `127.0.0.1:${port}`)
    }), { timeout: 30_000 })

  it.scopedLive("authenticates to the sentinels with their own password", () =>
    Effect.gen(function*() {
      const { master, sentinel } = yield* topology({ sentinelPassword: "watch-word" })
      const redis = yield* Redis.make({
        sentinel: { name: "mymaster", sentinels: [sentinel], password: "watch-word" }
      }).pipe(Effect.provide(NodeTransport.layer))
      assert.strictEqual(yield* servingPort(redis), master.port)
      const refused = yield* Effect.flip(viaSentinel([sentinel]))
      assert.include(refused.message, "NOAUTH")
    }), { timeout: 30_000 })

  it("rejects a sentinel configuration it cannot use", () => {
    const problems = [
      { name: "", sentinels: [{ host: "127.0.0.1", port: 26379 }] },
      { name: "mymaster", sentinels: [] },
      { name: "mymaster", sentinels: [{ host: "127.0.0.1", port: 0 }] }
    ].map((sentinel) => RedisConfig.resolve({ sentinel }))
    assert.isTrue(problems.every(Either.isLeft))
    assert.isTrue(
      Either.isLeft(
        RedisConfig.resolve({ path: "/tmp/redis.sock", sentinel: { name: "m", sentinels: [{ host: "h", port: 1 }] } })
      )
    )
  })
})
