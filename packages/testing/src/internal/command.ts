import { RespDecoder } from "@effect-redis/resp/RespDecoder"
import { RespCommandWriter } from "@effect-redis/resp/RespEncoder"
import { RespError, type RespValue } from "@effect-redis/resp/RespValue"
import * as Effect from "effect/Effect"
import * as Net from "node:net"
import { RedisServerError } from "../RedisServer.js"

/**
 * Sends one command to the server on the loopback `port`, on a connection of
 * its own, preceded by AUTH when `password` is set, and succeeds with the
 * reply. An error reply or a refused or dropped connection fails. Enough
 * for set-up code that sends a handful of commands; not a client.
 *
 * @internal
 */
export const command = (
  port: number,
  args: ReadonlyArray<string>,
  password: string | undefined
): Effect.Effect<RespValue, RedisServerError> =>
  Effect.async<RespValue, RedisServerError>((resume) => {
    const writer = new RespCommandWriter()
    if (password !== undefined) writer.write(["AUTH", password])
    writer.write(args)
    const expected = password === undefined ? 1 : 2
    const replies: Array<RespValue> = []
    const decoder = new RespDecoder()
    const socket = Net.connect({ host: "127.0.0.1", port })
    let settled = false
    const settle = (result: Effect.Effect<RespValue, RedisServerError>) => {
      if (settled) return
      settled = true
      socket.destroy()
      resume(result)
    }
    // The message names the command, never the AUTH line: no password.
    const fail = (detail: string, cause?: unknown) =>
      settle(
        Effect.fail(new RedisServerError({ message: `${args.join(" ")} on port ${port} failed: ${detail}`, cause }))
      )
    socket.on("data", (chunk: Buffer) => {
      const error = decoder.feed(chunk, (reply) => replies.push(reply))
      if (error !== undefined) return fail("the reply is not valid RESP", error)
      if (replies.length < expected) return
      const refused = replies.find((reply) => reply instanceof RespError)
      if (refused !== undefined) return fail(refused.message)
      settle(Effect.succeed(replies[expected - 1]!))
    })
    socket.on("error", (error) => fail(error.message, error))
    socket.on("close", () => fail("the connection closed before the reply"))
    socket.write(writer.take())
    return Effect.sync(() => socket.destroy())
  })
