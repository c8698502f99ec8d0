/**
 * Stream commands: appending and trimming (XADD, XTRIM, XDEL, XSETID),
 * reading (XRANGE, XREVRANGE, XREAD, XLEN), consumer groups (XGROUP,
 * XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM) and introspection (XINFO).
 *
 * Field names and stream keys become record keys (text); everything else
 * the server sends as a bulk string (ids, field values, group and consumer
 * names) stays a `Uint8Array` in the binary view, as its type says.
 *
 * @since 0.1.0
 */
import type { Option } from "effect"
import type * as Duration from "effect/Duration"
import * as Command from "../Command.js"
import type { OneOrMany, RedisArg, RedisKey } from "../Command.js"
import { hasNoEntries, noneGiven, notWhole, pushAll, sizeOf } from "../internal/args.js"
import * as Declare from "../internal/declare.js"
import * as Time from "../internal/time.js"
import * as D from "../ReplyDecoder.js"

/**
 * One stream entry. `fields` is empty only for an entry that was deleted
 * while still pending, which XREADGROUP reports when it replays a consumer's
 * history (an id other than `>`): a live entry always has at least one field.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamEntry {
  readonly id: string
  readonly fields: Record<string, string>
}

/**
 * A trimming threshold: entries beyond `threshold` are evicted. With
 * `approximate` (`~`) the server trims whole radix-tree nodes only, which is
 * much cheaper; `limit` caps the entries evicted per call and needs
 * `approximate` (without it the call fails with `RedisArgumentError`,
 * unsent). `threshold` (for `maxlen`) and `limit` are whole numbers.
 *
 * @since 0.1.0
 * @category models
 */
export interface TrimThreshold<T> {
  readonly threshold: T
  readonly approximate?: boolean
  readonly limit?: number
}

/**
 * A trimming strategy: keep at most `maxlen` entries, or drop the entries
 * whose id is lower than `minid`.
 *
 * @since 0.1.0
 * @category models
 */
export type StreamTrim =
  | { readonly maxlen: TrimThreshold<number>; readonly minid?: never }
  | { readonly minid: TrimThreshold<string>; readonly maxlen?: never }

/**
 * Options of XADD: `nomkstream` leaves a missing stream missing (the reply is
 * then none), and an optional trimming strategy applied after the append.
 *
 * @since 0.1.0
 * @category models
 */
export type XAddOptions =
  & { readonly nomkstream?: boolean }
  & (StreamTrim | { readonly maxlen?: never; readonly minid?: never })

/**
 * Stream fields to append: a record, or pairs when the order or repeated
 * names matter.
 *
 * @since 0.1.0
 * @category models
 */
export type StreamFields = Readonly<Record<string, RedisArg>> | ReadonlyArray<readonly [RedisArg, RedisArg]>

/**
 * The streams an XREAD or XREADGROUP reads from: stream key → the id after
 * which to read (`$` for new entries only, `>` for never-delivered entries of
 * a group), as a record or as pairs.
 *
 * @since 0.1.0
 * @category models
 */
export type StreamOffsets = Readonly<Record<string, string>> | ReadonlyArray<readonly [RedisKey, string]>

/**
 * The summary form of XPENDING. `first`/`last` are none when nothing is
 * pending.
 *
 * @since 0.1.0
 * @category models
 */
export interface PendingSummary {
  readonly count: number
  readonly first: Option.Option<string>
  readonly last: Option.Option<string>
  readonly consumers: Array<{ readonly name: string; readonly pending: number }>
}

/**
 * One pending entry in the extended form of XPENDING.
 *
 * @since 0.1.0
 * @category models
 */
export interface PendingEntry {
  readonly id: string
  readonly consumer: string
  /** Milliseconds since the entry was last delivered. */
  readonly idle: number
  /** How many times the entry was delivered. */
  readonly deliveries: number
}

/**
 * The reply of XAUTOCLAIM: the cursor for the next call (`0-0` when the scan
 * is complete), the claimed entries, and the ids that were pending but no
 * longer exist in the stream (the server removed them from the PEL).
 *
 * @since 0.1.0
 * @category models
 */
