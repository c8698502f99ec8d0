/**
 * Generic key commands: existence, deletion, expiry, renaming, copying,
 * introspection (TYPE, OBJECT …), DUMP/RESTORE, SORT, and the SCAN family
 * as single calls.
 *
 * @since 0.1.0
 */
import type { Option } from "effect"
import type * as Duration from "effect/Duration"
import * as Command from "../Command.js"
import type { OneOrMany, RedisArg, RedisKey } from "../Command.js"
import { noneGiven, pushAll, sizeOf } from "../internal/args.js"
import * as Declare from "../internal/declare.js"
import * as Time from "../internal/time.js"
import * as D from "../ReplyDecoder.js"

/**
 * The types TYPE reports for the built-in data types; a module type reports
 * its own name.
 *
 * @since 0.1.0
 * @category models
 */
export type KeyType = "none" | "string" | "list" | "set" | "zset" | "hash" | "stream"

/**
 * The internal encodings OBJECT ENCODING reports in Redis 7.0.
 *
 * @since 0.1.0
 * @category models
 */
export type ObjectEncoding =
  | "raw"
  | "int"
  | "embstr"
  | "listpack"
  | "quicklist"
  | "intset"
  | "hashtable"
  | "skiplist"
  | "stream"
  | "ziplist"
  | "linkedlist"

/**
 * The condition of EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT (Redis 7.0+):
 * at most one of `nx`/`xx` and one of `gt`/`lt`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExpireOptions {
  /** Only when the key has no expiry. */
  readonly nx?: boolean
  /** Only when the key already has an expiry. */
  readonly xx?: boolean
  /** Only when the new expiry is later than the current one (no expiry counts as infinite). */
  readonly gt?: boolean
  /** Only when the new expiry is sooner than the current one. */
  readonly lt?: boolean
}

/**
 * Options of COPY.
 *
 * @since 0.1.0
 * @category models
 */
export interface CopyOptions {
  /** The database to copy into (default: the current one). */
  readonly db?: number
  /** Overwrite the destination if it exists. */
  readonly replace?: boolean
}

/**
 * Options of RESTORE.
 *
 * @since 0.1.0
 * @category models
 */
export interface RestoreOptions {
  /** Overwrite the key if it exists. */
  readonly replace?: boolean
  /** The `ttl` argument is an absolute Unix time in milliseconds. */
  readonly absttl?: boolean
  /** The idle time to set, in seconds (LRU eviction policies). */
  readonly idletime?: number
  /** The access frequency to set (LFU eviction policies). */
  readonly freq?: number
}

/**
 * Options of MIGRATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface MigrateOptions {
  /** Leave the keys on this server too. */
  readonly copy?: boolean
  /** Overwrite keys that exist on the destination. */
  readonly replace?: boolean
}

/**
 * Options of SORT and SORT_RO.
 *
 * @since 0.1.0
 * @category models
 */
export interface SortOptions {
  /** Sort by the values of these keys (`*` stands for the element), or `"nosort"`. */
  readonly by?: string
  /** Return only a slice of the sorted elements. */
  readonly limit?: { readonly offset: number; readonly count: number }
  /** Return the values of these keys instead of the elements (`#` is the element itself). */
  readonly get?: ReadonlyArray<string>
  /** `"ASC"` (default) or `"DESC"`. */
  readonly order?: "ASC" | "DESC"
  /** Compare as strings rather than numbers. */
  readonly alpha?: boolean
}

/**
 * Options of SCAN.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScanOptions {
  /** Only return keys matching this glob pattern (applied after the scan step). */
  readonly match?: string
  /** A hint of how much work one call does (server default 10). */
  readonly count?: number
  /** Only return keys of this type. */
  readonly type?: string
}

/**
 * Options of HSCAN, SSCAN and ZSCAN.
 *
 * @since 0.1.0
 * @category models
 */
export interface CollectionScanOptions {
  /** Only return members matching this glob pattern. */
  readonly match?: string
  /** A hint of how much work one call does (server default 10). */
  readonly count?: number
}

/**
 * One page of a scan: the cursor to pass to the next call (`0n` when the
 * iteration is complete) and the items found. Pages may be empty and items
 * may repeat across pages.
 *
 * @since 0.1.0
 * @category models
 */
