import { Redis, type RedisConfig } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RespMap, type RespValue } from "@effect-redis/resp/RespValue"
import { RedisSentinel, RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { eventually } from "./utils.js"

type Address = { readonly host: string; readonly port: number }

const connect = (options: RedisConfig.Options) => Redis.make(options).pipe(Effect.provide(NodeTransport.layer))

/** The records of a SENTINEL SENTINELS / REPLICAS / MASTER reply, as plain objects. */
const recordsOf = (reply: RespValue): Array<Record<string, string>> =>
  (Array.isArray(reply) && !reply.every((item) => typeof item === "string") ? reply : [reply]).map((item) => {
    const fields = item instanceof RespMap ? item.entries : Array.isArray(item) ? item : []
    const out: Record<string, string> = {}
    for (let i = 0; i + 1 < fields.length; i += 2) out[String(fields[i])] = String(fields[i + 1])
    return out
  })

/**
 * A master, a replica in sync, and three sentinels (quorum 2) that know
 * each other and see the replica's link up: ready for a failover.
 */
const threeSentinels = Effect.gen(function*() {
  const master = yield* RedisServer.make({ args: ["--repl-diskless-sync-delay", "0"] })
  const replica = yield* RedisServer.make({ args: ["--replicaof", master.host, String(master.port)] })
  const toReplica = yield* connect({ url: replica.url })
  yield* eventually(toReplica.role(), (role) => role.role === "slave" && role.state === "connected", 20)
  const sentinels = yield* Effect.forEach([0, 1, 2], () => RedisSentinel.make({ master, quorum: 2 }))
  const admins = yield* Effect.forEach(sentinels, (at) => connect({ host: at.host, port: at.port }))
  for (const admin of admins) {
    // Sentinels find each other through the master's hello channel, every two seconds.
    yield* eventually(admin.raw(["SENTINEL", "SENTINELS", "mymaster"]), (peers) => recordsOf(peers).length === 2, 30)
    yield* eventually(
      admin.raw(["SENTINEL", "REPLICAS", "mymaster"]),
      (replicas) => recordsOf(replicas)[0]?.["master-link-status"] === "ok",
      30
    )
  }
  return { master, replica, sentinels, admins }
})

/** Connections named `name` on a server (CLIENT LIST). */
const connectionsNamed = (server: Redis.Redis, name: string) =>
  Effect.map(server.clientList(), (clients) => clients.filter((client) => client["name"] === name).length)

/** The port of the server a client's commands reach. */
const servingPort = (redis: Redis.Redis) =>
  Effect.map(redis.info("server"), (info) => Number(info["server"]?.["tcp_port"]))

/**
 * Fails over through the second sentinel while the first is out of the
 * way, and checks that the client leaves the former master when the
 * switch is announced, though the first sentinel cannot tell it.
 */
const failoverWithFirstSentinelOut = (
  out: (sentinel: RedisSentinel.RedisSentinel) => Effect.Effect<void>,
  clientSentinels: (sentinels: ReadonlyArray<RedisSentinel.RedisSentinel>) => ReadonlyArray<Address>,
  protocol: 2 | 3
) =>
  Effect.gen(function*() {
    const { admins, master, replica, sentinels } = yield* threeSentinels
    const name = `ha-${protocol}`
    const redis = yield* connect({
      sentinel: { name: "mymaster", sentinels: clientSentinels(sentinels) },
      protocol,
      clientName: name,
      connectTimeout: "1 second"
    })
    yield* redis.set("before", "1")
    const former = yield* connect({ url: master.url })
    assert.isAbove(yield* connectionsNamed(former, name), 0)
    yield* out(sentinels[0]!)
    yield* admins[1]!.raw(["SENTINEL", "FAILOVER", "mymaster"])
    yield* eventually(
      admins[1]!.raw(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]),
      (where) => Array.isArray(where) && Number(where[1]) === replica.port,
      30
    )
    // Told by a sentinel it listens to, the client leaves the former master, which still accepts writes.
    yield* eventually(connectionsNamed(former, name), (count) => count === 0, 30)
    yield* redis.set("after", "1")
    assert.strictEqual(yield* servingPort(redis), replica.port)
    const promoted = yield* connect({ url: replica.url })
    assert.deepStrictEqual(yield* promoted.get("after"), Option.some("1"))
    assert.deepStrictEqual(yield* promoted.get("before"), Option.some("1"))
  })

