/**
 * Dedicated connections, pooled: for blocking commands, WATCH transactions
 * and `reserve`, which must not share the multiplexed connection.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Pool from "effect/Pool"
import type * as Scope from "effect/Scope"
import * as Command from "../Command.js"
import type { Executor, Lender, Lent } from "../Executor.js"
import type { Resolved } from "../RedisConfig.js"
import { type RedisError, RedisPoolError } from "../RedisError.js"
import type { Transport } from "../RedisTransport.js"
import * as ReplyDecoder from "../ReplyDecoder.js"
import * as Connection from "./connection.js"

const PING = Command.spec("PING", Command.keyless)
const ping = Command.make(PING, ["PING"], ReplyDecoder.raw)

/** Members idle longer than this answer a PING before they are lent. */
const idleCheckMillis = 5_000

class Stale {
  readonly _tag = "Stale"
}

/** A `Lender` whose `withConnection` hands out the connection itself. */
export interface ConnectionPool extends Lender {
  readonly withConnection: <A, E, R>(
    use: (connection: Connection.Connection) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | RedisError, R>
}

class LentConnection implements Lent {
  keep = true
  readonly execute: Executor["execute"]
  readonly executeAll: Executor["executeAll"]
  constructor(connection: Connection.Connection) {
    this.execute = connection.execute
    this.executeAll = connection.executeAll
  }
  readonly discardOnRelease = (): void => {
    this.keep = false
  }
}

/** Whether a connection is still fit for reuse after `exit`. */
const reusableAfter = (exit: Exit.Exit<unknown, unknown>): boolean => {
  if (Exit.isSuccess(exit)) return true
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  return typeof failure === "object" && failure !== null && "_tag" in failure &&
    (failure._tag === "RedisReplyError" || failure._tag === "RedisTransactionError")
}

export const make = (config: Resolved, transport: Transport): Effect.Effect<ConnectionPool, never, Scope.Scope> =>
  Effect.gen(function*() {
    const pool = yield* Pool.makeWithTTL({
      acquire: Connection.make(config, transport, { reconnect: false }),
      min: config.pool.min,
      max: config.pool.max,
      timeToLive: config.pool.idleTimeToLiveMillis,
      timeToLiveStrategy: "usage"
    })

    const borrowOnce: Effect.Effect<Connection.Connection, RedisError | Stale, Scope.Scope> = Effect.gen(function*() {
      const connection = yield* Pool.get(pool)
      if (!connection.isReady) {
        yield* Pool.invalidate(pool, connection)
        return yield* Effect.fail(new Stale())
      }
      if (Date.now() - connection.lastActivity > idleCheckMillis) {
        const healthy = yield* Effect.isSuccess(connection.execute(ping, false))
        if (!healthy) {
          yield* Pool.invalidate(pool, connection)
          return yield* Effect.fail(new Stale())
        }
      }
      return connection
    })

    const healthy = borrowOnce.pipe(
      Effect.retry({ times: config.pool.max + 1, while: (error) => error instanceof Stale }),
      Effect.catchIf((error): error is Stale => error instanceof Stale, () =>
        Effect.fail(
          new RedisPoolError({ message: "Could not get a healthy pooled connection", outcome: "not-sent" })
        )),
      Effect.timeoutFail({
        duration: config.pool.acquireTimeoutMillis,
        onTimeout: () =>
          new RedisPoolError({
            message: `No pooled Redis connection became free within ${config.pool.acquireTimeoutMillis} ms ` +
              `(pool.max is ${config.pool.max})`,
            outcome: "not-sent"
          })
      })
    )

    const discard = (connection: Connection.Connection) =>
      Effect.zipRight(Effect.sync(() => connection.abort()), Pool.invalidate(pool, connection))

    const borrow = Effect.flatMap(healthy, (connection) => {
      const lent = new LentConnection(connection)
      return Effect.as(
        Effect.addFinalizer(() => lent.keep && connection.isReady ? Effect.void : discard(connection)),
        lent
      )
    })

    return {
      borrow,
      withConnection: (use) =>
        Effect.scoped(
          Effect.flatMap(healthy, (connection) =>
            Effect.onExit(use(connection), (exit) =>
              reusableAfter(exit) ? Effect.void : discard(connection)))
        )
    }
  })
