import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Net from "node:net"
import { RedisServerError } from "../RedisServer.js"
import { withLiveClock } from "./process.js"

const closeTimeout = "2 seconds"

/**
 * A TCP server on a free loopback port for the length of the scope, handing
 * each connection to `onConnection`; succeeds with the port. When the scope
 * closes, `closeAll` drops the open connections and the server stops
 * (waiting at most two seconds).
 *
 * @internal
 */
export const listen = (
  what: string,
  onConnection: (socket: Net.Socket) => void,
  closeAll: () => void
): Effect.Effect<number, RedisServerError, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.async<Net.Server, RedisServerError>((resume) => {
        const server = Net.createServer(onConnection)
        server.once(
          "error",
          (cause) => resume(Effect.fail(new RedisServerError({ message: `The ${what} could not listen`, cause })))
        )
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        return Effect.sync(() => server.close())
      }),
      (server) =>
        Effect.async<void>((resume) => {
          closeAll()
          server.close(() => resume(Effect.void))
        }).pipe(Effect.timeoutOption(closeTimeout), withLiveClock)
    ),
    (server) => (server.address() as Net.AddressInfo).port
  )
