import { Redis, type ReplyDecoder } from "@effect-redis/client"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { expectTypeOf } from "vitest"
import { testLayer } from "./utils.js"

type Text = ReplyDecoder.Text
type BinaryView = Redis.Redis["binary"]
type TextView = Redis.Redis
// The success type of a method, whatever its parameters.
type Success<F> = F extends (...args: ReadonlyArray<never>) => Effect.Effect<infer A, infer _E> ? A : never
type BinaryResult<K extends keyof BinaryView> = Success<BinaryView[K]>
type TextResult<K extends keyof TextView> = Success<TextView[K]>

describe("binary view types", () => {
  it("keep the text the client decodes itself as Text", () => {
    expectTypeOf<BinaryResult<"info">>().toEqualTypeOf<Record<string, Record<string, Text>>>()
    expectTypeOf<BinaryResult<"clientInfo">>().toEqualTypeOf<Record<string, Text>>()
    expectTypeOf<BinaryResult<"clientList">>().toEqualTypeOf<Array<Record<string, Text>>>()
    expectTypeOf<BinaryResult<"configGet">>().toEqualTypeOf<Record<string, Text>>()
    expectTypeOf<BinaryResult<"scriptLoad">>().toEqualTypeOf<Text>()
    expectTypeOf<BinaryResult<"functionLoad">>().toEqualTypeOf<Text>()
    expectTypeOf<BinaryResult<"aclWhoami">>().toEqualTypeOf<Text>()
    expectTypeOf<BinaryResult<"ping">>().toEqualTypeOf<Text>()
    expectTypeOf<BinaryResult<"pingMessage">>().toEqualTypeOf<Uint8Array>()
    expectTypeOf<BinaryResult<"commandList">>().toEqualTypeOf<Array<Text>>()
    expectTypeOf<BinaryResult<"functionList">[number]["name"]>().toEqualTypeOf<Text>()
    expectTypeOf<BinaryResult<"functionList">[number]["code"]>().toEqualTypeOf<Option.Option<Text>>()
    expectTypeOf<BinaryResult<"slowlogGet">[number]["args"]>().toEqualTypeOf<Array<Text>>()
    expectTypeOf<BinaryResult<"commandDocs">[string]["summary"]>().toEqualTypeOf<Text>()
    expectTypeOf<Extract<BinaryResult<"role">, { readonly role: "master" }>["replicas"][number]["ip"]>()
      .toEqualTypeOf<Text>()
  })

  it("keep the literal unions decoded as text", () => {
    expectTypeOf<BinaryResult<"type">>().toEqualTypeOf<TextResult<"type">>()
    expectTypeOf<BinaryResult<"objectEncoding">>().toEqualTypeOf<TextResult<"objectEncoding">>()
    expectTypeOf<BinaryResult<"role">["role"]>().toEqualTypeOf<"master" | "slave" | "sentinel">()
  })

  it("turn bulk strings passed through into Uint8Array", () => {
    expectTypeOf<BinaryResult<"get">>().toEqualTypeOf<Option.Option<Uint8Array>>()
    expectTypeOf<BinaryResult<"hgetall">>().toEqualTypeOf<Record<string, Uint8Array>>()
    expectTypeOf<BinaryResult<"lrange">>().toEqualTypeOf<Array<Uint8Array>>()
    expectTypeOf<BinaryResult<"xrange">>().toEqualTypeOf<
      Array<{ readonly id: Uint8Array; readonly fields: Record<string, Uint8Array> }>
    >()
    expectTypeOf<BinaryResult<"commandGetkeysandflags">>().toEqualTypeOf<
      Array<{ readonly key: Uint8Array; readonly flags: Array<Text> }>
    >()
  })

  it("are the same as the text view's for decoded text, and Text goes where a string does", () => {
    expectTypeOf<BinaryResult<"info">>().toEqualTypeOf<TextResult<"info">>()
    expectTypeOf<BinaryResult<"clientInfo">>().toEqualTypeOf<TextResult<"clientInfo">>()
    expectTypeOf<TextResult<"get">>().toEqualTypeOf<Option.Option<string>>()
    expectTypeOf<Text>().toExtend<string>()
    expectTypeOf<string>().not.toExtend<Text>()
  })
})