export interface AutoClaimResult<A> {
  readonly next: string
  readonly claimed: Array<A>
  readonly deleted: Array<string>
}

/**
 * XINFO STREAM.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamInfo {
  readonly length: number
  readonly radixTreeKeys: number
  readonly radixTreeNodes: number
  readonly lastGeneratedId: string
  readonly maxDeletedEntryId: string
  readonly entriesAdded: number
  readonly recordedFirstEntryId: string
  readonly groups: number
  readonly firstEntry: Option.Option<StreamEntry>
  readonly lastEntry: Option.Option<StreamEntry>
}

/**
 * One consumer group in XINFO GROUPS. `entriesRead` and `lag` are none when
 * the server cannot tell (after XSETID or deletions past the group).
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamGroupInfo {
  readonly name: string
  readonly consumers: number
  readonly pending: number
  readonly lastDeliveredId: string
  readonly entriesRead: Option.Option<number>
  readonly lag: Option.Option<number>
}

/**
 * One consumer in XINFO CONSUMERS.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamConsumerInfo {
  readonly name: string
  readonly pending: number
  /** Milliseconds since the consumer last interacted with the server. */
  readonly idle: number
}

// The key of XGROUP and XINFO subcommands follows the subcommand name.
const keyAfterSubcommand: Command.KeySpec = { first: 2, last: 2, step: 1 }

const isWord = (arg: RedisArg | undefined, word: string): boolean =>
  typeof arg === "string" && arg.toUpperCase() === word

// XREAD/XREADGROUP: options, then STREAMS k1…kn id1…idn. Group and consumer
// names may be any text (even "STREAMS"), so options are skipped by arity.
const streamsKeys = (args: ReadonlyArray<RedisArg>): ReadonlyArray<number> => {
  let i = 1
  while (i < args.length && !isWord(args[i], "STREAMS")) {
    i += isWord(args[i], "GROUP") ? 3 : isWord(args[i], "COUNT") || isWord(args[i], "BLOCK") ? 2 : 1
  }
  const count = (args.length - i - 1) >>> 1
  const out: Array<number> = []
  for (let k = 0; k < count; k++) out.push(i + 1 + k)
  return out
}

const declare = Declare.family()
const XADD = declare("XADD", Command.writes)
const XRANGE = declare("XRANGE", Command.reads)
const XREVRANGE = declare("XREVRANGE", Command.reads)
const XREAD = declare("XREAD", { flags: Command.Flags.readonly, keys: streamsKeys })
const XREAD_BLOCK = declare("XREAD", {
  flags: Command.Flags.readonly | Command.Flags.blocking,
  keys: streamsKeys
})
const XREADGROUP = declare("XREADGROUP", { flags: Command.Flags.write, keys: streamsKeys })
const XREADGROUP_BLOCK = declare("XREADGROUP", {
  flags: Command.Flags.write | Command.Flags.blocking,
  keys: streamsKeys
})
const XGROUP_CREATE = declare("XGROUP CREATE", { flags: Command.Flags.write, keys: keyAfterSubcommand })
const XGROUP_CREATECONSUMER = declare("XGROUP CREATECONSUMER", {
  flags: Command.Flags.write,
  keys: keyAfterSubcommand
})
const XGROUP_DELCONSUMER = declare("XGROUP DELCONSUMER", { flags: Command.Flags.write, keys: keyAfterSubcommand })
const XGROUP_DESTROY = declare("XGROUP DESTROY", { flags: Command.Flags.write, keys: keyAfterSubcommand })
const XGROUP_SETID = declare("XGROUP SETID", { flags: Command.Flags.write, keys: keyAfterSubcommand })
const XACK = declare("XACK", Command.writes)
const XPENDING = declare("XPENDING", Command.reads)
const XCLAIM = declare("XCLAIM", Command.writes)
const XAUTOCLAIM = declare("XAUTOCLAIM", Command.writes)
const XINFO_STREAM = declare("XINFO STREAM", { flags: Command.Flags.readonly, keys: keyAfterSubcommand })
const XINFO_GROUPS = declare("XINFO GROUPS", { flags: Command.Flags.readonly, keys: keyAfterSubcommand })
const XINFO_CONSUMERS = declare("XINFO CONSUMERS", { flags: Command.Flags.readonly, keys: keyAfterSubcommand })
const XTRIM = declare("XTRIM", Command.writes)
const XDEL = declare("XDEL", Command.writes)
const XLEN = declare("XLEN", Command.reads)
const XSETID = declare("XSETID", Command.writes)

