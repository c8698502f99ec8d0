import { KeyScan, Redis } from "@effect-redis/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { testLayer } from "./utils.js"

describe("KeyScan", () => {
  it("prefixPattern matches the prefix literally", () => {
    assert.strictEqual(KeyScan.prefixPattern("a*b?c[d]e\\f:"), "a\\*b\\?c\\[d\\]e\\\\f:*")
    assert.strictEqual(KeyScan.prefixPattern(""), "*")
  })

  it.layer(testLayer(), { timeout: 30_000 })("against a real server", (it) => {
    it.effect("counts and unlinks the keys under a prefix, bytes included, and no other", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const notUtf8 = Uint8Array.of(...new TextEncoder().encode("scan[1]:"), 0xff, 0xfe)
        yield* redis.set(notUtf8, "bytes")
        yield* Effect.forEach(Array.from({ length: 1200 }, (_, i) => `scan[1]:${i}`), (key) => redis.set(key, "v"), {
          concurrency: 100,
          discard: true
        })
        yield* redis.set("scan1:outside", "kept")
        assert.strictEqual(yield* KeyScan.count(redis, "scan[1]:"), 1201)
        assert.strictEqual(yield* KeyScan.unlink(redis, "scan[1]:"), 1201)
        assert.strictEqual(yield* KeyScan.count(redis, "scan[1]:"), 0)
        assert.strictEqual(yield* redis.exists(notUtf8), 0)
        assert.deepStrictEqual(yield* redis.get("scan1:outside"), Option.some("kept"))
      }))
  })
})
