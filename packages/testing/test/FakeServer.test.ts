import * as RespFrame from "@effect-redis/resp/RespFrame"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as FakeServer from "../src/FakeServer.js"
import { command, connect } from "./rawClient.js"

describe("FakeServer", () => {
  it.scoped("hands each pipelined command to the handler as strings and sends back what it writes", () =>
    Effect.gen(function*() {
      const seen: Array<ReadonlyArray<string>> = []
      const server = yield* FakeServer.make((args, connection) => {
        seen.push(args)
        if (args[0] === "PING") connection.reply(RespFrame.SimpleString("PONG"))
        else connection.write("$3\r\nbar\r\n")
      })
      assert.strictEqual(server.url, `redis://127.0.0.1:${server.port}`)
      const client = yield* connect(server.port)
      client.send(command("PING") + command("GET", "föö"))
      const expected = "+PONG\r\n$3\r\nbar\r\n"
      yield* client.waitFor((c) => c.received().length >= expected.length)
      assert.strictEqual(client.received(), expected)
      assert.deepStrictEqual(seen, [["PING"], ["GET", "föö"]])
    }))

  it.live("reassembles a command that arrives one byte at a time", () =>
    Effect.scoped(Effect.gen(function*() {
      const seen: Array<ReadonlyArray<string>> = []
      const server = yield* FakeServer.make((args, connection) => {
        seen.push(args)
        connection.write("+OK\r\n")
      })
      const client = yield* connect(server.port)
      for (const byte of command("SET", "key", "value")) {
        client.send(byte)
        yield* Effect.sleep("1 millis")
      }
      yield* client.waitFor((c) => c.received() === "+OK\r\n")
      assert.deepStrictEqual(seen, [["SET", "key", "value"]])
    })))

  it.scoped("delivers garbage and half a frame exactly as written, then closes once they are flushed", () =>
    Effect.gen(function*() {
      const server = yield* FakeServer.make((_, connection) => {
        connection.write(new Uint8Array([0x00, 0xff]))
        connection.write("garbage")
        connection.write(new Uint8Array([0x24, 0x31, 0x30, 0x0d, 0x0a, 0x68, 0x65, 0x6c])) // "$10\r\nhel"
        connection.destroy()
      })
      const client = yield* connect(server.port)
      client.send(command("GET", "k"))
      yield* client.waitFor((c) => c.closed())
      assert.strictEqual(client.received(), "\x00\xffgarbage$10\r\nhel")
      assert.isUndefined(client.errorCode())
    }))

  it.scoped("resets a connection on request", () =>
    Effect.gen(function*() {
      const server = yield* FakeServer.make((_, connection) => connection.reset())
      const client = yield* connect(server.port)
      client.send(command("GET", "k"))
      yield* client.waitFor((c) => c.closed())
      assert.strictEqual(client.errorCode(), "ECONNRESET")
      assert.strictEqual(client.received(), "")
    }))

  it.live("can leave a command unanswered", () =>
    Effect.scoped(Effect.gen(function*() {
      const seen: Array<ReadonlyArray<string>> = []
      const server = yield* FakeServer.make((args) => {
        seen.push(args)
      })
      const client = yield* connect(server.port)
      client.send(command("BLPOP", "q", "0"))
      const answered = yield* client.waitFor((c) => c.received() !== "" || c.closed()).pipe(
        Effect.timeoutOption("200 millis")
      )
      assert.deepStrictEqual(answered, Option.none())
      assert.deepStrictEqual(seen, [["BLPOP", "q", "0"]])
    })))

  it.scoped("answers input that is not RESP with a protocol error and closes, without calling the handler", () =>
    Effect.gen(function*() {
      const seen: Array<ReadonlyArray<string>> = []
      const server = yield* FakeServer.make((args, connection) => {
        seen.push(args)
        connection.write("+OK\r\n")
      })
      const inline = yield* connect(server.port)
      inline.send("PING\r\n" + command("PING"))
      yield* inline.waitFor((c) => c.closed())
      assert.match(inline.received(), /^-ERR Protocol error: [^\r\n]+\r\n$/)

      const notStrings = yield* connect(server.port)
      notStrings.send("*1\r\n:1\r\n" + command("PING"))
      yield* notStrings.waitFor((c) => c.closed())
      assert.match(notStrings.received(), /^-ERR Protocol error: [^\r\n]+\r\n$/)
      assert.deepStrictEqual(seen, [])
    }))

  it.scoped("closes only the connection whose handler threw", () =>
    Effect.gen(function*() {
      const server = yield* FakeServer.make((args, connection) => {
        if (args[0] === "BOOM") throw new Error("handler bug")
        connection.write("+PONG\r\n")
      })
      const failing = yield* connect(server.port)
      const healthy = yield* connect(server.port)
      failing.send(command("BOOM"))
      yield* failing.waitFor((c) => c.closed())
      healthy.send(command("PING"))
      yield* healthy.waitFor((c) => c.received() === "+PONG\r\n")
      assert.isFalse(healthy.closed())
    }))

  it.scoped("counts the connections it accepted", () =>
    Effect.gen(function*() {
      const server = yield* FakeServer.make((_, connection) => connection.write("+PONG\r\n"))
      assert.strictEqual(server.connections, 0)
      for (let i = 0; i < 3; i++) {
        const client = yield* connect(server.port)
        client.send(command("PING"))
        yield* client.waitFor((c) => c.received() === "+PONG\r\n")
      }
      assert.strictEqual(server.connections, 3)
    }))

  it.scoped("destroys every connection and stops listening when its scope closes", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const server = yield* Scope.extend(FakeServer.make((_, connection) => connection.write("+PONG\r\n")), scope)
      const client = yield* connect(server.port)
      client.send(command("PING"))
      yield* client.waitFor((c) => c.received() === "+PONG\r\n")
      yield* Scope.close(scope, Exit.void)
      yield* client.waitFor((c) => c.closed())
      const refused = yield* Effect.either(Effect.scoped(connect(server.port)))
      assert.isTrue(Either.isLeft(refused))
    }))
})
