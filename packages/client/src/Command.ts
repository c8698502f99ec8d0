/**
 * A `Command<A>` is one Redis command as a value: its arguments, where its
 * keys are, what kind of command it is, and how its reply decodes to `A`.
 *
 * The typed methods of the `Redis` service are built from these values, and
 * the same values go into pipelines and transactions.
 *
 * @since 0.1.0
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as ReplyDecoder from "./ReplyDecoder.js"

/**
 * An argument as it goes on the wire: strings are sent as UTF-8, numbers and
 * bigints in decimal, `Uint8Array`s byte for byte. Non-finite numbers are
 * rejected before anything is sent.
 *
 * @since 0.1.0
 * @category models
 */
export type RedisArg = string | number | bigint | Uint8Array

/**
 * A key: text (sent as UTF-8) or raw bytes.
 *
 * @since 0.1.0
 * @category models
 */
export type RedisKey = string | Uint8Array

/**
 * One value, or several, for arguments a command repeats (`del("k")`,
 * `del(["k1", "k2"])`). A single `Uint8Array` is one value.
 *
 * @since 0.3.0
 * @category models
 */
export type OneOrMany<A> = A | ReadonlyArray<A>

/**
 * Field/value or key/value pairs for MSET, HSET and the like: a record, or a
 * list of pairs when the names are bytes or the order matters.
 *
 * @since 0.3.0
 * @category models
 */
export type Entries = Readonly<Record<string, RedisArg>> | ReadonlyArray<readonly [RedisKey, RedisArg]>

/**
 * Where the keys of a command are among its arguments (index 0 is the command
 * name), in the manner of `COMMAND INFO`: from `first` to `last` (negative
 * counts from the end, `-1` being the last argument) every `step`-th argument.
 * A function covers the commands whose keys follow a count (`EVAL`, `XREAD`).
 *
 * @since 0.1.0
 * @category models
 */
export type KeySpec =
  | { readonly first: number; readonly last: number; readonly step: number }
  | ((args: ReadonlyArray<RedisArg>) => ReadonlyArray<number>)

/**
 * What a command definition shares with every call of it.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommandSpec {
  /** The command name, subcommand included (`"GET"`, `"CLIENT ID"`), for spans and errors. */
  readonly name: string
  /** A combination of {@link Flags}. */
  readonly flags: number
  /** Key positions; `undefined` when the command takes no key. */
  readonly keys: KeySpec | undefined
}

/**
 * Command kinds the client routes and times differently.
 *
 * @since 0.1.0
 * @category flags
 */
export const Flags = {
  /** Reads only: may go to a replica. */
  readonly: 1,
  /** Writes data. */
  write: 2,
  /** May block the connection (BLPOP, XREAD BLOCK, WAIT…): runs on a pool connection, alone or in a batch. */
  blocking: 4,
  /**
   * Changes the state of the connection it runs on (SELECT, WATCH, MULTI,
   * CLIENT REPLY, CLIENT NO-EVICT, HELLO, AUTH, RESET…): refused on the
   * shared connection before anything is sent (`RedisArgumentError`,
   * `not-sent`), except MULTI … EXEC complete within one batch; allowed on
   * a reserved connection, which is then closed rather than reused.
   */
  connectionState: 8,
  /**
   * Enters or leaves subscriber mode (the SUBSCRIBE family): refused on the
   * shared connection like `connectionState`; on a reserved connection its
   * first confirmation is its reply. No typed command carries it (the
   * client subscribes through `redis.subscribe`, on a connection of its
   * own); `raw(["SUBSCRIBE", …])` and specs a caller declares do.
   */
  pubsub: 16,
  /**
   * Sent untyped through `raw`: what it does to the connection is not
   * fully known, so a reserved connection is closed after it. `raw` also
   * sets the flags above from the command's name (a table after the
   * server's `COMMAND INFO`), so `raw(["SELECT", 1])` is refused on the
   * shared connection and `raw(["BLPOP", "k", 0])` runs on a pool
   * connection.
   */
  raw: 32
} as const

/**
 * One call of a command, ready to send.
 *
 * @since 0.1.0
 * @category models
 */
export interface Command<out A> {
  readonly spec: CommandSpec
  /** The whole command line: name, subcommand and arguments. */
  readonly args: ReadonlyArray<RedisArg>
  /**
   * Turns the reply into `A`. Error replies never reach it. It throws a
   * `ReplyShapeError` (see `ReplyDecoder`) when the reply has an unexpected
   * shape; the client turns that into a typed `RedisDecodeError`.
   */
  readonly decode: (reply: RespValue) => A
  /**
   * For blocking commands: how long the server may hold the reply, in
   * milliseconds (`0` = indefinitely). The client adds it to the command
   * timeout.
   */
  readonly blockMillis?: number
}

/**
 * The result type of a command.
 *
 * @since 0.1.0
 * @category models
 */
export type Result<C> = C extends Command<infer A> ? A : never

class CommandImpl<A> implements Command<A> {
  constructor(
    readonly spec: CommandSpec,
    readonly args: ReadonlyArray<RedisArg>,
    readonly decode: (reply: RespValue) => A
  ) {}
}

class BlockingCommandImpl<A> implements Command<A> {
  constructor(
    readonly spec: CommandSpec,
    readonly args: ReadonlyArray<RedisArg>,
    readonly decode: (reply: RespValue) => A,
    readonly blockMillis: number
  ) {}
}

