import { Redis } from "@effect-redis/client"
import { RedisServer } from "@effect-redis/testing"
import { assert, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Net from "node:net"
import { testLayer } from "../utils.js"

// A bare subscriber socket, so these tests do not depend on the client's
// pub/sub module: it sends one command and waits for the first reply bytes.
const subscriber = (port: number, command: string) =>
  Effect.acquireRelease(
    Effect.async<Net.Socket>((resume) => {
      const socket = Net.connect(port, "127.0.0.1")
      socket.once("data", () => resume(Effect.succeed(socket)))
      socket.once("error", (error) => resume(Effect.die(error)))
      socket.once("connect", () => socket.write(command))
    }),
    (socket) => Effect.sync(() => socket.destroy())
  )

for (const protocol of [2, 3] as const) {
  const name = (suffix: string) => `pubsub:${protocol}:${suffix}`

  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`pub/sub commands (RESP${protocol})`, (it) => {
    it.effect("PUBLISH and SPUBLISH without subscribers reach nobody", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.publish(name("nobody"), "hello"), 0)
        assert.strictEqual(yield* redis.spublish(name("nobody"), "hello"), 0)
        assert.deepStrictEqual(yield* redis.pubsubChannels(name("nobody*")), [])
        assert.deepStrictEqual(yield* redis.pubsubNumsub(name("nobody")), { [name("nobody")]: 0 })
        assert.deepStrictEqual(yield* redis.pubsubNumsub(), {})
      }))

    it.scoped("PUBSUB reports channels, subscriber counts and patterns", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const server = yield* RedisServer.RedisServer
        const a = name("a")
        const b = name("b")
        yield* subscriber(server.port, `SUBSCRIBE ${a} ${b}\r\n`)
        yield* subscriber(server.port, `SUBSCRIBE ${a}\r\n`)
        yield* subscriber(server.port, `PSUBSCRIBE ${name("p*")}\r\n`)
        // Each socket has seen its first confirmation; wait for the last ones.
        yield* redis.pubsubNumsub(a, b).pipe(
          Effect.filterOrFail((counts) => counts[a] === 2 && counts[b] === 1),
          Effect.retry({ times: 10_000 })
        )
        assert.deepStrictEqual((yield* redis.pubsubChannels(name("*"))).sort(), [a, b])
        assert.deepStrictEqual(yield* redis.pubsubNumsub(a, b, name("c")), { [a]: 2, [b]: 1, [name("c")]: 0 })
        assert.strictEqual(yield* redis.pubsubNumpat(), 1)
        assert.strictEqual(yield* redis.publish(a, "message"), 2)
        assert.strictEqual(yield* redis.publish(name("pattern"), "message"), 1)
      }))

    it.scoped("PUBSUB SHARDCHANNELS and SHARDNUMSUB count shard subscribers", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const server = yield* RedisServer.RedisServer
        const shard = name("shard")
        yield* subscriber(server.port, `SSUBSCRIBE ${shard}\r\n`)
        assert.deepStrictEqual(yield* redis.pubsubShardchannels(name("sh*")), [shard])
        assert.deepStrictEqual(yield* redis.pubsubShardchannels(), [shard])
        assert.deepStrictEqual(yield* redis.pubsubShardnumsub(shard, name("none")), { [shard]: 1, [name("none")]: 0 })
        assert.strictEqual(yield* redis.spublish(shard, "message"), 1)
        assert.deepStrictEqual(yield* redis.pubsubChannels(name("sh*")), [])
      }))
  })
}
