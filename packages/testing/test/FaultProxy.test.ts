import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as FaultProxy from "../src/FaultProxy.js"
import * as RedisServer from "../src/RedisServer.js"
import { command, connect } from "./rawClient.js"

/** Polls `done` every 10 ms (for up to 10 s): the proxy's counters change on socket events. */
const until = (done: () => boolean) =>
  Effect.suspend(() => done() ? Effect.void : Effect.fail("not yet")).pipe(
    Effect.retry(Schedule.spaced("10 millis").pipe(Schedule.upTo("10 seconds"))),
    Effect.orDie
  )

const setup = Effect.gen(function*() {
  const server = yield* RedisServer.make()
  const proxy = yield* FaultProxy.make({ port: server.port })
  return { server, proxy }
})

const ping = command("PING")
const pong = "+PONG\r\n"

describe("FaultProxy", () => {
  it.scopedLive("passes bytes through both ways and counts them and the connections", () =>
    Effect.gen(function*() {
      const { proxy } = yield* setup
      assert.strictEqual(proxy.url, `redis://127.0.0.1:${proxy.port}`)
      const client = yield* connect(proxy.port)
      client.send(ping)
      yield* client.waitFor((c) => c.received() === pong)
      assert.strictEqual(proxy.connections, 1)
      assert.strictEqual(proxy.open, 1)
      assert.strictEqual(proxy.received("toServer"), ping.length)
      assert.strictEqual(proxy.forwarded("toServer"), ping.length)
      assert.strictEqual(proxy.forwarded("toClient"), pong.length)
    }), { timeout: 30_000 })

  it.scopedLive("delays a direction, and passThrough releases what it holds", () =>
    Effect.gen(function*() {
      const { proxy } = yield* setup
      const client = yield* connect(proxy.port)
      yield* proxy.delay("toClient", 60_000)
      client.send(ping)
      yield* until(() => proxy.received("toClient") === pong.length)
      assert.strictEqual(proxy.forwarded("toClient"), 0, "the reply is held")
      yield* proxy.passThrough
      yield* client.waitFor((c) => c.received() === pong)
      yield* proxy.delay("toClient", 50)
      client.send(ping)
      yield* client.waitFor((c) => c.received() === pong + pong)
    }), { timeout: 30_000 })

  it.scopedLive(
    "stalls a direction: the sender's writes back up until it passes through again",
    () =>
      Effect.gen(function*() {
        const { proxy } = yield* setup
        const client = yield* connect(proxy.port)
        yield* proxy.stall("toServer")
        const value = "v".repeat(32 * 1024 * 1024)
        client.send(command("SET", "big", value))
        yield* until(() => client.socket.writableLength > 0)
        assert.isBelow(proxy.received("toServer"), value.length, "the proxy stopped reading")
        yield* proxy.passThrough
        yield* client.waitFor((c) => c.received() === "+OK\r\n")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("stalls after a number of bytes, mid-reply", () =>
    Effect.gen(function*() {
      const { proxy } = yield* setup
      const client = yield* connect(proxy.port)
      client.send(command("SET", "k", "0123456789"))
      yield* client.waitFor((c) => c.received() === "+OK\r\n")
      yield* proxy.stallAfter("toClient", 7)
      client.send(command("GET", "k"))
      yield* until(() => proxy.received("toClient") === 5 + 17)
      yield* client.waitFor((c) => c.received().length === 5 + 7)
      assert.strictEqual(client.received(), "+OK\r\n$10\r\n01")
      yield* proxy.passThrough
      yield* client.waitFor((c) => c.received() === "+OK\r\n$10\r\n0123456789\r\n")
    }), { timeout: 30_000 })

  it.scopedLive("cuts a connection after a number of bytes, mid-frame", () =>
    Effect.gen(function*() {
      const { proxy } = yield* setup
      const client = yield* connect(proxy.port)
      yield* proxy.cutAfter("toClient", 3)
      client.send(ping)
      yield* client.waitFor((c) => c.closed())
      assert.strictEqual(client.received(), "+PO")
      yield* until(() => proxy.open === 0)
      const next = yield* connect(proxy.port)
      next.send(ping)
      yield* next.waitFor((c) => c.received() === pong)
    }), { timeout: 30_000 })

  it.scopedLive("black-holes: connections are accepted and nothing is ever answered", () =>
    Effect.gen(function*() {
      const { proxy } = yield* setup
      const before = yield* connect(proxy.port)
      yield* proxy.blackHole
      const after = yield* connect(proxy.port)
      before.send(ping)
      after.send(ping)
      yield* until(() => proxy.received("toServer") === 2 * ping.length)
      assert.strictEqual(proxy.forwarded("toServer"), 0)
      assert.strictEqual(before.received() + after.received(), "")
      yield* proxy.closeAll
      yield* before.waitFor((c) => c.closed())
      yield* after.waitFor((c) => c.closed())
      assert.strictEqual(proxy.open, 0)
    }), { timeout: 30_000 })

  it.scopedLive("refuses connections until it passes through again", () =>
    Effect.gen(function*() {
      const { proxy } = yield* setup
      yield* proxy.refuse
      const refused = yield* connect(proxy.port)
      yield* refused.waitFor((c) => c.closed())
      assert.strictEqual(proxy.connections, 1)
      yield* proxy.passThrough
      const accepted = yield* connect(proxy.port)
      accepted.send(ping)
      yield* accepted.waitFor((c) => c.received() === pong)
    }), { timeout: 30_000 })

  it.scopedLive("injects bytes either way", () =>
    Effect.gen(function*() {
      const { proxy } = yield* setup
      const client = yield* connect(proxy.port)
      client.send(ping)
      yield* client.waitFor((c) => c.received() === pong)
      yield* proxy.inject("toClient", "garbage")
      yield* client.waitFor((c) => c.received() === pong + "garbage")
      // A command the client never sent reaches the server.
      yield* proxy.inject("toServer", command("SET", "injected", "yes"))
      yield* client.waitFor((c) => c.received() === pong + "garbage+OK\r\n")
    }), { timeout: 30_000 })
})
