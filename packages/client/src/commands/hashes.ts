/**
 * Hash commands (HSCAN is with the other scans in the keys family).
 *
 * @since 0.1.0
 */
import type { Option } from "effect"
import * as Command from "../Command.js"
import type { Entries, OneOrMany, RedisArg, RedisKey } from "../Command.js"
import { hasNoEntries, noneGiven, pushAll, pushEntries, sizeOf } from "../internal/args.js"
import * as Declare from "../internal/declare.js"
import * as D from "../ReplyDecoder.js"

const optionalBulk = D.optional(D.bulk)
const optionalBulks = D.array(optionalBulk)
const bulks = D.array(D.bulk)
const fieldValues = D.pairs(D.bulk, D.bulk)
const hash = D.record(D.bulk)

const declare = Declare.family()
const HDEL = declare("HDEL", Command.writes)
const HEXISTS = declare("HEXISTS", Command.reads)
const HGET = declare("HGET", Command.reads)
const HGETALL = declare("HGETALL", Command.reads)
const HINCRBY = declare("HINCRBY", Command.writes)
const HINCRBYFLOAT = declare("HINCRBYFLOAT", Command.writes)
const HKEYS = declare("HKEYS", Command.reads)
const HLEN = declare("HLEN", Command.reads)
const HMGET = declare("HMGET", Command.reads)
const HMSET = declare("HMSET", Command.writes)
const HRANDFIELD = declare("HRANDFIELD", Command.reads)
const HSET = declare("HSET", Command.writes)
const HSETNX = declare("HSETNX", Command.writes)
const HSTRLEN = declare("HSTRLEN", Command.reads)
const HVALS = declare("HVALS", Command.reads)

/**
 * The hash commands, one method each on the `Redis` service.
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
   * HDEL: removes fields (at least one) from the hash at `key`.
   *
   * @returns the number of fields that existed.
   */
  hdel: (key: RedisKey, fields: OneOrMany<RedisArg>): Command.Command<number> =>
    sizeOf(fields) === 0
      ? noneGiven(HDEL, "field")
      : Command.make(HDEL, pushAll([HDEL.command, key], fields), D.integer),
  /**
   * HEXISTS: whether `field` exists in the hash at `key`.
   *
   * @returns `false` also when the key does not exist.
   */
  hexists: (key: RedisKey, field: RedisArg): Command.Command<boolean> =>
    Command.make(HEXISTS, [HEXISTS.command, key, field], D.boolean),
  /**
   * HGET: the value of `field`.
   *
   * @returns `None` when the field or the key does not exist.
   */
  hget: (key: RedisKey, field: RedisArg): Command.Command<Option.Option<string>> =>
    Command.make(HGET, [HGET.command, key, field], optionalBulk),
  /**
   * HGETALL: every field and value of the hash. Field names become text
   * even in binary mode; use `hscan` for hashes with binary field names.
   *
   * @returns an empty record when the key does not exist.
   */
  hgetall: (key: RedisKey): Command.Command<Record<string, string>> =>
    Command.make(HGETALL, [HGETALL.command, key], hash),
  /**
   * HINCRBY: increments the integer in `field` by `increment` (a missing
   * field counts as 0).
   *
   * @returns the new value (beyond ±(2^53 - 1) it fails with `RedisDecodeError`:
   * read it through `Command.exact`).
   */
  hincrby: (key: RedisKey, field: RedisArg, increment: number | bigint): Command.Command<number> =>
    Command.make(HINCRBY, [HINCRBY.command, key, field, increment], D.integer),
  /**
   * HINCRBYFLOAT: increments the number in `field` by `increment`.
   *
   * @returns the new value.
   */
  hincrbyfloat: (key: RedisKey, field: RedisArg, increment: number): Command.Command<number> =>
    Command.make(HINCRBYFLOAT, [HINCRBYFLOAT.command, key, field, increment], D.double),
  /**
   * HKEYS: the field names of the hash.
   *
   * @returns an empty array when the key does not exist.
   */
  hkeys: (key: RedisKey): Command.Command<Array<string>> => Command.make(HKEYS, [HKEYS.command, key], bulks),
  /**
   * HLEN: the number of fields of the hash.
   *
   * @returns 0 when the key does not exist.
   */
  hlen: (key: RedisKey): Command.Command<number> => Command.make(HLEN, [HLEN.command, key], D.integer),
  /**
   * HMGET: the values of several fields (at least one).
   *
   * @returns one entry per field, `None` where the field does not exist.
   */
  hmget: (key: RedisKey, fields: OneOrMany<RedisArg>): Command.Command<Array<Option.Option<string>>> =>
    sizeOf(fields) === 0
      ? noneGiven(HMGET, "field")
      : Command.make(HMGET, pushAll([HMGET.command, key], fields), optionalBulks),
  /**
   * HMSET: sets several fields. Deprecated: prefer `hset`, which takes the
   * same pairs.
   */
  hmset: (key: RedisKey, entries: Entries): Command.Command<void> =>
    hasNoEntries(entries)
      ? noneGiven(HMSET, "field/value pair")
      : Command.make(HMSET, pushEntries([HMSET.command, key], entries), D.ok),
  /**
   * HRANDFIELD: a random field name of the hash.
   *
   * @returns `None` when the key does not exist.
   */
  hrandfield: (key: RedisKey): Command.Command<Option.Option<string>> =>
    Command.make(HRANDFIELD, [HRANDFIELD.command, key], optionalBulk),
  /**
   * HRANDFIELD with a count: up to `count` distinct fields, or with a
   * negative count exactly `-count` fields that may repeat.
   *
   * @returns an empty array when the key does not exist.
   */
  hrandfieldCount: (key: RedisKey, count: number): Command.Command<Array<string>> =>
    Command.make(HRANDFIELD, [HRANDFIELD.command, key, count], bulks),
  /**
   * HRANDFIELD … WITHVALUES: like `hrandfieldCount`, with the values.
   *
   * @returns `[field, value]` pairs.
   */
  hrandfieldWithValues: (key: RedisKey, count: number): Command.Command<Array<readonly [string, string]>> =>
    Command.make(HRANDFIELD, [HRANDFIELD.command, key, count, "WITHVALUES"], fieldValues),
  /**
   * HSET: sets fields of the hash (at least one pair), creating it if missing.
   *
   * @returns the number of fields that were added (not the ones updated).
   */
  hset: (key: RedisKey, entries: Entries): Command.Command<number> =>
    hasNoEntries(entries)
      ? noneGiven(HSET, "field/value pair")
      : Command.make(HSET, pushEntries([HSET.command, key], entries), D.integer),
  /**
   * HSETNX: sets `field` only if it does not exist.
   *
   * @returns `true` when the field was set.
   */
  hsetnx: (key: RedisKey, field: RedisArg, value: RedisArg): Command.Command<boolean> =>
    Command.make(HSETNX, [HSETNX.command, key, field, value], D.boolean),
  /**
   * HSTRLEN: the length in bytes of the value of `field`.
   *
   * @returns 0 when the field or the key does not exist.
   */
  hstrlen: (key: RedisKey, field: RedisArg): Command.Command<number> =>
    Command.make(HSTRLEN, [HSTRLEN.command, key, field], D.integer),
  /**
   * HVALS: the values of the hash.
   *
   * @returns an empty array when the key does not exist.
   */
  hvals: (key: RedisKey): Command.Command<Array<string>> => Command.make(HVALS, [HVALS.command, key], bulks)
} as const

/**
 * Every spec of the hash family.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
