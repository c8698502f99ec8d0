import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Tls from "node:tls"
import { firstReplyLine } from "../src/internal/process.js"
import * as RedisServer from "../src/RedisServer.js"

const tcp = (port: number) => () => Net.connect({ host: "127.0.0.1", port })

const ping = (connect: () => Net.Socket) => firstReplyLine(connect)

/**
 * Sends commands one at a time on one connection and returns the first line
 * of each reply; enough for replies that fit on one line.
 */
const exchange = (port: number, commands: ReadonlyArray<ReadonlyArray<string>>) =>
  Effect.async<Array<string>, Error>((resume) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    const lines: Array<string> = []
    let buffer = ""
    const sendNext = () => {
      const command = commands[lines.length]
      if (command === undefined) {
        socket.destroy()
        resume(Effect.succeed(lines))
        return
      }
      socket.write(`*${command.length}\r\n` + command.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join(""))
    }
    socket.setEncoding("utf8")
    socket.on("data", (chunk: string) => {
      buffer += chunk
      let end: number
      while ((end = buffer.indexOf("\r\n")) !== -1) {
        lines.push(buffer.slice(0, end))
        buffer = buffer.slice(end + 2)
        sendNext()
      }
    })
    socket.on("error", (error) => resume(Effect.fail(error)))
    sendNext()
    return Effect.sync(() => socket.destroy())
  })

const portIsFree = (port: number) =>
  Effect.promise(() =>
    new Promise<boolean>((resolve) => {
      const server = Net.createServer()
      server.once("error", () => resolve(false))
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
    })
  )

const withEnv = (name: string, value: string) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const previous = process.env[name]
      process.env[name] = value
      return previous
    }),
    () => self,
    (previous) =>
      Effect.sync(() => {
        if (previous === undefined) delete process.env[name]
        else process.env[name] = previous
      })
  )

