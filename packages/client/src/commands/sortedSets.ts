/**
 * Sorted set commands, blocking pops included (ZSCAN is with the other
 * scans in the keys family, SORT with the generic key commands).
 *
 * Scores are numbers; `Infinity` and `-Infinity` are sent as `+inf` and
 * `-inf`. Replies with scores are `[member, score]` pairs in server order,
 * whichever protocol the connection speaks.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Command from "../Command.js"
import type { OneOrMany, RedisArg, RedisKey } from "../Command.js"
import { noneGiven, pushAll, pushCounted, sizeOf } from "../internal/args.js"
import * as Declare from "../internal/declare.js"
import * as Time from "../internal/time.js"
import * as D from "../ReplyDecoder.js"

/**
 * A score bound for ZCOUNT, ZRANGE … BYSCORE and the like: a number
 * (inclusive), `"(n"` (exclusive), or an infinity.
 *
 * @since 0.1.0
 * @category models
 */
export type ScoreBound = number | "-inf" | "+inf" | `(${number}`

/**
 * A lexicographic bound for ZLEXCOUNT, ZRANGE … BYLEX and the like:
 * `"[a"` (inclusive), `"(a"` (exclusive), `"-"` and `"+"` (the ends).
 *
 * @since 0.1.0
 * @category models
 */
export type LexBound = "-" | "+" | `[${string}` | `(${string}`

/**
 * A member and its score, as replies carry them.
 *
 * @since 0.1.0
 * @category models
 */
export type ScoredMember = readonly [member: string, score: number]

/**
 * Which end of a sorted set ZMPOP and BZMPOP pop from.
 *
 * @since 0.1.0
 * @category models
 */
export type ScoreEnd = "MIN" | "MAX"

/**
 * Options of ZADD.
 *
 * @since 0.1.0
 * @category models
 */
export interface ZAddOptions {
  /** Only add new members. */
  readonly nx?: boolean
  /** Only update existing members. */
  readonly xx?: boolean
  /** Only update when the new score is greater. */
  readonly gt?: boolean
  /** Only update when the new score is less. */
  readonly lt?: boolean
  /** Count changed members, not only added ones. */
  readonly ch?: boolean
}

/**
 * Options of ZRANGE and ZRANGESTORE. Without `by`, `start` and `stop` are
 * ranks; with `by: "score"` they are {@link ScoreBound}s, with `by: "lex"`
 * {@link LexBound}s. With `rev`, pass the higher bound first.
 *
 * @since 0.1.0
 * @category models
 */
export interface ZRangeOptions {
  readonly by?: "score" | "lex"
  readonly rev?: boolean
  /** Only with `by`: skip `offset` members and return at most `count` (negative = all). */
  readonly limit?: Limit
}

/**
 * A LIMIT clause.
 *
 * @since 0.1.0
 * @category models
 */
export interface Limit {
  readonly offset: number
  readonly count: number
}

/**
 * Options of ZUNION, ZINTER and their STORE variants.
 *
 * @since 0.1.0
 * @category models
 */
export interface ZSetOperationOptions {
  /** One multiplier per key (default 1); another count than the keys' fails with `RedisArgumentError`, unsent. */
  readonly weights?: ReadonlyArray<number>
  /** How the scores of a member combine (default `"SUM"`). */
  readonly aggregate?: "SUM" | "MIN" | "MAX"
}

const score = (value: number | string): RedisArg => value === Infinity ? "+inf" : value === -Infinity ? "-inf" : value

const limitArgs = (args: Array<RedisArg>, limit: Limit | undefined): Array<RedisArg> => {
  if (limit !== undefined) args.push("LIMIT", limit.offset, limit.count)
  return args
}

const rangeArgs = (
  args: Array<RedisArg>,
  start: number | string,
  stop: number | string,
  options: ZRangeOptions | undefined
): Array<RedisArg> => {
  args.push(score(start), score(stop))
  if (options !== undefined) {
    if (options.by === "score") args.push("BYSCORE")
    else if (options.by === "lex") args.push("BYLEX")
    if (options.rev) args.push("REV")
    limitArgs(args, options.limit)
  }
  return args
}

