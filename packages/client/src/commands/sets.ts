/**
 * Set commands (SSCAN is with the other scans in the keys family, SORT with
 * the generic key commands).
 *
 * @since 0.1.0
 */
import type { Option } from "effect"
import * as Command from "../Command.js"
import type { OneOrMany, RedisArg, RedisKey } from "../Command.js"
import { noneGiven, pushAll, pushCounted, sizeOf } from "../internal/args.js"
import * as Declare from "../internal/declare.js"
import * as D from "../ReplyDecoder.js"

const optionalBulk = D.optional(D.bulk)
const bulks = D.array(D.bulk)
const booleans = D.array(D.boolean)

const readKeys = { flags: Command.Flags.readonly, keys: Command.allKeys }
const storeKeys = { flags: Command.Flags.write, keys: Command.allKeys }

const declare = Declare.family()
const SADD = declare("SADD", Command.writes)
const SCARD = declare("SCARD", Command.reads)
const SDIFF = declare("SDIFF", readKeys)
const SDIFFSTORE = declare("SDIFFSTORE", storeKeys)
const SINTER = declare("SINTER", readKeys)
const SINTERCARD = declare("SINTERCARD", { flags: Command.Flags.readonly, keys: Declare.keysAfterCount(1) })
const SINTERSTORE = declare("SINTERSTORE", storeKeys)
const SISMEMBER = declare("SISMEMBER", Command.reads)
const SMEMBERS = declare("SMEMBERS", Command.reads)
const SMISMEMBER = declare("SMISMEMBER", Command.reads)
const SMOVE = declare("SMOVE", { flags: Command.Flags.write, keys: Command.twoKeys })
const SPOP = declare("SPOP", Command.writes)
const SRANDMEMBER = declare("SRANDMEMBER", Command.reads)
const SREM = declare("SREM", Command.writes)
const SUNION = declare("SUNION", readKeys)
const SUNIONSTORE = declare("SUNIONSTORE", storeKeys)

