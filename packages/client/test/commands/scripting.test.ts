import { Redis } from "@effect-redis/client"
import { assert, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { testLayer } from "../utils.js"

const library = (name: string, body: string) => `#!lua name=${name}\n${body}`

const echoLibrary = library(
  "echolib",
  `redis.register_function('echo_keys', function(keys, args) return { keys[1], args[1] } end)
redis.register_function{ function_name = 'ro_len', callback = function(keys) return redis.call('STRLEN', keys[1]) end,
  flags = { 'no-writes' }, description = 'length of a string' }`
)

for (const protocol of [2, 3] as const) {
  const key = (name: string) => `scripting:${protocol}:${name}`

  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`scripting commands (RESP${protocol})`, (it) => {
    it.effect("EVAL passes keys and args and returns the raw reply", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.deepStrictEqual(
          yield* redis.eval("return { KEYS[1], ARGV[1], #KEYS, 7 }", [key("k")], ["v"]),
          [key("k"), "v", 1, 7]
        )
        assert.strictEqual(
          yield* redis.eval("return redis.call('SET', KEYS[1], ARGV[1])['ok']", [key("s")], ["x"]),
          "OK"
        )
        assert.strictEqual(yield* redis.eval("return 42"), 42)
        assert.isNull(yield* redis.eval("return nil"))
      }))

    it.effect("EVAL_RO reads but refuses to write", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.eval("return redis.call('SET', KEYS[1], 'abc')", [key("ro")])
        assert.strictEqual(yield* redis.evalRo("return redis.call('STRLEN', KEYS[1])", [key("ro")]), 3)
        const error = yield* Effect.flip(redis.evalRo("return redis.call('DEL', KEYS[1])", [key("ro")]))
        assert.strictEqual(error._tag, "RedisReplyError")
      }))

    it.effect("SCRIPT LOAD, EXISTS and FLUSH manage the cache EVALSHA runs from", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const sha = yield* redis.scriptLoad("return ARGV[1] .. KEYS[1]")
        assert.match(sha, /^[0-9a-f]{40}$/)
        assert.strictEqual(yield* redis.evalsha(sha, ["k"], ["v"]), "vk")
        assert.strictEqual(yield* redis.evalshaRo(sha, ["k"], ["w"]), "wk")
        assert.deepStrictEqual(yield* redis.scriptExists(sha, "0".repeat(40)), [true, false])
        yield* redis.scriptFlush({ mode: "sync" })
        assert.deepStrictEqual(yield* redis.scriptExists(sha), [false])
        const error = yield* Effect.flip(redis.evalsha(sha))
        assert.strictEqual(error._tag === "RedisReplyError" ? error.code : error._tag, "NOSCRIPT")
        yield* redis.scriptFlush()
      }))

    it.effect("SCRIPT KILL and FUNCTION KILL fail with NOTBUSY when nothing runs", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const script = yield* Effect.flip(redis.scriptKill())
        assert.strictEqual(script._tag === "RedisReplyError" ? script.code : script._tag, "NOTBUSY")
        const fn = yield* Effect.flip(redis.functionKill())
        assert.strictEqual(fn._tag === "RedisReplyError" ? fn.code : fn._tag, "NOTBUSY")
      }))

    it.effect("FUNCTION LOAD, LIST, STATS and FCALL run library functions", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.functionFlush({ mode: "sync" })
        assert.strictEqual(yield* redis.functionLoad(echoLibrary), "echolib")
        const again = yield* Effect.flip(redis.functionLoad(echoLibrary))
        assert.strictEqual(again._tag, "RedisReplyError")
        assert.strictEqual(yield* redis.functionLoad(echoLibrary, { replace: true }), "echolib")

        assert.deepStrictEqual(yield* redis.fcall("echo_keys", [key("k")], ["a"]), [key("k"), "a"])
        yield* redis.eval("return redis.call('SET', KEYS[1], 'four')", [key("len")])
        assert.strictEqual(yield* redis.fcallRo("ro_len", [key("len")]), 4)
        const notRo = yield* Effect.flip(redis.fcallRo("echo_keys", [key("k")], ["a"]))
        assert.strictEqual(notRo._tag, "RedisReplyError")

        const [lib] = yield* redis.functionList()
        assert.strictEqual(lib!.name, "echolib")
        assert.strictEqual(lib!.engine, "LUA")
        assert.isTrue(Option.isNone(lib!.code))
        const functions = [...lib!.functions].sort((x, y) => x.name.localeCompare(y.name))
        assert.deepStrictEqual(functions, [
          { name: "echo_keys", description: Option.none(), flags: [] },
          { name: "ro_len", description: Option.some("length of a string"), flags: ["no-writes"] }
        ])
        const [withCode] = yield* redis.functionList({ libraryname: "echo*", withcode: true })
        assert.deepStrictEqual(withCode!.code, Option.some(echoLibrary))
        assert.deepStrictEqual(yield* redis.functionList({ libraryname: "nothing*" }), [])

        const stats = yield* redis.functionStats()
        assert.isTrue(Option.isNone(stats.runningScript))
        assert.deepStrictEqual(stats.engines["LUA"], { librariesCount: 1, functionsCount: 2 })
      }))

    it.effect("FUNCTION DUMP and RESTORE round-trip the libraries through the binary view", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.functionFlush()
        yield* redis.functionLoad(library("dumped", "redis.register_function('one', function() return 1 end)"))
        const payload = yield* redis.binary.functionDump()
        assert.instanceOf(payload, Uint8Array)
        yield* redis.functionDelete("dumped")
        assert.deepStrictEqual(yield* redis.functionList(), [])
        yield* redis.functionRestore(payload)
        assert.strictEqual(yield* redis.fcall("one"), 1)
        const clash = yield* Effect.flip(redis.functionRestore(payload, { policy: "append" }))
        assert.strictEqual(clash._tag, "RedisReplyError")
        yield* redis.functionRestore(payload, { policy: "replace" })
        yield* redis.functionRestore(payload, { policy: "flush" })
        assert.deepStrictEqual((yield* redis.functionList()).map((l) => l.name), ["dumped"])
        yield* redis.functionDelete("dumped")
      }))
  })
}
