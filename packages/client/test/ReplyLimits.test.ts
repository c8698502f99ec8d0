import { Redis, type RedisConfig } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RespProtocolError } from "@effect-redis/resp/RespDecoder"
import { RespDouble, RespError, RespMap, type RespValue } from "@effect-redis/resp/RespValue"
import { FakeServer, RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { failure } from "./utils.js"

// Replies at the edges of what the codec accepts: what Redis really sends
// decodes, what is too much costs one command or one connection, never the
// process.

const client = (url: string, options: Omit<Parameters<typeof Redis.make>[0], "url"> = {}) =>
  Redis.make({ url, ...options }).pipe(Effect.provide(NodeTransport.layer))

/** A client (RESP2) of a fake server that answers its first GET with `answer`, and everything else with OK. */
const answeringFirstGet = (
  answer: (connection: FakeServer.FakeConnection) => void,
  replyLimits: RedisConfig.ReplyLimits = {}
) =>
  Effect.gen(function*() {
    let hostile = true
    const fake = yield* FakeServer.make((command, connection) => {
      if (command[0] !== "GET" || !hostile) return connection.write("+OK\r\n")
      hostile = false
      answer(connection)
    })
    return yield* client(fake.url, { protocol: 2, replyLimits })
  })

/** 2^20 integer elements, 4 MiB. */
const streamIntegers = (connection: FakeServer.FakeConnection) => {
  const elements = Buffer.from(":1\r\n".repeat(16_384))
  for (let i = 0; i < 64; i++) connection.write(elements)
}

/** GET fails on a protocol error that names `message` and resets the connection; the next command gets through. */
const failsAndResets = (redis: Redis.Redis, message: string) =>
  Effect.gen(function*() {
    const error = failure(yield* Effect.exit(redis.get("k")))
    assert.strictEqual(error._tag, "RedisConnectionError")
    assert.strictEqual(error._tag === "RedisConnectionError" && error.outcome, "may-have-executed")
    assert.instanceOf(error._tag === "RedisConnectionError" && error.cause, RespProtocolError)
    assert.include(error.message, message)
    assert.strictEqual(yield* Effect.retry(redis.raw(["PING"]), { times: 20 }), "OK")
  })

/** How deep `value` nests arrays (or maps, through their single value), counted without recursion. */
const depthOf = (value: RespValue): { readonly levels: number; readonly innermost: RespValue } => {
  let levels = 0
  let current = value
  while (Array.isArray(current) || current instanceof RespMap) {
    current = Array.isArray(current) ? current[0]! : current.entries[1]!
    levels++
  }
  return { levels, innermost: current }
}

// One byte more than V8's longest string, well within Redis' 512 MiB bulk limit.
const TOO_LONG = 536_870_889

const nestedTable = (levels: number, wrap: string) =>
  `redis.setresp(3) local t = 1 for i = 1, ${levels} do t = ${wrap} end return t`

describe("Reply limits", () => {
  it.scopedLive(
    "decodes the -nan a Lua script returns, with the command sent in the same turn",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* client(server.url)
        const id = yield* redis.raw(["CLIENT", "ID"])
        yield* redis.set("nan:key", "v")
        const [nan, infinite, value] = yield* Effect.all([
          redis.raw(["EVAL", "redis.setresp(3) return {double=0/0}", "0"]),
          redis.raw(["EVAL", "redis.setresp(3) return {double=-1/0}", "0"]),
          redis.get("nan:key")
        ], { concurrency: "unbounded" })
        assert.instanceOf(nan, RespDouble)
        assert.isNaN(nan.value)
        assert.deepStrictEqual(infinite, new RespDouble(-Infinity))
        assert.deepStrictEqual(value, Option.some("v"))
        assert.strictEqual(yield* redis.raw(["CLIENT", "ID"]), id)
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("decodes the deepest tables a Lua script can return", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const redis = yield* client(server.url)
      const id = yield* redis.raw(["CLIENT", "ID"])
      const arrays = depthOf(yield* redis.raw(["EVAL", nestedTable(7_994, "{t}"), "0"]))
      assert.deepStrictEqual(arrays, { levels: 7_994, innermost: 1 })
      const maps = depthOf(yield* redis.raw(["EVAL", nestedTable(2_664, "{map={k=t}}"), "0"]))
      assert.deepStrictEqual(maps, { levels: 2_664, innermost: 1 })
      // Deeper than Lua's stack allows, Redis ends the nesting with an error reply.
      const beyond = depthOf(yield* redis.raw(["EVAL", nestedTable(100_000, "{t}"), "0"]))
      assert.strictEqual(beyond.levels, 7_995)
      assert.instanceOf(beyond.innermost, RespError)
      assert.strictEqual(yield* redis.raw(["CLIENT", "ID"]), id)
    }), { timeout: 30_000 })

  it.scopedLive("resets only the connection when a reply nests past a configured depth", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make()
      const redis = yield* client(server.url, { replyLimits: { maxDepth: 100 } })
      assert.deepStrictEqual(depthOf(yield* redis.raw(["EVAL", nestedTable(100, "{t}"), "0"])).levels, 100)
      const error = failure(yield* Effect.exit(redis.raw(["EVAL", nestedTable(101, "{t}"), "0"])))
      assert.strictEqual(error._tag, "RedisConnectionError")
      assert.include(error.message, "nest deeper than the limit of 100")
      assert.strictEqual(yield* Effect.retry(redis.raw(["PING"]), { times: 20 }), "PONG")
    }), { timeout: 30_000 })

  it.scopedLive(
    "fails only the command whose string is too long for text, and keeps the connection",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* client(server.url, { commandTimeout: "100 seconds" })
        yield* redis.setrange("huge", TOO_LONG - 1, "x")
        const id = yield* redis.raw(["CLIENT", "ID"])
        const error = failure(yield* Effect.exit(redis.get("huge")))
        assert.strictEqual(error._tag, "RedisDecodeError")
        assert.strictEqual(
          error.message,
          `GET: the reply holds a string of ${TOO_LONG} bytes, longer than the longest JavaScript string; ` +
            "read it as bytes with redis.binary"
        )
        assert.strictEqual(error._tag === "RedisDecodeError" && error.outcome, "may-have-executed")
        assert.strictEqual(yield* redis.strlen("huge"), TOO_LONG)
        assert.strictEqual(yield* redis.raw(["CLIENT", "ID"]), id)
      }),
    { timeout: 200_000 }
  )

  it.scopedLive(
    "fails a raw command, or a command whose reply holds such a string, with the same typed error",
    () =>
      Effect.gen(function*() {
        const payload = Buffer.alloc(1024 * 1024, 0x61)
        const sendHuge = (connection: FakeServer.FakeConnection) => {
          connection.write(`$${TOO_LONG}\r\n`)
          for (let left = TOO_LONG; left > 0; left -= payload.length) {
            connection.write(left >= payload.length ? payload : payload.subarray(0, left))
          }
          connection.write("\r\n")
        }
        const fake = yield* FakeServer.make((command, connection) => {
          if (command[0] === "GET") return sendHuge(connection)
          if (command[0] !== "MGET") return connection.write("+OK\r\n")
          connection.write("*2\r\n$1\r\ns\r\n")
          sendHuge(connection)
        })
        const redis = yield* client(fake.url, { protocol: 2, commandTimeout: "60 seconds" })
        const raw = failure(yield* Effect.exit(redis.raw(["GET", "huge"])))
        const nested = failure(yield* Effect.exit(redis.mget(["s", "huge"])))
        for (const error of [raw, nested]) {
          assert.strictEqual(error._tag, "RedisDecodeError")
          assert.include(error.message, `${TOO_LONG} bytes`)
          assert.include(error.message, "redis.binary")
        }
        assert.strictEqual(yield* redis.raw(["PING"]), "OK")
        assert.strictEqual(fake.connections, 1)
      }),
    { timeout: 60_000 }
  )

  it.scopedLive(
    "fails with a protocol error when a server declares an endless array, and the process goes on",
    () =>
      Effect.gen(function*() {
        const redis = yield* answeringFirstGet((connection) => {
          connection.write("*2147483647\r\n")
          // It would stream elements until the client ran out of array.
          streamIntegers(connection)
        })
        yield* failsAndResets(redis, "2147483647 elements exceeds the limit of 67108864")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "refuses a hostile 2^26-element header at once, whatever elements stream after it, and the process goes on",
    () =>
      Effect.gen(function*() {
        const redis = yield* answeringFirstGet((connection) => {
          // Within the per-array limit; its tiny elements would cost 0.5 to 2.7 GB of heap.
          connection.write("*67108864\r\n")
          streamIntegers(connection)
        })
        yield* failsAndResets(redis, "more than 16777216 elements in all its aggregates (the maxReplyElements limit)")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "bounds nested arrays together: each within the per-array limit, the reply beyond its own",
    () =>
      Effect.gen(function*() {
        const redis = yield* answeringFirstGet((connection) =>
          // 2 + 2 + 16,777,215 declared: one more than a reply may hold.
          connection.write("*2\r\n:1\r\n*2\r\n:1\r\n*16777215\r\n" + ":1\r\n".repeat(1_000))
        )
        yield* failsAndResets(redis, "the maxReplyElements limit")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "decodes a real reply of exactly replyLimits.maxReplyElements, and resets on one more",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redis = yield* client(server.url, { replyLimits: { maxReplyElements: 1_000 } })
        yield* redis.rpush("list", Array.from({ length: 1_000 }, (_, i) => `e${i}`))
        const id = yield* redis.raw(["CLIENT", "ID"])
        assert.strictEqual((yield* redis.lrange("list", 0, -1)).length, 1_000)
        assert.strictEqual(yield* redis.raw(["CLIENT", "ID"]), id)
        yield* redis.rpush("list", "one more")
        const error = failure(yield* Effect.exit(redis.lrange("list", 0, -1)))
        assert.strictEqual(error._tag, "RedisConnectionError")
        assert.strictEqual(error._tag === "RedisConnectionError" && error.outcome, "may-have-executed")
        assert.include(error.message, "more than 1000 elements in all its aggregates (the maxReplyElements limit)")
        assert.notStrictEqual(yield* Effect.retry(redis.raw(["CLIENT", "ID"]), { times: 20 }), id)
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("fails a streamed array at the configured element limit", () =>
    Effect.gen(function*() {
      const redis = yield* answeringFirstGet(
        (connection) => connection.write("*?\r\n" + ":1\r\n".repeat(2_000)),
        { maxAggregateLength: 1_000 }
      )
      yield* failsAndResets(redis, "more than 1000 elements")
    }), { timeout: 30_000 })
})
