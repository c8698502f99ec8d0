/**
 * List commands, blocking variants included (they run on a dedicated
 * connection and may hold their reply up to their timeout).
 *
 * @since 0.1.0
 */
import type { Option } from "effect"
import type * as Duration from "effect/Duration"
import * as Command from "../Command.js"
import type { OneOrMany, RedisArg, RedisKey } from "../Command.js"
import { noneGiven, pushAll, pushCounted, sizeOf } from "../internal/args.js"
import * as Declare from "../internal/declare.js"
import * as Time from "../internal/time.js"
import * as D from "../ReplyDecoder.js"

/**
 * An end of a list, for LMOVE, LMPOP and their blocking variants.
 *
 * @since 0.1.0
 * @category models
 */
export type ListEnd = "LEFT" | "RIGHT"

/**
 * Options of LPOS.
 *
 * @since 0.1.0
 * @category models
 */
export interface LposOptions {
  /** Return the `rank`-th match (1 = first); negative ranks search from the tail. */
  readonly rank?: number
  /** Compare at most this many elements (0 = all). */
  readonly maxlen?: number
}

const optionalBulk = D.optional(D.bulk)
const bulks = D.array(D.bulk)
const optionalBulks = D.optional(bulks)
const integers = D.array(D.integer)
const optionalInteger = D.optional(D.integer)
const keyAndElement = D.optional(D.tuple(D.bulk, D.bulk))
const keyAndElements = D.optional(D.tuple(D.bulk, bulks))

const lposArgs = (args: Array<RedisArg>, options: LposOptions | undefined): Array<RedisArg> => {
  if (options?.rank !== undefined) args.push("RANK", options.rank)
  if (options?.maxlen !== undefined) args.push("MAXLEN", options.maxlen)
  return args
}

const blocking = Command.Flags.write | Command.Flags.blocking

const declare = Declare.family()
const BLMOVE = declare("BLMOVE", { flags: blocking, keys: Command.twoKeys })
const BLMPOP = declare("BLMPOP", { flags: blocking, keys: Declare.keysAfterCount(2) })
const BLPOP = declare("BLPOP", { flags: blocking, keys: { first: 1, last: -2, step: 1 } })
const BRPOP = declare("BRPOP", { flags: blocking, keys: { first: 1, last: -2, step: 1 } })
const BRPOPLPUSH = declare("BRPOPLPUSH", { flags: blocking, keys: Command.twoKeys })
const LINDEX = declare("LINDEX", Command.reads)
const LINSERT = declare("LINSERT", Command.writes)
const LLEN = declare("LLEN", Command.reads)
const LMOVE = declare("LMOVE", { flags: Command.Flags.write, keys: Command.twoKeys })
const LMPOP = declare("LMPOP", { flags: Command.Flags.write, keys: Declare.keysAfterCount(1) })
const LPOP = declare("LPOP", Command.writes)
const LPOS = declare("LPOS", Command.reads)
const LPUSH = declare("LPUSH", Command.writes)
const LPUSHX = declare("LPUSHX", Command.writes)
const LRANGE = declare("LRANGE", Command.reads)
const LREM = declare("LREM", Command.writes)
const LSET = declare("LSET", Command.writes)
const LTRIM = declare("LTRIM", Command.writes)
const RPOP = declare("RPOP", Command.writes)
const RPOPLPUSH = declare("RPOPLPUSH", { flags: Command.Flags.write, keys: Command.twoKeys })
const RPUSH = declare("RPUSH", Command.writes)
const RPUSHX = declare("RPUSHX", Command.writes)

const mpopArgs = (
  args: Array<RedisArg>,
  keys: OneOrMany<RedisKey>,
  end: ListEnd,
  count: number | undefined
): Array<RedisArg> => {
  pushCounted(args, keys).push(end)
  if (count !== undefined) args.push("COUNT", count)
  return args
}