describe("RedisServer", () => {
  it.effect("starts a server that answers PING, and frees its port and directory when the scope closes", () =>
    Effect.gen(function*() {
      const { dir, port, url } = yield* Effect.scoped(
        Effect.gen(function*() {
          const server = yield* RedisServer.make()
          assert.deepStrictEqual(yield* ping(tcp(server.port)), Option.some("+PONG"))
          assert.strictEqual(server.host, "127.0.0.1")
          assert.isTrue(Fs.existsSync(server.dir))
          assert.isFalse(yield* portIsFree(server.port))
          return server
        })
      )
      assert.strictEqual(url, `redis://127.0.0.1:${port}`)
      assert.isFalse(Fs.existsSync(dir))
      assert.isTrue(yield* portIsFree(port))
    }))

  it.effect("provides the server through its layer", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.RedisServer
      assert.deepStrictEqual(yield* ping(tcp(server.port)), Option.some("+PONG"))
    }).pipe(Effect.provide(RedisServer.layer())))

  it.scoped("requires the password it was given", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ password: "s3cret" })
      const replies = yield* exchange(server.port, [["PING"], ["AUTH", "wrong"], ["AUTH", "s3cret"], ["PING"]])
      assert.match(replies[0]!, /^-NOAUTH /)
      assert.match(replies[1]!, /^-WRONGPASS /)
      assert.deepStrictEqual(replies.slice(2), ["+OK", "+PONG"])
    }))

  it.scoped("flushAll empties every database of a server that requires a password", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ password: "s3cret" })
      const auth = ["AUTH", "s3cret"]
      yield* exchange(server.port, [auth, ["SET", "a", "1"], ["SELECT", "3"], ["SET", "b", "2"]])
      yield* RedisServer.flushAll.pipe(Effect.provideService(RedisServer.RedisServer, server))
      const sizes = yield* exchange(server.port, [auth, ["DBSIZE"], ["SELECT", "3"], ["DBSIZE"]])
      assert.deepStrictEqual(sizes, ["+OK", ":0", "+OK", ":0"])
    }))

  it.scoped("creates the ACL users it was given, with their permissions", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ aclUsers: ["alice on >wonder ~app:* +get +ping"] })
      const replies = yield* exchange(server.port, [
        ["AUTH", "alice", "wonder"],
        ["GET", "app:missing"],
        ["GET", "other:key"],
        ["SET", "app:key", "1"]
      ])
      assert.deepStrictEqual(replies.slice(0, 2), ["+OK", "$-1"])
      assert.match(replies[2]!, /^-NOPERM /)
      assert.match(replies[3]!, /^-NOPERM /)
    }))

  it.scoped("enables DEBUG only when asked", () =>
    Effect.gen(function*() {
      const plain = yield* RedisServer.make()
      const debug = yield* RedisServer.make({ enableDebugCommand: true })
      const [refused] = yield* exchange(plain.port, [["DEBUG", "SLEEP", "0"]])
      assert.match(refused!, /^-ERR .*DEBUG command not allowed/)
      assert.deepStrictEqual(yield* exchange(debug.port, [["DEBUG", "SLEEP", "0"]]), ["+OK"])
    }))

  it.scoped("passes extra arguments to the server", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ args: ["--databases", "2"] })
      const replies = yield* exchange(server.port, [["SELECT", "1"], ["SELECT", "2"]])
      assert.strictEqual(replies[0], "+OK")
      assert.match(replies[1]!, /^-ERR DB index is out of range/)
    }))

  it.scoped("listens on a unix socket in its directory", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ unixSocket: true })
      const socketPath = server.socketPath
      assert.isDefined(socketPath)
      assert.strictEqual(Path.dirname(socketPath), server.dir)
      assert.deepStrictEqual(yield* ping(() => Net.connect(socketPath)), Option.some("+PONG"))
    }))

  it.scoped("listens with TLS, trusted through the generated CA, with or without a client certificate", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ tls: true })
      const tls = server.tls!
      assert.strictEqual(tls.url, `rediss://127.0.0.1:${tls.port}`)
      assert.notStrictEqual(tls.port, server.port)
      assert.strictEqual(Fs.readFileSync(tls.caFile, "utf8"), tls.ca)
      const overTls = (options: Tls.ConnectionOptions) => () =>
        Tls.connect({ host: "127.0.0.1", port: tls.port, ca: tls.ca, ...options })
      assert.deepStrictEqual(yield* ping(overTls({})), Option.some("+PONG"))
      assert.deepStrictEqual(yield* ping(overTls({ servername: "localhost" })), Option.some("+PONG"))
      assert.deepStrictEqual(
        yield* ping(overTls({ cert: tls.clientCert, key: tls.clientKey })),
        Option.some("+PONG")
      )
      // Without the CA the handshake must fail: the certificate is not
      // trusted by accident.
      assert.deepStrictEqual(
        yield* ping(() => Tls.connect({ host: "127.0.0.1", port: tls.port })),
        Option.none()
      )
    }))

  it.scoped("starts again on the same port after a kill or a stop", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const firstPid = yield* server.pid
      yield* server.kill
      assert.deepStrictEqual(yield* ping(tcp(server.port)), Option.none())
      yield* server.start
      const secondPid = yield* server.pid
      assert.notStrictEqual(secondPid, firstPid)
      assert.deepStrictEqual(yield* ping(tcp(server.port)), Option.some("+PONG"))
      yield* server.stop
      assert.deepStrictEqual(yield* ping(tcp(server.port)), Option.none())
      yield* server.start
      assert.deepStrictEqual(yield* ping(tcp(server.port)), Option.some("+PONG"))
      // start on a running server changes nothing
      const thirdPid = yield* server.pid
      yield* server.start
      assert.strictEqual(yield* server.pid, thirdPid)
    }))

  it.live("stops answering while paused and answers again when resumed", () =>
    Effect.scoped(
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        yield* server.pause
        const whilePaused = yield* ping(tcp(server.port)).pipe(Effect.timeoutOption("200 millis"))
        assert.deepStrictEqual(whilePaused, Option.none())
        yield* server.resume
        assert.deepStrictEqual(yield* ping(tcp(server.port)), Option.some("+PONG"))
      })
    ))

  it.live("stops a paused server when the scope closes", () =>
    Effect.gen(function*() {
      const port = yield* Effect.scoped(
        Effect.gen(function*() {
          const server = yield* RedisServer.make()
          yield* server.pause
          return server.port
        })
      )
      assert.isTrue(yield* portIsFree(port))
    }))

  it.effect("fails with install instructions when REDIS_SERVER_BIN points nowhere", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(RedisServer.make()))
      assert.strictEqual(error._tag, "RedisServerError")
      assert.include(error.message, "/nonexistent/redis-server")
      assert.include(error.message, "apt-get install redis-server")
      assert.include(error.message, "brew install redis")
      assert.include(error.message, "REDIS_SERVER_BIN")
    }).pipe(withEnv("REDIS_SERVER_BIN", "/nonexistent/redis-server")))

  it.effect("fails with the server's own complaint when it rejects its arguments", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(RedisServer.make({ args: ["--no-such-directive", "1"] })))
      assert.include(error.message, "exited before answering PING")
      assert.include(error.message, "no-such-directive")
    }))

  it.effect("fails when the server does not answer within the start timeout, and kills it", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-redis-test-"))
      const pidFile = Path.join(dir, "pid")
      const binary = Path.join(dir, "silent-server")
      // Starts, never listens: a server stuck before it answers.
      Fs.writeFileSync(binary, `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 60\n`, { mode: 0o755 })
      const error = yield* Effect.flip(Effect.scoped(RedisServer.make({ startTimeout: "300 millis" }))).pipe(
        withEnv("REDIS_SERVER_BIN", binary)
      )
      assert.include(error.message, "did not answer PING")
      const pid = Number(Fs.readFileSync(pidFile, "utf8"))
      assert.throws(() => process.kill(pid, 0), /ESRCH/)
      Fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.live("kills its servers when the test process is terminated before their scope closes", () =>
    Effect.gen(function*() {
      const root = new URL("../../..", import.meta.url).pathname
      const fixture = new URL("fixtures/abandoned-server.ts", import.meta.url).pathname
      const child = ChildProcess.spawn(process.execPath, ["--import", "tsx", fixture], {
        cwd: root,
        stdio: ["ignore", "pipe", "inherit"]
      })
      const port = yield* Effect.async<number, Error>((resume) => {
        let output = ""
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          output += chunk
          if (output.includes("\n")) resume(Effect.succeed(Number(output.trim())))
        })
        child.once("exit", (code) => resume(Effect.fail(new Error(`fixture exited with ${code}`))))
        return Effect.sync(() => child.kill("SIGKILL"))
      })
      assert.deepStrictEqual(yield* ping(tcp(port)), Option.some("+PONG"))
      const exited = new Promise((resolve) => child.once("exit", (_, signal) => resolve(signal)))
      child.kill("SIGTERM")
      assert.strictEqual(yield* Effect.promise(() => exited), "SIGTERM")
      // SIGKILL is delivered asynchronously: wait until the port refuses.
      yield* ping(tcp(port)).pipe(
        Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: Option.isNone })
      )
    }))
})