export type ScanPage<A> = readonly [cursor: bigint, items: Array<A>]

const expireArgs = (args: Array<RedisArg>, options: ExpireOptions | undefined): Array<RedisArg> => {
  if (options !== undefined) {
    if (options.nx) args.push("NX")
    if (options.xx) args.push("XX")
    if (options.gt) args.push("GT")
    if (options.lt) args.push("LT")
  }
  return args
}

const scanArgs = (args: Array<RedisArg>, options: ScanOptions | undefined): Array<RedisArg> => {
  if (options !== undefined) {
    if (options.match !== undefined) args.push("MATCH", options.match)
    if (options.count !== undefined) args.push("COUNT", options.count)
    if (options.type !== undefined) args.push("TYPE", options.type)
  }
  return args
}

const sortArgs = (args: Array<RedisArg>, options: SortOptions | undefined): Array<RedisArg> => {
  if (options !== undefined) {
    if (options.by !== undefined) args.push("BY", options.by)
    if (options.limit !== undefined) args.push("LIMIT", options.limit.offset, options.limit.count)
    if (options.get !== undefined) { for (const pattern of options.get) args.push("GET", pattern) }
    if (options.order !== undefined) args.push(options.order)
    if (options.alpha) args.push("ALPHA")
  }
  return args
}

const scanPage = <A>(decodeItems: D.Decoder<Array<A>>): D.Decoder<ScanPage<A>> => D.tuple(D.bigint, decodeItems)

const migrated: D.Decoder<boolean> = (reply) => {
  const status = D.text(reply)
  if (status === "OK") return true
  if (status === "NOKEY") return false
  throw new D.ReplyShapeError("OK or NOKEY", reply)
}

const scanKeys = scanPage(D.array(D.bulk))
const scanFields = scanPage(D.pairs(D.bulk, D.bulk))
const scanScores = scanPage(D.pairs(D.bulk, D.double))
const optionalBulk = D.optional(D.bulk)
const optionalInteger = D.optional(D.integer)
const sorted = D.array(optionalBulk)
const keyType = D.text as D.Decoder<KeyType>
const encoding = D.optional(D.text as D.Decoder<ObjectEncoding>)
const bulks = D.array(D.bulk)
const texts = D.array(D.text)

// OBJECT subcommands carry their key after the subcommand name.
const objectKey: Command.KeySpec = { first: 2, last: 2, step: 1 }
// SORT … STORE writes its destination, which follows the STORE token.
const sortStoreKeys: Command.KeySpec = (args) => [1, args.length - 1]

// MIGRATE host port "" db timeout [COPY] [REPLACE] KEYS key…: the keys follow the KEYS token.
const migrateKeys: Command.KeySpec = (args) => {
  const out: Array<number> = []
  for (let i = args.indexOf("KEYS", 6) + 1; i > 0 && i < args.length; i++) out.push(i)
  return out
}

