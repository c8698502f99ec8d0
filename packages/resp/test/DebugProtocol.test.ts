import { RespDecoder } from "@effect-redis/resp/RespDecoder"
import { encodeCommand } from "@effect-redis/resp/RespEncoder"
import {
  RespAttributed,
  RespDouble,
  RespError,
  RespMap,
  RespPush,
  RespSet,
  type RespValue,
  RespVerbatim
} from "@effect-redis/resp/RespValue"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Net from "node:net"
import { decode } from "./utils.js"

interface Reply {
  readonly values: Array<RespValue>
  /** The exact bytes of the replies, as the server sent them. */
  readonly bytes: Buffer
}

// A minimal connection: our encoder out, our decoder in. Each request waits
// for `count` values (a RESP3 push comes before the reply it goes with) and
// keeps the bytes they came in.
const connect = (port: number) =>
  Effect.acquireRelease(
    Effect.async<Net.Socket, Error>((resume) => {
      const socket = Net.connect({ host: "127.0.0.1", port }, () => resume(Effect.succeed(socket)))
      socket.once("error", (error) => resume(Effect.fail(error)))
    }),
    (socket) => Effect.sync(() => socket.destroy())
  ).pipe(Effect.map((socket) => {
    const decoder = new RespDecoder()
    let pending:
      | { count: number; values: Array<RespValue>; chunks: Array<Buffer>; done: (reply: Reply) => void }
      | undefined
    socket.on("data", (chunk: Buffer) => {
      const request = pending
      if (request === undefined) {
        socket.destroy(new Error("Unexpected bytes from the server"))
        return
      }
      request.chunks.push(chunk)
      const error = decoder.feed(chunk, (value) => request.values.push(value))
      if (error !== undefined) {
        socket.destroy(error)
        return
      }
      if (request.values.length >= request.count && !decoder.hasPartial) {
        pending = undefined
        request.done({ values: request.values, bytes: Buffer.concat(request.chunks) })
      }
    })
    return (args: ReadonlyArray<string>, count = 1) =>
      Effect.async<Reply>((resume) => {
        pending = { count, values: [], chunks: [], done: (reply) => resume(Effect.succeed(reply)) }
        socket.write(Either.getOrThrow(encodeCommand(args)))
      })
  }))

const TYPES = [
  "string",
  "integer",
  "double",
  "bignum",
  "null",
  "array",
  "set",
  "map",
  "attrib",
  "push",
  "verbatim",
  "true",
  "false"
] as const

const resp2: Record<(typeof TYPES)[number], RespValue> = {
  string: "Hello World",
  integer: 12345,
  double: "3.141",
  bignum: "1234567999999999999999999999999999999",
  null: null,
  array: [0, 1, 2],
  set: [0, 1, 2],
  map: [0, 0, 1, 1, 2, 0],
  attrib: "Some real reply following the attribute",
  push: new RespError("ERR RESP2 is not supported by this command"),
  verbatim: "This is a verbatim\nstring",
  true: 1,
  false: 0
}

const resp3: Record<(typeof TYPES)[number], RespValue> = {
  string: "Hello World",
  integer: 12345,
  double: new RespDouble(3.141),
  bignum: 1234567999999999999999999999999999999n,
  null: null,
  array: [0, 1, 2],
  set: new RespSet([0, 1, 2]),
  map: new RespMap([0, false, 1, true, 2, false]),
  attrib: new RespAttributed(
    new RespMap(["key-popularity", ["key:123", 90]]),
    "Some real reply following the attribute"
  ),
  push: new RespPush(["server-cpu-usage", 42]),
  verbatim: new RespVerbatim("txt", "This is a verbatim\nstring"),
  true: true,
  false: false
}

describe("DEBUG PROTOCOL against redis-server", () => {
  it.scoped("decodes every type Redis 7.0 sends, under RESP2 and RESP3, in any chunking", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ enableDebugCommand: true })
      const send = yield* connect(server.port)

      const check = (type: string, reply: Reply, expected: ReadonlyArray<RespValue>) => {
        assert.deepStrictEqual(reply.values, expected, type)
        // The server's own bytes, split at every position, give the same value.
        const cuts = Array.from({ length: reply.bytes.length - 1 }, (_, i) => i + 1)
        const split = decode(reply.bytes, { cuts })
        assert.isUndefined(split.error, type)
        assert.deepStrictEqual(split.values, expected, type)
      }

      for (const type of TYPES) check(type, yield* send(["DEBUG", "PROTOCOL", type]), [resp2[type]])

      const hello = yield* send(["HELLO", "3"])
      assert.instanceOf(hello.values[0], RespMap)

      for (const type of TYPES) {
        // The push is followed by the command's own reply.
        const expected = type === "push"
          ? [resp3.push, "Some real reply following the push reply"]
          : [resp3[type]]
        check(type, yield* send(["DEBUG", "PROTOCOL", type], expected.length), expected)
      }
    }))
})
