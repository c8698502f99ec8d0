import { Redis } from "@effect-redis/client"
import { assert, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { testLayer } from "../utils.js"

for (const protocol of [2, 3] as const) {
  const key = (name: string) => `server:${protocol}:${name}`

  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`server commands (RESP${protocol})`, (it) => {
    it.effect("INFO is parsed into sections of fields", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const all = yield* redis.info()
        assert.match(all["server"]!["redis_version"]!, /^\d+\.\d+\.\d+$/)
        assert.isDefined(all["memory"]!["used_memory"])
        const some = yield* redis.info("server", "clients")
        assert.deepStrictEqual(Object.keys(some).sort(), ["clients", "server"])
        assert.strictEqual(some["server"]!["redis_mode"], "standalone")
      }))

    it.effect("DBSIZE counts keys, FLUSHDB and FLUSHALL empty the database, SWAPDB exchanges two", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.raw(["SET", key("a"), "1"])
        yield* redis.raw(["SET", key("b"), "2"])
        assert.strictEqual(yield* redis.dbsize(), 2)
        yield* redis.swapdb(0, 5)
        assert.strictEqual(yield* redis.dbsize(), 0)
        yield* redis.swapdb(0, 5)
        assert.strictEqual(yield* redis.dbsize(), 2)
        yield* redis.flushdb({ mode: "sync" })
        assert.strictEqual(yield* redis.dbsize(), 0)
        yield* redis.raw(["SET", key("c"), "3"])
        yield* redis.flushall({ mode: "async" })
        yield* redis.flushdb()
        yield* redis.flushall()
        assert.strictEqual(yield* redis.dbsize(), 0)
      }))

    it.effect("TIME and LASTSAVE report Unix times", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const time = yield* redis.time()
        assert.isTrue(time.seconds > 1_600_000_000)
        assert.isTrue(time.microseconds >= 0 && time.microseconds < 1_000_000)
        assert.isTrue((yield* redis.lastsave()) > 1_600_000_000)
      }))

    it.effect("CONFIG GET returns a record, CONFIG SET sets several parameters at once", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.configSet({ "slowlog-max-len": 200, "maxmemory-samples": "7" })
        const config = yield* redis.configGet("slowlog-max-len", "maxmemory-sam*")
        assert.deepStrictEqual<Record<string, string>>(config, { "slowlog-max-len": "200", "maxmemory-samples": "7" })
        assert.deepStrictEqual(yield* redis.configGet("no-such-parameter"), {})
        yield* redis.configResetstat()
        const error = yield* Effect.flip(redis.configSet({ "no-such-parameter": "1" }))
        assert.strictEqual(error._tag, "RedisReplyError")
      }))

    it.effect("MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS and PURGE answer", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.raw(["SET", key("mem"), "x".repeat(100)])
        const usage = yield* redis.memoryUsage(key("mem"), { samples: 0 })
        assert.isTrue(Option.getOrThrow(usage) > 100)
        assert.isTrue(Option.isNone(yield* redis.memoryUsage(key("mem-missing"))))
        const stats = yield* redis.memoryStats()
        assert.isTrue(typeof stats["peak.allocated"] === "number")
        assert.isTrue(typeof stats["dataset.percentage"] === "number")
        assert.isTrue(typeof stats["db.0"] === "object")
        assert.isTrue((yield* redis.memoryDoctor()).length > 0)
        assert.isTrue((yield* redis.memoryMallocStats()).length > 0)
        yield* redis.memoryPurge()
      }))

    it.effect("COMMAND COUNT, INFO, DOCS and LIST describe the commands", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const count = yield* redis.commandCount()
        assert.isTrue(count > 200)
        const [get, missing, xgroup] = yield* redis.commandInfo("get", "no-such-command", "xgroup")
        const info = Option.getOrThrow(get!)
        assert.strictEqual(info.name, "get")
        assert.strictEqual(info.arity, 2)
        assert.include<string>(info.flags, "readonly")
        assert.deepStrictEqual([info.firstKey, info.lastKey, info.step], [1, 1, 1])
        assert.include<string>(info.aclCategories, "@string")
        assert.deepStrictEqual(info.subcommands, [])
        assert.isTrue(Option.isNone(missing!))
        assert.include<string>(Option.getOrThrow(xgroup!).subcommands.map((s) => s.name), "xgroup|create")
        assert.strictEqual((yield* redis.commandInfo()).length, count)

        const docs = yield* redis.commandDocs("get", "xinfo")
        assert.strictEqual(docs["get"]!.group, "string")
        assert.strictEqual(docs["get"]!.since, "1.0.0")
        assert.isTrue(Option.isSome(docs["get"]!.complexity))
        assert.deepStrictEqual(docs["get"]!.subcommands, {})
        assert.strictEqual(docs["xinfo"]!.subcommands["xinfo|stream"]!.group, "stream")

        const names = yield* redis.commandList()
        // Subcommands are listed too, as `container|subcommand`.
        assert.isTrue(names.length > count)
        assert.include<string>(names, "xadd")
        assert.include<string>(names, "xgroup|create")
        assert.deepStrictEqual((yield* redis.commandList({ filterby: { pattern: "xa*" } })).sort(), [
          "xack",
          "xadd",
          "xautoclaim"
        ])
        assert.include<string>(yield* redis.commandList({ filterby: { aclcat: "stream" } }), "xlen")
        assert.deepStrictEqual(yield* redis.commandList({ filterby: { module: "no-such-module" } }), [])
      }))

    it.effect("COMMAND GETKEYS and GETKEYSANDFLAGS find the keys of a command line", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.deepStrictEqual(yield* redis.commandGetkeys(["MSET", "a", "1", "b", "2"]), ["a", "b"])
        const flags = yield* redis.commandGetkeysandflags(["LMOVE", "src", "dst", "LEFT", "RIGHT"])
        assert.deepStrictEqual(flags.map((k) => k.key), ["src", "dst"])
        assert.include<string>(flags[0]!.flags, "RW")
      }))

    it.effect("LOLWUT answers with the version", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.include(yield* redis.lolwut({ version: 5 }), "Redis ver.")
        assert.include(yield* redis.lolwut(), "Redis ver.")
      }))

    it.effect("SLOWLOG records commands over the threshold", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.configSet({ "slowlog-log-slower-than": 0 })
        yield* redis.slowlogReset()
        yield* redis.echo("slow")
        const entries = yield* redis.slowlogGet(-1)
        yield* redis.configSet({ "slowlog-log-slower-than": 10_000 })
        assert.isTrue(entries.some((e) => e.args[0] === "ECHO" && e.args[1] === "slow"))
        const entry = entries[0]!
        assert.isTrue(entry.timestamp > 1_600_000_000 && entry.duration >= 0 && entry.id >= 0)
        assert.match(entry.clientAddress, /:\d+$/)
        assert.isTrue((yield* redis.slowlogLen()) >= 1)
        assert.strictEqual((yield* redis.slowlogGet(1)).length, 1)
      }))

    it.effect("LATENCY LATEST, HISTORY, RESET and DOCTOR answer", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.deepStrictEqual(yield* redis.latencyLatest(), [])
        assert.deepStrictEqual(yield* redis.latencyHistory("command"), [])
        assert.strictEqual(yield* redis.latencyReset(), 0)
        assert.isTrue((yield* redis.latencyDoctor()).length > 0)
      }))

    it.effect("ROLE of a standalone server is master without replicas, WAIT returns 0 replicas", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const role = yield* redis.role()
        assert.strictEqual(role.role, "master")
        assert.deepStrictEqual(role.role === "master" ? role.replicas : undefined, [])
        assert.strictEqual(yield* redis.wait(0, 100), 0)
      }))

    it.effect("ACL WHOAMI, CAT and GENPASS answer", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.aclWhoami(), "default")
        assert.include<string>(yield* redis.aclCat(), "stream")
        assert.include<string>(yield* redis.aclCat("stream"), "xadd")
        assert.match(yield* redis.aclGenpass(), /^[0-9a-f]{64}$/)
        assert.match(yield* redis.aclGenpass(32), /^[0-9a-f]{8}$/)
      }))
  })
}