describe("Sentinel failover", () => {
  it.scopedLive(
    "hears +switch-master from sentinels it discovered, when the only one configured is dead",
    () => failoverWithFirstSentinelOut((sentinel) => sentinel.kill, (sentinels) => [sentinels[0]!], 3),
    { timeout: 90_000 }
  )

  it.scopedLive(
    "hears +switch-master from the other sentinels when the first is stopped (RESP2)",
    () => failoverWithFirstSentinelOut((sentinel) => sentinel.pause, (sentinels) => sentinels, 2),
    { timeout: 90_000 }
  )

  it.scopedLive("skips a sentinel that names a replica, at build time and on reconnect", () =>
    Effect.gen(function*() {
      const master = yield* RedisServer.make({ args: ["--repl-diskless-sync-delay", "0"] })
      const replica = yield* RedisServer.make({ args: ["--replicaof", master.host, String(master.port)] })
      const toReplica = yield* connect({ url: replica.url })
      yield* eventually(toReplica.role(), (role) => role.role === "slave" && role.state === "connected", 20)
      // A stale sentinel: it monitors the replica under the master's name.
      const stale = yield* RedisSentinel.make({ master: replica })
      const good = yield* RedisSentinel.make({ master })
      const redis = yield* connect({
        sentinel: { name: "mymaster", sentinels: [stale, good] },
        clientName: "skips-stale"
      })
      assert.strictEqual(yield* servingPort(redis), master.port)
      const toMaster = yield* connect({ url: master.url })
      for (let i = 0; i < 3; i++) {
        const [connection] = (yield* toMaster.clientList()).filter((client) => client["name"] === "skips-stale")
        yield* toMaster.raw(["CLIENT", "KILL", "ID", connection!["id"]!])
        // Reconnected (a command in flight at the kill may fail): through the good sentinel again.
        yield* eventually(Effect.either(redis.set("k", String(i))), Either.isRight, 20)
        assert.strictEqual(yield* servingPort(redis), master.port)
      }
      assert.strictEqual(yield* connectionsNamed(toReplica, "skips-stale"), 0)
    }), { timeout: 60_000 })

  it.scopedLive(
    "refuses a master the sentinels flag down, and uses it again once they do not",
    () =>
      Effect.gen(function*() {
        const master = yield* RedisServer.make()
        const sentinel = yield* RedisSentinel.make({ master })
        const admin = yield* connect({ host: sentinel.host, port: sentinel.port })
        const flags = Effect.map(
          admin.raw(["SENTINEL", "MASTER", "mymaster"]),
          (reply) => (recordsOf(reply)[0]?.["flags"] ?? "").split(",")
        )
        yield* master.pause
        yield* eventually(flags, (list) => list.includes("s_down"), 20)
        const refused = yield* Effect.flip(
          connect({ sentinel: { name: "mymaster", sentinels: [sentinel] }, connectTimeout: "1 second" })
        )
        assert.strictEqual(refused._tag, "RedisConnectionError")
        assert.include(refused.message, "down (s_down")
        yield* master.resume
        yield* eventually(flags, (list) => !list.includes("s_down"), 20)
        const redis = yield* connect({ sentinel: { name: "mymaster", sentinels: [sentinel] } })
        assert.strictEqual(yield* servingPort(redis), master.port)
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("connects through a redis+sentinel:// URL", () =>
    Effect.gen(function*() {
      const master = yield* RedisServer.make({ password: "master-secret" })
      const sentinel = yield* RedisSentinel.make({ master, masterPassword: "master-secret" })
      const redis = yield* connect({
        url: `redis+sentinel://:master-secret@127.0.0.1:1,${sentinel.host}:${sentinel.port}/mymaster/2`
      })
      yield* redis.set("via-url", "1")
      assert.strictEqual(yield* servingPort(redis), master.port)
      const direct = yield* connect({ url: master.url, password: "master-secret", database: 2 })
      assert.deepStrictEqual(yield* direct.get("via-url"), Option.some("1"))
    }), { timeout: 60_000 })
})
