/**
 * Commands without keys in a cluster: most go to one master (that of slot
 * 0), some run on every master with their replies merged into the one a
 * single server would give, and a few are refused because no single
 * answer would be true.
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Command from "../Command.js"
import * as ReplyDecoder from "../ReplyDecoder.js"

/** Merges the masters' replies, in slot order, into one. */
export type Merge = (replies: ReadonlyArray<RespValue>) => RespValue

/** Every master answers alike (OK, the script's SHA1, the library's name): the first answer. */
const same: Merge = (replies) => replies[0] ?? null

/** The masters' lists, one after the other. */
const concatenated: Merge = (replies) => replies.flatMap(ReplyDecoder.items)

/** The masters' counts, added up. */
const summed: Merge = (replies) => replies.reduce<number>((total, reply) => total + Number(reply), 0)

/** Per position, 1 when every master has it (SCRIPT EXISTS). */
const everywhere: Merge = (replies) =>
  ReplyDecoder.items(replies[0] ?? null).map((_, i) =>
    replies.every((reply) => Number(ReplyDecoder.items(reply)[i]) === 1) ? 1 : 0
  )

/**
 * Commands that run on every master: each master holds its own keys,
 * scripts and functions.
 */
const onEveryMaster: ReadonlyMap<string, Merge> = new Map([
  ["KEYS", concatenated],
  ["DBSIZE", summed],
  ["FLUSHALL", same],
  ["FLUSHDB", same],
  ["SCRIPT LOAD", same],
  ["SCRIPT FLUSH", same],
  ["SCRIPT EXISTS", everywhere],
  ["FUNCTION LOAD", same],
  ["FUNCTION DELETE", same],
  ["FUNCTION FLUSH", same],
  ["FUNCTION RESTORE", same]
])

/** Commands whose answer belongs to one node and would mislead about the cluster: why, and what to use. */
const refusedReasons: ReadonlyMap<string, string> = new Map([
  ["SCAN", "a SCAN cursor belongs to one node; use scanStream, which walks every master"],
  [
    "WAIT",
    "WAIT counts the replicas that acknowledged one connection's writes, and a cluster client writes on one " +
    "connection per master; use reserve or watch on the keys' master"
  ]
])

const upper = (arg: Command.RedisArg | undefined): string =>
  arg === undefined ? "" : (arg instanceof Uint8Array ? new TextDecoder().decode(arg) : String(arg)).toUpperCase()

/** A command's name with its subcommand (`SCRIPT LOAD`), typed or raw, as the tables know it. */
const lookup = <A>(table: ReadonlyMap<string, A>, command: Command.Command<unknown>): A | undefined => {
  if ((command.spec.flags & Command.Flags.raw) === 0) return table.get(command.spec.name)
  const name = upper(command.args[0])
  return table.get(`${name} ${upper(command.args[1])}`) ?? table.get(name)
}

/** How a keyless command runs in a cluster. */
export type Plan =
  | { readonly _tag: "OneMaster" }
  | { readonly _tag: "EveryMaster"; readonly merge: Merge }
  | { readonly _tag: "Refused"; readonly reason: string }

const oneMaster: Plan = { _tag: "OneMaster" }

/** The plan for a command without keys. */
export const planOf = (command: Command.Command<unknown>): Plan => {
  const merge = lookup(onEveryMaster, command)
  if (merge !== undefined) return { _tag: "EveryMaster", merge }
  const reason = lookup(refusedReasons, command)
  return reason === undefined ? oneMaster : { _tag: "Refused", reason }
}