const declare = Declare.family()
const COPY = declare("COPY", { flags: Command.Flags.write, keys: Command.twoKeys })
const DEL = declare("DEL", { flags: Command.Flags.write, keys: Command.allKeys })
const DUMP = declare("DUMP", Command.reads)
const EXISTS = declare("EXISTS", { flags: Command.Flags.readonly, keys: Command.allKeys })
const EXPIRE = declare("EXPIRE", Command.writes)
const EXPIREAT = declare("EXPIREAT", Command.writes)
const EXPIRETIME = declare("EXPIRETIME", Command.reads)
const HSCAN = declare("HSCAN", Command.reads)
const KEYS = declare("KEYS", { flags: Command.Flags.readonly, keys: undefined })
const MIGRATE = declare("MIGRATE", { flags: Command.Flags.write, keys: migrateKeys })
const MOVE = declare("MOVE", Command.writes)
const OBJECT_ENCODING = declare("OBJECT ENCODING", { flags: Command.Flags.readonly, keys: objectKey })
const OBJECT_FREQ = declare("OBJECT FREQ", { flags: Command.Flags.readonly, keys: objectKey })
const OBJECT_HELP = declare("OBJECT HELP", Command.keyless)
const OBJECT_IDLETIME = declare("OBJECT IDLETIME", { flags: Command.Flags.readonly, keys: objectKey })
const OBJECT_REFCOUNT = declare("OBJECT REFCOUNT", { flags: Command.Flags.readonly, keys: objectKey })
const PERSIST = declare("PERSIST", Command.writes)
const PEXPIRE = declare("PEXPIRE", Command.writes)
const PEXPIREAT = declare("PEXPIREAT", Command.writes)
const PEXPIRETIME = declare("PEXPIRETIME", Command.reads)
const PTTL = declare("PTTL", Command.reads)
const RANDOMKEY = declare("RANDOMKEY", { flags: Command.Flags.readonly, keys: undefined })
const RENAME = declare("RENAME", { flags: Command.Flags.write, keys: Command.twoKeys })
const RENAMENX = declare("RENAMENX", { flags: Command.Flags.write, keys: Command.twoKeys })
const RESTORE = declare("RESTORE", Command.writes)
const SCAN = declare("SCAN", { flags: Command.Flags.readonly, keys: undefined })
const SORT = declare("SORT", Command.writes)
const SORT_STORE = declare("SORT", { flags: Command.Flags.write, keys: sortStoreKeys })
const SORT_RO = declare("SORT_RO", Command.reads)
const SSCAN = declare("SSCAN", Command.reads)
const TOUCH = declare("TOUCH", { flags: Command.Flags.readonly, keys: Command.allKeys })
const TTL = declare("TTL", Command.reads)
const TYPE = declare("TYPE", Command.reads)
const UNLINK = declare("UNLINK", { flags: Command.Flags.write, keys: Command.allKeys })
const ZSCAN = declare("ZSCAN", Command.reads)

