/**
 * The `Redis` service: one typed method per command, each an Effect with a
 * typed `RedisError` channel, plus `execute` for `Command` values and `raw`
 * for anything untyped.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const redis = yield* Redis.Redis
 *   yield* redis.set("greeting", "hello")
 *   const value = yield* redis.get("greeting") // Option<string>
 * })
 * ```
 *
 * Replies are text by default; `redis.binary` has the same methods with bulk
 * strings as `Uint8Array` (the `decode_responses=False` of redis-py).
 *
 * @since 0.1.0
 */
import { Context, Effect, type Option, type Scope } from "effect"
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Command from "./Command.js"
import { commands } from "./Commands.js"
import * as Connection from "./internal/connection.js"
import * as RedisConfig from "./RedisConfig.js"
import type { RedisError } from "./RedisError.js"
import { RedisTransport } from "./RedisTransport.js"
import * as ReplyDecoder from "./ReplyDecoder.js"

/**
 * The shape of a result when bulk strings come back as bytes: `string`
 * becomes `Uint8Array`, recursively through options, arrays, tuples, records
 * and maps; string literal types (statuses, type names) stay as they are,
 * and so do record keys.
 *
 * @since 0.1.0
 * @category models
 */
export type Binary<A> = A extends string ? string extends A ? Uint8Array : A
  : A extends Option.Option<infer X> ? Option.Option<Binary<X>>
  : A extends ReadonlyMap<infer K, infer V> ? Map<K, Binary<V>>
  : A extends ReadonlyArray<unknown> ? { -readonly [K in keyof A]: Binary<A[K]> }
  : A extends Uint8Array ? A
  : A extends object ? { [K in keyof A]: Binary<A[K]> }
  : A

/**
 * The typed methods built from a table of command definitions.
 *
 * @since 0.1.0
 * @category models
 */
export type Methods<Table, IsBinary extends boolean> = {
  readonly [K in keyof Table]: Table[K] extends (...args: infer P) => Command.Command<infer A>
    ? (...args: P) => Effect.Effect<IsBinary extends true ? Binary<A> : A, RedisError>
    : never
}

/**
 * What runs commands: a single connection, a Sentinel-managed master, or a
 * cluster router. The `Redis` service is built on one; swapping it changes
 * where commands go without changing the service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Executor {
  readonly execute: <A>(command: Command.Command<A>, binary: boolean) => Effect.Effect<A, RedisError>
}

/**
 * The command surface shared by the text and the binary view.
 *
 * @since 0.1.0
 * @category models
 */
export interface View<IsBinary extends boolean> {
  /** Runs a command value (a typed definition's result, or one built with `Command.make`). */
  readonly execute: <A>(command: Command.Command<A>) => Effect.Effect<IsBinary extends true ? Binary<A> : A, RedisError>
  /**
   * Sends any command line and returns the reply as decoded (see
   * `RespValue` in `@effect-redis/resp`). Error replies still fail with
   * `RedisReplyError`.
   */
  readonly raw: (args: ReadonlyArray<Command.RedisArg>) => Effect.Effect<RespValue, RedisError>
}

/**
 * The `Redis` service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Redis extends Methods<typeof commands, false>, View<false> {
  /** The same commands with bulk strings returned as `Uint8Array`. */
  readonly binary: Methods<typeof commands, true> & View<true>
}

/**
 * The tag of the `Redis` service.
 *
 * @since 0.1.0
 * @category tags
 */
export const Redis: Context.Tag<Redis, Redis> = Context.GenericTag<Redis>("@effect-redis/client/Redis")

const RAW = Command.spec("RAW", { keys: undefined })

const makeView = (executor: Executor, binary: boolean): Record<string, unknown> => {
  const view: Record<string, unknown> = {
    execute: (command: Command.Command<unknown>) => executor.execute(command, binary),
    raw: (args: ReadonlyArray<Command.RedisArg>) =>
      executor.execute(Command.make({ ...RAW, name: String(args[0] ?? "RAW").toUpperCase() }, args, ReplyDecoder.raw), binary)
  }
  for (const name of Object.keys(commands)) {
    const define = (commands as Record<string, (...args: Array<unknown>) => Command.Command<unknown>>)[name]!
    view[name] = (...args: Array<unknown>) => executor.execute(define(...args), binary)
  }
  return view
}

/**
 * Builds the service on an executor.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromExecutor = (executor: Executor): Redis => {
  const view = makeView(executor, false)
  view.binary = makeView(executor, true)
  return view as unknown as Redis
}

/**
 * Connects to a standalone server (the first connection must succeed) and
 * builds the service; the connection closes with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: RedisConfig.Options
): Effect.Effect<Redis, RedisError, RedisTransport | Scope.Scope> =>
  Effect.gen(function*() {
    const config = yield* RedisConfig.resolve(options)
    const transport = yield* RedisTransport
    const connection = yield* Connection.make(config, transport)
    return fromExecutor(connection)
  })
