/**
 * Client-side caching over one RESP3 connection with `CLIENT TRACKING ON`:
 * read-only commands keep their raw replies, and the server's `invalidate`
 * pushes (on the same connection, so ordered with the replies) drop them.
 *
 * - Cached: text-mode calls without byte arguments of the commands whose
 *   reply depends only on the contents of their declared keys
 *   ({@link cacheable}), one entry per distinct command line. A hit decodes
 *   the kept reply again, so callers never share a mutable result.
 * - Dropped: on an invalidation of any of the entry's keys, on a flush
 *   (invalidation without keys), when the connection is lost (tracking
 *   ends with it), after `ttl`, and when the client writes one of the keys
 *   itself (at the write's reply: the server's push may come a little
 *   later). The least recently used entries go when `maxEntries` is
 *   reached.
 * - Time: entries expire on the `Clock` of the fiber that built the client
 *   (read synchronously, no allocation per hit), so a `TestClock` drives
 *   `ttl` in tests.
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Command from "../Command.js"
import type { CacheStats, Executor } from "../Executor.js"
import type { RedisError } from "../RedisError.js"
import * as ReplyDecoder from "../ReplyDecoder.js"
import type { ConnectionListener } from "./connection.js"
import type { Meter } from "./metrics.js"
import { decodeError } from "./replies.js"

/**
 * The commands whose reply depends only on the contents of the keys they
 * declare, so that the server's invalidations of those keys are all a
 * cached reply needs. An allowlist: a command not listed here (a new one,
 * one reading keys it does not declare like SORT_RO … BY/GET or a
 * read-only script, one whose reply changes with time or chance like TTL,
 * SRANDMEMBER or OBJECT IDLETIME, one the server does not count as a read
 * and so does not track, like PFCOUNT) is never cached.
 */
const cacheable: ReadonlySet<string> = new Set([
  "BITCOUNT",
  "BITFIELD_RO",
  "BITPOS",
  "DUMP",
  "EXISTS",
  "EXPIRETIME",
  "GEODIST",
  "GEOHASH",
  "GEOPOS",
  "GEOSEARCH",
  "GET",
  "GETBIT",
  "GETRANGE",
  "HEXISTS",
  "HGET",
  "HGETALL",
  "HKEYS",
  "HLEN",
  "HMGET",
  "HSTRLEN",
  "HVALS",
  "LCS",
  "LINDEX",
  "LLEN",
  "LPOS",
  "LRANGE",
  "MGET",
  "OBJECT ENCODING",
  "PEXPIRETIME",
  "SCARD",
  "SDIFF",
  "SINTER",
  "SINTERCARD",
  "SISMEMBER",
  "SMEMBERS",
  "SMISMEMBER",
  "STRLEN",
  "SUBSTR",
  "SUNION",
  "TYPE",
  "XLEN",
  "XRANGE",
  "XREVRANGE",
  "ZCARD",
  "ZCOUNT",
  "ZDIFF",
  "ZINTER",
  "ZINTERCARD",
  "ZLEXCOUNT",
  "ZMSCORE",
  "ZRANGE",
  "ZRANGEBYLEX",
  "ZRANGEBYSCORE",
  "ZRANK",
  "ZREVRANGE",
  "ZREVRANGEBYLEX",
  "ZREVRANGEBYSCORE",
  "ZREVRANK",
  "ZSCORE",
  "ZUNION"
])

class Entry {
  constructor(readonly reply: RespValue, readonly keys: ReadonlyArray<string>, readonly expires: number) {}
}

/**
 * A read on its way to the server. Its reply may be older than an
 * invalidation handled before the reply reaches the cache (both can come in
 * one socket read, and the reply is kept only when its fiber resumes): such
 * an invalidation marks it `stale`, and its reply is then not kept.
 */
class Fetch {
  stale = false
  constructor(readonly keys: ReadonlyArray<string>) {}
}

/** One command line as a map key; `undefined` when an argument is bytes (not cached). */
const lineOf = (args: ReadonlyArray<Command.RedisArg>): string | undefined => {
  let line = ""
  for (const arg of args) {
    if (arg instanceof Uint8Array) return undefined
    const text = String(arg)
    line += `${text.length}:${text}`
  }
  return line
}

const textDecoder = new TextDecoder()

/** The command's keys as text, as the server's invalidations name them. */
const keysOf = (command: Command.Command<unknown>): Array<string> =>
  Command.keyIndices(command).map((index) => {
    const key = command.args[index]!
    return key instanceof Uint8Array ? textDecoder.decode(key) : String(key)
  })