const fieldRecord = D.record(D.bulk)

const entry: D.Decoder<StreamEntry> = (reply) => {
  const [id, fields] = D.tuple(D.raw, D.raw)(reply)
  return { id: D.bulk(id), fields: fields === null ? {} : fieldRecord(fields) }
}
const entryList = D.array(entry)
const optionalEntry = D.optional(entry)
const bulkList = D.array(D.bulk)
const readReply = D.optional(D.record(entryList))
const optionalBulk = D.optional(D.bulk)

const pendingSummary: D.Decoder<PendingSummary> = D.map(
  D.tuple(D.integer, optionalBulk, optionalBulk, D.pairs(D.bulk, D.integer)),
  ([count, first, last, consumers]) => ({
    count,
    first,
    last,
    consumers: consumers.map(([name, pending]) => ({ name, pending }))
  })
)
const pendingEntries: D.Decoder<Array<PendingEntry>> = D.array(D.map(
  D.tuple(D.bulk, D.bulk, D.integer, D.integer),
  ([id, consumer, idle, deliveries]) => ({ id, consumer, idle, deliveries })
))

const autoClaim = <A>(claimed: D.Decoder<Array<A>>): D.Decoder<AutoClaimResult<A>> =>
  D.map(D.tuple(D.bulk, claimed, bulkList), ([next, claimed, deleted]) => ({ next, claimed, deleted }))
const autoClaimEntries = autoClaim(entryList)
const autoClaimIds = autoClaim(bulkList)

const streamInfo: D.Decoder<StreamInfo> = D.struct({
  length: ["length", D.integer],
  radixTreeKeys: ["radix-tree-keys", D.integer],
  radixTreeNodes: ["radix-tree-nodes", D.integer],
  lastGeneratedId: ["last-generated-id", D.bulk],
  maxDeletedEntryId: ["max-deleted-entry-id", D.bulk],
  entriesAdded: ["entries-added", D.integer],
  recordedFirstEntryId: ["recorded-first-entry-id", D.bulk],
  groups: ["groups", D.integer],
  firstEntry: ["first-entry", optionalEntry],
  lastEntry: ["last-entry", optionalEntry]
})
const groupsInfo: D.Decoder<Array<StreamGroupInfo>> = D.array(D.struct({
  name: ["name", D.bulk],
  consumers: ["consumers", D.integer],
  pending: ["pending", D.integer],
  lastDeliveredId: ["last-delivered-id", D.bulk],
  entriesRead: ["entries-read", D.optional(D.integer)],
  lag: ["lag", D.optional(D.integer)]
}))
const consumersInfo: D.Decoder<Array<StreamConsumerInfo>> = D.array(D.struct({
  name: ["name", D.bulk],
  pending: ["pending", D.integer],
  idle: ["idle", D.integer]
}))

// The server answers LIMIT without `~` with a syntax error, and a fractional
// threshold or limit with "value is not an integer or out of range".
const trimRefusal = (spec: Command.CommandSpec, trim: XAddOptions): Command.Command<never> | undefined => {
  const t: TrimThreshold<RedisArg> | undefined = trim.maxlen ?? trim.minid
  if (t === undefined) return undefined
  if (t.limit !== undefined) {
    if (t.approximate !== true) {
      return Command.invalid(spec, "`limit` needs `approximate: true`: the server only caps approximate (~) trimming")
    }
    if (!Number.isInteger(t.limit)) return notWhole(spec, "limit", t.limit)
  }
  if (trim.maxlen !== undefined && !Number.isInteger(trim.maxlen.threshold)) {
    return notWhole(spec, "maxlen", trim.maxlen.threshold)
  }
  return undefined
}

