/**
 * Lua scripts run by their SHA1: `EVALSHA` first, and on `NOSCRIPT` (after a
 * restart, a failover or SCRIPT FLUSH) `EVAL`, which also caches the script
 * again. The SHA1 is computed locally, once, when the script is made.
 *
 * ```ts
 * import { Redis, ReplyDecoder, Script } from "@effect-redis/client"
 * import { Effect } from "effect"
 *
 * const incrementBy = Script.make("return redis.call('INCRBY', KEYS[1], ARGV[1])", ReplyDecoder.integer)
 *
 * const program = Effect.gen(function*() {
 *   const redis = yield* Redis.Redis
 *   const total = yield* redis.execute(incrementBy(["counter"], [5])) // number
 *   const [again, value] = yield* redis.pipeline((r) => [incrementBy(["counter"], [1]), r.get("counter")])
 * })
 * ```
 *
 * A script is a function: calling it with keys and arguments gives the
 * call as a `Command` (the same as `Script.call`), which runs with
 * `execute` and goes into pipelines and transactions like any command;
 * those send `SCRIPT LOAD` ahead of the batch so the batch never meets
 * `NOSCRIPT` halfway.
 *
 * @since 0.1.0
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import type * as Command from "./Command.js"
import * as Internal from "./internal/script.js"
import { sha1Hex } from "./internal/sha1.js"
import * as ReplyDecoder from "./ReplyDecoder.js"

/**
 * A Lua script with its SHA1 and the decoder of its reply. Called with
 * `keys` (KEYS[…]) and `args` (ARGV[…]), it returns the call as a command
 * (see {@link call}).
 *
 * @since 0.1.0
 * @category models
 */
export interface Script<A> {
  (keys?: ReadonlyArray<Command.RedisKey>, args?: ReadonlyArray<Command.RedisArg>): ScriptCall<A>
  readonly lua: string
  /** Lowercase hex, as SCRIPT LOAD returns it. */
  readonly sha1: string
  /** Runs with EVALSHA_RO/EVAL_RO: the server refuses writes, and replicas may run it. */
  readonly readOnly: boolean
  readonly decode: ReplyDecoder.Decoder<A>
}

/**
 * Makes a script: a function from keys and arguments to its call. Without
 * a decoder the reply comes back as decoded (`RespValue`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  (lua: string): Script<RespValue>
  <A>(lua: string, decode: ReplyDecoder.Decoder<A>, options?: { readonly readOnly?: boolean }): Script<A>
} = <A>(lua: string, decode?: ReplyDecoder.Decoder<A>, options?: { readonly readOnly?: boolean }): Script<A> => {
  const script: Script<A> = Object.assign(
    (keys?: ReadonlyArray<Command.RedisKey>, args?: ReadonlyArray<Command.RedisArg>) => call(script, keys, args),
    {
      lua,
      sha1: sha1Hex(lua),
      readOnly: options?.readOnly ?? false,
      decode: decode ?? (ReplyDecoder.raw as ReplyDecoder.Decoder<A>)
    }
  )
  return script
}

/**
 * One call of a script: an EVALSHA command that knows its script, so the
 * client can fall back to EVAL.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScriptCall<A> extends Command.Command<A> {
  readonly script: Script<A>
  /** The same call as EVAL (or EVAL_RO), sending the script itself. */
  readonly withSource: Command.Command<A>
}

/**
 * A call of `script` with `keys` (KEYS[…]) and `args` (ARGV[…]).
 *
 * @since 0.1.0
 * @category constructors
 */
export const call = <A>(
  script: Script<A>,
  keys: ReadonlyArray<Command.RedisKey> = [],
  args: ReadonlyArray<Command.RedisArg> = []
): ScriptCall<A> => new Internal.ScriptCall<A, Script<A>>(script, keys, args)

/**
 * Whether a command is a script call.
 *
 * @since 0.1.0
 * @category guards
 */
export const isScriptCall = (command: Command.Command<unknown>): command is ScriptCall<unknown> =>
  Internal.isScriptCall(command)

/**
 * The SCRIPT LOAD commands a batch needs in front of it: one per distinct
 * script it calls.
 *
 * @since 0.1.0
 * @category utils
 */
export const loadsFor: (batch: ReadonlyArray<Command.Command<unknown>>) => Array<Command.Command<unknown>> =
  Internal.loadsFor