const operationArgs = (
  args: Array<RedisArg>,
  keys: OneOrMany<RedisKey>,
  options: ZSetOperationOptions | undefined
): Array<RedisArg> => {
  pushCounted(args, keys)
  if (options?.weights !== undefined) args.push("WEIGHTS", ...options.weights.map(score))
  if (options?.aggregate !== undefined) args.push("AGGREGATE", options.aggregate)
  return args
}

// An empty key list, or WEIGHTS of another length than it, would only get
// "wrong number of arguments" or "syntax error" back from the server.
const operationRefusal = (
  spec: Command.CommandSpec,
  keys: OneOrMany<RedisKey>,
  options: ZSetOperationOptions | undefined
): Command.Command<never> | undefined => {
  const count = sizeOf(keys)
  if (count === 0) return noneGiven(spec, "key")
  if (options?.weights !== undefined && options.weights.length !== count) {
    return Command.invalid(
      spec,
      `got ${options.weights.length} weights for ${count} keys; give exactly one weight per key`
    )
  }
  return undefined
}

const mpopArgs = (
  args: Array<RedisArg>,
  keys: OneOrMany<RedisKey>,
  end: ScoreEnd,
  count: number | undefined
): Array<RedisArg> => {
  pushCounted(args, keys).push(end)
  if (count !== undefined) args.push("COUNT", count)
  return args
}

const zaddArgs = (key: RedisKey, options: ZAddOptions | undefined): Array<RedisArg> => {
  const args: Array<RedisArg> = [ZADD.command, key]
  if (options !== undefined) {
    if (options.nx) args.push("NX")
    if (options.xx) args.push("XX")
    if (options.gt) args.push("GT")
    if (options.lt) args.push("LT")
    if (options.ch) args.push("CH")
  }
  return args
}

const bulks = D.array(D.bulk)
const scored = D.pairs(D.bulk, D.double)
const optionalBulk = D.optional(D.bulk)
const optionalDouble = D.optional(D.double)
const optionalDoubles = D.array(optionalDouble)
const optionalInteger = D.optional(D.integer)
// ZPOPMIN/ZPOPMAX without a count reply with one flat pair, or an empty array.
const firstScored: D.Decoder<Option.Option<ScoredMember>> = (reply) => {
  const list = scored(reply)
  return list.length === 0 ? Option.none() : Option.some(list[0]!)
}
const keyMemberScore = D.optional(D.tuple(D.bulk, D.bulk, D.double))
const keyAndScored = D.optional(D.tuple(D.bulk, scored))

const blocking = Command.Flags.write | Command.Flags.blocking
// The STORE variants: the destination, then the keys after the count.
const destinationAndKeys: Command.KeySpec = (args) => [1, ...Declare.keysAfterCount(2)(args)]
const numkeysRead = { flags: Command.Flags.readonly, keys: Declare.keysAfterCount(1) }
const numkeysStore = { flags: Command.Flags.write, keys: destinationAndKeys }

