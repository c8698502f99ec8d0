import { Redis } from "@effect-redis/client"
import { assert, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import { testLayer } from "../utils.js"

for (const protocol of [2, 3] as const) {
  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`connection commands (RESP${protocol})`, (it) => {
    it.effect("PING answers PONG or the message, ECHO sends the message back", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.ping(), "PONG")
        assert.strictEqual(yield* redis.pingMessage("hello"), "hello")
        assert.strictEqual(yield* redis.echo("ünïcode"), "ünïcode")
        const bytes = yield* redis.binary.echo(new Uint8Array([0, 200, 13, 10]))
        assert.instanceOf(bytes, Uint8Array)
        assert.deepStrictEqual(Array.from(bytes), [0, 200, 13, 10])
      }))

    it.effect("CLIENT ID, INFO and LIST describe the connection", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const id = yield* redis.clientId()
        assert.isTrue(Number.isInteger(id) && id > 0)
        const info = yield* redis.clientInfo()
        assert.strictEqual(info["cmd"], "client|info")
        assert.match(info["addr"]!, /:\d+$/)
        assert.isTrue(Number(info["id"]) > 0)
        const all = yield* redis.clientList()
        assert.isTrue(all.some((client) => client["id"] === info["id"]))
        const normal = yield* redis.clientList({ type: "normal" })
        assert.isTrue(normal.length >= 1)
        const byId = yield* redis.clientList({ ids: [Number(info["id"])] })
        assert.deepStrictEqual(byId.map((client) => client["id"]), [info["id"]])
        assert.deepStrictEqual(yield* redis.clientList({ ids: [999_999] }), [])
      }))

    it.effect("CLIENT GETNAME is none for an unnamed connection", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.isTrue(Option.isNone(yield* redis.clientGetname()))
      }))

    it.effect("CLIENT TRACKINGINFO and GETREDIR report tracking off", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const tracking = yield* redis.clientTrackinginfo()
        // Widened to plain strings: a `Text` goes wherever a string does, not the other way round.
        assert.deepStrictEqual<{ flags: ReadonlyArray<string>; redirect: number; prefixes: ReadonlyArray<string> }>(
          tracking,
          { flags: ["off"], redirect: -1, prefixes: [] }
        )
        assert.strictEqual(yield* redis.clientGetredir(), -1)
      }))

    it.effect("CLIENT NO-EVICT (on a reserved connection), PAUSE and UNPAUSE succeed", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* Effect.scoped(
          Effect.flatMap(redis.reserve, (own) => Effect.zipRight(own.clientNoEvict(true), own.clientNoEvict(false)))
        )
        yield* redis.clientPause(60_000, { mode: "write" })
        yield* redis.clientUnpause()
        yield* redis.clientPause(1)
        yield* redis.clientUnpause()
        assert.strictEqual(yield* redis.ping(), "PONG")
      }))

    it.effect("CLIENT UNBLOCK and CLIENT KILL of an unknown client do nothing", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.isFalse(yield* redis.clientUnblock(999_999))
        assert.isFalse(yield* redis.clientUnblock(999_999, { error: true }))
        assert.strictEqual(yield* redis.clientKill({ id: 999_999 }), 0)
        assert.strictEqual(yield* redis.clientKill({ addr: "10.255.255.1:1", skipme: true }), 0)
        const error = yield* Effect.flip(redis.clientKill({}))
        assert.strictEqual(error._tag, "RedisArgumentError")
      }))

    it.effect("CLIENT UNBLOCK wakes up a blocked XREAD, which then reads nothing", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const key = `connection:${protocol}:unblock`
        const reader = yield* Effect.fork(redis.xreadBlock({ [key]: "$" }, 10_000))
        // Find the blocked client among the connections and unblock it; each
        // attempt is a CLIENT LIST round trip, which gives the XREAD time to
        // reach the server.
        const blockedId = yield* redis.clientList().pipe(
          Effect.map((clients) => clients.find((client) => client["cmd"] === "xread")),
          Effect.flatMap(Option.fromNullable),
          Effect.retry({ times: 10_000 }),
          Effect.orElse(() =>
            Effect.dieMessage("no client blocked in XREAD: blocking commands must run on a dedicated connection")
          )
        )
        assert.isTrue(yield* redis.clientUnblock(Number(blockedId["id"])))
        const read = yield* Fiber.join(reader)
        assert.isTrue(Option.isNone(read))
      }))
  })
}
