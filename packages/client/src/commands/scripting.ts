/**
 * Lua scripts and functions: EVAL and EVALSHA (and their read-only
 * variants), the SCRIPT cache, FCALL and the FUNCTION library management.
 *
 * Script and function replies have whatever shape the script returns, so
 * they come back as the raw `RespValue` (in RESP2 a Lua table is an array,
 * in RESP3 a script may return maps, sets, doubles…).
 *
 * @since 0.1.0
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import type { Option } from "effect"
import * as Command from "../Command.js"
import type { OneOrMany, RedisArg, RedisKey } from "../Command.js"
import * as Declare from "../internal/declare.js"
import * as D from "../ReplyDecoder.js"
import type { FlushMode } from "./server.js"

/**
 * One function of a library (FUNCTION LIST).
 *
 * @since 0.1.0
 * @category models
 */
export interface FunctionInfo {
  readonly name: D.Text
  readonly description: Option.Option<D.Text>
  /** `no-writes`, `allow-oom`, `allow-stale`, `no-cluster`… */
  readonly flags: Array<D.Text>
}

/**
 * One function library (FUNCTION LIST). `code` is some only when asked
 * for with `withcode`.
 *
 * @since 0.1.0
 * @category models
 */
export interface FunctionLibrary {
  readonly name: D.Text
  readonly engine: D.Text
  readonly functions: Array<FunctionInfo>
  readonly code: Option.Option<D.Text>
}

/**
 * FUNCTION STATS: the function running now, if any, and per engine the
 * number of libraries and functions loaded.
 *
 * @since 0.1.0
 * @category models
 */
export interface FunctionStats {
  readonly runningScript: Option.Option<{
    readonly name: D.Text
    readonly command: Array<D.Text>
    readonly durationMillis: number
  }>
  readonly engines: Record<string, { readonly librariesCount: number; readonly functionsCount: number }>
}

/**
 * How FUNCTION RESTORE treats the libraries already loaded: `append` (the
 * server default) fails on a name clash, `replace` overwrites clashing
 * libraries, `flush` deletes all libraries first.
 *
 * @since 0.1.0
 * @category models
 */
export type FunctionRestorePolicy = "flush" | "append" | "replace"

// EVAL/FCALL script numkeys key… arg…: the keys follow the count.
const keysAfterNumkeys = Declare.keysAfterCount(2)

const callArgs = (
  name: string,
  target: RedisArg,
  keys: ReadonlyArray<RedisKey>,
  args: ReadonlyArray<RedisArg>
): ReadonlyArray<RedisArg> => [name, target, keys.length, ...keys, ...args]

const declare = Declare.family()
const EVAL = declare("EVAL", { flags: Command.Flags.write, keys: keysAfterNumkeys })
const EVALSHA = declare("EVALSHA", { flags: Command.Flags.write, keys: keysAfterNumkeys })
const EVAL_RO = declare("EVAL_RO", { flags: Command.Flags.readonly, keys: keysAfterNumkeys })
const EVALSHA_RO = declare("EVALSHA_RO", { flags: Command.Flags.readonly, keys: keysAfterNumkeys })
const FCALL = declare("FCALL", { flags: Command.Flags.write, keys: keysAfterNumkeys })
const FCALL_RO = declare("FCALL_RO", { flags: Command.Flags.readonly, keys: keysAfterNumkeys })
const SCRIPT_LOAD = declare("SCRIPT LOAD", Command.keyless)
const SCRIPT_EXISTS = declare("SCRIPT EXISTS", Command.keyless)
const SCRIPT_FLUSH = declare("SCRIPT FLUSH", Command.keyless)
const SCRIPT_KILL = declare("SCRIPT KILL", Command.keyless)
const FUNCTION_LOAD = declare("FUNCTION LOAD", { flags: Command.Flags.write, keys: undefined })
const FUNCTION_DELETE = declare("FUNCTION DELETE", { flags: Command.Flags.write, keys: undefined })
const FUNCTION_LIST = declare("FUNCTION LIST", Command.keyless)
const FUNCTION_FLUSH = declare("FUNCTION FLUSH", { flags: Command.Flags.write, keys: undefined })
const FUNCTION_DUMP = declare("FUNCTION DUMP", Command.keyless)
const FUNCTION_RESTORE = declare("FUNCTION RESTORE", { flags: Command.Flags.write, keys: undefined })
const FUNCTION_STATS = declare("FUNCTION STATS", Command.keyless)
const FUNCTION_KILL = declare("FUNCTION KILL", Command.keyless)

