import { Redis, RedisConfig } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Config, ConfigProvider, Duration, Effect, Either, Exit, Option, Redacted, Schedule } from "effect"

const parse = (url: string) => RedisConfig.parseUrl(url)

/** Each URL is refused with a RedisConfigError whose message holds no secret. */
const refusedWithoutSecrets = (urls: ReadonlyArray<string>) => {
  for (const url of urls) {
    const result = parse(url)
    assert.isTrue(Either.isLeft(result) && result.left._tag === "RedisConfigError", url)
    const message = Either.isLeft(result) ? result.left.message : ""
    for (const secret of ["topsecret", "alsosecret"]) assert.notInclude(message, secret, url)
  }
}

describe("RedisConfig", () => {
  it("reads user, password, host, port and database from a redis:// URL", () => {
    const options = Either.getOrThrow(parse("redis://alice:p%40ss%3Aword@cache.internal:6380/4"))
    assert.strictEqual(options.username, "alice")
    assert.strictEqual(Redacted.value(options.password as Redacted.Redacted<string>), "p@ss:word")
    assert.strictEqual(options.host, "cache.internal")
    assert.strictEqual(options.port, 6380)
    assert.strictEqual(options.database, 4)
  })

  it("turns on TLS for rediss://", () => {
    assert.strictEqual(Either.getOrThrow(parse("rediss://host")).tls, true)
  })

  it("reads unix:// and redis+unix:// socket paths with a db option", () => {
    const unix = Either.getOrThrow(parse("unix:///run/redis/redis.sock?db=3"))
    assert.strictEqual(unix.path, "/run/redis/redis.sock")
    assert.strictEqual(unix.database, 3)
    assert.strictEqual(Either.getOrThrow(parse("redis+unix:///tmp/r.sock")).path, "/tmp/r.sock")
  })

  it("reads protocol, name and timeouts from the query", () => {
    const options = Either.getOrThrow(
      parse("redis://h/0?protocol=2&name=billing&commandTimeout=250&connectTimeout=1000")
    )
    assert.strictEqual(options.protocol, 2)
    assert.strictEqual(options.clientName, "billing")
    assert.strictEqual(Duration.toMillis(options.commandTimeout!), 250)
    assert.strictEqual(Duration.toMillis(options.connectTimeout!), 1000)
  })

  it("reads IPv6 hosts", () => {
    assert.strictEqual(Either.getOrThrow(parse("redis://[::1]:7000")).host, "::1")
  })

  it("rejects bad URLs with a message that hides the password", () => {
    refusedWithoutSecrets([
      "http://u:topsecret@h:1",
      "redis://u:topsecret@h:1/notadb",
      "redis://u:topsecret@h/0?protocol=4",
      "redis://u:topsecret@h/0?bogus=1",
      "not a url :topsecret@"
    ])
  })

  it("reads redis+sentinel:// URLs: sentinels, master name, database, credentials and options", () => {
    const options = Either.getOrThrow(
      parse(
        "redis+sentinel://alice:p%40ss@s1.internal:26380,s2.internal,[::1]:26381/mymaster/3" +
          "?sentinelPassword=watch&sentinelUsername=sentry&readFrom=replicas&name=billing"
      )
    )
    assert.deepStrictEqual(options.sentinel?.sentinels, [
      { host: "s1.internal", port: 26380 },
      { host: "s2.internal", port: 26379 },
      { host: "::1", port: 26381 }
    ])
    assert.strictEqual(options.sentinel?.name, "mymaster")
    assert.strictEqual(options.sentinel?.readFrom, "replicas")
    assert.strictEqual(options.sentinel?.username, "sentry")
    assert.strictEqual(Redacted.value(options.sentinel?.password as Redacted.Redacted<string>), "watch")
    assert.strictEqual(options.database, 3)
    assert.strictEqual(options.username, "alice")
    assert.strictEqual(Redacted.value(options.password as Redacted.Redacted<string>), "p@ss")
    assert.strictEqual(options.clientName, "billing")
    const tls = Either.getOrThrow(parse("rediss+sentinel://s1/m"))
    assert.deepStrictEqual([tls.tls, tls.sentinel?.tls], [true, true])
    // A password holding "/" must be percent-encoded, as in redis:// URLs: unencoded, it is refused, not guessed at.
    const slashed = Either.getOrThrow(parse("redis+sentinel://:a%2Fb@s1/m"))
    assert.strictEqual(Redacted.value(slashed.password as Redacted.Redacted<string>), "a/b")
    assert.deepStrictEqual(slashed.sentinel?.sentinels, [{ host: "s1", port: 26379 }])
    const unencoded = parse("redis+sentinel://:a/b@s1/m")
    assert.include(Either.isLeft(unencoded) ? unencoded.left.message : "", "percent-encode")
    const resolved = Either.getOrThrow(RedisConfig.resolve({ url: "redis+sentinel://s1:26380/m" }))
    assert.deepStrictEqual(resolved.sentinel?.sentinels, [{ host: "s1", port: 26380 }])
  })

  it("rejects bad redis+sentinel:// URLs without showing a password", () => {
    refusedWithoutSecrets([
      "redis+sentinel://u:topsecret@s1:26379",
      "redis+sentinel://u:topsecret@s1:port/m",
      "redis+sentinel://u:topsecret@s1,,s2/m",
      "redis+sentinel://u:topsecret@s1/m/notadb",
      "redis+sentinel://u:topsecret@s1/m/0/extra",
      "redis+sentinel://u:topsecret@s1/m?readFrom=anywhere",
      "redis+sentinel://u:topsecret@s1/m?bogus=1",
      "redis+sentinel://u:top%ZZsecret@s1/m?sentinelPassword=alsosecret",
      "redis+sentinel://u:topsecret?x@s1/m?sentinelPassword=alsosecret",
      "redis+sentinel://u:topsecret@s1/m?sentinelPassword=alsosecret@x"
    ])
  })

  it("takes plain values next to Configs, at any level, as they are", () =>
    Effect.gen(function*() {
      const reconnectSchedule = Schedule.spaced("1 second")
      const password = Redacted.make("hunter2")
      const options = yield* RedisConfig.fromConfig({
        host: "cache.internal",
        port: Config.integer("REDIS_PORT"),
        password,
        database: 0,
        tls: false,
        reconnectSchedule,
        pool: { max: 4, acquireTimeout: Config.integer("POOL_WAIT_MILLIS") },
        replyLimits: Config.succeed({ maxDepth: 10 }),
        cluster: { nodes: [{ host: "n1", port: 7000 }] }
      }).pipe(Effect.withConfigProvider(ConfigProvider.fromJson({ REDIS_PORT: 6380, POOL_WAIT_MILLIS: 1000 })))
      assert.deepStrictEqual(options, {
        host: "cache.internal",
        port: 6380,
        password,
        database: 0,
        tls: false,
        reconnectSchedule,
        pool: { max: 4, acquireTimeout: 1000 },
        replyLimits: { maxDepth: 10 },
        cluster: { nodes: [{ host: "n1", port: 7000 }] }
      })
      assert.strictEqual(options.reconnectSchedule, reconnectSchedule)
    }).pipe(Effect.runPromise))

  it("reads a redis+sentinel:// URL, or the sentinel options, from Config", () =>
    Effect.gen(function*() {
      const fromUrl = yield* RedisConfig.fromConfig({ url: Config.redacted("REDIS_URL") }).pipe(
        Effect.withConfigProvider(ConfigProvider.fromJson({ REDIS_URL: "redis+sentinel://s1:26380,s2/mymaster" }))
      )
      const resolved = Either.getOrThrow(RedisConfig.resolve(fromUrl))
      assert.deepStrictEqual(resolved.sentinel?.sentinels, [{ host: "s1", port: 26380 }, { host: "s2", port: 26379 }])
      const fromFields = yield* RedisConfig.fromConfig({
        sentinel: {
          name: Config.string("MASTER"),
          sentinels: Config.array(
            Config.all({ host: Config.string("host"), port: Config.integer("port") }),
            "SENTINELS"
          )
        }
      }).pipe(
        Effect.withConfigProvider(
          ConfigProvider.fromJson({ MASTER: "mymaster", SENTINELS: [{ host: "s1", port: 26380 }] })
        )
      )
      assert.deepStrictEqual(Either.getOrThrow(RedisConfig.resolve(fromFields)).sentinel?.sentinels, [
        { host: "s1", port: 26380 }
      ])
    }).pipe(Effect.runPromise))

  it("refuses a connectTimeout or pool.acquireTimeout longer than a timer can wait, which would fire at once", () => {
    const longest = Either.getOrThrow(
      RedisConfig.resolve({ connectTimeout: 2 ** 31 - 1, pool: { acquireTimeout: 2 ** 31 - 1 } })
    )
    assert.strictEqual(longest.connectTimeoutMillis, 2 ** 31 - 1)
    assert.strictEqual(longest.pool.acquireTimeoutMillis, 2 ** 31 - 1)
    for (
      const [options, name] of [
        [{ connectTimeout: "30 days" }, "connectTimeout"],
        [{ pool: { acquireTimeout: "30 days" } }, "pool.acquireTimeout"]
      ] as const
    ) {
      const result = RedisConfig.resolve(options)
      assert.isTrue(Either.isLeft(result), name)
      assert.include(Either.isLeft(result) ? result.left.message : "", `${name} must be at most 2147483647 ms`)
    }
  })

  it("refuses options of the wrong type (from JavaScript or parsed configuration) with a message, not a TypeError", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [undefined, "options must be an object, got undefined"],
        [null, "options must be an object, got null"],
        [{ url: 6431 }, "url must be a string, got number"],
        [{ keyPrefix: 5 }, "keyPrefix must be a string, got number"],
        [{ host: ["h"] }, "host must be a string, got object"]
      ]
      for (const [options, message] of cases) {
        const result = RedisConfig.resolve(options as RedisConfig.Options)
        assert.include(Either.isLeft(result) ? result.left.message : "resolved", message)
        // Redis.make reports it as a failure, before any connection is tried.
        const exit = yield* Effect.exit(Redis.make(options as RedisConfig.Options))
        const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        assert.strictEqual(Option.getOrNull(Option.map(error, (e) => e._tag)), "RedisConfigError", message)
      }
    }).pipe(Effect.provide(NodeTransport.layer), Effect.scoped, Effect.runPromise))

  it("applies defaults and lets explicit options win over the URL", () => {
    const resolved = Either.getOrThrow(RedisConfig.resolve({ url: "redis://h:7000/2", database: 5 }))
    assert.deepStrictEqual(resolved.endpoint, { _tag: "Tcp", host: "h", port: 7000, tls: undefined })
    assert.strictEqual(resolved.database, 5)
    assert.strictEqual(resolved.protocol, 3)
    assert.strictEqual(resolved.commandTimeoutMillis, 10_000)
    assert.strictEqual(resolved.offlineQueueSize, 10_000)
    assert.deepStrictEqual(resolved.replyLimits, {
      maxBulkLength: 512 * 1024 * 1024,
      maxDepth: 10_000,
      maxAggregateLength: 2 ** 26,
      maxReplyElements: 2 ** 24,
      maxLineLength: 64 * 1024
    })
  })

  it("takes reply limits within their bounds and refuses the rest", () => {
    const resolved = Either.getOrThrow(RedisConfig.resolve({ replyLimits: { maxDepth: 100, maxLineLength: 64 } }))
    assert.strictEqual(resolved.replyLimits.maxDepth, 100)
    assert.strictEqual(resolved.replyLimits.maxLineLength, 64)
    assert.strictEqual(resolved.replyLimits.maxBulkLength, 512 * 1024 * 1024)
    for (
      const replyLimits of [
        { maxDepth: 0 },
        { maxBulkLength: 1.5 },
        { maxAggregateLength: 2 ** 26 + 1 },
        { maxReplyElements: 0 },
        { maxLineLength: 63 },
        { maxDepth: Number.NaN }
      ]
    ) {
      const result = RedisConfig.resolve({ replyLimits })
      assert.isTrue(Either.isLeft(result), JSON.stringify(replyLimits))
      assert.include(Either.isLeft(result) ? result.left.message : "", "replyLimits.")
    }
  })

  it("rejects invalid options before dialing", () => {
    for (
      const options of [
        { port: 0 },
        { port: 70000 },
        { database: -1 },
        { offlineQueueSize: 1.5 },
        { commandTimeout: Duration.infinity },
        { clientName: "has space" }
      ]
    ) {
      const result = RedisConfig.resolve(options)
      assert.isTrue(Either.isLeft(result), JSON.stringify(options))
    }
  })
})
