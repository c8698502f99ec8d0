/**
 * A fake Redis server for protocol faults a real server never produces:
 * garbage bytes, replies cut mid-frame, silence, connections closed
 * mid-reply. Each command a client sends is decoded with the project's own
 * codec and handed to a handler, which writes whatever bytes it likes.
 *
 * ```ts
 * import { RespFrame } from "@effect-redis/resp"
 * import { FakeServer } from "@effect-redis/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* FakeServer.make((command, connection) => {
 *     if (command[0] === "GET") {
 *       connection.write("$10\r\nhel") // half a reply…
 *       connection.destroy() // …then the connection drops
 *     } else {
 *       connection.reply(RespFrame.SimpleString("OK"))
 *     }
 *   })
 *   // connect a client to server.url
 * })
 * ```
 *
 * @since 0.1.0
 */
import { RespDecoder } from "@effect-redis/resp/RespDecoder"
import { encodeFrame } from "@effect-redis/resp/RespEncoder"
import type { RespFrame } from "@effect-redis/resp/RespFrame"
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Net from "node:net"
import { listen } from "./internal/listen.js"
import type { RedisServerError } from "./RedisServer.js"

/**
 * One client connection, as the handler sees it. Calls after the
 * connection closed are ignored.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeConnection {
  /** Writes raw bytes (strings as UTF-8): anything, valid RESP or not. */
  readonly write: (bytes: Uint8Array | string) => void
  /** Writes one well-formed frame, encoded with `@effect-redis/resp`. */
  readonly reply: (frame: RespFrame) => void
  /**
   * Closes the connection once what was written is flushed, so
   * `write(half); destroy()` delivers the half and then a clean close.
   */
  readonly destroy: () => void
  /** Closes with a TCP reset now, dropping unflushed writes: ECONNRESET. */
  readonly reset: () => void
}

/**
 * @since 0.1.0
 * @category models
 */
export interface FakeServer {
  /** Always `"127.0.0.1"`. */
  readonly host: string
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** How many connections were accepted so far. */
  readonly connections: number
}

/**
 * Handles one command: its arguments decoded as UTF-8 strings, in the order
 * they arrived on the connection.
 *
 * @since 0.1.0
 * @category models
 */
export type Handler = (command: ReadonlyArray<string>, connection: FakeConnection) => void

const asCommand = (value: RespValue): ReadonlyArray<string> | undefined =>
  Array.isArray(value) && value.length > 0 && value.every((arg) => typeof arg === "string")
    ? value
    : undefined

/**
 * Listens on a free loopback port until the scope closes, which destroys
 * every connection.
 *
 * Input that is not valid RESP, or a value that is not a non-empty array of
 * bulk strings (inline commands included), is answered with
 * `-ERR Protocol error` and the connection is closed, as redis-server does.
 * A handler that throws closes its own connection and nothing else.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (handler: Handler): Effect.Effect<FakeServer, RedisServerError, Scope.Scope> =>
  Effect.gen(function*() {
    const sockets = new Set<Net.Socket>()
    let accepted = 0

    const onConnection = (socket: Net.Socket) => {
      accepted++
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
      // A client that vanishes is routine here; without a listener the
      // error would crash the test process.
      socket.on("error", () => socket.destroy())
      const connection: FakeConnection = {
        write: (bytes) => {
          if (!socket.destroyed) socket.write(bytes)
        },
        reply: (frame) => {
          if (!socket.destroyed) socket.write(encodeFrame(frame))
        },
        destroy: () => socket.destroySoon(),
        reset: () => {
          if (!socket.destroyed) socket.resetAndDestroy()
        }
      }
      const protocolError = (detail: string) => {
        connection.write(`-ERR Protocol error: ${detail}\r\n`)
        connection.destroy()
      }
      const decoder = new RespDecoder()
      socket.on("data", (chunk: Buffer) => {
        // Commands pipelined behind a bad one are dropped, as by Redis.
        if (socket.writableEnded || socket.destroyed) return
        try {
          const error = decoder.feed(chunk, (value) => {
            if (socket.writableEnded || socket.destroyed) return
            const command = asCommand(value)
            if (command === undefined) return protocolError("expected an array of bulk strings")
            handler(command, connection)
          })
          if (error !== undefined) protocolError(error.message)
        } catch {
          // A throwing handler is a bug in the test; it must not take the
          // test process down with it.
          socket.destroy()
        }
      })
    }

    const port = yield* listen("fake server", onConnection, () => {
      for (const socket of sockets) socket.destroy()
    })
    return {
      host: "127.0.0.1",
      port,
      url: `redis://127.0.0.1:${port}`,
      get connections() {
        return accepted
      }
    }
  })
