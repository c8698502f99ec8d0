import { type ConnectionState, Redis, type RedisConfig } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisCluster, RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Ref, Scope, Stream } from "effect"
import { eventually } from "./utils.js"

const connect = (options: RedisConfig.Options) => Redis.make(options).pipe(Effect.provide(NodeTransport.layer))

/** Collects every event of `redis.connectionState` into a Ref, in a fiber of the current scope. */
const watching = (redis: Redis.Redis) =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<ConnectionState.ConnectionEvent>>([])
    const fiber = yield* redis.connectionState.pipe(
      Stream.runForEach((event) => Ref.update(seen, (events) => [...events, event])),
      Effect.forkScoped
    )
    return { seen, fiber }
  })

const tags = (events: ReadonlyArray<ConnectionState.ConnectionEvent>, role: ConnectionState.Role) =>
  events.filter((event) => event.role === role).map((event) => event.state._tag)

describe("connection state", () => {
  it.scopedLive(
    "reports the shared connection reconnecting, with attempt and error, then ready again",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* connect({ url: server.url })
        const { seen } = yield* watching(redis)
        // The current state comes first.
        yield* eventually(Ref.get(seen), (events) => tags(events, "shared")[0] === "Ready", 10)
        const [current] = yield* redis.connections
        assert.deepStrictEqual(
          { role: current!.role, address: current!.address, state: current!.state._tag },
          { role: "shared", address: `127.0.0.1:${server.port}`, state: "Ready" }
        )

        yield* server.stop
        // Attempts fail while the server is down: each is reported with its number and error.
        const down = yield* eventually(
          Ref.get(seen),
          (events) => events.some((event) => event.state._tag === "Reconnecting" && event.state.attempt >= 2),
          10
        )
        const reconnecting = down.filter((event) => event.state._tag === "Reconnecting")
        const first = reconnecting[0]!.state as Extract<ConnectionState.State, { _tag: "Reconnecting" }>
        assert.strictEqual(first.attempt, 1)
        assert.strictEqual(first.error._tag, "RedisConnectionError")
        const second = reconnecting[1]!.state as Extract<ConnectionState.State, { _tag: "Reconnecting" }>
        assert.strictEqual(second.attempt, 2)
        assert.include(second.error.message, "ECONNREFUSED")

        yield* server.start
        yield* eventually(Ref.get(seen), (events) => tags(events, "shared").at(-1) === "Ready", 10)
        assert.strictEqual((yield* redis.connections)[0]!.state._tag, "Ready")
        assert.strictEqual(yield* redis.echo("back"), "back")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "reports subscriber and pool connections, and every connection closed when the client closes",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const clientScope = yield* Scope.make()
        const redis = yield* connect({ url: server.url }).pipe(Scope.extend(clientScope))
        const all = yield* redis.connectionState.pipe(Stream.runCollect, Effect.fork)
        yield* Effect.scoped(
          Effect.zipRight(redis.subscription({ channels: ["cs:chan"] }), redis.blpop("cs:list", 0.01))
        )
        const roles = (yield* redis.connections).map((event) => `${event.role}:${event.state._tag}`).sort()
        assert.deepStrictEqual(roles, ["pool:Ready", "shared:Ready", "subscriber:Ready"])

        yield* Scope.close(clientScope, Exit.void)
        // The stream ends once the client closed, after every connection's Closed.
        const events = [...yield* Fiber.join(all)]
        for (const role of ["shared", "subscriber", "pool"] as const) {
          assert.strictEqual(tags(events, role).at(-1), "Closed", role)
        }
        assert.deepStrictEqual(yield* redis.connections, [])
        // A stream started afterwards ends at once.
        assert.strictEqual((yield* Stream.runCollect(redis.connectionState)).length, 0)
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "a stream may stop after the current state; one that falls behind loses the oldest events, never grows",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* connect({ url: server.url, pool: { max: 1 } })
        // Taking the current state and stopping ends the stream (its subscription closes with it).
        const [first] = yield* Stream.runCollect(Stream.take(redis.connectionState, 1))
        assert.strictEqual(first!.role, "shared")
        // A consumer stuck on its first event: what comes meanwhile waits in its bounded buffer (256 events).
        const started = yield* Deferred.make<void>()
        const gate = yield* Deferred.make<void>()
        const read: Array<ConnectionState.ConnectionEvent> = []
        const marker = yield* Deferred.make<void>()
        yield* redis.connectionState.pipe(
          Stream.runForEach((event) =>
            Effect.gen(function*() {
              yield* Deferred.succeed(started, undefined)
              yield* Deferred.await(gate)
              read.push(event)
              if (event.role === "subscriber" && event.state._tag === "Ready") {
                yield* Deferred.succeed(marker, undefined)
              }
            })
          ),
          Effect.forkScoped
        )
        yield* Deferred.await(started)
        for (let i = 0; i < 200; i++) {
          // Each borrow of a discarded connection opens a new pool connection: Connecting, Ready, Closed.
          yield* Effect.scoped(
            Effect.flatMap(redis.reserve, (connection) => connection.raw(["CLIENT", "NO-EVICT", "on"]))
          )
        }
        // The last change: the subscriber connection opens.
        yield* redis.subscription({ channels: ["cs:marker"] })
        yield* Deferred.succeed(gate, undefined)
        yield* Deferred.await(marker)
        // 1 current state and 602 changes happened; the buffer kept the newest 256.
        assert.isAtMost(read.length, 257)
        assert.isAtLeast(read.length, 200)
        const pools = read.filter((event) => event.role === "pool").map((event) => event.id)
        assert.isAbove(Math.min(...pools), 100, "the oldest pool connections' events were dropped")
      }),
    { timeout: 60_000 }
  )

  it.scopedLive("reports each cluster node's connection by address", () =>
    Effect.gen(function*() {
      const cluster = yield* RedisCluster.make()
      const redis = yield* connect({ cluster: { nodes: cluster.seeds } })
      const nodes = (yield* redis.connections).filter((event) => event.role === "node")
      assert.deepStrictEqual(
        nodes.map((event) => event.address).sort(),
        cluster.masters.map((master) => `${master.host}:${master.port}`).sort()
      )
      assert.isTrue(nodes.every((event) => event.state._tag === "Ready"))

      const { seen } = yield* watching(redis)
      const master = cluster.masters[0]!
      const address = `${master.host}:${master.port}`
      const admin = yield* connect({ url: master.url })
      // Kills every connection on that master but the admin's own: the client's node connection reconnects.
      yield* admin.raw(["CLIENT", "KILL", "SKIPME", "yes"])
      const ofNode = (events: ReadonlyArray<ConnectionState.ConnectionEvent>) =>
        events.filter((event) => event.role === "node" && event.address === address).map((event) => event.state._tag)
      yield* eventually(Ref.get(seen), (events) => {
        const states = ofNode(events)
        return states.includes("Reconnecting") && states.at(-1) === "Ready"
      }, 20)
    }), { timeout: 60_000 })
})
