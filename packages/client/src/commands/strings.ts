/**
 * String commands: GET/SET and their variants, counters, ranges, MGET/MSET
 * and LCS.
 *
 * @since 0.1.0
 */
import type { Option } from "effect"
import type * as Duration from "effect/Duration"
import * as Command from "../Command.js"
import type { Entries, OneOrMany, RedisArg, RedisKey } from "../Command.js"
import { hasNoEntries, noneGiven, pushAll, pushEntries, sizeOf } from "../internal/args.js"
import * as Declare from "../internal/declare.js"
import * as Time from "../internal/time.js"
import * as D from "../ReplyDecoder.js"

/**
 * Options of SET.
 *
 * @since 0.1.0
 * @category models
 */
export interface SetOptions {
  /**
   * Expire after this long: a number is seconds; a `Duration` (or
   * `"10 minutes"`…) must be whole seconds (`px` for finer).
   */
  readonly ex?: Duration.DurationInput
  /** Expire after this long: a number is milliseconds; a `Duration` must be whole milliseconds. */
  readonly px?: Duration.DurationInput
  /** Expire at this instant: a number is a Unix time in seconds; a `Date` must be a whole second (`pxat` for finer). */
  readonly exat?: number | Date
  /** Expire at this instant: a number is a Unix time in milliseconds. */
  readonly pxat?: number | Date
  /** Keep the time to live the key already has (SET otherwise clears it). */
  readonly keepttl?: boolean
  /** Only set the key if it does not exist. */
  readonly nx?: boolean
  /** Only set the key if it already exists. */
  readonly xx?: boolean
}

/**
 * Options of GETEX: at most one of them.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetExOptions {
  /**
   * Expire after this long: a number is seconds; a `Duration` (or
   * `"10 minutes"`…) must be whole seconds (`px` for finer).
   */
  readonly ex?: Duration.DurationInput
  /** Expire after this long: a number is milliseconds; a `Duration` must be whole milliseconds. */
  readonly px?: Duration.DurationInput
  /** Expire at this instant: a number is a Unix time in seconds; a `Date` must be a whole second (`pxat` for finer). */
  readonly exat?: number | Date
  /** Expire at this instant: a number is a Unix time in milliseconds. */
  readonly pxat?: number | Date
  /** Remove the time to live. */
  readonly persist?: boolean
}

/**
 * Options of LCS … IDX.
 *
 * @since 0.1.0
 * @category models
 */
export interface LcsIdxOptions {
  /** Leave out matches shorter than this. */
  readonly minmatchlen?: number
}

/**
 * One match of LCS … IDX: inclusive `[start, end]` ranges in each string.
 *
 * @since 0.1.0
 * @category models
 */
export interface LcsMatch {
  readonly a: readonly [start: number, end: number]
  readonly b: readonly [start: number, end: number]
  readonly length: number
}

/**
 * The reply of LCS … IDX: the matches, last match first (as the server
 * sends them), and the length of the longest common subsequence.
 *
 * @since 0.1.0
 * @category models
 */
export interface LcsIdxResult {
  readonly matches: Array<LcsMatch>
  readonly len: number
}

// Appends `token time`, or tells why the time cannot be sent.
const pushTime = (args: Array<RedisArg>, token: string, time: number | Time.Refused): Time.Refused | undefined => {
  if (time instanceof Time.Refused) return time
  args.push(token, time)
  return undefined
}

// Appends the expiry options, or tells why one of their times cannot be sent.
const expiryArgs = (args: Array<RedisArg>, options: SetOptions & GetExOptions): Time.Refused | undefined => {
  const { ex, exat, px, pxat } = options
  const refused = (ex === undefined ? undefined : pushTime(args, "EX", Time.span(ex, "seconds", "ex", "px"))) ??
    (px === undefined ? undefined : pushTime(args, "PX", Time.span(px, "milliseconds", "px"))) ??
    (exat === undefined ? undefined : pushTime(args, "EXAT", Time.instant(exat, "seconds", "exat", "pxat"))) ??
    (pxat === undefined ? undefined : pushTime(args, "PXAT", Time.instant(pxat, "milliseconds", "pxat")))
  if (options.keepttl) args.push("KEEPTTL")
  if (options.persist) args.push("PERSIST")
  return refused
}

