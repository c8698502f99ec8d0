import { Redis, RedisConfig } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, Redacted } from "effect"
import * as fc from "fast-check"
import { inspect } from "node:util"
import { recording } from "./utils.js"

/** Every way a value ends up in a log: message, String, JSON, inspect, stack, and as the failure of a Cause. */
const representations = (value: unknown): ReadonlyArray<string> => {
  const out = [String(value), inspect(value, { depth: 10 })]
  try {
    out.push(JSON.stringify(value) ?? "")
  } catch {
    // Not JSON-serialisable (a Schedule in a resolved config): inspect covers it.
  }
  if (value instanceof Error) out.push(value.message, value.stack ?? "", Cause.pretty(Cause.fail(value)))
  return out
}

const assertHidden = (value: unknown, secret: string, context: string) => {
  for (const shown of representations(value)) {
    assert.notInclude(shown, secret, context)
    assert.notInclude(shown, encodeURIComponent(secret), context)
  }
}

const alphanumeric = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"]
const reserved = [..."/?#@:%+&=[]!$'()*,; ", "é", "漢"]

/** Passwords of 8 to 24 characters, reserved characters included, distinctive enough not to occur elsewhere. */
const password = fc.array(fc.oneof(fc.constantFrom(...alphanumeric), fc.constantFrom(...reserved)), {
  minLength: 8,
  maxLength: 24
}).map((chars) => chars.join("")).filter((secret) =>
  new Set(secret).size >= 4 && alphanumeric.some((char) => secret.includes(char)) && !secret.includes("*")
)

/** URLs of every shape, well formed or not, with the password spelled as is or percent-encoded. */
const url = fc.record({
  scheme: fc.constantFrom(
    "redis://",
    "rediss://",
    "unix://",
    "redis+unix://",
    "redis+sentinel://",
    "redis:",
    "redis//",
    ""
  ),
  user: fc.constantFrom("", "alice"),
  encoded: fc.boolean(),
  password,
  host: fc.constantFrom("cache.internal", "127.0.0.1:6380", "[::1]:7000", "h:99999", "/run/redis.sock", ""),
  tail: fc.constantFrom("", "/3", "/x", "?db=2", "?protocol=9", "?bogus=1", "?name=a@b", "#frag")
}).map(({ encoded, host, password, scheme, tail, user }) => ({
  password,
  url: `${scheme}${user}:${encoded ? encodeURIComponent(password) : password}@${host}${tail}`
}))

describe("secrets", () => {
  it("no representation of a parsed or refused URL, its options or its resolved config shows the password", () => {
    fc.assert(
      fc.property(url, ({ password, url }) => {
        assertHidden(Either.merge(RedisConfig.parseUrl(url)), password, url)
        assertHidden(Either.merge(RedisConfig.resolve({ url: Redacted.make(url) })), password, url)
      }),
      { numRuns: 500 }
    )
  })

  it("refuses a password with an unencoded / rather than reading part of it as the host", () => {
    const parsed = RedisConfig.parseUrl("redis://user:a/b3cret@127.0.0.1:6379")
    assert.isTrue(Either.isLeft(parsed))
    assert.include(Either.isLeft(parsed) ? parsed.left.message : "", "percent-encode")
  })

  it.scopedLive(
    "a password with reserved characters works, and neither spans nor auth errors show it",
    () =>
      Effect.gen(function*() {
        const secret = "p/ss@w:rd#?x%y"
        const server = yield* RedisServer.make({ password: secret })
        const url = `redis://default:${encodeURIComponent(secret)}@127.0.0.1:${server.port}/0`
        const { spans, tracer } = yield* recording
        const redis = yield* Redis.make({ url, tracing: true }).pipe(Effect.provide(NodeTransport.layer))
        yield* Effect.withTracer(redis.set("k", "v"), tracer)
        assert.isAbove(spans.length, 0)
        for (const span of spans) {
          assertHidden({ name: span.name, attributes: Object.fromEntries(span.attributes) }, secret, "span")
        }
        const wrong = "w/r@ng:pa#ss?word"
        const refused = yield* Effect.exit(
          Redis.make({ url: `redis://default:${encodeURIComponent(wrong)}@127.0.0.1:${server.port}` }).pipe(
            Effect.provide(NodeTransport.layer)
          )
        )
        assert.isTrue(Exit.isFailure(refused))
        if (Exit.isFailure(refused)) {
          assert.notInclude(Cause.pretty(refused.cause), wrong)
          assertHidden(Cause.squash(refused.cause), wrong, "auth error")
        }
      }),
    { timeout: 30_000 }
  )
})
