/**
 * Building argument lists, shared by the command families: repeated
 * arguments (`OneOrMany`), counted lists, and the refusals of calls the
 * server would only answer with "wrong number of arguments".
 */
import * as Command from "../Command.js"
import type { Entries, OneOrMany, RedisArg, RedisKey } from "../Command.js"

/**
 * The values of a repeated argument as an array (a single `Uint8Array`
 * counts as one value).
 */
export const many = <A>(values: OneOrMany<A>): ReadonlyArray<A> =>
  Array.isArray(values) ? values as ReadonlyArray<A> : [values as A]

/**
 * How many values a repeated argument holds (a single value, a `Uint8Array`
 * included, counts as one).
 */
export const sizeOf = (values: OneOrMany<unknown>): number => Array.isArray(values) ? values.length : 1

/**
 * Whether a record or a list of pairs (`mset`, `hset`, `xadd` fields,
 * `configSet`) holds no entry.
 */
export const hasNoEntries = (entries: object): boolean => {
  if (Array.isArray(entries)) return entries.length === 0
  // Stops at the first name: no array of names is built just to count it.
  for (const _name in entries) return false
  return true
}

/**
 * Refuses a call whose list argument `what` holds nothing where the server
 * needs at least one value. The server would only answer "wrong number of
 * arguments", naming neither the argument nor the cause; and an empty list
 * usually means the caller has nothing to do, which it can check itself.
 */
export const noneGiven = (spec: Command.CommandSpec, what: string): Command.Command<never> =>
  Command.invalid(spec, `needs at least one ${what} and got none; skip the call when there is nothing to pass`)

/**
 * Refuses a call whose `what` is not a whole number: the server parses
 * counts and times as integers and answers a fraction with "value is not an
 * integer or out of range", naming no argument.
 */
export const notWhole = (spec: Command.CommandSpec, what: string, value: number): Command.Command<never> =>
  Command.invalid(spec, `${what} must be a whole number, got ${value}`)

/** Appends one value or each of several to `args`. */
export const pushAll = (args: Array<RedisArg>, values: OneOrMany<RedisArg>): Array<RedisArg> => {
  for (const value of many(values)) args.push(value)
  return args
}

/** Appends the number of `values`, then the values (`numkeys key…`). */
export const pushCounted = (args: Array<RedisArg>, values: OneOrMany<RedisArg>): Array<RedisArg> => {
  const list = many(values)
  args.push(list.length)
  for (const value of list) args.push(value)
  return args
}

/** Appends the pairs of `entries` to `args`, name then value. */
export const pushEntries = (args: Array<RedisArg>, entries: Entries): Array<RedisArg> => {
  if (Array.isArray(entries)) {
    for (const [name, value] of entries as ReadonlyArray<readonly [RedisKey, RedisArg]>) args.push(name, value)
  } else {
    for (const name of Object.keys(entries)) args.push(name, (entries as Readonly<Record<string, RedisArg>>)[name]!)
  }
  return args
}
