import { Commands, Redis, RedisConfig } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Fiber, Option } from "effect"
import { eventually, refusals } from "./utils.js"

const { commands } = Commands

const connect = (options: RedisConfig.Options) => Redis.make(options).pipe(Effect.provide(NodeTransport.layer))

/** The code of a reply error, or the tag of any other failure. */
const codeOf = <A>(result: Either.Either<A, { readonly _tag: string }>): string | undefined =>
  Either.isRight(result) ? undefined : "code" in result.left ? String(result.left.code) : result.left._tag

describe("retrying refusals that guarantee nothing ran", () => {
  it.scopedLive(
    "waits for a server loading a large data set, and sends again once it is loaded",
    () =>
      Effect.gen(function*() {
        // 3,000 keys loaded at 1 ms each: about 3 s of LOADING, answered while loading.
        const server = yield* RedisServer.make({
          args: ["--key-load-delay", "1000", "--loading-process-events-interval-bytes", "1024"]
        })
        const setup = yield* connect({ url: server.url })
        const keys = Array.from({ length: 3000 }, (_, i) => `loaded:${i}`)
        yield* setup.pipeline(keys.map((key) => commands.set(key, key)))
        yield* setup.raw(["SAVE"])
        const patient = yield* connect({ url: server.url, retry: { codes: ["LOADING"] } })
        const plain = yield* connect({ url: server.url })
        yield* server.stop
        const restarted = yield* Effect.fork(server.start)
        // Both clients reconnect by themselves; the plain one shows the server is loading.
        const refused = yield* eventually(
          Effect.either(plain.get(keys[0]!)),
          (result) => codeOf(result) === "LOADING",
          20
        )
        assert.strictEqual(codeOf(refused), "LOADING")
        const [value, page] = yield* Effect.all([
          patient.get(keys[2999]!),
          patient.pipeline([commands.get(keys[1]!), commands.dbsize()])
        ], { concurrency: "unbounded" })
        assert.deepStrictEqual(value, Option.some(keys[2999]!))
        assert.deepStrictEqual(page, [Either.right(Option.some(keys[1]!)), Either.right(3000)])
        assert.deepStrictEqual(yield* patient.transaction([commands.get(keys[2]!)]), [
          Either.right(Option.some(keys[2]!))
        ])
        yield* Fiber.join(restarted)
        assert.isAtLeast(yield* refusals(setup, "LOADING"), 2, "the patient client was refused before it succeeded")
      }),
    { timeout: 60_000 }
  )

  it.scopedLive(
    "a write refused READONLY reconnects and goes again once the server is a master again",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const other = yield* RedisServer.make()
        const admin = yield* connect({ url: server.url })
        const redis = yield* connect({ url: server.url, retry: { codes: ["READONLY"] } })
        yield* redis.set("before", "1")
        const connectionsBefore = Number((yield* admin.info("stats"))["stats"]?.["total_connections_received"])
        // Demoted, as a failover demotes a master: writes are refused.
        yield* admin.raw(["REPLICAOF", other.host, other.port])
        const write = yield* Effect.fork(redis.set("after", "2"))
        yield* eventually(refusals(admin, "READONLY"), (count) => count >= 1, 10)
        // The refused write made its connection reconnect, to ask again on a fresh connection.
        yield* eventually(
          admin.info("stats"),
          (info) => Number(info["stats"]?.["total_connections_received"]) > connectionsBefore,
          10
        )
        // Promoted again: the pending write goes through, once.
        yield* admin.raw(["REPLICAOF", "NO", "ONE"])
        assert.isTrue(yield* Fiber.join(write))
        assert.deepStrictEqual(yield* admin.get("after"), Option.some("2"))
      }),
    { timeout: 30_000 }
  )

  it.scopedLive("a replica without its master answers MASTERDOWN until the link is back", () =>
    Effect.gen(function*() {
      const master = yield* RedisServer.make({ args: ["--repl-diskless-sync-delay", "0"] })
      const replica = yield* RedisServer.make({
        args: ["--replicaof", master.host, String(master.port), "--replica-serve-stale-data", "no"]
      })
      const toMaster = yield* connect({ url: master.url })
      const toReplica = yield* connect({ url: replica.url })
      yield* toMaster.set("replicated", "1")
      yield* eventually(toReplica.role(), (role) => role.role === "slave" && role.state === "connected", 20)
      assert.strictEqual(yield* toMaster.wait(1, 5_000), 1)
      const redis = yield* connect({ url: replica.url, retry: { codes: ["MASTERDOWN"] } })
      yield* master.stop
      yield* eventually(toReplica.role(), (role) => role.role === "slave" && role.state !== "connected", 20)
      const read = yield* Effect.fork(redis.get("replicated"))
      yield* eventually(refusals(toReplica, "MASTERDOWN"), (count) => count >= 1, 10)
      yield* master.start
      yield* toMaster.set("replicated", "1")
      assert.deepStrictEqual(yield* Fiber.join(read), Option.some("1"))
    }), { timeout: 60_000 })

  it.scopedLive("BUSY is retried for reads, never for writes or scripts", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make({ args: ["--busy-reply-threshold", "50"] })
      const admin = yield* connect({ url: server.url })
      const redis = yield* connect({ url: server.url, retry: { codes: ["BUSY"] } })
      yield* admin.set("k", "v")
      // A script that spins for a second and writes nothing: others get BUSY meanwhile.
      const spin = "local t = redis.call('TIME'); local s = t[1] * 1000000 + t[2]; " +
        "while true do t = redis.call('TIME'); if t[1] * 1000000 + t[2] - s > 1000000 then return 1 end end"
      const spinner = yield* connect({ url: server.url })
      const spinning = yield* Effect.fork(spinner.raw(["EVAL", spin, 0]))
      const probe = yield* connect({ url: server.url })
      yield* eventually(Effect.either(probe.ping()), (result) => codeOf(result) === "BUSY", 10)
      const [read, write, script] = yield* Effect.all([
        Effect.either(redis.get("k")),
        Effect.either(redis.set("k", "w")),
        Effect.either(redis.eval("return 1", [], []))
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual(read, Either.right(Option.some("v")))
      assert.strictEqual(codeOf(write), "BUSY")
      assert.strictEqual(codeOf(script), "BUSY")
      yield* Fiber.join(spinning)
      assert.deepStrictEqual(yield* admin.get("k"), Option.some("v"))
    }), { timeout: 30_000 })

  it.scopedLive(
    "gives up once the command timeout has passed since the first refusal, with that refusal",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const other = yield* RedisServer.make()
        const admin = yield* connect({ url: server.url })
        yield* admin.raw(["REPLICAOF", other.host, other.port])
        const redis = yield* connect({ url: server.url, commandTimeout: "300 millis", retry: { codes: ["READONLY"] } })
        const refused = yield* Effect.flip(redis.set("k", "v"))
        assert.strictEqual(refused._tag === "RedisReplyError" && refused.code, "READONLY")
        assert.isAtLeast(yield* refusals(admin, "READONLY"), 2)
      }),
    { timeout: 30_000 }
  )

  it("accepts only refusals that guarantee nothing ran", () => {
    const resolved = Either.getOrThrow(RedisConfig.resolve({}))
    assert.deepStrictEqual([...resolved.retry.codes], ["TRYAGAIN", "CLUSTERDOWN"])
    const all = Either.getOrThrow(RedisConfig.resolve({ retry: { codes: RedisConfig.retryableCodes } }))
    assert.strictEqual(all.retry.codes.size, 6)
    const refused = RedisConfig.resolve({ retry: { codes: ["ERR" as RedisConfig.RetryableCode] } })
    assert.isTrue(Either.isLeft(refused) && refused.left.message.includes("ERR"))
  })
})
