/**
 * Set commands (SSCAN is with the other scans in the keys family, SORT with
 * the generic key commands).
 *
 * @since 0.1.0
 */
import type { Option } from "effect"
import * as Command from "../Command.js"
import type { RedisArg, RedisKey } from "../Command.js"
import * as D from "../ReplyDecoder.js"
import { keysAfterCount, noneGiven, type OneOrMany, pushAll, pushCounted, sizeOf } from "./keys.js"

const optionalBulk = D.optional(D.bulk)
const bulks = D.array(D.bulk)
const booleans = D.array(D.boolean)

const readKeys = { flags: Command.Flags.readonly, keys: Command.allKeys }
const storeKeys = { flags: Command.Flags.write, keys: Command.allKeys }

const SADD = Command.spec("SADD", Command.writes)
const SCARD = Command.spec("SCARD", Command.reads)
const SDIFF = Command.spec("SDIFF", readKeys)
const SDIFFSTORE = Command.spec("SDIFFSTORE", storeKeys)
const SINTER = Command.spec("SINTER", readKeys)
const SINTERCARD = Command.spec("SINTERCARD", { flags: Command.Flags.readonly, keys: keysAfterCount(1) })
const SINTERSTORE = Command.spec("SINTERSTORE", storeKeys)
const SISMEMBER = Command.spec("SISMEMBER", Command.reads)
const SMEMBERS = Command.spec("SMEMBERS", Command.reads)
const SMISMEMBER = Command.spec("SMISMEMBER", Command.reads)
const SMOVE = Command.spec("SMOVE", { flags: Command.Flags.write, keys: Command.twoKeys })
const SPOP = Command.spec("SPOP", Command.writes)
const SRANDMEMBER = Command.spec("SRANDMEMBER", Command.reads)
const SREM = Command.spec("SREM", Command.writes)
const SUNION = Command.spec("SUNION", readKeys)
const SUNIONSTORE = Command.spec("SUNIONSTORE", storeKeys)

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
    sizeOf(members) === 0 ? noneGiven(SADD, "member") : Command.make(SADD, pushAll(["SADD", key], members), D.integer),
  /**
   * SCARD: the number of members of the set.
   *
   * @returns 0 when the key does not exist.
   */
  scard: (key: RedisKey): Command.Command<number> => Command.make(SCARD, ["SCARD", key], D.integer),
  /**
   * SDIFF: the members of the first set that are in none of the others
   * (missing keys count as empty sets).
   *
   * @returns the members, in no particular order.
   */
  sdiff: (keys: OneOrMany<RedisKey>): Command.Command<Array<string>> =>
    sizeOf(keys) === 0 ? noneGiven(SDIFF, "key") : Command.make(SDIFF, pushAll(["SDIFF"], keys), bulks),
  /**
   * SDIFFSTORE: stores the result of `sdiff(keys)` at `destination`,
   * replacing it (an empty result deletes it).
   *
   * @returns the size of the stored set.
   */
  sdiffstore: (destination: RedisKey, keys: OneOrMany<RedisKey>): Command.Command<number> =>
    sizeOf(keys) === 0
      ? noneGiven(SDIFFSTORE, "key")
      : Command.make(SDIFFSTORE, pushAll(["SDIFFSTORE", destination], keys), D.integer),
  /**
   * SINTER: the members common to all the sets (a missing key makes the
   * result empty).
   *
   * @returns the members, in no particular order.
   */
  sinter: (keys: OneOrMany<RedisKey>): Command.Command<Array<string>> =>
    sizeOf(keys) === 0 ? noneGiven(SINTER, "key") : Command.make(SINTER, pushAll(["SINTER"], keys), bulks),
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
        ? pushCounted(["SINTERCARD"], keys)
        : pushCounted(["SINTERCARD"], keys).concat("LIMIT", options.limit),
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
      : Command.make(SINTERSTORE, pushAll(["SINTERSTORE", destination], keys), D.integer),
  /**
   * SISMEMBER: whether `member` is in the set.
   *
   * @returns `false` also when the key does not exist.
   */
  sismember: (key: RedisKey, member: RedisArg): Command.Command<boolean> =>
    Command.make(SISMEMBER, ["SISMEMBER", key, member], D.boolean),
  /**
   * SMEMBERS: every member of the set; use `sscan` for large sets.
   *
   * @returns the members, in no particular order; empty when the key does
   * not exist.
   */
  smembers: (key: RedisKey): Command.Command<Array<string>> => Command.make(SMEMBERS, ["SMEMBERS", key], bulks),
  /**
   * SMISMEMBER: whether each of `members` (at least one) is in the set.
   *
   * @returns one boolean per member, in order.
   */
  smismember: (key: RedisKey, members: OneOrMany<RedisArg>): Command.Command<Array<boolean>> =>
    sizeOf(members) === 0
      ? noneGiven(SMISMEMBER, "member")
      : Command.make(SMISMEMBER, pushAll(["SMISMEMBER", key], members), booleans),
  /**
   * SMOVE: moves `member` from `source` to `destination`, atomically.
   *
   * @returns `true` when moved, `false` when `member` was not in `source`.
   */
  smove: (source: RedisKey, destination: RedisKey, member: RedisArg): Command.Command<boolean> =>
    Command.make(SMOVE, ["SMOVE", source, destination, member], D.boolean),
  /**
   * SPOP: removes and returns a random member.
   *
   * @returns `None` when the key does not exist.
   */
  spop: (key: RedisKey): Command.Command<Option.Option<string>> => Command.make(SPOP, ["SPOP", key], optionalBulk),
  /**
   * SPOP with a count: removes and returns up to `count` random members.
   *
   * @returns the members removed; empty when the key does not exist.
   */
  spopCount: (key: RedisKey, count: number): Command.Command<Array<string>> =>
    Command.make(SPOP, ["SPOP", key, count], bulks),
  /**
   * SRANDMEMBER: a random member, left in the set.
   *
   * @returns `None` when the key does not exist.
   */
  srandmember: (key: RedisKey): Command.Command<Option.Option<string>> =>
    Command.make(SRANDMEMBER, ["SRANDMEMBER", key], optionalBulk),
  /**
   * SRANDMEMBER with a count: up to `count` distinct members, or with a
   * negative count exactly `-count` members that may repeat.
   *
   * @returns the members; empty when the key does not exist.
   */
  srandmemberCount: (key: RedisKey, count: number): Command.Command<Array<string>> =>
    Command.make(SRANDMEMBER, ["SRANDMEMBER", key, count], bulks),
  /**
   * SREM: removes members (at least one).
   *
   * @returns the number of members that were in the set.
   */
  srem: (key: RedisKey, members: OneOrMany<RedisArg>): Command.Command<number> =>
    sizeOf(members) === 0 ? noneGiven(SREM, "member") : Command.make(SREM, pushAll(["SREM", key], members), D.integer),
  /**
   * SUNION: the members of all the sets.
   *
   * @returns the members, in no particular order.
   */
  sunion: (keys: OneOrMany<RedisKey>): Command.Command<Array<string>> =>
    sizeOf(keys) === 0 ? noneGiven(SUNION, "key") : Command.make(SUNION, pushAll(["SUNION"], keys), bulks),
  /**
   * SUNIONSTORE: stores the result of `sunion(keys)` at `destination`.
   *
   * @returns the size of the stored set.
   */
  sunionstore: (destination: RedisKey, keys: OneOrMany<RedisKey>): Command.Command<number> =>
    sizeOf(keys) === 0
      ? noneGiven(SUNIONSTORE, "key")
      : Command.make(SUNIONSTORE, pushAll(["SUNIONSTORE", destination], keys), D.integer)
} as const

/**
 * Every spec of the set family.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = [
  SADD,
  SCARD,
  SDIFF,
  SDIFFSTORE,
  SINTER,
  SINTERCARD,
  SINTERSTORE,
  SISMEMBER,
  SMEMBERS,
  SMISMEMBER,
  SMOVE,
  SPOP,
  SRANDMEMBER,
  SREM,
  SUNION,
  SUNIONSTORE
]