const declare = Declare.family()
const BZMPOP = declare("BZMPOP", { flags: blocking, keys: Declare.keysAfterCount(2) })
const BZPOPMAX = declare("BZPOPMAX", { flags: blocking, keys: { first: 1, last: -2, step: 1 } })
const BZPOPMIN = declare("BZPOPMIN", { flags: blocking, keys: { first: 1, last: -2, step: 1 } })
const ZADD = declare("ZADD", Command.writes)
const ZCARD = declare("ZCARD", Command.reads)
const ZCOUNT = declare("ZCOUNT", Command.reads)
const ZDIFF = declare("ZDIFF", numkeysRead)
const ZDIFFSTORE = declare("ZDIFFSTORE", numkeysStore)
const ZINCRBY = declare("ZINCRBY", Command.writes)
const ZINTER = declare("ZINTER", numkeysRead)
const ZINTERCARD = declare("ZINTERCARD", numkeysRead)
const ZINTERSTORE = declare("ZINTERSTORE", numkeysStore)
const ZLEXCOUNT = declare("ZLEXCOUNT", Command.reads)
const ZMPOP = declare("ZMPOP", { flags: Command.Flags.write, keys: Declare.keysAfterCount(1) })
const ZMSCORE = declare("ZMSCORE", Command.reads)
const ZPOPMAX = declare("ZPOPMAX", Command.writes)
const ZPOPMIN = declare("ZPOPMIN", Command.writes)
const ZRANDMEMBER = declare("ZRANDMEMBER", Command.reads)
const ZRANGE = declare("ZRANGE", Command.reads)
const ZRANGEBYLEX = declare("ZRANGEBYLEX", Command.reads)
const ZRANGEBYSCORE = declare("ZRANGEBYSCORE", Command.reads)
const ZRANGESTORE = declare("ZRANGESTORE", { flags: Command.Flags.write, keys: Command.twoKeys })
const ZRANK = declare("ZRANK", Command.reads)
const ZREM = declare("ZREM", Command.writes)
const ZREMRANGEBYLEX = declare("ZREMRANGEBYLEX", Command.writes)
const ZREMRANGEBYRANK = declare("ZREMRANGEBYRANK", Command.writes)
const ZREMRANGEBYSCORE = declare("ZREMRANGEBYSCORE", Command.writes)
const ZREVRANGE = declare("ZREVRANGE", Command.reads)
const ZREVRANGEBYLEX = declare("ZREVRANGEBYLEX", Command.reads)
const ZREVRANGEBYSCORE = declare("ZREVRANGEBYSCORE", Command.reads)
const ZREVRANK = declare("ZREVRANK", Command.reads)
const ZSCORE = declare("ZSCORE", Command.reads)
const ZUNION = declare("ZUNION", numkeysRead)
const ZUNIONSTORE = declare("ZUNIONSTORE", numkeysStore)

