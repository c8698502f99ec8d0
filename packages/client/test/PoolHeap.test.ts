import { Redis } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as V8 from "node:v8"
import * as Vm from "node:vm"
import { eventually } from "./utils.js"

/**
 * V8's full collection. Exposed at run time rather than through
 * `--expose-gc`, which a workspace run of vitest does not pass to its
 * workers.
 */
const collectGarbage = (() => {
  V8.setFlagsFromString("--expose-gc")
  return Vm.runInNewContext("gc") as () => void
})()

/** The heap in use after full collections. */
const heapAfterGc = Effect.sync(() => {
  collectGarbage()
  collectGarbage()
  return process.memoryUsage().heapUsed
})

const connectedClients = (redis: Redis.Redis) =>
  Effect.map(redis.info("clients"), (info) => Number(info["clients"]?.["connected_clients"]))

describe("pooled connections over a long run", () => {
  it.scopedLive("20,000 discarded pool connections leave the heap flat", () =>
    Effect.gen(function*() {
      // A Unix socket: so many connections through TCP would use up the ephemeral ports (TIME_WAIT).
      const server = yield* RedisServer.make({ unixSocket: true })
      const redis = yield* Redis.make({ path: server.socketPath! }).pipe(Effect.provide(NodeTransport.layer))
      // A reserve scope that fails leaves its connection in an unknown state: it is closed, not returned.
      const discard = Effect.ignore(Effect.scoped(Effect.zipRight(redis.reserve, Effect.fail("abandoned"))))
      const discards = (count: number) =>
        Effect.forEach(Array.from({ length: count / 16 }), () =>
          Effect.all(Array.from({ length: 16 }, () => discard), { concurrency: "unbounded", discard: true }), {
          discard: true
        })
      yield* discards(2_000)
      const before = yield* heapAfterGc
      yield* discards(20_000)
      // Every discarded connection is closed: only the shared connection is left.
      yield* eventually(connectedClients(redis), (n) =>
        n === 1, 30)
      const after = yield* heapAfterGc
      const grownMegabytes = (after - before) / 1024 / 1024
      assert.isBelow(grownMegabytes, 4, `the heap grew by ${grownMegabytes.toFixed(1)} MB`)
    }), { timeout: 120_000 })
})