/**
 * The set commands, one method each on the `Redis` service.
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
   * SADD: adds members (at least one) to the set at `key`, creating it if missing.
   *
   * @returns the number of members that were not already in the set.
   */
  sadd: (key: RedisKey, members: OneOrMany<RedisArg>): Command.Command<number> =>
    sizeOf(members) === 0
      ? noneGiven(SADD, "member")
      : Command.make(SADD, pushAll([SADD.command, key], members), D.integer),
  /**
   * SCARD: the number of members of the set.
   *
   * @returns 0 when the key does not exist.
   */
  scard: (key: RedisKey): Command.Command<number> => Command.make(SCARD, [SCARD.command, key], D.integer),
  /**
   * SDIFF: the members of the first set that are in none of the others
   * (missing keys count as empty sets).
   *
   * @returns the members, in no particular order.
   */
  sdiff: (keys: OneOrMany<RedisKey>): Command.Command<Array<string>> =>
    sizeOf(keys) === 0 ? noneGiven(SDIFF, "key") : Command.make(SDIFF, pushAll([SDIFF.command], keys), bulks),
  /**
   * SDIFFSTORE: stores the result of `sdiff(keys)` at `destination`,
   * replacing it (an empty result deletes it).
   *
   * @returns the size of the stored set.
   */
  sdiffstore: (destination: RedisKey, keys: OneOrMany<RedisKey>): Command.Command<number> =>
    sizeOf(keys) === 0
      ? noneGiven(SDIFFSTORE, "key")
      : Command.make(SDIFFSTORE, pushAll([SDIFFSTORE.command, destination], keys), D.integer),
  /**
   * SINTER: the members common to all the sets (a missing key makes the
   * result empty).
   *
   * @returns the members, in no particular order.
   */
  sinter: (keys: OneOrMany<RedisKey>): Command.Command<Array<string>> =>
    sizeOf(keys) === 0 ? noneGiven(SINTER, "key") : Command.make(SINTER, pushAll([SINTER.command], keys), bulks),
  /**
   * SINTERCARD: the size of the intersection, counting at most `limit`
   * members when given (0 = no limit).
   *
   * @returns the size.
   */
  sintercard: (keys: OneOrMany<RedisKey>, options?: { readonly limit?: number }): Command.Command<number> =>
    sizeOf(keys) === 0 ? noneGiven(SINTERCARD, "key") : Command.make(
      SINTERCARD,
      options?.limit === undefined
        ? pushCounted([SINTERCARD.command], keys)
        : pushCounted([SINTERCARD.command], keys).concat("LIMIT", options.limit),
      D.integer
    ),
  /**
   * SINTERSTORE: stores the result of `sinter(keys)` at `destination`.
   *
   * @returns the size of the stored set.
   */
  sinterstore: (destination: RedisKey, keys: OneOrMany<RedisKey>): Command.Command<number> =>
    sizeOf(keys) === 0
      ? noneGiven(SINTERSTORE, "key")
      : Command.make(SINTERSTORE, pushAll([SINTERSTORE.command, destination], keys), D.integer),
  /**
   * SISMEMBER: whether `member` is in the set.
   *
   * @returns `false` also when the key does not exist.
   */
  sismember: (key: RedisKey, member: RedisArg): Command.Command<boolean> =>
    Command.make(SISMEMBER, [SISMEMBER.command, key, member], D.boolean),
  /**
   * SMEMBERS: every member of the set; use `sscan` for large sets.
   *
   * @returns the members, in no particular order; empty when the key does
   * not exist.
   */
  smembers: (key: RedisKey): Command.Command<Array<string>> => Command.make(SMEMBERS, [SMEMBERS.command, key], bulks),
  /**
   * SMISMEMBER: whether each of `members` (at least one) is in the set.
   *
   * @returns one boolean per member, in order.
   */
  smismember: (key: RedisKey, members: OneOrMany<RedisArg>): Command.Command<Array<boolean>> =>
    sizeOf(members) === 0
      ? noneGiven(SMISMEMBER, "member")
      : Command.make(SMISMEMBER, pushAll([SMISMEMBER.command, key], members), booleans),
  /**
   * SMOVE: moves `member` from `source` to `destination`, atomically.
   *
   * @returns `true` when moved, `false` when `member` was not in `source`.
   */
  smove: (source: RedisKey, destination: RedisKey, member: RedisArg): Command.Command<boolean> =>
    Command.make(SMOVE, [SMOVE.command, source, destination, member], D.boolean),
  /**
   * SPOP: removes and returns a random member.
   *
   * @returns `None` when the key does not exist.
   */
  spop: (key: RedisKey): Command.Command<Option.Option<string>> =>
    Command.make(SPOP, [SPOP.command, key], optionalBulk),
  /**
   * SPOP with a count: removes and returns up to `count` random members.
   *
   * @returns the members removed; empty when the key does not exist.
   */
  spopCount: (key: RedisKey, count: number): Command.Command<Array<string>> =>
    Command.make(SPOP, [SPOP.command, key, count], bulks),
  /**
   * SRANDMEMBER: a random member, left in the set.
   *
   * @returns `None` when the key does not exist.
   */
  srandmember: (key: RedisKey): Command.Command<Option.Option<string>> =>
    Command.make(SRANDMEMBER, [SRANDMEMBER.command, key], optionalBulk),
  /**
   * SRANDMEMBER with a count: up to `count` distinct members, or with a
   * negative count exactly `-count` members that may repeat.
   *
   * @returns the members; empty when the key does not exist.
   */
  srandmemberCount: (key: RedisKey, count: number): Command.Command<Array<string>> =>
    Command.make(SRANDMEMBER, [SRANDMEMBER.command, key, count], bulks),
  /**
   * SREM: removes members (at least one).
   *
   * @returns the number of members that were in the set.
   */
  srem: (key: RedisKey, members: OneOrMany<RedisArg>): Command.Command<number> =>
    sizeOf(members) === 0
      ? noneGiven(SREM, "member")
      : Command.make(SREM, pushAll([SREM.command, key], members), D.integer),
  /**
   * SUNION: the members of all the sets.
   *
   * @returns the members, in no particular order.
   */
  sunion: (keys: OneOrMany<RedisKey>): Command.Command<Array<string>> =>
    sizeOf(keys) === 0 ? noneGiven(SUNION, "key") : Command.make(SUNION, pushAll([SUNION.command], keys), bulks),
  /**
   * SUNIONSTORE: stores the result of `sunion(keys)` at `destination`.
   *
   * @returns the size of the stored set.
   */
  sunionstore: (destination: RedisKey, keys: OneOrMany<RedisKey>): Command.Command<number> =>
    sizeOf(keys) === 0
      ? noneGiven(SUNIONSTORE, "key")
      : Command.make(SUNIONSTORE, pushAll([SUNIONSTORE.command, destination], keys), D.integer)
} as const

/**
 * Every spec of the set family.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