// The runtime half: what `redis.binary` returns must be what its types say.
const isText = (value: unknown): void => assert.strictEqual(typeof value, "string")
const isBytes = (value: unknown): void => assert.instanceOf(value, Uint8Array)

for (const protocol of [2, 3] as const) {
  const key = (name: string) => `binarytypes:${protocol}:${name}`

  describe(`binary view values (RESP${protocol})`, () => {
    layer(testLayer({ protocol }), { timeout: 60_000, excludeTestServices: true })("against a real server", (it) => {
      it.effect("INFO, CLIENT INFO/LIST and CONFIG GET values are strings", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const info = yield* redis.binary.info("server")
          isText(info["server"]!["redis_version"])
          const client = yield* redis.binary.clientInfo()
          isText(client["id"])
          isText(client["addr"])
          const list = yield* redis.binary.clientList()
          assert.isAbove(list.length, 0)
          for (const entry of list) isText(entry["id"])
          const config = yield* redis.binary.configGet("maxmemory-policy")
          isText(config["maxmemory-policy"])
        }))

      it.effect("SCRIPT LOAD, FUNCTION LOAD/LIST, ACL WHOAMI and COMMAND DOCS/LIST text are strings", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const sha = yield* redis.binary.scriptLoad("return 1")
          isText(sha)
          assert.match(sha, /^[0-9a-f]{40}$/)
          const name = `binarytypes${protocol}`
          const code = `#!lua name=${name}\nredis.register_function('f${protocol}', function() return 1 end)`
          isText(yield* redis.binary.functionLoad(code, { replace: true }))
          const [library] = yield* redis.binary.functionList({ libraryname: name, withcode: true })
          isText(library!.name)
          isText(library!.engine)
          isText(library!.functions[0]!.name)
          isText(Option.getOrThrow(library!.code))
          isText(yield* redis.binary.aclWhoami())
          isText(yield* redis.binary.ping())
          assert.instanceOf(yield* redis.binary.pingMessage("bytes"), Uint8Array)
          const docs = yield* redis.binary.commandDocs("get")
          isText(docs["get"]!.summary)
          isText(docs["get"]!.group)
          const names = yield* redis.binary.commandList({ filterby: { pattern: "xa*" } })
          assert.isAbove(names.length, 0)
          for (const n of names) isText(n)
        }))

      it.effect("ROLE, TYPE and OBJECT ENCODING are strings", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const role = yield* redis.binary.role()
          assert.strictEqual(role.role, "master")
          yield* redis.binary.set(key("typed"), "1")
          isText(yield* redis.binary.type(key("typed")))
          isText(Option.getOrThrow(yield* redis.binary.objectEncoding(key("typed"))))
        }))

      it.effect("GET, HGETALL, LRANGE and XRANGE values are Uint8Array", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          yield* redis.binary.set(key("string"), "value")
          isBytes(Option.getOrThrow(yield* redis.binary.get(key("string"))))

          yield* redis.binary.hset(key("hash"), { field: "value" })
          const hash = yield* redis.binary.hgetall(key("hash"))
          assert.deepStrictEqual(Object.keys(hash), ["field"])
          isBytes(hash["field"])

          yield* redis.binary.rpush(key("list"), ["a", "b"])
          const list = yield* redis.binary.lrange(key("list"), 0, -1)
          assert.strictEqual(list.length, 2)
          for (const item of list) isBytes(item)

          yield* redis.binary.xadd(key("stream"), "*", { field: "value" })
          const [entry] = yield* redis.binary.xrange(key("stream"), "-", "+")
          isBytes(entry!.id)
          assert.deepStrictEqual(Object.keys(entry!.fields), ["field"])
          isBytes(entry!.fields["field"])
        }))
    })
  })
}