const setCommand = <A>(
  key: RedisKey,
  value: RedisArg,
  options: SetOptions | undefined,
  get: boolean,
  decode: D.Decoder<A>
): Command.Command<A> => {
  const args: Array<RedisArg> = [SET.command, key, value]
  if (options !== undefined) {
    if (options.nx) args.push("NX")
    if (options.xx) args.push("XX")
    const refused = expiryArgs(args, options)
    if (refused !== undefined) return Command.invalid(SET, refused.reason)
  }
  if (get) args.push("GET")
  return Command.make(SET, args, decode)
}

const range = D.tuple(D.integer, D.integer)

const lcsIdx: D.Decoder<LcsIdxResult> = (reply) => {
  const flat = D.entries(reply)
  let matches: Array<LcsMatch> = []
  let len = 0
  for (let i = 0; i < flat.length; i += 2) {
    const name = D.text(flat[i]!)
    if (name === "len") len = D.integer(flat[i + 1]!)
    else if (name === "matches") {
      matches = D.items(flat[i + 1]!).map((match) => {
        const parts = D.items(match)
        const a = range(parts[0]!)
        const b = range(parts[1]!)
        return { a, b, length: D.integer(parts[2]!) }
      })
    }
  }
  return { matches, len }
}

const optionalBulk = D.optional(D.bulk)
const optionalBulks = D.array(optionalBulk)

const declare = Declare.family()
const APPEND = declare("APPEND", Command.writes)
const DECR = declare("DECR", Command.writes)
const DECRBY = declare("DECRBY", Command.writes)
const GET = declare("GET", Command.reads)
const GETDEL = declare("GETDEL", Command.writes)
const GETEX = declare("GETEX", Command.writes)
const GETRANGE = declare("GETRANGE", Command.reads)
const GETSET = declare("GETSET", Command.writes)
const INCR = declare("INCR", Command.writes)
const INCRBY = declare("INCRBY", Command.writes)
const INCRBYFLOAT = declare("INCRBYFLOAT", Command.writes)
const LCS = declare("LCS", { flags: Command.Flags.readonly, keys: Command.twoKeys })
const MGET = declare("MGET", { flags: Command.Flags.readonly, keys: Command.allKeys })
const MSET = declare("MSET", { flags: Command.Flags.write, keys: { first: 1, last: -1, step: 2 } })
const MSETNX = declare("MSETNX", { flags: Command.Flags.write, keys: { first: 1, last: -1, step: 2 } })
const PSETEX = declare("PSETEX", Command.writes)
const SET = declare("SET", Command.writes)
const SETEX = declare("SETEX", Command.writes)
const SETNX = declare("SETNX", Command.writes)
const SETRANGE = declare("SETRANGE", Command.writes)
const STRLEN = declare("STRLEN", Command.reads)
const SUBSTR = declare("SUBSTR", Command.reads)