const countRefusal = (spec: Command.CommandSpec, count: number | undefined): Command.Command<never> | undefined =>
  count === undefined || Number.isInteger(count) ? undefined : notWhole(spec, "count", count)

const readRefusal = (
  spec: Command.CommandSpec,
  streams: StreamOffsets,
  count: number | undefined,
  blockMillis: number | undefined
): Command.Command<never> | undefined => {
  if (hasNoEntries(streams)) return noneGiven(spec, "stream")
  if (blockMillis !== undefined && !(Number.isInteger(blockMillis) && blockMillis >= 0)) {
    return Command.invalid(
      spec,
      `block must be a whole number of milliseconds, 0 (forever) or more, got ${blockMillis}`
    )
  }
  return countRefusal(spec, count)
}

const pushTrim = (args: Array<RedisArg>, trim: XAddOptions): void => {
  const t: TrimThreshold<RedisArg> | undefined = trim.maxlen ?? trim.minid
  if (t === undefined) return
  args.push(trim.maxlen !== undefined ? "MAXLEN" : "MINID")
  if (t.approximate === true) args.push("~")
  args.push(t.threshold)
  if (t.limit !== undefined) args.push("LIMIT", t.limit)
}

const pushFields = (args: Array<RedisArg>, fields: StreamFields): void => {
  if (Array.isArray(fields)) {
    for (const [name, value] of fields as ReadonlyArray<readonly [RedisArg, RedisArg]>) args.push(name, value)
  } else {
    for (const name in fields) args.push(name, (fields as Readonly<Record<string, RedisArg>>)[name]!)
  }
}

const pushStreams = (args: Array<RedisArg>, streams: StreamOffsets): void => {
  const pairs: ReadonlyArray<readonly [RedisKey, string]> = Array.isArray(streams)
    ? streams as ReadonlyArray<readonly [RedisKey, string]>
    : Object.entries(streams)
  args.push("STREAMS")
  for (const [key] of pairs) args.push(key)
  for (const [, id] of pairs) args.push(id)
}

const readArgs = (
  head: ReadonlyArray<RedisArg>,
  streams: StreamOffsets,
  options: { readonly count?: number; readonly noack?: boolean },
  block: number | undefined
): Array<RedisArg> => {
  const args: Array<RedisArg> = [...head]
  if (options.count !== undefined) args.push("COUNT", options.count)
  if (block !== undefined) args.push("BLOCK", block)
  if (options.noack === true) args.push("NOACK")
  pushStreams(args, streams)
  return args
}

const claimArgs = (
  key: RedisKey,
  group: string,
  consumer: string,
  minIdleTime: number,
  ids: OneOrMany<string>,
  options: XClaimOptions,
  justid: boolean
): Array<RedisArg> => {
  const args = pushAll([XCLAIM.command, key, group, consumer, minIdleTime], ids)
  if (options.idle !== undefined) args.push("IDLE", options.idle)
  if (options.time !== undefined) args.push("TIME", options.time)
  if (options.retrycount !== undefined) args.push("RETRYCOUNT", options.retrycount)
  if (options.force === true) args.push("FORCE")
  if (justid) args.push("JUSTID")
  if (options.lastid !== undefined) args.push("LASTID", options.lastid)
  return args
}

const autoClaimArgs = (
  key: RedisKey,
  group: string,
  consumer: string,
  minIdleTime: number,
  start: string,
  options: { readonly count?: number },
  justid: boolean
): Array<RedisArg> => {
  const args: Array<RedisArg> = [XAUTOCLAIM.command, key, group, consumer, minIdleTime, start]
  if (options.count !== undefined) args.push("COUNT", options.count)
  if (justid) args.push("JUSTID")
  return args
}

/**
 * Options of XCLAIM: `idle`/`time` set the entry's idle time (milliseconds)
 * or last delivery time (Unix milliseconds), `retrycount` its delivery
 * counter, `force` creates PEL entries for ids not pending yet, `lastid`
 * advances the group's last delivered id.
 *
 * @since 0.1.0
 * @category models
 */