const textList = D.array(D.text)
const booleanList = D.array(D.boolean)
const functionLibraries: D.Decoder<Array<FunctionLibrary>> = D.array(D.struct({
  name: ["library_name", D.text],
  engine: ["engine", D.text],
  functions: [
    "functions",
    D.array(D.struct({
      name: ["name", D.text],
      description: ["description", D.optional(D.text)],
      flags: ["flags", textList]
    }))
  ],
  code: ["library_code", D.optional(D.text)]
}))
const functionStats: D.Decoder<FunctionStats> = D.struct({
  runningScript: [
    "running_script",
    D.optional(D.struct({
      name: ["name", D.text],
      command: ["command", textList],
      durationMillis: ["duration_ms", D.integer]
    }))
  ],
  engines: [
    "engines",
    D.record(D.struct({
      librariesCount: ["libraries_count", D.integer],
      functionsCount: ["functions_count", D.integer]
    }))
  ]
})

/**
 * The scripting commands, one definition per command.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands = {
  /**
   * EVAL: runs a Lua script with `keys` (KEYS[…]) and `args` (ARGV[…]).
   * Prefer `scriptLoad` + `evalsha` for scripts run often: EVAL sends the
   * whole script every time.
   *
   * @returns the script's reply as decoded, unconverted.
   * @since 0.1.0
   */
  eval: (
    script: string,
    keys: ReadonlyArray<RedisKey> = [],
    args: ReadonlyArray<RedisArg> = []
  ): Command.Command<RespValue> => Command.make(EVAL, callArgs(EVAL.command, script, keys, args), D.raw),
  /**
   * EVALSHA: runs a cached script by its SHA1. Fails with `NOSCRIPT` when
   * the server does not have it (after a restart or SCRIPT FLUSH).
   *
   * @since 0.1.0
   */
  evalsha: (
    sha1: string,
    keys: ReadonlyArray<RedisKey> = [],
    args: ReadonlyArray<RedisArg> = []
  ): Command.Command<RespValue> => Command.make(EVALSHA, callArgs(EVALSHA.command, sha1, keys, args), D.raw),
  /**
   * EVAL_RO: EVAL for scripts that do not write; the server rejects writes,
   * and the command may run on a replica.
   *
   * @since 0.1.0
   */
  evalRo: (
    script: string,
    keys: ReadonlyArray<RedisKey> = [],
    args: ReadonlyArray<RedisArg> = []
  ): Command.Command<RespValue> => Command.make(EVAL_RO, callArgs(EVAL_RO.command, script, keys, args), D.raw),
  /**
   * EVALSHA_RO: EVALSHA for scripts that do not write.
   *
   * @since 0.1.0
   */
  evalshaRo: (
    sha1: string,
    keys: ReadonlyArray<RedisKey> = [],
    args: ReadonlyArray<RedisArg> = []
  ): Command.Command<RespValue> => Command.make(EVALSHA_RO, callArgs(EVALSHA_RO.command, sha1, keys, args), D.raw),
  /**
   * FCALL: calls a function loaded with FUNCTION LOAD.
   *
   * @returns the function's reply as decoded, unconverted.
   * @since 0.1.0
   */
  fcall: (
    name: string,
    keys: ReadonlyArray<RedisKey> = [],
    args: ReadonlyArray<RedisArg> = []
  ): Command.Command<RespValue> => Command.make(FCALL, callArgs(FCALL.command, name, keys, args), D.raw),
  /**
   * FCALL_RO: calls a function declared with the `no-writes` flag.
   *
   * @since 0.1.0
   */
  fcallRo: (
    name: string,
    keys: ReadonlyArray<RedisKey> = [],
    args: ReadonlyArray<RedisArg> = []
  ): Command.Command<RespValue> => Command.make(FCALL_RO, callArgs(FCALL_RO.command, name, keys, args), D.raw),
  /**
   * SCRIPT LOAD: caches a script without running it.
   *
   * @returns its SHA1, for EVALSHA.
   * @since 0.1.0
   */
  scriptLoad: (script: string): Command.Command<D.Text> =>
    Command.make(SCRIPT_LOAD, [SCRIPT_LOAD.command, SCRIPT_LOAD.subcommand, script], D.text),
  /**
   * SCRIPT EXISTS: whether each SHA1 is in the script cache, in order.
   *
   * @since 0.1.0
   */
  scriptExists: (...sha1s: ReadonlyArray<OneOrMany<string>>): Command.Command<Array<boolean>> =>
    Command.make(SCRIPT_EXISTS, [SCRIPT_EXISTS.command, SCRIPT_EXISTS.subcommand, ...sha1s.flat()], booleanList),
  /**
   * SCRIPT FLUSH: empties the script cache.
   *
   * @since 0.1.0
   */
  scriptFlush: (options: { readonly mode?: FlushMode } = {}): Command.Command<void> =>
    Command.make(
      SCRIPT_FLUSH,
      options.mode === undefined
        ? [SCRIPT_FLUSH.command, SCRIPT_FLUSH.subcommand]
        : [SCRIPT_FLUSH.command, SCRIPT_FLUSH.subcommand, options.mode.toUpperCase()],
      D.ok
    ),
  /**
   * SCRIPT KILL: stops the running script if it has not written yet.
   * Fails with `NOTBUSY` when no script runs, `UNKILLABLE` when it wrote.
   *
   * @since 0.1.0
   */
  scriptKill: (): Command.Command<void> =>
    Command.make(SCRIPT_KILL, [SCRIPT_KILL.command, SCRIPT_KILL.subcommand], D.ok),
  /**
   * FUNCTION LOAD: loads a library (its code starts with
   * `#!lua name=<library>`); `replace` overwrites a library of that name.
   *
   * @returns the library name.
   * @since 0.1.0
   */
  functionLoad: (code: string, options: { readonly replace?: boolean } = {}): Command.Command<D.Text> =>
    Command.make(
      FUNCTION_LOAD,
      options.replace === true
        ? [FUNCTION_LOAD.command, FUNCTION_LOAD.subcommand, "REPLACE", code]
        : [FUNCTION_LOAD.command, FUNCTION_LOAD.subcommand, code],
      D.text
    ),
  /**
   * FUNCTION DELETE: deletes a library and its functions.
   *
   * @since 0.1.0
   */
  functionDelete: (library: string): Command.Command<void> =>
    Command.make(FUNCTION_DELETE, [FUNCTION_DELETE.command, FUNCTION_DELETE.subcommand, library], D.ok),
  /**
   * FUNCTION LIST: the loaded libraries, optionally those whose name
   * matches a glob pattern, with their code when `withcode`.
   *
   * @since 0.1.0
   */
  functionList: (
    options: { readonly libraryname?: string; readonly withcode?: boolean } = {}
  ): Command.Command<Array<FunctionLibrary>> => {
    const args: Array<RedisArg> = [FUNCTION_LIST.command, FUNCTION_LIST.subcommand]
    if (options.libraryname !== undefined) args.push("LIBRARYNAME", options.libraryname)
    if (options.withcode === true) args.push("WITHCODE")
    return Command.make(FUNCTION_LIST, args, functionLibraries)
  },
  /**
   * FUNCTION FLUSH: deletes every library.
   *
   * @since 0.1.0
   */
  functionFlush: (options: { readonly mode?: FlushMode } = {}): Command.Command<void> =>
    Command.make(
      FUNCTION_FLUSH,
      options.mode === undefined
        ? [FUNCTION_FLUSH.command, FUNCTION_FLUSH.subcommand]
        : [FUNCTION_FLUSH.command, FUNCTION_FLUSH.subcommand, options.mode.toUpperCase()],
      D.ok
    ),
  /**
   * FUNCTION DUMP: a serialized payload of every library, for FUNCTION
   * RESTORE. The payload is binary: call it on `redis.binary`, since the
   * text view decodes it as UTF-8 and the result cannot be restored.
   *
   * @since 0.1.0
   */
  functionDump: (): Command.Command<string> =>
    Command.make(FUNCTION_DUMP, [FUNCTION_DUMP.command, FUNCTION_DUMP.subcommand], D.bulk),
  /**
   * FUNCTION RESTORE: loads libraries from a FUNCTION DUMP payload.
   *
   * @since 0.1.0
   */
  functionRestore: (
    payload: Uint8Array,
    options: { readonly policy?: FunctionRestorePolicy } = {}
  ): Command.Command<void> =>
    Command.make(
      FUNCTION_RESTORE,
      options.policy === undefined
        ? [FUNCTION_RESTORE.command, FUNCTION_RESTORE.subcommand, payload]
        : [FUNCTION_RESTORE.command, FUNCTION_RESTORE.subcommand, payload, options.policy.toUpperCase()],
      D.ok
    ),
  /**
   * FUNCTION STATS: the running function and the loaded engines.
   *
   * @since 0.1.0
   */
  functionStats: (): Command.Command<FunctionStats> =>
    Command.make(FUNCTION_STATS, [FUNCTION_STATS.command, FUNCTION_STATS.subcommand], functionStats),
  /**
   * FUNCTION KILL: stops the running function if it has not written yet.
   *
   * @since 0.1.0
   */
  functionKill: (): Command.Command<void> =>
    Command.make(FUNCTION_KILL, [FUNCTION_KILL.command, FUNCTION_KILL.subcommand], D.ok)
} as const

/**
 * Every spec of the family, for the coverage test.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