/**
 * The string commands, one method each on the `Redis` service.
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
   * APPEND: appends `value` to the string at `key`, creating it if missing.
   *
   * @returns the length of the string after the append.
   */
  append: (key: RedisKey, value: RedisArg): Command.Command<number> =>
    Command.make(APPEND, [APPEND.command, key, value], D.integer),
  /**
   * DECR: decrements the integer at `key` by one (a missing key counts as 0).
   *
   * @returns the new value (beyond ±(2^53 - 1) it fails with `RedisDecodeError`:
   * read it through `Command.exact`).
   */
  decr: (key: RedisKey): Command.Command<number> => Command.make(DECR, [DECR.command, key], D.integer),
  /**
   * DECRBY: decrements the integer at `key` by `decrement`.
   *
   * @returns the new value (beyond ±(2^53 - 1) it fails with `RedisDecodeError`:
   * read it through `Command.exact`).
   */
  decrby: (key: RedisKey, decrement: number | bigint): Command.Command<number> =>
    Command.make(DECRBY, [DECRBY.command, key, decrement], D.integer),
  /**
   * GET: the string at `key`.
   *
   * @returns `None` when the key does not exist. Fails with a WRONGTYPE
   * reply error when the key holds another type.
   */
  get: (key: RedisKey): Command.Command<Option.Option<string>> => Command.make(GET, [GET.command, key], optionalBulk),
  /**
   * GETDEL: the string at `key`, deleting the key.
   *
   * @returns `None` when the key does not exist.
   */
  getdel: (key: RedisKey): Command.Command<Option.Option<string>> =>
    Command.make(GETDEL, [GETDEL.command, key], optionalBulk),
  /**
   * GETEX: the string at `key`, changing its expiry (`ex`, `px`, `exat`,
   * `pxat` or `persist`; without options it is a plain GET). Times take
   * numbers in the option's unit, `Duration`s or `Date`s (see
   * {@link GetExOptions}); one that is not a whole number of the unit is
   * refused (`RedisArgumentError`, unsent).
   *
   * @returns `None` when the key does not exist.
   */
  getex: (key: RedisKey, options?: GetExOptions): Command.Command<Option.Option<string>> => {
    const args: Array<RedisArg> = [GETEX.command, key]
    const refused = options === undefined ? undefined : expiryArgs(args, options)
    return refused === undefined ? Command.make(GETEX, args, optionalBulk) : Command.invalid(GETEX, refused.reason)
  },
  /**
   * GETRANGE: the substring between the byte offsets `start` and `end`
   * (inclusive, negative counts from the end).
   *
   * @returns an empty string when the key does not exist or the range is empty.
   */
  getrange: (key: RedisKey, start: number, end: number): Command.Command<string> =>
    Command.make(GETRANGE, [GETRANGE.command, key, start, end], D.bulk),
  /**
   * GETSET: sets `key` to `value` and returns the old value. Deprecated
   * since Redis 6.2: prefer `setGet`.
   *
   * @returns `None` when the key did not exist.
   */
  getset: (key: RedisKey, value: RedisArg): Command.Command<Option.Option<string>> =>
    Command.make(GETSET, [GETSET.command, key, value], optionalBulk),
  /**
   * INCR: increments the integer at `key` by one (a missing key counts as 0).
   *
   * @returns the new value (beyond ±(2^53 - 1) it fails with `RedisDecodeError`:
   * read it through `Command.exact`).
   */
  incr: (key: RedisKey): Command.Command<number> => Command.make(INCR, [INCR.command, key], D.integer),
  /**
   * INCRBY: increments the integer at `key` by `increment`.
   *
   * @returns the new value (beyond ±(2^53 - 1) it fails with `RedisDecodeError`:
   * read it through `Command.exact`).
   */
  incrby: (key: RedisKey, increment: number | bigint): Command.Command<number> =>
    Command.make(INCRBY, [INCRBY.command, key, increment], D.integer),
  /**
   * INCRBYFLOAT: increments the number at `key` by `increment`.
   *
   * @returns the new value. The server stores it as text with up to 17
   * significant digits.
   */
  incrbyfloat: (key: RedisKey, increment: number): Command.Command<number> =>
    Command.make(INCRBYFLOAT, [INCRBYFLOAT.command, key, increment], D.double),
  /**
   * LCS: the longest common subsequence of the strings at `key1` and `key2`.
   *
   * @returns the subsequence (empty when there is none or a key is missing).
   */
  lcs: (key1: RedisKey, key2: RedisKey): Command.Command<string> =>
    Command.make(LCS, [LCS.command, key1, key2], D.bulk),
  /**
   * LCS … LEN: the length of the longest common subsequence.
   *
   * @returns the length.
   */
  lcsLen: (key1: RedisKey, key2: RedisKey): Command.Command<number> =>
    Command.make(LCS, [LCS.command, key1, key2, "LEN"], D.integer),
  /**
   * LCS … IDX WITHMATCHLEN: where the longest common subsequence lies in
   * both strings.
   *
   * @returns the matches (last first) and the total length.
   */
  lcsIdx: (key1: RedisKey, key2: RedisKey, options?: LcsIdxOptions): Command.Command<LcsIdxResult> =>
    Command.make(
      LCS,
      options?.minmatchlen === undefined
        ? [LCS.command, key1, key2, "IDX", "WITHMATCHLEN"]
        : [LCS.command, key1, key2, "IDX", "MINMATCHLEN", options.minmatchlen, "WITHMATCHLEN"],
      lcsIdx
    ),
  /**
   * MGET: the strings at several keys (at least one).
   *
   * @returns one entry per key, `None` for keys that are missing or hold
   * another type.
   */
  mget: (keys: OneOrMany<RedisKey>): Command.Command<Array<Option.Option<string>>> =>
    sizeOf(keys) === 0 ? noneGiven(MGET, "key") : Command.make(MGET, pushAll([MGET.command], keys), optionalBulks),
  /**
   * MSET: sets several keys at once, atomically (at least one pair).
   */
  mset: (entries: Entries): Command.Command<void> =>
    hasNoEntries(entries)
      ? noneGiven(MSET, "key/value pair")
      : Command.make(MSET, pushEntries([MSET.command], entries), D.ok),
  /**
   * MSETNX: sets several keys at once only if none of them exists.
   *
   * @returns `true` when the keys were set, `false` when one existed and
   * nothing was set.
   */
  msetnx: (entries: Entries): Command.Command<boolean> =>
    hasNoEntries(entries)
      ? noneGiven(MSETNX, "key/value pair")
      : Command.make(MSETNX, pushEntries([MSETNX.command], entries), D.boolean),
  /**
   * PSETEX: sets `key` with a time to live: a number is milliseconds, a
   * `Duration` must be whole milliseconds. Deprecated: prefer
   * `set(key, value, { px })`.
   */
  psetex: (key: RedisKey, ttl: Duration.DurationInput, value: RedisArg): Command.Command<void> =>
    Time.withTime(
      PSETEX,
      Time.span(ttl, "milliseconds", "ttl"),
      (milliseconds) => Command.make(PSETEX, [PSETEX.command, key, milliseconds, value], D.ok)
    ),
  /**
   * SET: sets `key` to `value`, with an optional expiry (`ex`, `px`, `exat`,
   * `pxat`, `keepttl`) and condition (`nx`, `xx`). Times take numbers in the
   * option's unit, `Duration`s or `Date`s: `{ ex: 60 }`, `{ ex: "1 minute" }`,
   * `{ px: Duration.millis(1500) }`, `{ pxat: date }`; one that is not a
   * whole number of the unit (`{ ex: "1.5 seconds" }`) is refused
   * (`RedisArgumentError`, unsent) rather than rounded.
   *
   * @returns `true` when the value was set, `false` when the `nx`/`xx`
   * condition was not met. Without a condition it is always `true`.
   */
  set: (key: RedisKey, value: RedisArg, options?: SetOptions): Command.Command<boolean> =>
    setCommand(key, value, options, false, D.okOrNil),
  /**
   * SET … GET: sets `key` like `set` and returns the previous value.
   *
   * @returns the old value, `None` when the key did not exist. With `nx` or
   * `xx` the old value is returned whether or not the value was set.
   */
  setGet: (key: RedisKey, value: RedisArg, options?: SetOptions): Command.Command<Option.Option<string>> =>
    setCommand(key, value, options, true, optionalBulk),
  /**
   * SETEX: sets `key` with a time to live: a number is seconds, a
   * `Duration` must be whole seconds (`psetex` for finer). Deprecated:
   * prefer `set(key, value, { ex })`.
   */
  setex: (key: RedisKey, ttl: Duration.DurationInput, value: RedisArg): Command.Command<void> =>
    Time.withTime(
      SETEX,
      Time.span(ttl, "seconds", "ttl", "psetex"),
      (seconds) => Command.make(SETEX, [SETEX.command, key, seconds, value], D.ok)
    ),
  /**
   * SETNX: sets `key` only if it does not exist. Deprecated: prefer
   * `set(key, value, { nx: true })`.
   *
   * @returns `true` when the key was set.
   */
  setnx: (key: RedisKey, value: RedisArg): Command.Command<boolean> =>
    Command.make(SETNX, [SETNX.command, key, value], D.boolean),
  /**
   * SETRANGE: overwrites the string at `key` from byte `offset`, padding
   * with zero bytes when the string is shorter.
   *
   * @returns the length of the string after the change.
   */
  setrange: (key: RedisKey, offset: number, value: RedisArg): Command.Command<number> =>
    Command.make(SETRANGE, [SETRANGE.command, key, offset, value], D.integer),
  /**
   * STRLEN: the length in bytes of the string at `key`.
   *
   * @returns 0 when the key does not exist.
   */
  strlen: (key: RedisKey): Command.Command<number> => Command.make(STRLEN, [STRLEN.command, key], D.integer),
  /**
   * SUBSTR: the old name of GETRANGE. Deprecated: prefer `getrange`.
   *
   * @returns an empty string when the key does not exist or the range is empty.
   */
  substr: (key: RedisKey, start: number, end: number): Command.Command<string> =>
    Command.make(SUBSTR, [SUBSTR.command, key, start, end], D.bulk)
} as const

/**
 * Every spec of the string family.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