/**
 * The sorted set commands, one method each on the `Redis` service.
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
   * BZMPOP: like `zmpop`, waiting up to `timeout`: a number of seconds
   * (fractions allowed) or a `Duration`; `0` and `Duration.infinity` wait
   * forever.
   *
   * @returns the key popped from and its `[member, score]` pairs, `None` on timeout.
   */
  bzmpop: (
    timeout: Duration.DurationInput,
    keys: OneOrMany<RedisKey>,
    end: ScoreEnd,
    options?: { readonly count?: number }
  ): Command.Command<Option.Option<readonly [key: string, members: Array<ScoredMember>]>> =>
    sizeOf(keys) === 0 ? noneGiven(BZMPOP, "key") : Time.blockingSeconds(
      BZMPOP,
      timeout,
      (seconds) => mpopArgs([BZMPOP.command, seconds], keys, end, options?.count),
      keyAndScored
    ),
  /**
   * BZPOPMAX: pops the highest-scored member of the first non-empty sorted
   * set among `keys`, waiting up to `timeout` (seconds or a `Duration`,
   * as for `bzmpop`).
   *
   * @returns the key, the member and its score; `None` on timeout.
   */
  bzpopmax: (
    keys: OneOrMany<RedisKey>,
    timeout: Duration.DurationInput
  ): Command.Command<Option.Option<readonly [key: string, member: string, score: number]>> =>
    sizeOf(keys) === 0
      ? noneGiven(BZPOPMAX, "key")
      : Time.blockingSeconds(
        BZPOPMAX,
        timeout,
        (seconds) => pushAll([BZPOPMAX.command], keys).concat(seconds),
        keyMemberScore
      ),
  /**
   * BZPOPMIN: pops the lowest-scored member of the first non-empty sorted
   * set among `keys`, waiting up to `timeout` (seconds or a `Duration`,
   * as for `bzmpop`).
   *
   * @returns the key, the member and its score; `None` on timeout.
   */
  bzpopmin: (
    keys: OneOrMany<RedisKey>,
    timeout: Duration.DurationInput
  ): Command.Command<Option.Option<readonly [key: string, member: string, score: number]>> =>
    sizeOf(keys) === 0
      ? noneGiven(BZPOPMIN, "key")
      : Time.blockingSeconds(
        BZPOPMIN,
        timeout,
        (seconds) => pushAll([BZPOPMIN.command], keys).concat(seconds),
        keyMemberScore
      ),
  /**
   * ZADD: adds members (at least one) with their scores, or updates the
   * scores of existing ones. Pairs are `[score, member]`, in the order ZADD
   * takes them (replies give `[member, score]`).
   *
   * @returns the number of members added (with `ch`: added or changed).
   */
  zadd: (
    key: RedisKey,
    members: ReadonlyArray<readonly [score: number, member: RedisArg]>,
    options?: ZAddOptions
  ): Command.Command<number> => {
    if (members.length === 0) return noneGiven(ZADD, "[score, member] pair")
    const args = zaddArgs(key, options)
    for (const [value, member] of members) args.push(score(value), member)
    return Command.make(ZADD, args, D.integer)
  },
  /**
   * ZADD … INCR: increments the score of `member` like `zincrby`, subject to
   * the ZADD conditions.
   *
   * @returns the new score, `None` when a condition prevented the change.
   */
  zaddIncr: (
    key: RedisKey,
    member: RedisArg,
    increment: number,
    options?: ZAddOptions
  ): Command.Command<Option.Option<number>> =>
    Command.make(ZADD, zaddArgs(key, options).concat("INCR", score(increment), member), optionalDouble),
  /**
   * ZCARD: the number of members.
   *
   * @returns 0 when the key does not exist.
   */
  zcard: (key: RedisKey): Command.Command<number> => Command.make(ZCARD, [ZCARD.command, key], D.integer),
  /**
   * ZCOUNT: the number of members with a score between `min` and `max`.
   *
   * @returns the count.
   */
  zcount: (key: RedisKey, min: ScoreBound, max: ScoreBound): Command.Command<number> =>
    Command.make(ZCOUNT, [ZCOUNT.command, key, score(min), score(max)], D.integer),
  /**
   * ZDIFF: the members of the first sorted set that are in none of the others.
   *
   * @returns the members, by score.
   */
  zdiff: (keys: OneOrMany<RedisKey>): Command.Command<Array<string>> =>
    sizeOf(keys) === 0 ? noneGiven(ZDIFF, "key") : Command.make(ZDIFF, pushCounted([ZDIFF.command], keys), bulks),
  /**
   * ZDIFF … WITHSCORES: like `zdiff`, with the scores of the first set.
   *
   * @returns `[member, score]` pairs, by score.
   */
  zdiffWithScores: (keys: OneOrMany<RedisKey>): Command.Command<Array<ScoredMember>> =>
    sizeOf(keys) === 0
      ? noneGiven(ZDIFF, "key")
      : Command.make(ZDIFF, pushCounted([ZDIFF.command], keys).concat("WITHSCORES"), scored),
  /**
   * ZDIFFSTORE: stores the result of `zdiff(keys)` at `destination`.
   *
   * @returns the size of the stored sorted set.
   */
  zdiffstore: (destination: RedisKey, keys: OneOrMany<RedisKey>): Command.Command<number> =>
    sizeOf(keys) === 0
      ? noneGiven(ZDIFFSTORE, "key")
      : Command.make(ZDIFFSTORE, pushCounted([ZDIFFSTORE.command, destination], keys), D.integer),
  /**
   * ZINCRBY: adds `increment` to the score of `member` (a missing member
   * starts at 0).
   *
   * @returns the new score.
   */
  zincrby: (key: RedisKey, increment: number, member: RedisArg): Command.Command<number> =>
    Command.make(ZINCRBY, [ZINCRBY.command, key, score(increment), member], D.double),
  /**
   * ZINTER: the members common to all the sorted sets, with combined scores.
   *
   * @returns the members, by combined score.
   */
  zinter: (keys: OneOrMany<RedisKey>, options?: ZSetOperationOptions): Command.Command<Array<string>> =>
    operationRefusal(ZINTER, keys, options) ??
      Command.make(ZINTER, operationArgs([ZINTER.command], keys, options), bulks),
  /**
   * ZINTER … WITHSCORES: like `zinter`, with the combined scores.
   *
   * @returns `[member, score]` pairs, by score.
   */
  zinterWithScores: (
    keys: OneOrMany<RedisKey>,
    options?: ZSetOperationOptions
  ): Command.Command<Array<ScoredMember>> =>
    operationRefusal(ZINTER, keys, options) ??
      Command.make(ZINTER, operationArgs([ZINTER.command], keys, options).concat("WITHSCORES"), scored),
  /**
   * ZINTERCARD: the size of the intersection, counting at most `limit`
   * members when given (0 = no limit).
   *
   * @returns the size.
   */
  zintercard: (keys: OneOrMany<RedisKey>, options?: { readonly limit?: number }): Command.Command<number> =>
    sizeOf(keys) === 0 ? noneGiven(ZINTERCARD, "key") : Command.make(
      ZINTERCARD,
      options?.limit === undefined
        ? pushCounted([ZINTERCARD.command], keys)
        : pushCounted([ZINTERCARD.command], keys).concat("LIMIT", options.limit),
      D.integer
    ),
  /**
   * ZINTERSTORE: stores the result of `zinter(keys, options)` at `destination`.
   *
   * @returns the size of the stored sorted set.
   */
  zinterstore: (
    destination: RedisKey,
    keys: OneOrMany<RedisKey>,
    options?: ZSetOperationOptions
  ): Command.Command<number> =>
    operationRefusal(ZINTERSTORE, keys, options) ??
      Command.make(ZINTERSTORE, operationArgs([ZINTERSTORE.command, destination], keys, options), D.integer),
  /**
   * ZLEXCOUNT: the number of members between two lexicographic bounds
   * (meaningful when all scores are equal).
   *
   * @returns the count.
   */
  zlexcount: (key: RedisKey, min: LexBound, max: LexBound): Command.Command<number> =>
    Command.make(ZLEXCOUNT, [ZLEXCOUNT.command, key, min, max], D.integer),
  /**
   * ZMPOP: pops up to `count` (default 1) members from one end of the first
   * non-empty sorted set among `keys` (at least one).
   *
   * @returns the key popped from and its `[member, score]` pairs, `None`
   * when all are empty.
   */
  zmpop: (
    keys: OneOrMany<RedisKey>,
    end: ScoreEnd,
    options?: { readonly count?: number }
  ): Command.Command<Option.Option<readonly [key: string, members: Array<ScoredMember>]>> =>
    sizeOf(keys) === 0
      ? noneGiven(ZMPOP, "key")
      : Command.make(ZMPOP, mpopArgs([ZMPOP.command], keys, end, options?.count), keyAndScored),
  /**
   * ZMSCORE: the scores of several members (at least one).
   *
   * @returns one entry per member, `None` where it is not in the set.
   */
  zmscore: (key: RedisKey, members: OneOrMany<RedisArg>): Command.Command<Array<Option.Option<number>>> =>
    sizeOf(members) === 0
      ? noneGiven(ZMSCORE, "member")
      : Command.make(ZMSCORE, pushAll([ZMSCORE.command, key], members), optionalDoubles),
  /**
   * ZPOPMAX: removes and returns the member with the highest score.
   *
   * @returns `None` when the key does not exist.
   */
  zpopmax: (key: RedisKey): Command.Command<Option.Option<ScoredMember>> =>
    Command.make(ZPOPMAX, [ZPOPMAX.command, key], firstScored),
  /**
   * ZPOPMAX with a count: removes and returns up to `count` members, highest first.
   *
   * @returns `[member, score]` pairs; empty when the key does not exist.
   */
  zpopmaxCount: (key: RedisKey, count: number): Command.Command<Array<ScoredMember>> =>
    Command.make(ZPOPMAX, [ZPOPMAX.command, key, count], scored),
  /**
   * ZPOPMIN: removes and returns the member with the lowest score.
   *
   * @returns `None` when the key does not exist.
   */
  zpopmin: (key: RedisKey): Command.Command<Option.Option<ScoredMember>> =>
    Command.make(ZPOPMIN, [ZPOPMIN.command, key], firstScored),
  /**
   * ZPOPMIN with a count: removes and returns up to `count` members, lowest first.
   *
   * @returns `[member, score]` pairs; empty when the key does not exist.
   */
  zpopminCount: (key: RedisKey, count: number): Command.Command<Array<ScoredMember>> =>
    Command.make(ZPOPMIN, [ZPOPMIN.command, key, count], scored),
  /**
   * ZRANDMEMBER: a random member, left in the set.
   *
   * @returns `None` when the key does not exist.
   */
  zrandmember: (key: RedisKey): Command.Command<Option.Option<string>> =>
    Command.make(ZRANDMEMBER, [ZRANDMEMBER.command, key], optionalBulk),
  /**
   * ZRANDMEMBER with a count: up to `count` distinct members, or with a
   * negative count exactly `-count` members that may repeat.
   *
   * @returns the members; empty when the key does not exist.
   */
  zrandmemberCount: (key: RedisKey, count: number): Command.Command<Array<string>> =>
    Command.make(ZRANDMEMBER, [ZRANDMEMBER.command, key, count], bulks),
  /**
   * ZRANDMEMBER … WITHSCORES: like `zrandmemberCount`, with the scores.
   *
   * @returns `[member, score]` pairs.
   */
  zrandmemberWithScores: (key: RedisKey, count: number): Command.Command<Array<ScoredMember>> =>
    Command.make(ZRANDMEMBER, [ZRANDMEMBER.command, key, count, "WITHSCORES"], scored),
  /**
   * ZRANGE: the members between `start` and `stop`: ranks (inclusive,
   * negative from the end) by default, scores with `by: "score"`, lexical
   * bounds with `by: "lex"`; reversed with `rev`.
   *
   * @returns the members in range order.
   */
  zrange: (
    key: RedisKey,
    start: number | string,
    stop: number | string,
    options?: ZRangeOptions
  ): Command.Command<Array<string>> =>
    Command.make(ZRANGE, rangeArgs([ZRANGE.command, key], start, stop, options), bulks),
  /**
   * ZRANGE … WITHSCORES: like `zrange`, with the scores.
   *
   * @returns `[member, score]` pairs in range order.
   */
  zrangeWithScores: (
    key: RedisKey,
    start: number | string,
    stop: number | string,
    options?: ZRangeOptions
  ): Command.Command<Array<ScoredMember>> =>
    Command.make(ZRANGE, rangeArgs([ZRANGE.command, key], start, stop, options).concat("WITHSCORES"), scored),
  /**
   * ZRANGEBYLEX: the members between two lexicographic bounds. Deprecated:
   * prefer `zrange(key, min, max, { by: "lex" })`.
   *
   * @returns the members in order.
   */
  zrangebylex: (
    key: RedisKey,
    min: LexBound,
    max: LexBound,
    options?: { readonly limit?: Limit }
  ): Command.Command<Array<string>> =>
    Command.make(ZRANGEBYLEX, limitArgs([ZRANGEBYLEX.command, key, min, max], options?.limit), bulks),
  /**
   * ZRANGEBYSCORE: the members with a score between `min` and `max`.
   * Deprecated: prefer `zrange(key, min, max, { by: "score" })`.
   *
   * @returns the members by score.
   */
  zrangebyscore: (
    key: RedisKey,
    min: ScoreBound,
    max: ScoreBound,
    options?: { readonly limit?: Limit }
  ): Command.Command<Array<string>> =>
    Command.make(ZRANGEBYSCORE, limitArgs([ZRANGEBYSCORE.command, key, score(min), score(max)], options?.limit), bulks),
  /**
   * ZRANGEBYSCORE … WITHSCORES: like `zrangebyscore`, with the scores.
   * Deprecated: prefer `zrangeWithScores(key, min, max, { by: "score" })`.
   *
   * @returns `[member, score]` pairs by score.
   */
  zrangebyscoreWithScores: (
    key: RedisKey,
    min: ScoreBound,
    max: ScoreBound,
    options?: { readonly limit?: Limit }
  ): Command.Command<Array<ScoredMember>> =>
    Command.make(
      ZRANGEBYSCORE,
      limitArgs([ZRANGEBYSCORE.command, key, score(min), score(max), "WITHSCORES"], options?.limit),
      scored
    ),
  /**
   * ZRANGESTORE: stores the range `zrange(source, start, stop, options)`
   * at `destination`.
   *
   * @returns the size of the stored sorted set.
   */
  zrangestore: (
    destination: RedisKey,
    source: RedisKey,
    start: number | string,
    stop: number | string,
    options?: ZRangeOptions
  ): Command.Command<number> =>
    Command.make(ZRANGESTORE, rangeArgs([ZRANGESTORE.command, destination, source], start, stop, options), D.integer),
  /**
   * ZRANK: the rank of `member`, lowest score first (0-based).
   *
   * @returns `None` when the member or the key does not exist.
   */
  zrank: (key: RedisKey, member: RedisArg): Command.Command<Option.Option<number>> =>
    Command.make(ZRANK, [ZRANK.command, key, member], optionalInteger),
  /**
   * ZREM: removes members (at least one).
   *
   * @returns the number of members that were in the set.
   */
  zrem: (key: RedisKey, members: OneOrMany<RedisArg>): Command.Command<number> =>
    sizeOf(members) === 0
      ? noneGiven(ZREM, "member")
      : Command.make(ZREM, pushAll([ZREM.command, key], members), D.integer),
  /**
   * ZREMRANGEBYLEX: removes the members between two lexicographic bounds.
   *
   * @returns the number removed.
   */
  zremrangebylex: (key: RedisKey, min: LexBound, max: LexBound): Command.Command<number> =>
    Command.make(ZREMRANGEBYLEX, [ZREMRANGEBYLEX.command, key, min, max], D.integer),
  /**
   * ZREMRANGEBYRANK: removes the members ranked `start` to `stop` (inclusive).
   *
   * @returns the number removed.
   */
  zremrangebyrank: (key: RedisKey, start: number, stop: number): Command.Command<number> =>
    Command.make(ZREMRANGEBYRANK, [ZREMRANGEBYRANK.command, key, start, stop], D.integer),
  /**
   * ZREMRANGEBYSCORE: removes the members with a score between `min` and `max`.
   *
   * @returns the number removed.
   */
  zremrangebyscore: (key: RedisKey, min: ScoreBound, max: ScoreBound): Command.Command<number> =>
    Command.make(ZREMRANGEBYSCORE, [ZREMRANGEBYSCORE.command, key, score(min), score(max)], D.integer),
  /**
   * ZREVRANGE: the members ranked `start` to `stop`, highest score first.
   * Deprecated: prefer `zrange(key, start, stop, { rev: true })`.
   *
   * @returns the members.
   */
  zrevrange: (key: RedisKey, start: number, stop: number): Command.Command<Array<string>> =>
    Command.make(ZREVRANGE, [ZREVRANGE.command, key, start, stop], bulks),
  /**
   * ZREVRANGE … WITHSCORES: like `zrevrange`, with the scores.
   *
   * @returns `[member, score]` pairs, highest first.
   */
  zrevrangeWithScores: (key: RedisKey, start: number, stop: number): Command.Command<Array<ScoredMember>> =>
    Command.make(ZREVRANGE, [ZREVRANGE.command, key, start, stop, "WITHSCORES"], scored),
  /**
   * ZREVRANGEBYLEX: the members between two lexicographic bounds, in
   * reverse order (`max` first). Deprecated: prefer
   * `zrange(key, max, min, { by: "lex", rev: true })`.
   *
   * @returns the members in reverse order.
   */
  zrevrangebylex: (
    key: RedisKey,
    max: LexBound,
    min: LexBound,
    options?: { readonly limit?: Limit }
  ): Command.Command<Array<string>> =>
    Command.make(ZREVRANGEBYLEX, limitArgs([ZREVRANGEBYLEX.command, key, max, min], options?.limit), bulks),
  /**
   * ZREVRANGEBYSCORE: the members with a score between `max` and `min`,
   * highest first. Deprecated: prefer `zrange(key, max, min, { by: "score", rev: true })`.
   *
   * @returns the members, highest first.
   */
  zrevrangebyscore: (
    key: RedisKey,
    max: ScoreBound,
    min: ScoreBound,
    options?: { readonly limit?: Limit }
  ): Command.Command<Array<string>> =>
    Command.make(
      ZREVRANGEBYSCORE,
      limitArgs([ZREVRANGEBYSCORE.command, key, score(max), score(min)], options?.limit),
      bulks
    ),
  /**
   * ZREVRANGEBYSCORE … WITHSCORES: like `zrevrangebyscore`, with the scores.
   *
   * @returns `[member, score]` pairs, highest first.
   */
  zrevrangebyscoreWithScores: (
    key: RedisKey,
    max: ScoreBound,
    min: ScoreBound,
    options?: { readonly limit?: Limit }
  ): Command.Command<Array<ScoredMember>> =>
    Command.make(
      ZREVRANGEBYSCORE,
      limitArgs([ZREVRANGEBYSCORE.command, key, score(max), score(min), "WITHSCORES"], options?.limit),
      scored
    ),
  /**
   * ZREVRANK: the rank of `member`, highest score first (0-based).
   *
   * @returns `None` when the member or the key does not exist.
   */
  zrevrank: (key: RedisKey, member: RedisArg): Command.Command<Option.Option<number>> =>
    Command.make(ZREVRANK, [ZREVRANK.command, key, member], optionalInteger),
  /**
   * ZSCORE: the score of `member`.
   *
   * @returns `None` when the member or the key does not exist.
   */
  zscore: (key: RedisKey, member: RedisArg): Command.Command<Option.Option<number>> =>
    Command.make(ZSCORE, [ZSCORE.command, key, member], optionalDouble),
  /**
   * ZUNION: the members of all the sorted sets, with combined scores.
   *
   * @returns the members, by combined score.
   */
  zunion: (keys: OneOrMany<RedisKey>, options?: ZSetOperationOptions): Command.Command<Array<string>> =>
    operationRefusal(ZUNION, keys, options) ??
      Command.make(ZUNION, operationArgs([ZUNION.command], keys, options), bulks),
  /**
   * ZUNION … WITHSCORES: like `zunion`, with the combined scores.
   *
   * @returns `[member, score]` pairs, by score.
   */
  zunionWithScores: (
    keys: OneOrMany<RedisKey>,
    options?: ZSetOperationOptions
  ): Command.Command<Array<ScoredMember>> =>
    operationRefusal(ZUNION, keys, options) ??
      Command.make(ZUNION, operationArgs([ZUNION.command], keys, options).concat("WITHSCORES"), scored),
  /**
   * ZUNIONSTORE: stores the result of `zunion(keys, options)` at `destination`.
   *
   * @returns the size of the stored sorted set.
   */
  zunionstore: (
    destination: RedisKey,
    keys: OneOrMany<RedisKey>,
    options?: ZSetOperationOptions
  ): Command.Command<number> =>
    operationRefusal(ZUNIONSTORE, keys, options) ??
      Command.make(ZUNIONSTORE, operationArgs([ZUNIONSTORE.command, destination], keys, options), D.integer)
} as const

/**
 * Every spec of the sorted set family.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
