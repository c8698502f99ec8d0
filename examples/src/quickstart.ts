/**
 * Quick start: strings, hashes, lists and sorted sets through the `Redis`
 * service.
 *
 * Run it with `pnpm example`. It uses REDIS_URL when set; otherwise it starts
 * a throwaway redis-server (from PATH) for the length of the program.
 */
import { Redis } from "@effect-redis/client"
import { NodeRedis } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect, Layer, Option } from "effect"

const program = Effect.gen(function*() {
  const redis = yield* Redis.Redis

  // Strings
  yield* redis.set("quickstart:greeting", "hello", { ex: "1 minute" })
  const greeting = yield* redis.get("quickstart:greeting")
  yield* Console.log(`GET quickstart:greeting -> ${Option.getOrElse(greeting, () => "(nil)")}`)
  const visits = yield* redis.incr("quickstart:visits")
  yield* Console.log(`INCR quickstart:visits -> ${visits}`)

  // Hashes
  yield* redis.hset("quickstart:user:1", { name: "Ada", language: "TypeScript" })
  const user = yield* redis.hgetall("quickstart:user:1")
  yield* Console.log(`HGETALL quickstart:user:1 -> ${JSON.stringify(user)}`)

  // Lists
  yield* redis.del(["quickstart:jobs"])
  yield* redis.rpush("quickstart:jobs", ["resize", "upload", "notify"])
  const next = yield* redis.lpop("quickstart:jobs")
  const rest = yield* redis.lrange("quickstart:jobs", 0, -1)
  yield* Console.log(
    `LPOP quickstart:jobs -> ${Option.getOrElse(next, () => "(nil)")}, remaining ${JSON.stringify(rest)}`
  )

  // Sorted sets
  yield* redis.zadd("quickstart:scores", [[3, "carol"], [1, "alice"], [2, "bob"]])
  const podium = yield* redis.zrangeWithScores("quickstart:scores", 0, -1, { rev: true })
  yield* Console.log(`ZRANGE quickstart:scores REV WITHSCORES -> ${JSON.stringify(podium)}`)

  // Many fibers, one connection: these 100 commands go out as one pipeline.
  const counts = yield* Effect.forEach(
    Array.from({ length: 100 }, (_, i) => i),
    () => redis.incr("quickstart:concurrent"),
    { concurrency: "unbounded" }
  )
  yield* Console.log(`100 concurrent INCRs -> last ${counts[counts.length - 1]}`)
})

// REDIS_URL when given, else a redis-server started for this program.
const RedisLive = Layer.unwrapScoped(
  Effect.gen(function*() {
    const url = yield* Config.option(Config.redacted("REDIS_URL"))
    if (Option.isSome(url)) return NodeRedis.layerFromUrl(url.value)
    const server = yield* RedisServer.make()
    yield* Console.log(`REDIS_URL is not set: started redis-server on ${server.url}`)
    return NodeRedis.layerFromUrl(server.url)
  })
)

program.pipe(Effect.provide(RedisLive), NodeRuntime.runMain)