/**
 * The generic key commands, one method each on the `Redis` service.
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
   * COPY: copies the value at `source` to `destination`, optionally into
   * another database.
   *
   * @returns `true` when copied, `false` when the destination exists and
   * `replace` was not given.
   */
  copy: (source: RedisKey, destination: RedisKey, options?: CopyOptions): Command.Command<boolean> => {
    const args: Array<RedisArg> = [COPY.command, source, destination]
    if (options?.db !== undefined) args.push("DB", options.db)
    if (options?.replace) args.push("REPLACE")
    return Command.make(COPY, args, D.boolean)
  },
  /**
   * DEL: deletes keys (at least one), freeing their memory at once.
   *
   * @returns the number of keys that existed.
   */
  del: (keys: OneOrMany<RedisKey>): Command.Command<number> =>
    sizeOf(keys) === 0 ? noneGiven(DEL, "key") : Command.make(DEL, pushAll([DEL.command], keys), D.integer),
  /**
   * DUMP: the value at `key` in the server's serialization format, for
   * RESTORE. The payload is binary: call it through `redis.binary` to get
   * its bytes intact.
   *
   * @returns `None` when the key does not exist.
   */
  dump: (key: RedisKey): Command.Command<Option.Option<string>> =>
    Command.make(DUMP, [DUMP.command, key], optionalBulk),
  /**
   * EXISTS: how many of the keys exist (a key given twice counts twice).
   *
   * @returns the count; with one key, 1 or 0.
   */
  exists: (keys: OneOrMany<RedisKey>): Command.Command<number> =>
    sizeOf(keys) === 0 ? noneGiven(EXISTS, "key") : Command.make(EXISTS, pushAll([EXISTS.command], keys), D.integer),
  /**
   * EXPIRE: sets a time to live: a number is seconds, a `Duration` (or
   * `"10 minutes"`…) must be whole seconds (`pexpire` for finer; otherwise
   * `RedisArgumentError`, unsent). A zero or negative time deletes the key.
   *
   * @returns `true` when set, `false` when the key does not exist or the
   * condition was not met.
   */
  expire: (key: RedisKey, ttl: Duration.DurationInput, options?: ExpireOptions): Command.Command<boolean> =>
    Time.withTime(
      EXPIRE,
      Time.span(ttl, "seconds", "ttl", "pexpire"),
      (seconds) => Command.make(EXPIRE, expireArgs([EXPIRE.command, key, seconds], options), D.boolean)
    ),
  /**
   * EXPIREAT: sets the expiry to an instant: a number is a Unix time in
   * seconds, a `Date` must be a whole second (`pexpireat` for finer;
   * otherwise `RedisArgumentError`, unsent). A time in the past deletes the
   * key.
   *
   * @returns `true` when set, `false` when the key does not exist or the
   * condition was not met.
   */
  expireat: (key: RedisKey, at: number | Date, options?: ExpireOptions): Command.Command<boolean> =>
    Time.withTime(
      EXPIREAT,
      Time.instant(at, "seconds", "at", "pexpireat"),
      (unixSeconds) => Command.make(EXPIREAT, expireArgs([EXPIREAT.command, key, unixSeconds], options), D.boolean)
    ),
  /**
   * EXPIRETIME: the expiry of `key` as a Unix time in seconds.
   *
   * @returns the time; -1 when the key has no expiry, -2 when it does not exist.
   */
  expiretime: (key: RedisKey): Command.Command<number> =>
    Command.make(EXPIRETIME, [EXPIRETIME.command, key], D.integer),
  /**
   * HSCAN: one step of iterating the fields of a hash. Start with cursor 0
   * and pass the returned cursor back until it is `0n`.
   *
   * @returns the next cursor and `[field, value]` pairs.
   */
  hscan: (
    key: RedisKey,
    cursor: number | bigint | string,
    options?: CollectionScanOptions
  ): Command.Command<ScanPage<readonly [string, string]>> =>
    Command.make(HSCAN, scanArgs([HSCAN.command, key, cursor], options), scanFields),
  /**
   * KEYS: every key matching a glob pattern. It walks the whole keyspace in
   * one go and blocks the server meanwhile: use `scan` in production.
   *
   * @returns the matching keys, in no particular order.
   */
  keys: (pattern: string): Command.Command<Array<string>> => Command.make(KEYS, [KEYS.command, pattern], bulks),
  /**
   * MIGRATE: moves keys (at least one) to another Redis server, atomically
   * for each key, waiting up to `timeoutMillis` for the transfer (it blocks
   * the connection meanwhile). The destination's password options (AUTH,
   * AUTH2) are not offered here, so that no secret travels in a command
   * value: use `redis.raw` for an authenticated destination.
   *
   * @returns `true` when keys were transferred, `false` when none of them
   * existed (NOKEY).
   */
  migrate: (
    host: string,
    port: number,
    keys: OneOrMany<RedisKey>,
    destinationDb: number,
    timeoutMillis: number,
    options?: MigrateOptions
  ): Command.Command<boolean> => {
    const args: Array<RedisArg> = [MIGRATE.command, host, port, "", destinationDb, timeoutMillis]
    if (options?.copy) args.push("COPY")
    if (options?.replace) args.push("REPLACE")
    args.push("KEYS")
    return Command.make(MIGRATE, pushAll(args, keys), migrated)
  },
  /**
   * MOVE: moves `key` to another database.
   *
   * @returns `true` when moved, `false` when the key does not exist here or
   * already exists there.
   */
  move: (key: RedisKey, db: number): Command.Command<boolean> => Command.make(MOVE, [MOVE.command, key, db], D.boolean),
  /**
   * OBJECT ENCODING: the internal representation of the value at `key`.
   *
   * @returns `None` when the key does not exist.
   */
  objectEncoding: (key: RedisKey): Command.Command<Option.Option<ObjectEncoding>> =>
    Command.make(OBJECT_ENCODING, [OBJECT_ENCODING.command, OBJECT_ENCODING.subcommand, key], encoding),
  /**
   * OBJECT FREQ: the logarithmic access frequency counter of `key`. Fails
   * unless an LFU `maxmemory-policy` is set.
   *
   * @returns `None` when the key does not exist.
   */
  objectFreq: (key: RedisKey): Command.Command<Option.Option<number>> =>
    Command.make(OBJECT_FREQ, [OBJECT_FREQ.command, OBJECT_FREQ.subcommand, key], optionalInteger),
  /**
   * OBJECT HELP: the server's description of the OBJECT subcommands.
   *
   * @returns one line of text per entry.
   */
  objectHelp: (): Command.Command<Array<D.Text>> =>
    Command.make(OBJECT_HELP, [OBJECT_HELP.command, OBJECT_HELP.subcommand], texts),
  /**
   * OBJECT IDLETIME: seconds since `key` was last read or written. Fails
   * when an LFU `maxmemory-policy` is set.
   *
   * @returns `None` when the key does not exist.
   */
  objectIdletime: (key: RedisKey): Command.Command<Option.Option<number>> =>
    Command.make(OBJECT_IDLETIME, [OBJECT_IDLETIME.command, OBJECT_IDLETIME.subcommand, key], optionalInteger),
  /**
   * OBJECT REFCOUNT: the reference count of the value at `key`.
   *
   * @returns `None` when the key does not exist.
   */
  objectRefcount: (key: RedisKey): Command.Command<Option.Option<number>> =>
    Command.make(OBJECT_REFCOUNT, [OBJECT_REFCOUNT.command, OBJECT_REFCOUNT.subcommand, key], optionalInteger),
  /**
   * PERSIST: removes the expiry of `key`.
   *
   * @returns `true` when an expiry was removed, `false` when the key does
   * not exist or has none.
   */
  persist: (key: RedisKey): Command.Command<boolean> => Command.make(PERSIST, [PERSIST.command, key], D.boolean),
  /**
   * PEXPIRE: sets a time to live: a number is milliseconds, a `Duration`
   * must be whole milliseconds (otherwise `RedisArgumentError`, unsent).
   *
   * @returns `true` when set, `false` when the key does not exist or the
   * condition was not met.
   */
  pexpire: (key: RedisKey, ttl: Duration.DurationInput, options?: ExpireOptions): Command.Command<boolean> =>
    Time.withTime(
      PEXPIRE,
      Time.span(ttl, "milliseconds", "ttl"),
      (milliseconds) => Command.make(PEXPIRE, expireArgs([PEXPIRE.command, key, milliseconds], options), D.boolean)
    ),
  /**
   * PEXPIREAT: sets the expiry to an instant: a number is a Unix time in
   * milliseconds, or a `Date`.
   *
   * @returns `true` when set, `false` when the key does not exist or the
   * condition was not met.
   */
  pexpireat: (key: RedisKey, at: number | Date, options?: ExpireOptions): Command.Command<boolean> =>
    Time.withTime(
      PEXPIREAT,
      Time.instant(at, "milliseconds", "at"),
      (unixMilliseconds) =>
        Command.make(PEXPIREAT, expireArgs([PEXPIREAT.command, key, unixMilliseconds], options), D.boolean)
    ),
  /**
   * PEXPIRETIME: the expiry of `key` as a Unix time in milliseconds.
   *
   * @returns the time; -1 when the key has no expiry, -2 when it does not exist.
   */
  pexpiretime: (key: RedisKey): Command.Command<number> =>
    Command.make(PEXPIRETIME, [PEXPIRETIME.command, key], D.integer),
  /**
   * PTTL: the remaining time to live of `key` in milliseconds.
   *
   * @returns the time; -1 when the key has no expiry, -2 when it does not exist.
   */
  pttl: (key: RedisKey): Command.Command<number> => Command.make(PTTL, [PTTL.command, key], D.integer),
  /**
   * RANDOMKEY: a random key of the current database.
   *
   * @returns `None` when the database is empty.
   */
  randomkey: (): Command.Command<Option.Option<string>> => Command.make(RANDOMKEY, [RANDOMKEY.command], optionalBulk),
  /**
   * RENAME: renames `key`, overwriting `newKey` if it exists. Fails with a
   * reply error when `key` does not exist.
   */
  rename: (key: RedisKey, newKey: RedisKey): Command.Command<void> =>
    Command.make(RENAME, [RENAME.command, key, newKey], D.ok),
  /**
   * RENAMENX: renames `key` only if `newKey` does not exist. Fails with a
   * reply error when `key` does not exist.
   *
   * @returns `true` when renamed, `false` when `newKey` exists.
   */
  renamenx: (key: RedisKey, newKey: RedisKey): Command.Command<boolean> =>
    Command.make(RENAMENX, [RENAMENX.command, key, newKey], D.boolean),
  /**
   * RESTORE: creates `key` from a DUMP payload, with a time to live in
   * milliseconds (0 = none; an absolute time with `absttl`). Fails with a
   * BUSYKEY reply error when the key exists and `replace` is not given.
   */
  restore: (
    key: RedisKey,
    ttl: number,
    serialized: Uint8Array,
    options?: RestoreOptions
  ): Command.Command<void> => {
    const args: Array<RedisArg> = [RESTORE.command, key, ttl, serialized]
    if (options !== undefined) {
      if (options.replace) args.push("REPLACE")
      if (options.absttl) args.push("ABSTTL")
      if (options.idletime !== undefined) args.push("IDLETIME", options.idletime)
      if (options.freq !== undefined) args.push("FREQ", options.freq)
    }
    return Command.make(RESTORE, args, D.ok)
  },
  /**
   * SCAN: one step of iterating the keys of the current database. Start with
   * cursor 0 and pass the returned cursor back until it is `0n`.
   *
   * @returns the next cursor and the keys of this step (possibly none).
   */
  scan: (cursor: number | bigint | string, options?: ScanOptions): Command.Command<ScanPage<string>> =>
    Command.make(SCAN, scanArgs([SCAN.command, cursor], options), scanKeys),
  /**
   * SORT: the elements of a list, set or sorted set, sorted. It is flagged
   * as a write (for SORT … STORE), so it always goes to the master: use
   * `sortRo` on replicas.
   *
   * @returns the sorted elements, or with `get` the values looked up
   * (`None` where a looked-up key is missing).
   */
  sort: (key: RedisKey, options?: SortOptions): Command.Command<Array<Option.Option<string>>> =>
    Command.make(SORT, sortArgs([SORT.command, key], options), sorted),
  /**
   * SORT … STORE: sorts like `sort` and stores the result as a list at
   * `destination`.
   *
   * @returns the number of elements stored.
   */
  sortStore: (key: RedisKey, destination: RedisKey, options?: SortOptions): Command.Command<number> =>
    Command.make(SORT_STORE, sortArgs([SORT.command, key], options).concat("STORE", destination), D.integer),
  /**
   * SORT_RO: the read-only SORT, allowed on replicas.
   *
   * @returns the sorted elements, or with `get` the values looked up
   * (`None` where a looked-up key is missing).
   */
  sortRo: (key: RedisKey, options?: SortOptions): Command.Command<Array<Option.Option<string>>> =>
    Command.make(SORT_RO, sortArgs([SORT_RO.command, key], options), sorted),
  /**
   * SSCAN: one step of iterating the members of a set. Start with cursor 0
   * and pass the returned cursor back until it is `0n`.
   *
   * @returns the next cursor and members.
   */
  sscan: (
    key: RedisKey,
    cursor: number | bigint | string,
    options?: CollectionScanOptions
  ): Command.Command<ScanPage<string>> =>
    Command.make(SSCAN, scanArgs([SSCAN.command, key, cursor], options), scanKeys),
  /**
   * TOUCH: updates the last access time of keys (at least one).
   *
   * @returns the number of keys that exist.
   */
  touch: (keys: OneOrMany<RedisKey>): Command.Command<number> =>
    sizeOf(keys) === 0 ? noneGiven(TOUCH, "key") : Command.make(TOUCH, pushAll([TOUCH.command], keys), D.integer),
  /**
   * TTL: the remaining time to live of `key` in seconds.
   *
   * @returns the time; -1 when the key has no expiry, -2 when it does not exist.
   */
  ttl: (key: RedisKey): Command.Command<number> => Command.make(TTL, [TTL.command, key], D.integer),
  /**
   * TYPE: the type of the value at `key`.
   *
   * @returns `"none"` when the key does not exist; a module's data type
   * reports the module's own type name.
   */
  type: (key: RedisKey): Command.Command<KeyType> => Command.make(TYPE, [TYPE.command, key], keyType),
  /**
   * UNLINK: deletes keys (at least one), reclaiming their memory in the
   * background.
   *
   * @returns the number of keys that existed.
   */
  unlink: (keys: OneOrMany<RedisKey>): Command.Command<number> =>
    sizeOf(keys) === 0 ? noneGiven(UNLINK, "key") : Command.make(UNLINK, pushAll([UNLINK.command], keys), D.integer),
  /**
   * ZSCAN: one step of iterating the members of a sorted set. Start with
   * cursor 0 and pass the returned cursor back until it is `0n`.
   *
   * @returns the next cursor and `[member, score]` pairs.
   */
  zscan: (
    key: RedisKey,
    cursor: number | bigint | string,
    options?: CollectionScanOptions
  ): Command.Command<ScanPage<readonly [string, number]>> =>
    Command.make(ZSCAN, scanArgs([ZSCAN.command, key, cursor], options), scanScores)
} as const

/**
 * Every spec of the generic key family (SCAN family included).
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
