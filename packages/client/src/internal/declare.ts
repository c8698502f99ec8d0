/**
 * Command declarations. Each command of a family is declared once — its
 * name, flags and key positions — and the rest is derived from that one
 * declaration when the module loads: the words that open every call's
 * arguments (`GET.command`, or `OBJECT_ENCODING.command` and `.subcommand`
 * for `OBJECT ENCODING`) and the family's list of specs, which the coverage
 * test compares with the server's `COMMAND` output. A call costs what it
 * did with the words spelt out: reading a field of the declaration.
 */
import * as Command from "../Command.js"
import type { KeySpec, RedisArg } from "../Command.js"

/** Flags and key positions, defaulting as in `Command.spec`: no flag, the first argument the only key. */
export interface Options {
  readonly flags?: number
  readonly keys?: KeySpec | undefined
}

/**
 * A declared command: its spec and the words of its name, which open its
 * arguments. A name of two words (`"CLIENT ID"`) is a command and its
 * subcommand.
 */
export type Declared<Name extends string> =
  & Command.CommandSpec
  & (Name extends `${string} ${string}` ? { readonly command: string; readonly subcommand: string }
    : { readonly command: string })

/**
 * Declares one command. Every declaration has the same fields, so that the
 * code reading specs on each call sees one shape of object.
 */
export const declare = <Name extends string>(name: Name, options: Options = {}): Declared<Name> => {
  const { flags, keys } = Command.spec(name, options)
  const space = name.indexOf(" ")
  return {
    name,
    flags,
    keys,
    command: space < 0 ? name : name.slice(0, space),
    subcommand: space < 0 ? undefined : name.slice(space + 1)
  } as Declared<Name>
}

/** The declarations of one family of commands, collected as they are made. */
export interface Family {
  /** Declares a command of the family. */
  <Name extends string>(name: Name, options?: Options): Declared<Name>
  /** Every command declared in the family, in declaration order. */
  readonly specs: ReadonlyArray<Command.CommandSpec>
}

/** A new family, with no command declared yet. */
export const family = (): Family => {
  const specs: Array<Command.CommandSpec> = []
  const declareIn = <Name extends string>(name: Name, options?: Options): Declared<Name> => {
    const declared = declare(name, options)
    specs.push(declared)
    return declared
  }
  return Object.assign(declareIn, { specs })
}

/**
 * The key spec of commands whose keys follow a count argument at
 * `countIndex` (`LMPOP numkeys key…`, `ZUNION numkeys key…`,
 * `BLMPOP timeout numkeys key…`, `EVAL script numkeys key…`).
 */
export const keysAfterCount = (countIndex: number) => (args: ReadonlyArray<RedisArg>): Array<number> => {
  const count = Number(args[countIndex])
  const out: Array<number> = []
  for (let i = 0; i < count && countIndex + 1 + i < args.length; i++) out.push(countIndex + 1 + i)
  return out
}
