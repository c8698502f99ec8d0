/**
 * A bare TCP client for the testing package's own tests: what it sends and
 * receives is bytes, with no client library in between.
 */
import * as Effect from "effect/Effect"
import * as Net from "node:net"

/** A connected socket and what it received. */
export interface Client {
  readonly socket: Net.Socket
  /** Everything received so far, as latin1 so that any byte round-trips. */
  readonly received: () => string
  readonly closed: () => boolean
  readonly errorCode: () => string | undefined
  /** Sends text as UTF-8. */
  readonly send: (text: string) => void
  /** Waits until `done` holds, checked on every chunk and on close. */
  readonly waitFor: (done: (client: Client) => boolean) => Effect.Effect<void>
}

/** Connects to a loopback port; the socket is destroyed with the scope. */
export const connect = (port: number) =>
  Effect.acquireRelease(
    Effect.async<Client, Error>((resume) => {
      const socket = Net.connect({ host: "127.0.0.1", port })
      let received = ""
      let closed = false
      let errorCode: string | undefined
      socket.setEncoding("latin1")
      socket.on("data", (chunk: string) => {
        received += chunk
      })
      socket.on("close", () => {
        closed = true
      })
      socket.on("error", (error: NodeJS.ErrnoException) => {
        errorCode = error.code
      })
      const client: Client = {
        socket,
        received: () => received,
        closed: () => closed,
        errorCode: () => errorCode,
        send: (text) => socket.write(text),
        waitFor: (done) =>
          Effect.async<void>((resume) => {
            const check = () => {
              if (!done(client)) return
              socket.off("data", check)
              socket.off("close", check)
              resume(Effect.void)
            }
            // after the client's own listeners, so state is up to date
            socket.on("data", check)
            socket.on("close", check)
            check()
            return Effect.sync(() => {
              socket.off("data", check)
              socket.off("close", check)
            })
          })
      }
      socket.once("connect", () => resume(Effect.succeed(client)))
      socket.once("error", (error) => resume(Effect.fail(error)))
    }),
    (client) => Effect.sync(() => client.socket.destroy())
  )

/** A command as RESP: an array of bulk strings. */
export const command = (...args: ReadonlyArray<string>) =>
  `*${args.length}\r\n` + args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")