export interface XClaimOptions {
  readonly idle?: number
  readonly time?: number
  readonly retrycount?: number
  readonly force?: boolean
  readonly lastid?: string
}

/**
 * The stream commands, one definition per command.
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
   * XADD: appends an entry with `id` (`"*"` lets the server generate it)
   * and optionally trims the stream (`maxlen`/`minid`, `~`, `LIMIT`).
   *
   * @returns the id of the new entry; none only with `nomkstream` when the
   * stream does not exist.
   * @since 0.1.0
   */
  xadd: (key: RedisKey, id: string, fields: StreamFields, options: XAddOptions = {}): Command.Command<
    Option.Option<string>
  > => {
    if (hasNoEntries(fields)) return noneGiven(XADD, "field/value pair")
    const refusal = trimRefusal(XADD, options)
    if (refusal !== undefined) return refusal
    const args: Array<RedisArg> = [XADD.command, key]
    if (options.nomkstream === true) args.push("NOMKSTREAM")
    pushTrim(args, options)
    args.push(id)
    pushFields(args, fields)
    return Command.make(XADD, args, optionalBulk)
  },
  /**
   * XRANGE: the entries with ids between `start` and `end` inclusive (`-`
   * and `+` are the extremes, `(id` excludes), oldest first.
   *
   * @since 0.1.0
   */
  xrange: (
    key: RedisKey,
    start: string,
    end: string,
    options: { readonly count?: number } = {}
  ): Command.Command<Array<StreamEntry>> =>
    countRefusal(XRANGE, options.count) ?? Command.make(
      XRANGE,
      options.count === undefined
        ? [XRANGE.command, key, start, end]
        : [XRANGE.command, key, start, end, "COUNT", options.count],
      entryList
    ),
  /**
   * XREVRANGE: like XRANGE, newest first; note the bounds come `end` first.
   *
   * @since 0.1.0
   */
  xrevrange: (
    key: RedisKey,
    end: string,
    start: string,
    options: { readonly count?: number } = {}
  ): Command.Command<Array<StreamEntry>> =>
    countRefusal(XREVRANGE, options.count) ?? Command.make(
      XREVRANGE,
      options.count === undefined
        ? [XREVRANGE.command, key, end, start]
        : [XREVRANGE.command, key, end, start, "COUNT", options.count],
      entryList
    ),
  /**
   * XREAD without BLOCK: the entries after the given id of each stream.
   *
   * @returns stream key → entries, for the streams that had entries; none
   * when no stream had any.
   * @since 0.1.0
   */
  xread: (
    streams: StreamOffsets,
    options: { readonly count?: number } = {}
  ): Command.Command<Option.Option<Record<string, Array<StreamEntry>>>> =>
    readRefusal(XREAD, streams, options.count, undefined) ??
      Command.make(XREAD, readArgs([XREAD.command], streams, options, undefined), readReply),
  /**
   * XREAD BLOCK: waits up to `block` for entries when none are available:
   * a number of milliseconds or a `Duration`, whole milliseconds, `0` or
   * `Duration.infinity` for forever. Runs on a dedicated connection. Counts
   * are whole numbers too (otherwise `RedisArgumentError`, unsent).
   *
   * @returns as {@link commands.xread}; none on timeout.
   * @since 0.1.0
   */
  xreadBlock: (
    streams: StreamOffsets,
    block: Duration.DurationInput,
    options: { readonly count?: number } = {}
  ): Command.Command<Option.Option<Record<string, Array<StreamEntry>>>> =>
    Time.withTime(
      XREAD_BLOCK,
      Time.timeoutMillis(block, "block"),
      (millis) =>
        readRefusal(XREAD_BLOCK, streams, options.count, millis) ??
          Command.makeBlocking(XREAD_BLOCK, readArgs([XREAD.command], streams, options, millis), readReply, millis)
    ),
  /**
   * XREADGROUP without BLOCK: reads as `consumer` of `group`. The id `>`
   * delivers new entries (and adds them to the PEL unless `noack`); any
   * other id replays the consumer's pending history, where entries deleted
   * meanwhile come with empty `fields`.
   *
   * @returns stream key → entries; none when nothing was available.
   * @since 0.1.0
   */
  xreadgroup: (
    group: string,
    consumer: string,
    streams: StreamOffsets,
    options: { readonly count?: number; readonly noack?: boolean } = {}
  ): Command.Command<Option.Option<Record<string, Array<StreamEntry>>>> =>
    readRefusal(XREADGROUP, streams, options.count, undefined) ?? Command.make(
      XREADGROUP,
      readArgs([XREADGROUP.command, "GROUP", group, consumer], streams, options, undefined),
      readReply
    ),
  /**
   * XREADGROUP BLOCK: waits up to `block` (milliseconds or a `Duration`, as
   * for {@link commands.xreadBlock}). Runs on a dedicated connection.
   *
   * @returns as {@link commands.xreadgroup}; none on timeout.
   * @since 0.1.0
   */
  xreadgroupBlock: (
    group: string,
    consumer: string,
    streams: StreamOffsets,
    block: Duration.DurationInput,
    options: { readonly count?: number; readonly noack?: boolean } = {}
  ): Command.Command<Option.Option<Record<string, Array<StreamEntry>>>> =>
    Time.withTime(
      XREADGROUP_BLOCK,
      Time.timeoutMillis(block, "block"),
      (millis) =>
        readRefusal(XREADGROUP_BLOCK, streams, options.count, millis) ?? Command.makeBlocking(
          XREADGROUP_BLOCK,
          readArgs([XREADGROUP.command, "GROUP", group, consumer], streams, options, millis),
          readReply,
          millis
        )
    ),
  /**
   * XGROUP CREATE: creates `group` with last delivered id `id` (`$` = only
   * new entries, `0` = the whole stream). Fails with `BUSYGROUP` if it
   * exists, and with an error on a missing stream unless `mkstream`.
   *
   * @since 0.1.0
   */
  xgroupCreate: (
    key: RedisKey,
    group: string,
    id: string,
    options: { readonly mkstream?: boolean; readonly entriesRead?: number } = {}
  ): Command.Command<void> => {
    const args: Array<RedisArg> = [XGROUP_CREATE.command, XGROUP_CREATE.subcommand, key, group, id]
    if (options.mkstream === true) args.push("MKSTREAM")
    if (options.entriesRead !== undefined) args.push("ENTRIESREAD", options.entriesRead)
    return Command.make(XGROUP_CREATE, args, D.ok)
  },
  /**
   * XGROUP CREATECONSUMER.
   *
   * @returns `true` if the consumer was created, `false` if it existed.
   * @since 0.1.0
   */
  xgroupCreateconsumer: (key: RedisKey, group: string, consumer: string): Command.Command<boolean> =>
    Command.make(XGROUP_CREATECONSUMER, [
      XGROUP_CREATECONSUMER.command,
      XGROUP_CREATECONSUMER.subcommand,
      key,
      group,
      consumer
    ], D.boolean),
  /**
   * XGROUP DELCONSUMER: deletes a consumer and its pending entries (they
   * are lost for the group: claim them first if they matter).
   *
   * @returns how many pending entries the consumer had.
   * @since 0.1.0
   */
  xgroupDelconsumer: (key: RedisKey, group: string, consumer: string): Command.Command<number> =>
    Command.make(
      XGROUP_DELCONSUMER,
      [XGROUP_DELCONSUMER.command, XGROUP_DELCONSUMER.subcommand, key, group, consumer],
      D.integer
    ),
  /**
   * XGROUP DESTROY.
   *
   * @returns `true` if the group existed.
   * @since 0.1.0
   */
  xgroupDestroy: (key: RedisKey, group: string): Command.Command<boolean> =>
    Command.make(XGROUP_DESTROY, [XGROUP_DESTROY.command, XGROUP_DESTROY.subcommand, key, group], D.boolean),
  /**
   * XGROUP SETID: moves the group's last delivered id (`$` = the end).
   *
   * @since 0.1.0
   */
  xgroupSetid: (
    key: RedisKey,
    group: string,
    id: string,
    options: { readonly entriesRead?: number } = {}
  ): Command.Command<void> =>
    Command.make(
      XGROUP_SETID,
      options.entriesRead === undefined
        ? [XGROUP_SETID.command, XGROUP_SETID.subcommand, key, group, id]
        : [XGROUP_SETID.command, XGROUP_SETID.subcommand, key, group, id, "ENTRIESREAD", options.entriesRead],
      D.ok
    ),
  /**
   * XACK: removes entries from the group's PEL. Needs at least one id.
   *
   * @returns how many entries were acknowledged (ids not pending count 0).
   * @since 0.1.0
   */
  xack: (key: RedisKey, group: string, ids: OneOrMany<string>): Command.Command<number> =>
    sizeOf(ids) === 0 ? noneGiven(XACK, "id") : Command.make(XACK, pushAll([XACK.command, key, group], ids), D.integer),
  /**
   * XPENDING, summary form: how many entries are pending, the lowest and
   * highest pending id, and the count per consumer.
   *
   * @since 0.1.0
   */
  xpending: (key: RedisKey, group: string): Command.Command<PendingSummary> =>
    Command.make(XPENDING, [XPENDING.command, key, group], pendingSummary),
  /**
   * XPENDING, extended form: up to `count` pending entries between `start`
   * and `end`, optionally only those idle for `idle` milliseconds or more,
   * or owned by `consumer`.
   *
   * @since 0.1.0
   */
  xpendingExtended: (
    key: RedisKey,
    group: string,
    start: string,
    end: string,
    count: number,
    options: { readonly idle?: number; readonly consumer?: string } = {}
  ): Command.Command<Array<PendingEntry>> => {
    const refusal = countRefusal(XPENDING, count)
    if (refusal !== undefined) return refusal
    const args: Array<RedisArg> = [XPENDING.command, key, group]
    if (options.idle !== undefined) args.push("IDLE", options.idle)
    args.push(start, end, count)
    if (options.consumer !== undefined) args.push(options.consumer)
    return Command.make(XPENDING, args, pendingEntries)
  },
  /**
   * XCLAIM: gives `consumer` the pending entries among `ids` that have been
   * idle at least `minIdleTime` milliseconds, and increments their delivery
   * counters.
   *
   * @returns the claimed entries (ids no longer in the stream are dropped
   * from the PEL and not returned).
   * @since 0.1.0
   */
  xclaim: (
    key: RedisKey,
    group: string,
    consumer: string,
    minIdleTime: number,
    ids: OneOrMany<string>,
    options: XClaimOptions = {}
  ): Command.Command<Array<StreamEntry>> =>
    sizeOf(ids) === 0
      ? noneGiven(XCLAIM, "id")
      : Command.make(XCLAIM, claimArgs(key, group, consumer, minIdleTime, ids, options, false), entryList),
  /**
   * XCLAIM … JUSTID: like {@link commands.xclaim} without fetching the
   * entries and without incrementing the delivery counters.
   *
   * @returns the ids of the claimed entries.
   * @since 0.1.0
   */
  xclaimJustid: (
    key: RedisKey,
    group: string,
    consumer: string,
    minIdleTime: number,
    ids: OneOrMany<string>,
    options: XClaimOptions = {}
  ): Command.Command<Array<string>> =>
    sizeOf(ids) === 0
      ? noneGiven(XCLAIM, "id")
      : Command.make(XCLAIM, claimArgs(key, group, consumer, minIdleTime, ids, options, true), bulkList),
  /**
   * XAUTOCLAIM: scans the PEL from `start` (`0-0` at first, then the
   * returned `next`) and claims up to `count` (default 100) entries idle for
   * at least `minIdleTime` milliseconds.
   *
   * @since 0.1.0
   */
  xautoclaim: (
    key: RedisKey,
    group: string,
    consumer: string,
    minIdleTime: number,
    start: string,
    options: { readonly count?: number } = {}
  ): Command.Command<AutoClaimResult<StreamEntry>> =>
    countRefusal(XAUTOCLAIM, options.count) ?? Command.make(
      XAUTOCLAIM,
      autoClaimArgs(key, group, consumer, minIdleTime, start, options, false),
      autoClaimEntries
    ),
  /**
   * XAUTOCLAIM … JUSTID: like {@link commands.xautoclaim}, returning ids
   * only and leaving the delivery counters alone.
   *
   * @since 0.1.0
   */
  xautoclaimJustid: (
    key: RedisKey,
    group: string,
    consumer: string,
    minIdleTime: number,
    start: string,
    options: { readonly count?: number } = {}
  ): Command.Command<AutoClaimResult<string>> =>
    countRefusal(XAUTOCLAIM, options.count) ?? Command.make(
      XAUTOCLAIM,
      autoClaimArgs(key, group, consumer, minIdleTime, start, options, true),
      autoClaimIds
    ),
  /**
   * XINFO STREAM (the summary form, not FULL). Fails with an error if the
   * stream does not exist.
   *
   * @since 0.1.0
   */
  xinfoStream: (key: RedisKey): Command.Command<StreamInfo> =>
    Command.make(XINFO_STREAM, [XINFO_STREAM.command, XINFO_STREAM.subcommand, key], streamInfo),
  /**
   * XINFO GROUPS: the consumer groups of a stream.
   *
   * @since 0.1.0
   */
  xinfoGroups: (key: RedisKey): Command.Command<Array<StreamGroupInfo>> =>
    Command.make(XINFO_GROUPS, [XINFO_GROUPS.command, XINFO_GROUPS.subcommand, key], groupsInfo),
  /**
   * XINFO CONSUMERS: the consumers of a group.
   *
   * @since 0.1.0
   */
  xinfoConsumers: (key: RedisKey, group: string): Command.Command<Array<StreamConsumerInfo>> =>
    Command.make(XINFO_CONSUMERS, [XINFO_CONSUMERS.command, XINFO_CONSUMERS.subcommand, key, group], consumersInfo),
  /**
   * XTRIM: trims the stream by `maxlen` or `minid`.
   *
   * @returns how many entries were evicted.
   * @since 0.1.0
   */
  xtrim: (key: RedisKey, trim: StreamTrim): Command.Command<number> => {
    const refusal = trimRefusal(XTRIM, trim)
    if (refusal !== undefined) return refusal
    const args: Array<RedisArg> = [XTRIM.command, key]
    pushTrim(args, trim)
    return Command.make(XTRIM, args, D.integer)
  },
  /**
   * XDEL: deletes entries by id. Needs at least one id.
   *
   * @returns how many entries were deleted.
   * @since 0.1.0
   */
  xdel: (key: RedisKey, ids: OneOrMany<string>): Command.Command<number> =>
    sizeOf(ids) === 0 ? noneGiven(XDEL, "id") : Command.make(XDEL, pushAll([XDEL.command, key], ids), D.integer),
  /**
   * XLEN: the number of entries (0 for a missing key).
   *
   * @since 0.1.0
   */
  xlen: (key: RedisKey): Command.Command<number> => Command.make(XLEN, [XLEN.command, key], D.integer),
  /**
   * XSETID: sets the stream's last generated id (never below its last
   * entry), and optionally its entries-added counter and max deleted id.
   *
   * @since 0.1.0
   */
  xsetid: (
    key: RedisKey,
    lastId: string,
    options: { readonly entriesAdded?: number; readonly maxDeletedId?: string } = {}
  ): Command.Command<void> => {
    const args: Array<RedisArg> = [XSETID.command, key, lastId]
    if (options.entriesAdded !== undefined) args.push("ENTRIESADDED", options.entriesAdded)
    if (options.maxDeletedId !== undefined) args.push("MAXDELETEDID", options.maxDeletedId)
    return Command.make(XSETID, args, D.ok)
  }
} as const

/**
 * Every spec of the family, for the coverage test.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