/**
 * Builds a command call from its spec, its full argument list and its reply
 * decoder.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <A>(
  spec: CommandSpec,
  args: ReadonlyArray<RedisArg>,
  decode: (reply: RespValue) => A
): Command<A> => new CommandImpl(spec, args, decode)

/**
 * Builds a call of a blocking command that may hold its reply for
 * `blockMillis` milliseconds (`0` = indefinitely).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeBlocking = <A>(
  spec: CommandSpec,
  args: ReadonlyArray<RedisArg>,
  decode: (reply: RespValue) => A,
  blockMillis: number
): Command<A> => new BlockingCommandImpl(spec, args, decode, blockMillis)

/**
 * Why a command call was refused before sending, carried where its
 * arguments would be: the encoder rejects the marker, and the client reports
 * the reason as a `RedisArgumentError` without checking every command for it.
 */
class Refusal {
  constructor(readonly reason: string) {}
}

/**
 * A call that must not be sent (an empty key list where the server needs
 * one, an out-of-range option): running it fails with `RedisArgumentError`
 * carrying `reason`, outcome `not-sent`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalid = (spec: CommandSpec, reason: string): Command<never> =>
  new CommandImpl(spec, [spec.name, new Refusal(reason) as unknown as RedisArg], () => {
    throw new Error(reason)
  })

/**
 * The reason a call built with {@link invalid} was refused, if it was.
 *
 * @since 0.1.0
 * @category utils
 */
export const refusalOf = (command: Command<unknown>): string | undefined => {
  const marker = command.args[1]
  return marker instanceof Refusal ? marker.reason : undefined
}

/**
 * Declares a command spec. `keys` defaults to "the first argument is the only
 * key"; pass `undefined` for commands without keys.
 *
 * @since 0.1.0
 * @category constructors
 */
export const spec = (
  name: string,
  options: { readonly flags?: number; readonly keys?: KeySpec | undefined } = {}
): CommandSpec => ({
  name,
  flags: options.flags ?? 0,
  keys: "keys" in options ? options.keys : singleKey
})

/**
 * Spec options of a read-only command whose only key is its first argument.
 *
 * @since 0.1.0
 * @category key specs
 */
export const reads = { flags: Flags.readonly } as const

/**
 * Spec options of a writing command whose only key is its first argument.
 *
 * @since 0.1.0
 * @category key specs
 */
export const writes = { flags: Flags.write } as const

/**
 * Spec options of a command without keys.
 *
 * @since 0.1.0
 * @category key specs
 */
export const keyless = { keys: undefined } as const

/**
 * The key spec of the commands whose first two arguments are keys (RENAME, LMOVE, SMOVE…).
 *
 * @since 0.1.0
 * @category key specs
 */
export const twoKeys: KeySpec = { first: 1, last: 2, step: 1 }

/**
 * The key spec of commands whose only key is their first argument.
 *
 * @since 0.1.0
 * @category key specs
 */
export const singleKey: KeySpec = { first: 1, last: 1, step: 1 }

/**
 * The key spec of commands whose arguments are all keys (`DEL k1 k2…`).
 *
 * @since 0.1.0
 * @category key specs
 */
export const allKeys: KeySpec = { first: 1, last: -1, step: 1 }

/**
 * The indices of the keys of a command call.
 *
 * @since 0.1.0
 * @category utils
 */
export const keyIndices = (command: Command<unknown>): ReadonlyArray<number> => {
  const keys = command.spec.keys
  if (keys === undefined) return []
  if (typeof keys === "function") return keys(command.args)
  const length = command.args.length
  const last = keys.last < 0 ? length + keys.last : keys.last
  const out: Array<number> = []
  for (let i = keys.first; i <= last && i < length; i += keys.step) out.push(i)
  return out
}

/**
 * The same call with its integers read exactly, as `bigint`s over the whole
 * signed 64-bit range. Integer replies are JavaScript numbers by default,
 * and one beyond ±(2^53 - 1) fails with `RedisDecodeError` rather than
 * losing precision; this is the way to such values. It applies to commands
 * whose reply is an integer (INCR, HINCRBY, STRLEN…) or a list of them
 * (BITFIELD); any other call is refused before sending
 * (`RedisArgumentError`, `not-sent`). For a script, give `Script.make` the
 * `ReplyDecoder.bigint` decoder instead.
 *
 * ```ts
 * import { Command, Commands, Redis } from "@effect-redis/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const redis = yield* Redis.Redis
 *   const views = yield* redis.execute(Command.exact(Commands.commands.incr("views"))) // bigint
 * })
 * ```
 *
 * @since 0.3.0
 * @category combinators
 */
export const exact = <A>(command: Command<A>): Command<ReplyDecoder.Exact<A>> => {
  const decode = "withSource" in command ? undefined : ReplyDecoder.exact(command.decode)
  if (decode === undefined) {
    return invalid(
      command.spec,
      `${command.spec.name} has no exact form: Command.exact reads integer replies (for a script, ` +
        `give Script.make the ReplyDecoder.bigint decoder)`
    )
  }
  return command.blockMillis === undefined
    ? make(command.spec, command.args, decode)
    : makeBlocking(command.spec, command.args, decode, command.blockMillis)
}
