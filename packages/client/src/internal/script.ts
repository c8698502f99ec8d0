/**
 * The machinery of Lua scripts: a call that knows its script (so a NOSCRIPT
 * reply falls back to EVAL), and the SCRIPT LOADs a batch sends ahead of
 * itself so it never meets NOSCRIPT halfway.
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Effect from "effect/Effect"
import type * as Command from "../Command.js"
import { commands as scripting } from "../commands/scripting.js"
import type { Executor } from "../Executor.js"
import type { RedisError } from "../RedisError.js"

/** What a call needs of its script. */
export interface Source<A> {
  readonly lua: string
  readonly sha1: string
  readonly readOnly: boolean
  readonly decode: (reply: RespValue) => A
}

/** An EVALSHA (or EVALSHA_RO) command that can turn into the EVAL of its source. */
export class ScriptCall<A, S extends Source<A> = Source<A>> implements Command.Command<A> {
  readonly spec: Command.CommandSpec
  readonly args: ReadonlyArray<Command.RedisArg>
  constructor(
    readonly script: S,
    private readonly keys: ReadonlyArray<Command.RedisKey>,
    private readonly argv: ReadonlyArray<Command.RedisArg>
  ) {
    const base = (script.readOnly ? scripting.evalshaRo : scripting.evalsha)(script.sha1, keys, argv)
    this.spec = base.spec
    this.args = base.args
  }
  get decode(): (reply: RespValue) => A {
    return this.script.decode
  }
  get withSource(): Command.Command<A> {
    const base = (this.script.readOnly ? scripting.evalRo : scripting.eval)(this.script.lua, this.keys, this.argv)
    return { spec: base.spec, args: base.args, decode: this.script.decode }
  }
}

export const isScriptCall = (command: Command.Command<unknown>): command is ScriptCall<unknown> =>
  command instanceof ScriptCall

/** The SCRIPT LOAD commands a batch needs in front of it: one per distinct script it calls. */
export const loadsFor = (batch: ReadonlyArray<Command.Command<unknown>>): Array<Command.Command<unknown>> => {
  const seen = new Set<string>()
  const loads: Array<Command.Command<unknown>> = []
  for (const command of batch) {
    if (isScriptCall(command) && !seen.has(command.script.sha1)) {
      seen.add(command.script.sha1)
      loads.push(scripting.scriptLoad(command.script.lua))
    }
  }
  return loads
}

/**
 * Runs a batch with SCRIPT LOAD in front for the scripts `scriptsOf` calls
 * (the batch itself, or the commands a transaction wraps), and drops the
 * outcomes of the loads.
 */
export const withScriptsLoaded = (
  executeAll: Executor["executeAll"],
  batch: ReadonlyArray<Command.Command<unknown>>,
  binary: boolean,
  scriptsOf: ReadonlyArray<Command.Command<unknown>> = batch
) => {
  const loads = loadsFor(scriptsOf)
  return loads.length === 0
    ? executeAll(batch, binary)
    : Effect.map(executeAll([...loads, ...batch], binary), (exits) => exits.slice(loads.length))
}

/** Runs a command; a script call answered NOSCRIPT is sent again as EVAL with its source. */
export const execute = <A>(
  executor: Executor,
  command: Command.Command<A>,
  binary: boolean
): Effect.Effect<A, RedisError> =>
  command instanceof ScriptCall
    ? Effect.catchIf(
      executor.execute(command, binary),
      (error) => error._tag === "RedisReplyError" && error.code === "NOSCRIPT",
      () => executor.execute((command as ScriptCall<A>).withSource, binary)
    )
    : executor.execute(command, binary)