/**
 * The list commands, one method each on the `Redis` service.
 *
 * Where the server needs at least one value (a key, a member, a pair…), an
 * empty list is refused before sending: the call fails with
 * `RedisArgumentError` (outcome `not-sent`) naming the argument.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands = {
  /**
   * BLMOVE: like `lmove`, waiting up to `timeout` for `source` to have an
   * element. The timeout is a number of seconds (fractions allowed) or a
   * `Duration`; `0` and `Duration.infinity` wait forever.
   *
   * @returns the element moved, `None` on timeout.
   */
  blmove: (
    source: RedisKey,
    destination: RedisKey,
    from: ListEnd,
    to: ListEnd,
    timeout: Duration.DurationInput
  ): Command.Command<Option.Option<string>> =>
    Time.blockingSeconds(
      BLMOVE,
      timeout,
      (seconds) => [BLMOVE.command, source, destination, from, to, seconds],
      optionalBulk
    ),
  /**
   * BLMPOP: like `lmpop`, waiting up to `timeout` (seconds or a
   * `Duration`, as for `blmove`).
   *
   * @returns the key popped from and its elements, `None` on timeout.
   */
  blmpop: (
    timeout: Duration.DurationInput,
    keys: OneOrMany<RedisKey>,
    end: ListEnd,
    options?: { readonly count?: number }
  ): Command.Command<Option.Option<readonly [key: string, elements: Array<string>]>> =>
    sizeOf(keys) === 0 ? noneGiven(BLMPOP, "key") : Time.blockingSeconds(
      BLMPOP,
      timeout,
      (seconds) => mpopArgs([BLMPOP.command, seconds], keys, end, options?.count),
      keyAndElements
    ),
  /**
   * BLPOP: pops the first element of the first non-empty list among `keys`,
   * waiting up to `timeout` (seconds or a `Duration`, as for `blmove`).
   *
   * @returns the key popped from and the element, `None` on timeout.
   */
  blpop: (
    keys: OneOrMany<RedisKey>,
    timeout: Duration.DurationInput
  ): Command.Command<Option.Option<readonly [key: string, element: string]>> =>
    sizeOf(keys) === 0
      ? noneGiven(BLPOP, "key")
      : Time.blockingSeconds(
        BLPOP,
        timeout,
        (seconds) => pushAll([BLPOP.command], keys).concat(seconds),
        keyAndElement
      ),
  /**
   * BRPOP: pops the last element of the first non-empty list among `keys`,
   * waiting up to `timeout` (seconds or a `Duration`, as for `blmove`).
   *
   * @returns the key popped from and the element, `None` on timeout.
   */
  brpop: (
    keys: OneOrMany<RedisKey>,
    timeout: Duration.DurationInput
  ): Command.Command<Option.Option<readonly [key: string, element: string]>> =>
    sizeOf(keys) === 0
      ? noneGiven(BRPOP, "key")
      : Time.blockingSeconds(
        BRPOP,
        timeout,
        (seconds) => pushAll([BRPOP.command], keys).concat(seconds),
        keyAndElement
      ),
  /**
   * BRPOPLPUSH: like `rpoplpush`, waiting up to `timeout` (seconds or a
   * `Duration`, as for `blmove`).
   * Deprecated: prefer `blmove(source, destination, "RIGHT", "LEFT", timeout)`.
   *
   * @returns the element moved, `None` on timeout.
   */
  brpoplpush: (
    source: RedisKey,
    destination: RedisKey,
    timeout: Duration.DurationInput
  ): Command.Command<Option.Option<string>> =>
    Time.blockingSeconds(
      BRPOPLPUSH,
      timeout,
      (seconds) => [BRPOPLPUSH.command, source, destination, seconds],
      optionalBulk
    ),
  /**
   * LINDEX: the element at `index` (negative counts from the tail).
   *
   * @returns `None` when the index is out of range or the key does not exist.
   */
  lindex: (key: RedisKey, index: number): Command.Command<Option.Option<string>> =>
    Command.make(LINDEX, [LINDEX.command, key, index], optionalBulk),
  /**
   * LINSERT: inserts `element` before or after the first occurrence of `pivot`.
   *
   * @returns the new length; -1 when `pivot` was not found, 0 when the key
   * does not exist.
   */
  linsert: (
    key: RedisKey,
    where: "BEFORE" | "AFTER",
    pivot: RedisArg,
    element: RedisArg
  ): Command.Command<number> => Command.make(LINSERT, [LINSERT.command, key, where, pivot, element], D.integer),
  /**
   * LLEN: the length of the list.
   *
   * @returns 0 when the key does not exist.
   */
  llen: (key: RedisKey): Command.Command<number> => Command.make(LLEN, [LLEN.command, key], D.integer),
  /**
   * LMOVE: pops an element from one end of `source` and pushes it to one end
   * of `destination`, atomically (the same key rotates the list).
   *
   * @returns the element moved, `None` when `source` is empty.
   */
  lmove: (
    source: RedisKey,
    destination: RedisKey,
    from: ListEnd,
    to: ListEnd
  ): Command.Command<Option.Option<string>> =>
    Command.make(LMOVE, [LMOVE.command, source, destination, from, to], optionalBulk),
  /**
   * LMPOP: pops up to `count` (default 1) elements from one end of the first
   * non-empty list among `keys` (at least one).
   *
   * @returns the key popped from and its elements, `None` when all lists are empty.
   */
  lmpop: (
    keys: OneOrMany<RedisKey>,
    end: ListEnd,
    options?: { readonly count?: number }
  ): Command.Command<Option.Option<readonly [key: string, elements: Array<string>]>> =>
    sizeOf(keys) === 0
      ? noneGiven(LMPOP, "key")
      : Command.make(LMPOP, mpopArgs([LMPOP.command], keys, end, options?.count), keyAndElements),
  /**
   * LPOP: removes and returns the first element.
   *
   * @returns `None` when the key does not exist.
   */
  lpop: (key: RedisKey): Command.Command<Option.Option<string>> =>
    Command.make(LPOP, [LPOP.command, key], optionalBulk),
  /**
   * LPOP with a count: removes and returns up to `count` elements from the head.
   *
   * @returns `None` when the key does not exist.
   */
  lpopCount: (key: RedisKey, count: number): Command.Command<Option.Option<Array<string>>> =>
    Command.make(LPOP, [LPOP.command, key, count], optionalBulks),
  /**
   * LPOS: the index of a matching element.
   *
   * @returns `None` when there is no (such) match.
   */
  lpos: (key: RedisKey, element: RedisArg, options?: LposOptions): Command.Command<Option.Option<number>> =>
    Command.make(LPOS, lposArgs([LPOS.command, key, element], options), optionalInteger),
  /**
   * LPOS … COUNT: the indexes of up to `count` matches (0 = all).
   *
   * @returns the indexes, empty when there is no match.
   */
  lposCount: (key: RedisKey, element: RedisArg, count: number, options?: LposOptions): Command.Command<Array<number>> =>
    Command.make(LPOS, lposArgs([LPOS.command, key, element, "COUNT", count], options), integers),
  /**
   * LPUSH: inserts elements (at least one) at the head, one after the other,
   * so the last one ends up first.
   *
   * @returns the length after the push.
   */
  lpush: (key: RedisKey, elements: OneOrMany<RedisArg>): Command.Command<number> =>
    sizeOf(elements) === 0
      ? noneGiven(LPUSH, "element")
      : Command.make(LPUSH, pushAll([LPUSH.command, key], elements), D.integer),
  /**
   * LPUSHX: like `lpush`, only when the list exists.
   *
   * @returns the length after the push, 0 when the key does not exist.
   */
  lpushx: (key: RedisKey, elements: OneOrMany<RedisArg>): Command.Command<number> =>
    sizeOf(elements) === 0
      ? noneGiven(LPUSHX, "element")
      : Command.make(LPUSHX, pushAll([LPUSHX.command, key], elements), D.integer),
  /**
   * LRANGE: the elements from `start` to `stop`, both inclusive (negative
   * counts from the tail; `0, -1` is the whole list).
   *
   * @returns an empty array when the range is empty or the key does not exist.
   */
  lrange: (key: RedisKey, start: number, stop: number): Command.Command<Array<string>> =>
    Command.make(LRANGE, [LRANGE.command, key, start, stop], bulks),
  /**
   * LREM: removes `count` occurrences of `element`: from the head when
   * positive, from the tail when negative, all when 0.
   *
   * @returns the number removed.
   */
  lrem: (key: RedisKey, count: number, element: RedisArg): Command.Command<number> =>
    Command.make(LREM, [LREM.command, key, count, element], D.integer),
  /**
   * LSET: sets the element at `index`. Fails with a reply error when the
   * index is out of range or the key does not exist.
   */
  lset: (key: RedisKey, index: number, element: RedisArg): Command.Command<void> =>
    Command.make(LSET, [LSET.command, key, index, element], D.ok),
  /**
   * LTRIM: keeps only the elements from `start` to `stop`, both inclusive.
   */
  ltrim: (key: RedisKey, start: number, stop: number): Command.Command<void> =>
    Command.make(LTRIM, [LTRIM.command, key, start, stop], D.ok),
  /**
   * RPOP: removes and returns the last element.
   *
   * @returns `None` when the key does not exist.
   */
  rpop: (key: RedisKey): Command.Command<Option.Option<string>> =>
    Command.make(RPOP, [RPOP.command, key], optionalBulk),
  /**
   * RPOP with a count: removes and returns up to `count` elements from the tail.
   *
   * @returns `None` when the key does not exist.
   */
  rpopCount: (key: RedisKey, count: number): Command.Command<Option.Option<Array<string>>> =>
    Command.make(RPOP, [RPOP.command, key, count], optionalBulks),
  /**
   * RPOPLPUSH: moves the last element of `source` to the head of
   * `destination`. Deprecated: prefer `lmove(source, destination, "RIGHT", "LEFT")`.
   *
   * @returns the element moved, `None` when `source` is empty.
   */
  rpoplpush: (source: RedisKey, destination: RedisKey): Command.Command<Option.Option<string>> =>
    Command.make(RPOPLPUSH, [RPOPLPUSH.command, source, destination], optionalBulk),
  /**
   * RPUSH: appends elements (at least one) at the tail.
   *
   * @returns the length after the push.
   */
  rpush: (key: RedisKey, elements: OneOrMany<RedisArg>): Command.Command<number> =>
    sizeOf(elements) === 0
      ? noneGiven(RPUSH, "element")
      : Command.make(RPUSH, pushAll([RPUSH.command, key], elements), D.integer),
  /**
   * RPUSHX: like `rpush`, only when the list exists.
   *
   * @returns the length after the push, 0 when the key does not exist.
   */
  rpushx: (key: RedisKey, elements: OneOrMany<RedisArg>): Command.Command<number> =>
    sizeOf(elements) === 0
      ? noneGiven(RPUSHX, "element")
      : Command.make(RPUSHX, pushAll([RPUSHX.command, key], elements), D.integer)
} as const

/**
 * Every spec of the list family.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
