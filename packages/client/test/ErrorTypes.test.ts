import { Command, Commands, Redis } from "@effect-redis/client"
import type {
  CommandError,
  PooledCommandError,
  RedisConfigError,
  RedisError,
  RedisOverflowError,
  RedisPoolError,
  RedisTransactionError,
  TransactionError
} from "@effect-redis/client/RedisError"
import { assert, describe, expectTypeOf, it, layer } from "@effect/vitest"
import type { Either } from "effect"
import { Effect } from "effect"
import { testLayer } from "./utils.js"

type ErrorOf<F> = F extends (...args: Array<never>) => Effect.Effect<unknown, infer E, unknown> ? E : never
type ResultError<T> = T extends ReadonlyArray<Either.Either<unknown, infer E>> ? E : never

describe("error types that tell the truth", () => {
  it("a command on the shared connection cannot fail with config, pool, transaction or overflow errors", () => {
    type GetError = ErrorOf<Redis.Redis["get"]>
    expectTypeOf<GetError>().toEqualTypeOf<CommandError>()
    expectTypeOf<
      Extract<
        GetError,
        RedisConfigError | RedisPoolError | RedisTransactionError | RedisOverflowError
      >
    >().toBeNever()
    expectTypeOf<ErrorOf<Redis.Redis["binary"]["incr"]>>().toEqualTypeOf<CommandError>()
    expectTypeOf<ErrorOf<Redis.Reserved["hset"]>>().toEqualTypeOf<CommandError>()
    // Every narrowed channel still fits where a RedisError is expected.
    expectTypeOf<CommandError>().toMatchTypeOf<RedisError>()
  })

  it("a blocking command, execute, raw and batch positions may also meet an exhausted pool", () => {
    expectTypeOf<ErrorOf<Redis.Redis["blpop"]>>().toEqualTypeOf<PooledCommandError>()
    expectTypeOf<ErrorOf<Redis.Redis["xreadBlock"]>>().toEqualTypeOf<PooledCommandError>()
    expectTypeOf<ErrorOf<Redis.Redis["execute"]>>().toEqualTypeOf<PooledCommandError>()
    expectTypeOf<ErrorOf<Redis.Redis["raw"]>>().toEqualTypeOf<PooledCommandError>()
    expectTypeOf<Extract<ErrorOf<Redis.Redis["blpop"]>, RedisConfigError | RedisTransactionError>>().toBeNever()
    type Piped = Redis.Results<[Command.Command<string>], false>
    expectTypeOf<ResultError<Piped>>().toEqualTypeOf<PooledCommandError>()
  })

  it("only a transaction fails with RedisTransactionError", () => {
    expectTypeOf<ErrorOf<Redis.Redis["transaction"]>>().toEqualTypeOf<TransactionError>()
    expectTypeOf<Extract<ErrorOf<Redis.Redis["pipeline"]>, RedisTransactionError>>().toBeNever()
    expectTypeOf<Extract<TransactionError, RedisConfigError>>().toBeNever()
  })

  it("the blocking methods are exactly the commands flagged blocking", () => {
    // The keys must be exactly Redis.BlockingMethod (the compiler checks); the values name their command.
    const blocking: Record<Redis.BlockingMethod, string> = {
      blmove: "BLMOVE",
      blmpop: "BLMPOP",
      blpop: "BLPOP",
      brpop: "BRPOP",
      brpoplpush: "BRPOPLPUSH",
      bzmpop: "BZMPOP",
      bzpopmax: "BZPOPMAX",
      bzpopmin: "BZPOPMIN",
      xreadBlock: "XREAD",
      xreadgroupBlock: "XREADGROUP",
      wait: "WAIT"
    }
    const flagged = Commands.specs.filter((spec) => (spec.flags & Command.Flags.blocking) !== 0).map((spec) =>
      spec.name
    )
    assert.deepStrictEqual([...new Set(Object.values(blocking))].sort(), [...new Set(flagged)].sort())
    for (const method of Object.keys(blocking)) assert.property(Commands.commands, method)
  })
})

describe("the narrowing matches what runs", () => {
  layer(testLayer({ pool: { max: 1, acquireTimeout: "200 millis" } }), { timeout: 30_000, excludeTestServices: true })(
    "a pool of one",
    (it) => {
      it.effect("with the pool exhausted, GET still runs while BLPOP fails with RedisPoolError", () =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          yield* Effect.scoped(
            Effect.gen(function*() {
              yield* redis.reserve
              yield* redis.set("errors:k", "v")
              assert.strictEqual(yield* Effect.map(redis.get("errors:k"), (v) => v._tag), "Some")
              const refused = yield* Effect.flip(redis.blpop("errors:list", 1))
              assert.strictEqual(refused._tag, "RedisPoolError")
            })
          )
        }))
    }
  )
})