export class ClientCache {
  /** Command line → entry; a Map keeps insertion order, refreshed on every hit: the first is the least recently used. */
  private readonly entries = new Map<string, Entry>()
  /** Key → the command lines whose entries read it. */
  private readonly readers = new Map<string, Set<string>>()
  /** Key → the reads of it on their way to the server. */
  private readonly fetching = new Map<string, Set<Fetch>>()
  private hits = 0
  private misses = 0
  private evictions = 0
  private invalidations = 0

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMillis: number,
    private readonly clock: Clock.Clock,
    private readonly meter: Meter | undefined
  ) {}

  /** What the tracking connection reports to the cache. */
  readonly listener: ConnectionListener = {
    onPush: (items) => this.onPush(items),
    onLost: () => this.clear()
  }

  /** The counters behind `redis.cacheStats`. */
  get stats(): CacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      size: this.entries.size,
      evictions: this.evictions,
      invalidations: this.invalidations
    }
  }

  /**
   * Runs a command through the cache: a hit decodes the kept reply, a miss
   * asks `execute` for the raw reply and keeps it; a write drops what it
   * changed.
   */
  through<A>(
    command: Command.Command<A>,
    binary: boolean,
    execute: <B>(command: Command.Command<B>, binary: boolean) => Effect.Effect<B, RedisError>
  ): Effect.Effect<A, RedisError> {
    const flags = command.spec.flags
    if ((flags & Command.Flags.write) !== 0) {
      return Effect.onExit(execute(command, binary), () => Effect.sync(() => this.drop(keysOf(command))))
    }
    // Raw calls are never listed: their spec is named after the command but knows nothing of it.
    const line = binary || (flags & Command.Flags.raw) !== 0 || !cacheable.has(command.spec.name)
      ? undefined
      : lineOf(command.args)
    if (line === undefined) return execute(command, binary)
    return Effect.suspend(() => {
      const entry = this.entries.get(line)
      if (entry !== undefined && entry.expires > this.clock.unsafeCurrentTimeMillis()) {
        this.hits++
        this.meter?.cache(true)
        // Most recently used now: to the end of the order.
        this.entries.delete(line)
        this.entries.set(line, entry)
        return decoded(command, entry.reply)
      }
      if (entry !== undefined) this.remove(line)
      this.misses++
      this.meter?.cache(false)
      const fetch = this.fetch(keysOf(command))
      return Effect.ensuring(
        Effect.flatMap(execute(Command.make(command.spec, command.args, ReplyDecoder.raw), false), (reply) => {
          if (!fetch.stale) this.keep(line, fetch.keys, reply)
          return decoded(command, reply)
        }),
        Effect.sync(() => this.fetched(fetch))
      )
    })
  }

  /** An executor whose single commands go through the cache, and whose batches drop what they wrote. */
  decorate(executor: Executor): Executor {
    return {
      ...(executor.masters && { masters: executor.masters }),
      execute: (command, binary) => this.through(command, binary, executor.execute),
      executeAll: (batch, binary) =>
        Effect.ensuring(executor.executeAll(batch, binary), Effect.sync(() => this.afterBatch(batch)))
    }
  }

  /** After a batch: drops what its writes changed. */
  afterBatch(commands: ReadonlyArray<Command.Command<unknown>>): void {
    for (const command of commands) {
      if ((command.spec.flags & Command.Flags.write) !== 0) this.drop(keysOf(command))
    }
  }

  private keep(line: string, keys: ReadonlyArray<string>, reply: RespValue): void {
    if (this.entries.has(line)) this.remove(line)
    while (this.entries.size >= this.maxEntries) {
      this.remove(this.entries.keys().next().value!)
      this.evictions++
    }
    this.entries.set(line, new Entry(reply, keys, this.clock.unsafeCurrentTimeMillis() + this.ttlMillis))
    for (const key of keys) {
      const lines = this.readers.get(key)
      if (lines === undefined) this.readers.set(key, new Set([line]))
      else lines.add(line)
    }
  }

  private remove(line: string): void {
    const entry = this.entries.get(line)
    if (entry === undefined) return
    this.entries.delete(line)
    for (const key of entry.keys) {
      const lines = this.readers.get(key)
      lines?.delete(line)
      if (lines?.size === 0) this.readers.delete(key)
    }
  }

  private fetch(keys: ReadonlyArray<string>): Fetch {
    const fetch = new Fetch(keys)
    for (const key of keys) {
      const fetches = this.fetching.get(key)
      if (fetches === undefined) this.fetching.set(key, new Set([fetch]))
      else fetches.add(fetch)
    }
    return fetch
  }

  private fetched(fetch: Fetch): void {
    for (const key of fetch.keys) {
      const fetches = this.fetching.get(key)
      fetches?.delete(fetch)
      if (fetches?.size === 0) this.fetching.delete(key)
    }
  }

  private drop(keys: ReadonlyArray<string>): void {
    for (const key of keys) {
      const fetches = this.fetching.get(key)
      if (fetches !== undefined) { for (const fetch of fetches) fetch.stale = true }
      const lines = this.readers.get(key)
      if (lines === undefined) continue
      for (const line of [...lines]) {
        this.remove(line)
        this.invalidations++
      }
    }
  }

  private clear(): void {
    for (const fetches of this.fetching.values()) for (const fetch of fetches) fetch.stale = true
    this.invalidations += this.entries.size
    this.entries.clear()
    this.readers.clear()
  }

  /** `invalidate [keys]`, or `invalidate nil` when the server flushed its tracking (FLUSHALL, FLUSHDB). */
  private onPush(items: Array<RespValue>): void {
    if (items.length < 2 || ReplyDecoder.text(items[0] ?? "") !== "invalidate") return
    const keys = items[1]
    if (keys === null || keys === undefined) return this.clear()
    if (Array.isArray(keys)) this.drop(keys.map((key) => ReplyDecoder.text(key)))
  }
}

const decoded = <A>(command: Command.Command<A>, reply: RespValue): Effect.Effect<A, RedisError> => {
  try {
    return Exit.succeed(command.decode(reply))
  } catch (error) {
    return Exit.fail(decodeError(command, error))
  }
}
