/**
 * Client configuration: options, connection URLs, defaults, and reading them
 * from Effect `Config`.
 *
 * URL forms:
 * - `redis://[user[:password]@]host[:port][/db][?options]` — TCP
 * - `rediss://…` — TCP with TLS
 * - `unix:///path/to/redis.sock[?db=N&…]` and `redis+unix:///path[?…]` — Unix socket
 * - `redis+sentinel://[user[:password]@]host[:port][,host[:port]…]/<master name>[/db][?options]`
 *   — the master Sentinel names (`rediss+sentinel://` with TLS); the hosts
 *   are sentinels (port 26379 by default), user and password the master's
 *
 * User and password are percent-decoded. Query options: `db`, `protocol`
 * (`2` or `3`), `name` (client name), `commandTimeout`, `connectTimeout`
 * (milliseconds); with `redis+sentinel://` also `sentinelUsername`,
 * `sentinelPassword` (the sentinels' own credentials) and `readFrom`
 * (`master` or `replicas`). An unknown option is a configuration error
 * rather than silently ignored.
 *
 * @since 0.1.0
 */
import { defaultOptions as decoderDefaults } from "@effect-redis/resp/RespDecoder"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { RedisConfigError } from "./RedisError.js"

/**
 * TLS settings, passed to the transport (PEM strings or buffers).
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsOptions {
  readonly ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array>
  readonly cert?: string | Uint8Array
  readonly key?: string | Uint8Array | Redacted.Redacted<string | Uint8Array>
  /** The name checked against the server certificate; defaults to the host. */
  readonly servername?: string
  /** Default `true`. Turn off only for tests against self-signed servers you do not have the CA of. */
  readonly rejectUnauthorized?: boolean
}

/**
 * Everything a client can be told. `url` fills in what it names; options
 * given next to it win.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly url?: string | Redacted.Redacted<string>
  /** Default `"127.0.0.1"`. */
  readonly host?: string
  /** Default `6379`. */
  readonly port?: number
  /** A Unix socket path; replaces host and port. */
  readonly path?: string
  /** `true` for TLS with the system CAs, or TLS settings. */
  readonly tls?: boolean | TlsOptions
  /** ACL user; default `"default"` when a password is given. */
  readonly username?: string
  readonly password?: Redacted.Redacted<string> | string
  /** Default `0`. */
  readonly database?: number
  /** RESP version. Default `3`; falls back to `2` when the server does not know HELLO. */
  readonly protocol?: 2 | 3
  /** Sent as CLIENT SETNAME on every (re)connect. */
  readonly clientName?: string
  /**
   * How long a command waits for its reply. Default 10 seconds. When the
   * oldest command in flight has waited this long, the connection is
   * replaced: replies come in order, so nothing behind it could arrive.
   */
  readonly commandTimeout?: Duration.DurationInput
  /**
   * How long dialing plus handshake may take. Default 10 seconds, at most
   * about 24.8 days (2^31 - 1 ms, the longest timer).
   */
  readonly connectTimeout?: Duration.DurationInput
  /**
   * How many commands may wait while the connection is down. Default
   * `10_000`; `0` makes commands fail at once with `RedisConnectionError`
   * (reason `Unavailable`, outcome `not-sent`).
   */
  readonly offlineQueueSize?: number
  /**
   * How many bytes of commands may wait to be written: while the connection
   * is down, or while Redis reads more slowly than commands come (the
   * socket pushes back). Beyond it new commands fail at once with
   * `RedisConnectionError` (reason `Unavailable`, outcome `not-sent`). One
   * command larger than this is still sent when nothing else waits.
   * Default 64 MiB.
   */
  readonly writeBufferSize?: number
  /**
   * When to try reconnecting after a connection is lost. Default:
   * exponential from 50 ms, jittered, capped at 2 seconds, forever.
   * When a schedule ends, waiting commands fail; the next command starts
   * a new round of attempts.
   */
  readonly reconnectSchedule?: Schedule.Schedule<unknown, unknown>
  /**
   * Send PING this often when idle (nothing in flight: a pool connection
   * blocked in BLPOP is left alone) and reconnect if it goes unanswered.
   * Default: off.
   */
  readonly healthCheckInterval?: Duration.DurationInput
  /** On close, how long to wait for replies in flight. Default 2 seconds. */
  readonly closeTimeout?: Duration.DurationInput
  /**
   * The pool of dedicated connections for blocking commands, WATCH
   * transactions and `reserve`. Opened lazily: none exists until needed.
   */
  readonly pool?: PoolOptions
  /**
   * Opens a client span per command (and per pipeline or transaction) with
   * OpenTelemetry database attributes (`db.system.name`,
   * `db.operation.name`, `db.namespace`, `server.address`, `server.port`).
   * Default `false`: a span per command costs more than the command itself
   * on a busy connection. Never records arguments or passwords.
   */
  readonly tracing?: boolean
  /**
   * Records Effect `Metric`s: commands by name and result, their duration
   * (`db.client.operation.duration`, seconds), commands in flight, the
   * offline queue, the pool's connections and waiters, reconnects, pub/sub
   * messages and drops, cache hits and misses (the README lists them).
   * `true`, or `{ labels }` to add labels to every metric (to tell clients
   * apart). Default off, and then nothing is recorded or decorated.
   *
   * @since 0.2.0
   */
  readonly metrics?: boolean | MetricsOptions
  /**
   * A namespace in front of every key: `keyPrefix: "app:"` makes
   * `redis.get("user")` read `app:user`. Applied to the keys of every typed
   * command, of `raw` calls (where the server's key specifications place
   * them), of scripts (KEYS) and of `watch`; to SCAN, KEYS and SORT BY/GET
   * patterns and to keyspace events; and taken off the key names replies
   * carry (SCAN, KEYS, RANDOMKEY, BLPOP and the other pops naming their
   * key, XREAD). Never to values, members, fields, or pub/sub channels.
   * Default: none (`""` is none too).
   *
   * @since 0.2.0
   */
  readonly keyPrefix?: string
  /**
   * Find the master through Redis Sentinel. `host`, `port` and `path` are
   * then not used: every connection, and every reconnect, first asks the
   * sentinels where the master is, and checks with ROLE that the server it
   * reaches is a master. `username`, `password`, `database` and `tls` apply
   * to the master.
   */
  readonly sentinel?: SentinelOptions
  /**
   * Connect to a Redis Cluster. `host`, `port` and `path` are then not used:
   * the client asks the given nodes for the slot map, keeps a connection to
   * every master and sends each command to the master of its key's slot.
   * `username`, `password` and `tls` apply to every node; `database` must
   * be 0 (a cluster has no other).
   */
  readonly cluster?: ClusterOptions
  /**
   * Client-side caching: read-only commands on the shared connection keep
   * their replies in memory, and the server tells the client (RESP3
   * `CLIENT TRACKING`) when a key it read changes. Default: off. Needs
   * RESP3. In a cluster, every node connection the client reads from is tracked.
   */
  readonly cache?: CacheOptions
  /**
   * Which refusals are asked again, and when. Only replies that guarantee
   * the command did not run qualify (see {@link RetryableCode}); a command
   * that may have executed is never retried. Default: `TRYAGAIN` and
   * `CLUSTERDOWN` (a cluster in transition), on
   * {@link defaultRetrySchedule}.
   *
   * @since 0.2.0
   */
  readonly retry?: RetryOptions
  /**
   * Bounds on what a reply may contain, which keep a broken or hostile
   * server from exhausting memory or crashing the process. The defaults are
   * above anything Redis sends; a reply beyond them is a protocol error
   * that resets the connection.
   *
   * @since 0.2.0
   */
  readonly replyLimits?: ReplyLimits
}

/**
 * Settings of metrics (see the `metrics` option).
 *
 * @since 0.2.0
 * @category models
 */
export interface MetricsOptions {
  /** Labels every metric of this client carries, e.g. `{ "service.name": "checkout" }`. */
  readonly labels?: Readonly<Record<string, string>>
}

/**
 * Error replies that guarantee the command did not run, and that a later
 * attempt may not meet:
 *
 * - `TRYAGAIN`: a multi-key command, or a transaction, during a slot migration.
 * - `CLUSTERDOWN`: slots unserved until a failover completes, or a node rejoining.
 * - `LOADING`: the server is loading its data set (after a restart): the
 *   command waits until it is loaded.
 * - `READONLY`: a write reached a replica (a master demoted by a failover):
 *   the connection is reconnected, so that Sentinel (or a DNS name) leads
 *   it to the new master, and the command is sent again.
 * - `MASTERDOWN`: a replica that lost its master and does not serve stale data.
 * - `BUSY`: a script or function is running; retried for read-only commands
 *   only (a write would wait for a script that may never be killed).
 *
 * Only refusals whose outcome is `rejected` are retried. Script and
 * function calls (`EVAL*`, `FCALL*`) and MIGRATE qualify only with a
 * refusal they meet before starting (TRYAGAIN, CLUSTERDOWN, LOADING,
 * MASTERDOWN, BUSY), never with an error that may come from a command the
 * script ran after it wrote (such as READONLY).
 *
 * @since 0.2.0
 * @category models
 */
export type RetryableCode = "TRYAGAIN" | "CLUSTERDOWN" | "LOADING" | "READONLY" | "MASTERDOWN" | "BUSY"

/**
 * Every {@link RetryableCode}: `retry: { codes: RedisConfig.retryableCodes }`
 * opts into all of them.
 *
 * @since 0.2.0
 * @category defaults
 */
export const retryableCodes: ReadonlyArray<RetryableCode> = [
  "TRYAGAIN",
  "CLUSTERDOWN",
  "LOADING",
  "READONLY",
  "MASTERDOWN",
  "BUSY"
]

/**
 * How refusals that guarantee nothing ran are retried. The same rules hold
 * for single commands, every command of a pipeline (the refused ones are
 * sent again together, in their order) and transactions (sent again whole
 * when EXEC reports that nothing ran).
 *
 * @since 0.2.0
 * @category models
 */
export interface RetryOptions {
  /**
   * The refusals to retry. Default `["TRYAGAIN", "CLUSTERDOWN"]`; add
   * `"LOADING"`, `"READONLY"`, `"MASTERDOWN"`, `"BUSY"` to opt in, or give
   * `[]` to retry nothing.
   */
  readonly codes?: ReadonlyArray<RetryableCode>
  /**
   * The delays between attempts. Whatever the schedule says, no new
   * attempt starts once `commandTimeout` has passed since the first
   * refusal: the last refusal is then reported. Default
   * {@link defaultRetrySchedule}.
   */
  readonly schedule?: Schedule.Schedule<unknown, unknown>
}

/**
 * Bounds on replies, checked as the bytes arrive (see
 * `RespDecoder.RespDecoderOptions` in `@effect-redis/resp`).
 *
 * @since 0.2.0
 * @category models
 */
export interface ReplyLimits {
  /**
   * The longest bulk string, in bytes. Default 512 MiB, Redis' own
   * `proto-max-bulk-len`; raise both together. A text-mode string longer
   * than the engine's longest string (536,870,888 characters in V8) fails
   * only its command, with a `RedisDecodeError` that says to use
   * `redis.binary`.
   */
  readonly maxBulkLength?: number
  /**
   * How deep arrays, maps, sets and attributes may nest. Default 10,000
   * (a Lua script's reply nests at most 7,995 arrays deep).
   */
  readonly maxDepth?: number
  /**
   * The most elements one array, set or map (pairs counted twice) may hold.
   * Default and maximum 2^26 (67,108,864): V8 cannot grow one array much
   * further without aborting the process. `maxReplyElements` bounds all
   * the arrays of a reply together.
   */
  readonly maxAggregateLength?: number
  /**
   * The most elements one reply may hold in all its arrays, sets and maps
   * together (pairs counted twice), counted from their headers, so a
   * hostile header fails at once. Default 2^24 (16,777,216): an LRANGE,
   * HGETALL or KEYS of millions of entries decodes; a reply of tiny
   * elements costs up to 60 bytes of heap per element, so the default
   * keeps one reply near 1 GB at worst. A reply beyond it fails its command
   * with `RedisConnectionError` (outcome `may-have-executed`) and resets
   * the connection; raise it for larger replies.
   *
   * @since 0.3.0
   */
  readonly maxReplyElements?: number
  /**
   * The longest simple string, error, number or header line, in bytes.
   * Default 64 KiB, at least 64.
   */
  readonly maxLineLength?: number
}

/**
 * Settings of client-side caching.
 *
 * @since 0.1.0
 * @category models
 */
export interface CacheOptions {
  /** At most this many replies; the least recently used go first. Default `10_000`. */
  readonly maxEntries?: number
  /**
   * A reply is dropped this long after it was cached even without an
   * invalidation, a bound on staleness should one be missed. Default 5
   * minutes. Measured on the Effect `Clock` of the fiber that builds the
   * client, so a `TestClock` can expire replies in tests.
   */
  readonly ttl?: Duration.DurationInput
}

/**
 * Where a Redis Cluster is.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterOptions {
  /** Some of the cluster's nodes, asked in turn for the slot map (any one that answers is enough). */
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>
  /**
   * How many MOVED or ASK redirections one command may follow before it
   * fails with the last one. Default `16`. A redirection back to a node
   * that redirected the command already is followed after a pause (10 ms,
   * doubling to 200 ms), so 16 ride out about 1.6 s of two masters
   * disagreeing about a slot.
   */
  readonly maxRedirects?: number
  /**
   * Where single read-only commands go: `"master"` (default), or
   * `"replicas"`, in turn among the replicas of the key's slot (the master
   * when it has none). Replicas lag their master: a read may not see a
   * write that just completed. Pipelines, transactions and blocking
   * commands always go to masters.
   */
  readonly readFrom?: "master" | "replicas"
  /**
   * How often the slot map is read again when nothing else asked for it
   * (MOVED, refusals and unreachable nodes do, at once). Default 30
   * seconds.
   */
  readonly refreshInterval?: Duration.DurationInput
}

/**
 * Where Redis Sentinel is and which master to ask it for.
 *
 * @since 0.1.0
 * @category models
 */
export interface SentinelOptions {
  /** The master's name in the sentinels' configuration (`sentinel monitor <name> …`). */
  readonly name: string
  /** The sentinels, asked in turn until one knows the master; the last one that answered is asked first. */
  readonly sentinels: ReadonlyArray<{ readonly host: string; readonly port: number }>
  /** ACL user on the sentinels, when they require one. */
  readonly username?: string
  /** The sentinels' own password (their `requirepass`), not the master's. */
  readonly password?: Redacted.Redacted<string> | string
  /** TLS to the sentinels. Default: none. */
  readonly tls?: boolean | TlsOptions
  /**
   * Where single read-only commands go: `"master"` (default), or
   * `"replicas"`, on a connection to a replica the sentinels report
   * healthy (chosen in turn at every connect; the master when there is
   * none). Replicas lag their master: a read may not see a write that just
   * completed. Batches, blocking commands and the pool stay on the master.
   */
  readonly readFrom?: "master" | "replicas"
}

/**
 * Settings of the pool of dedicated connections.
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolOptions {
  /** Connections kept open even when idle. Default `0`. */
  readonly min?: number
  /**
   * At most this many connections. Default `16`. A blocking command holds
   * one for as long as it blocks, and `reserve` and `watch` for their
   * scope: size it to the blocking consumers plus those scopes.
   */
  readonly max?: number
  /** Idle connections above `min` close after this long. Default 60 seconds. */
  readonly idleTimeToLive?: Duration.DurationInput
  /**
   * How long to wait for a free connection, when all `max` are lent,
   * before failing with `RedisPoolError`; blocking commands wait this long
   * too, whatever their own block time. Default 5 seconds, at most about
   * 24.8 days (2^31 - 1 ms, the longest timer).
   */
  readonly acquireTimeout?: Duration.DurationInput
}

/**
 * Where to connect.
 *
 * @since 0.1.0
 * @category models
 */
export type Endpoint =
  | { readonly _tag: "Tcp"; readonly host: string; readonly port: number; readonly tls: TlsOptions | undefined }
  | { readonly _tag: "Unix"; readonly path: string; readonly tls: TlsOptions | undefined }

/**
 * Options with every default applied, validated.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resolved {
  readonly endpoint: Endpoint
  readonly username: string | undefined
  readonly password: Redacted.Redacted<string> | undefined
  readonly database: number
  readonly protocol: 2 | 3
  readonly clientName: string | undefined
  readonly commandTimeoutMillis: number
  readonly connectTimeoutMillis: number
  readonly offlineQueueSize: number
  readonly writeBufferSize: number
  readonly reconnectSchedule: Schedule.Schedule<unknown, unknown>
  readonly healthCheckIntervalMillis: number | undefined
  readonly closeTimeoutMillis: number
  readonly tracing: boolean
  /** `undefined` when metrics are off. */
  readonly metrics: { readonly labels: Readonly<Record<string, string>> } | undefined
  /** `undefined` when keys are not prefixed. */
  readonly keyPrefix: string | undefined
  readonly sentinel: ResolvedSentinel | undefined
  readonly cluster: ResolvedCluster | undefined
  readonly cache: { readonly maxEntries: number; readonly ttlMillis: number } | undefined
  readonly retry: {
    readonly codes: ReadonlySet<RetryableCode>
    readonly schedule: Schedule.Schedule<unknown, unknown>
  }
  readonly replyLimits: {
    readonly maxBulkLength: number
    readonly maxDepth: number
    readonly maxAggregateLength: number
    readonly maxReplyElements: number
    readonly maxLineLength: number
  }
  readonly pool: {
    readonly min: number
    readonly max: number
    readonly idleTimeToLiveMillis: number
    readonly acquireTimeoutMillis: number
  }
}

/**
 * {@link SentinelOptions}, validated.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedSentinel {
  readonly name: string
  readonly sentinels: ReadonlyArray<{ readonly host: string; readonly port: number }>
  readonly username: string | undefined
  readonly password: Redacted.Redacted<string> | undefined
  readonly tls: TlsOptions | undefined
  readonly readFrom: "master" | "replicas"
}

/**
 * {@link ClusterOptions}, validated.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedCluster {
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>
  readonly maxRedirects: number
  readonly readFrom: "master" | "replicas"
  readonly refreshIntervalMillis: number
}

/**
 * The default reconnect schedule: exponential from 50 ms, jittered, each
 * delay capped at 2 seconds, without end.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultReconnectSchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("50 millis").pipe(
  Schedule.jittered,
  Schedule.union(Schedule.spaced("2 seconds"))
)

/**
 * The default delays between retries of a refusal: exponential from 25 ms,
 * jittered, each delay capped at 250 ms. Bounded by the command timeout.
 *
 * @since 0.2.0
 * @category defaults
 */
export const defaultRetrySchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("25 millis").pipe(
  Schedule.jittered,
  Schedule.union(Schedule.spaced("250 millis"))
)

const fail = (message: string) => Either.left(new RedisConfigError({ message }))

/**
 * The URL as messages show it: everything between the scheme and the last
 * `@` after the user name becomes `***`. It works on the text as given,
 * not as a URL parser reads it, because a `/`, `?` or `#` left unencoded
 * in a password moves where a parser thinks the password ends.
 */
const masked = (input: string): string => {
  const at = input.lastIndexOf("@")
  if (at < 0) return input
  // Without a `scheme://` head, whatever precedes a colon might be a scheme or a user: the colon starts the mask.
  const head = /^[a-z][a-z0-9+.-]*:\/\//i.exec(input)?.[0] ?? ""
  const userinfo = input.slice(head.length, at)
  const colon = userinfo.indexOf(":")
  return colon < 0 ? input : `${head}${userinfo.slice(0, colon)}:***${input.slice(at)}`
}

/**
 * Where the user and password end: the first `/`, `?` or `#` after the
 * scheme's `//` (an `@` beyond it is not where a URL parser looks).
 */
const authorityEnd = (input: string): number => {
  const slashes = input.indexOf("//")
  if (slashes < 0) return input.length
  const end = input.slice(slashes + 2).search(/[/?#]/)
  return end < 0 ? input.length : slashes + 2 + end
}

const parsePositiveInt = (name: string, value: string, source: string): Either.Either<number, RedisConfigError> => {
  const n = Number(value)
  return Number.isInteger(n) && n >= 0 && value.trim() !== ""
    ? Either.right(n)
    : fail(`${source}: ${name} must be a non-negative integer, got "${value}"`)
}

/**
 * Reads a connection URL into options. The password, if any, comes back
 * `Redacted`; error messages show the URL with everything after the user
 * name masked up to the host. A user or password must percent-encode `/`,
 * `?`, `#` and `@`; an `@` after the host is refused rather than guessed
 * at.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseUrl = (input: string): Either.Either<Options, RedisConfigError> => {
  const sentinelScheme = /^(rediss?)\+sentinel:\/\//i.exec(input)
  if (input.lastIndexOf("@") > authorityEnd(input)) {
    // A password with an unencoded "/", "?" or "#" would be read as a host, a port, a path or options. A
    // Sentinel URL's query may hold sentinelPassword, so that form is not shown at all.
    return fail(
      `Invalid ${sentinelScheme === null ? `Redis URL "${masked(input)}"` : "Sentinel URL"}: an "@" after the host. ` +
        `If the user or password contains "/", "?", "#" or "@", percent-encode it (encodeURIComponent)`
    )
  }
  if (sentinelScheme !== null) {
    return parseSentinelUrl(input.slice(sentinelScheme[0].length), sentinelScheme[1]!.toLowerCase() === "rediss")
  }
  const shown = masked(input)
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return fail(`Invalid Redis URL "${shown}": expected redis://[user[:password]@]host[:port][/db]`)
  }
  const options: {
    -readonly [K in keyof Options]: Options[K]
  } = {}
  switch (url.protocol) {
    case "redis:":
    case "rediss:": {
      if (url.hostname === "") return fail(`Invalid Redis URL "${shown}": no host`)
      options.host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname
      if (url.port !== "") options.port = Number(url.port)
      if (url.protocol === "rediss:") options.tls = true
      const path = url.pathname.replace(/^\/+/, "")
      if (path !== "") {
        const db = parsePositiveInt("the database", path, `Redis URL "${shown}"`)
        if (Either.isLeft(db)) return Either.left(db.left)
        options.database = db.right
      }
      break
    }
    case "unix:":
    case "redis+unix:": {
      const path = decodeURIComponent(url.pathname)
      if (path === "" || path === "/") return fail(`Invalid Redis URL "${shown}": no socket path`)
      options.path = path
      break
    }
    default:
      return fail(
        `Unsupported URL scheme "${url.protocol}" in "${shown}": use redis://, rediss://, unix:// or redis+unix://`
      )
  }
  try {
    if (url.username !== "") options.username = decodeURIComponent(url.username)
    if (url.password !== "") options.password = Redacted.make(decodeURIComponent(url.password))
  } catch {
    return fail(`Invalid Redis URL "${shown}": the user or password is not valid percent-encoding`)
  }
  for (const [key, value] of url.searchParams) {
    const option = queryOption(key, value, `Redis URL "${shown}"`, "")
    if (Either.isLeft(option)) return Either.left(option.left)
    Object.assign(options, option.right)
  }
  return Either.right(options)
}

/**
 * `redis+sentinel://[user[:password]@]host[:port][,host[:port]…]/<name>[/db][?options]`,
 * after the scheme. Several hosts do not fit the WHATWG URL parser, so the
 * URL is cut by hand. Messages name the sentinels and the master, never the
 * credentials or the query.
 */
const parseSentinelUrl = (rest: string, tls: boolean): Either.Either<Options, RedisConfigError> =>
  Either.gen(function*() {
    const queryAt = rest.indexOf("?")
    const beforeQuery = queryAt === -1 ? rest : rest.slice(0, queryAt)
    // parseUrl refused an "@" after the hosts: the credentials end at the last "@" before the query.
    const at = beforeQuery.lastIndexOf("@")
    const userInfo = at === -1 ? undefined : beforeQuery.slice(0, at)
    const location = beforeQuery.slice(at + 1)
    const slash = location.indexOf("/")
    const hosts = slash === -1 ? location : location.slice(0, slash)
    const shown = `redis+sentinel://${hosts}${slash === -1 ? "" : location.slice(slash)}`
    const [name = "", db, ...extra] = (slash === -1 ? "" : location.slice(slash + 1)).split("/")
    if (name === "" || extra.length > 0) {
      return yield* fail(
        `Invalid Sentinel URL "${shown}": expected redis+sentinel://host[:port][,host[:port]…]/<master name>[/db]`
      )
    }
    const sentinels: Array<{ host: string; port: number }> = []
    for (const entry of hosts.split(",")) {
      const ipv6 = /^\[([^\]]+)\](?::(.*))?$/.exec(entry)
      const colon = entry.lastIndexOf(":")
      const host = ipv6 !== null ? ipv6[1]! : colon === -1 ? entry : entry.slice(0, colon)
      const port = ipv6 !== null ? ipv6[2] : colon === -1 ? undefined : entry.slice(colon + 1)
      const number = port === undefined ? 26379 : Number(port)
      if (host === "" || !validPort(number) || port === "") {
        return yield* fail(`Invalid Sentinel URL "${shown}": "${entry}" is not a sentinel host[:port]`)
      }
      sentinels.push({ host, port: number })
    }
    const options: { -readonly [K in keyof Options]: Options[K] } = {}
    const sentinel: { -readonly [K in keyof SentinelOptions]: SentinelOptions[K] } = {
      name: yield* decoded(name, shown, "the master name"),
      sentinels
    }
    if (tls) {
      options.tls = true
      sentinel.tls = true
    }
    if (db !== undefined && db !== "") {
      options.database = yield* parsePositiveInt("the database", db, `Sentinel URL "${shown}"`)
    }
    if (userInfo !== undefined) {
      const colon = userInfo.indexOf(":")
      const user = colon === -1 ? userInfo : userInfo.slice(0, colon)
      if (user !== "") options.username = yield* decoded(user, shown, "the user")
      if (colon !== -1) {
        options.password = Redacted.make(yield* decoded(userInfo.slice(colon + 1), shown, "the password"))
      }
    }
    const query = new URLSearchParams(queryAt === -1 ? "" : rest.slice(queryAt + 1))
    for (const [key, value] of query) {
      switch (key) {
        case "sentinelUsername":
          sentinel.username = value
          break
        case "sentinelPassword":
          sentinel.password = Redacted.make(value)
          break
        case "readFrom":
          if (value !== "master" && value !== "replicas") {
            return yield* fail(`Sentinel URL "${shown}": readFrom must be master or replicas`)
          }
          sentinel.readFrom = value
          break
        default:
          Object.assign(
            options,
            yield* queryOption(key, value, `Sentinel URL "${shown}"`, ", sentinelUsername, sentinelPassword, readFrom")
          )
      }
    }
    options.sentinel = sentinel
    return options
  })

/** A query option every URL form takes; `more` lists the form's own, for the message about an unknown one. */
const queryOption = (
  key: string,
  value: string,
  source: string,
  more: string
): Either.Either<Partial<Options>, RedisConfigError> => {
  switch (key) {
    case "db":
      return Either.map(parsePositiveInt("db", value, source), (database) => ({ database }))
    case "protocol":
      return value === "2" || value === "3"
        ? Either.right({ protocol: value === "2" ? 2 : 3 })
        : fail(`${source}: protocol must be 2 or 3, got "${value}"`)
    case "name":
      return Either.right({ clientName: value })
    case "commandTimeout":
    case "connectTimeout":
      return Either.map(parsePositiveInt(key, value, source), (ms) => ({ [key]: Duration.millis(ms) }))
    default:
      return fail(
        `${source}: unknown option "${key}" (known: db, protocol, name, commandTimeout, connectTimeout${more})`
      )
  }
}

const decoded = (text: string, shown: string, what: string): Either.Either<string, RedisConfigError> => {
  try {
    return Either.right(decodeURIComponent(text))
  } catch {
    return fail(`Invalid Sentinel URL "${shown}": ${what} is not valid percent-encoding`)
  }
}

const durationMillis = (
  name: string,
  input: Duration.DurationInput | undefined,
  fallback: number
): Either.Either<number, RedisConfigError> => {
  if (input === undefined) return Either.right(fallback)
  const decoded = Duration.decodeUnknown(input)
  if (decoded._tag === "None") return fail(`${name} is not a valid duration`)
  const ms = Duration.toMillis(decoded.value)
  return Number.isFinite(ms) && ms > 0 ? Either.right(ms) : fail(`${name} must be a positive, finite duration`)
}

// Timers keep their delay in 32 bits (Node and browsers): a longer one fires at once.
const maxTimerMillis = 2 ** 31 - 1

/** A duration that ends up in a platform timer: positive, finite, and within what a timer can hold. */
const timerMillis = (
  name: string,
  input: Duration.DurationInput | undefined,
  fallback: number
): Either.Either<number, RedisConfigError> =>
  Either.flatMap(
    durationMillis(name, input, fallback),
    (millis) =>
      millis <= maxTimerMillis
        ? Either.right(millis)
        : fail(`${name} must be at most ${maxTimerMillis} ms (about 24.8 days), got ${millis} ms`)
  )

/** The options that must be strings when given. */
const textOptions = ["host", "path", "username", "clientName", "keyPrefix"] as const

/**
 * Validates options (and the URL in them) and applies every default.
 *
 * @since 0.1.0
 * @category parsing
 */
export const resolve = (options: Options): Either.Either<Resolved, RedisConfigError> =>
  Either.gen(function*() {
    // The types say all this; JavaScript callers and parsed configuration get a message rather than a TypeError.
    if (typeof options !== "object" || options === null) {
      return yield* fail(`options must be an object, got ${options === null ? "null" : typeof options}`)
    }
    const url = Redacted.isRedacted(options.url) ? Redacted.value(options.url) : options.url
    if (url !== undefined && typeof url !== "string") return yield* fail(`url must be a string, got ${typeof url}`)
    const fromUrl = url === undefined ? {} : yield* parseUrl(url)
    const merged: Options = { ...fromUrl, ...withoutUndefined(options) }
    for (const name of textOptions) {
      const value = merged[name]
      if (value !== undefined && typeof value !== "string") {
        return yield* fail(`${name} must be a string, got ${typeof value}`)
      }
    }
    const port = merged.port ?? 6379
    if (!validPort(port)) {
      return yield* fail(`port must be an integer from 1 to 65535, got ${port}`)
    }
    const database = merged.database ?? 0
    if (!Number.isInteger(database) || database < 0) {
      return yield* fail(`database must be a non-negative integer, got ${database}`)
    }
    const protocol = merged.protocol ?? 3
    if (protocol !== 2 && protocol !== 3) return yield* fail(`protocol must be 2 or 3, got ${String(protocol)}`)
    const offlineQueueSize = merged.offlineQueueSize ?? 10_000
    if (!Number.isInteger(offlineQueueSize) || offlineQueueSize < 0) {
      return yield* fail(`offlineQueueSize must be a non-negative integer, got ${offlineQueueSize}`)
    }
    const writeBufferSize = merged.writeBufferSize ?? 64 * 1024 * 1024
    if (!Number.isInteger(writeBufferSize) || writeBufferSize < 1) {
      return yield* fail(`writeBufferSize must be a positive integer (bytes), got ${writeBufferSize}`)
    }
    if (merged.clientName !== undefined && /[\s]/.test(merged.clientName)) {
      return yield* fail(`clientName may not contain spaces or newlines, got "${merged.clientName}"`)
    }
    const tls = tlsOf(merged.tls)
    const sentinel = merged.sentinel === undefined ? undefined : yield* resolveSentinel(merged.sentinel)
    if (sentinel !== undefined && merged.path !== undefined) {
      return yield* fail("sentinel and path cannot be combined: Sentinel names the master by host and port")
    }
    const cluster = merged.cluster === undefined ? undefined : yield* resolveCluster(merged.cluster)
    if (cluster !== undefined) {
      if (sentinel !== undefined) return yield* fail("cluster and sentinel cannot be combined")
      if (merged.path !== undefined) {
        return yield* fail("cluster and path cannot be combined: cluster nodes are reached by host and port")
      }
      if (database !== 0) return yield* fail(`a cluster has only database 0, got database ${database}`)
    }
    const cache = merged.cache === undefined ? undefined : yield* resolveCache(merged.cache)
    if (cache !== undefined && protocol === 2) {
      return yield* fail("cache needs RESP3 (its invalidations are RESP3 pushes); remove protocol: 2")
    }

    const endpoint: Endpoint = merged.path !== undefined
      ? { _tag: "Unix", path: merged.path, tls }
      : { _tag: "Tcp", host: merged.host ?? "127.0.0.1", port, tls }
    const password = redacted(merged.password)
    return {
      endpoint,
      username: merged.username,
      password,
      database,
      protocol,
      clientName: merged.clientName,
      commandTimeoutMillis: yield* durationMillis("commandTimeout", merged.commandTimeout, 10_000),
      connectTimeoutMillis: yield* timerMillis("connectTimeout", merged.connectTimeout, 10_000),
      offlineQueueSize,
      writeBufferSize,
      reconnectSchedule: merged.reconnectSchedule ?? defaultReconnectSchedule,
      healthCheckIntervalMillis: merged.healthCheckInterval === undefined
        ? undefined
        : yield* durationMillis("healthCheckInterval", merged.healthCheckInterval, 0),
      closeTimeoutMillis: yield* durationMillis("closeTimeout", merged.closeTimeout, 2_000),
      tracing: merged.tracing ?? false,
      metrics: merged.metrics === undefined || merged.metrics === false
        ? undefined
        : { labels: merged.metrics === true ? {} : { ...merged.metrics.labels } },
      keyPrefix: merged.keyPrefix === "" ? undefined : merged.keyPrefix,
      sentinel,
      cluster,
      cache,
      retry: yield* resolveRetry(merged.retry ?? {}),
      pool: yield* resolvePool(merged.pool ?? {}),
      replyLimits: yield* resolveReplyLimits(merged.replyLimits ?? {})
    }
  })

const tlsOf = (tls: boolean | TlsOptions | undefined): TlsOptions | undefined =>
  tls === true ? {} : tls === false ? undefined : tls

const redacted = (secret: Redacted.Redacted<string> | string | undefined): Redacted.Redacted<string> | undefined =>
  secret === undefined ? undefined : Redacted.isRedacted(secret) ? secret : Redacted.make(secret)

const validPort = (port: number): boolean => Number.isInteger(port) && port >= 1 && port <= 65535

const resolveSentinel = (sentinel: SentinelOptions): Either.Either<ResolvedSentinel, RedisConfigError> =>
  Either.gen(function*() {
    if (typeof sentinel.name !== "string" || sentinel.name.trim() === "") {
      return yield* fail("sentinel.name must name the master, as in the sentinels' `sentinel monitor <name>` line")
    }
    if (sentinel.sentinels === undefined || sentinel.sentinels.length === 0) {
      return yield* fail("sentinel.sentinels must list at least one sentinel ({ host, port })")
    }
    for (const { host, port } of sentinel.sentinels) {
      if (typeof host !== "string" || host === "") return yield* fail("every sentinel needs a host")
      if (!validPort(port)) {
        return yield* fail(`sentinel ports must be integers from 1 to 65535, got ${port} for ${host}`)
      }
    }
    const readFrom = sentinel.readFrom ?? "master"
    if (readFrom !== "master" && readFrom !== "replicas") {
      return yield* fail(`sentinel.readFrom must be "master" or "replicas", got ${String(readFrom)}`)
    }
    return {
      name: sentinel.name,
      sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })),
      username: sentinel.username,
      password: redacted(sentinel.password),
      tls: tlsOf(sentinel.tls),
      readFrom
    }
  })

const resolveCluster = (cluster: ClusterOptions): Either.Either<ResolvedCluster, RedisConfigError> =>
  Either.gen(function*() {
    if (cluster.nodes === undefined || cluster.nodes.length === 0) {
      return yield* fail("cluster.nodes must list at least one node ({ host, port })")
    }
    for (const { host, port } of cluster.nodes) {
      if (typeof host !== "string" || host === "") return yield* fail("every cluster node needs a host")
      if (!validPort(port)) {
        return yield* fail(`cluster node ports must be integers from 1 to 65535, got ${port} for ${host}`)
      }
    }
    const maxRedirects = cluster.maxRedirects ?? 16
    if (!Number.isInteger(maxRedirects) || maxRedirects < 0) {
      return yield* fail(`cluster.maxRedirects must be a non-negative integer, got ${maxRedirects}`)
    }
    const readFrom = cluster.readFrom ?? "master"
    if (readFrom !== "master" && readFrom !== "replicas") {
      return yield* fail(`cluster.readFrom must be "master" or "replicas", got ${String(readFrom)}`)
    }
    return {
      nodes: cluster.nodes.map(({ host, port }) => ({ host, port })),
      maxRedirects,
      readFrom,
      refreshIntervalMillis: yield* durationMillis("cluster.refreshInterval", cluster.refreshInterval, 30_000)
    }
  })

const resolveCache = (cache: CacheOptions): Either.Either<NonNullable<Resolved["cache"]>, RedisConfigError> =>
  Either.gen(function*() {
    const maxEntries = cache.maxEntries ?? 10_000
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      return yield* fail(`cache.maxEntries must be a positive integer, got ${maxEntries}`)
    }
    return { maxEntries, ttlMillis: yield* durationMillis("cache.ttl", cache.ttl, 300_000) }
  })

const resolveRetry = (retry: RetryOptions): Either.Either<Resolved["retry"], RedisConfigError> => {
  const codes = retry.codes ?? ["TRYAGAIN", "CLUSTERDOWN"]
  const unknown = codes.filter((code) => !retryableCodes.includes(code))
  return unknown.length > 0
    ? fail(
      `retry.codes may only name refusals that guarantee nothing ran (${retryableCodes.join(", ")}); ` +
        `got ${unknown.join(", ")}`
    )
    : Either.right({ codes: new Set(codes), schedule: retry.schedule ?? defaultRetrySchedule })
}

const resolvePool = (pool: PoolOptions): Either.Either<Resolved["pool"], RedisConfigError> =>
  Either.gen(function*() {
    const min = pool.min ?? 0
    const max = pool.max ?? 16
    if (!Number.isInteger(min) || min < 0) return yield* fail(`pool.min must be a non-negative integer, got ${min}`)
    if (!Number.isInteger(max) || max < 1 || max < min) {
      return yield* fail(`pool.max must be an integer of at least 1 and at least pool.min, got ${max}`)
    }
    return {
      min,
      max,
      idleTimeToLiveMillis: yield* durationMillis("pool.idleTimeToLive", pool.idleTimeToLive, 60_000),
      acquireTimeoutMillis: yield* timerMillis("pool.acquireTimeout", pool.acquireTimeout, 5_000)
    }
  })

// A limit must be a whole number of at least `min` and, where the engine
// sets one, at most `max`.
const limit = (
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER
): Either.Either<number, RedisConfigError> => {
  const n = value ?? fallback
  return Number.isSafeInteger(n) && n >= min && n <= max
    ? Either.right(n)
    : fail(`replyLimits.${name} must be an integer from ${min} to ${max}, got ${n}`)
}

const resolveReplyLimits = (limits: ReplyLimits): Either.Either<Resolved["replyLimits"], RedisConfigError> =>
  Either.gen(function*() {
    return {
      maxBulkLength: yield* limit("maxBulkLength", limits.maxBulkLength, decoderDefaults.maxBulkLength, 1),
      maxDepth: yield* limit("maxDepth", limits.maxDepth, decoderDefaults.maxDepth, 1),
      // The default is also the most one JavaScript array can safely grow to.
      maxAggregateLength: yield* limit(
        "maxAggregateLength",
        limits.maxAggregateLength,
        decoderDefaults.maxAggregateLength,
        1,
        decoderDefaults.maxAggregateLength
      ),
      maxReplyElements: yield* limit(
        "maxReplyElements",
        limits.maxReplyElements,
        decoderDefaults.maxReplyElements,
        1
      ),
      // Header lines need up to 21 bytes and integers up to 64.
      maxLineLength: yield* limit("maxLineLength", limits.maxLineLength, decoderDefaults.maxLineLength, 64)
    }
  })

const withoutUndefined = <A extends object>(a: A): Partial<A> => {
  const out: Partial<A> = {}
  for (const key in a) if (a[key] !== undefined) out[key] = a[key]
  return out
}

type IsGroup<A> = [A] extends [object] ? [keyof A] extends [never] ? false
  : [keyof A] extends [string] ? true
  : false
  : false

/**
 * Options some of which are read from Effect `Config`: each option is a
 * `Config` or a plain value, and a group of options (`pool`,
 * `replyLimits`, …) is one `Config`, a plain value, or an object of the
 * same. Effect's `Config.Wrap` with plain values allowed.
 *
 * @since 0.3.0
 * @category config
 */
export type ConfigInput<A> =
  | Config.Config<A>
  | A
  | ([NonNullable<A>] extends [infer T] ? [IsGroup<T>] extends [true] ? { readonly [K in keyof T]: ConfigInput<T[K]> }
    : never
    : never)

const isPlainObject = (u: unknown): u is Readonly<Record<string, unknown>> => {
  if (typeof u !== "object" || u === null) return false
  const prototype = Object.getPrototypeOf(u)
  return prototype === Object.prototype || prototype === null
}

/**
 * The `Config` that reads `input`: a `Config` as it is, a plain object
 * field by field, anything else (a string, number, `Redacted`, `Schedule`,
 * array…) as a constant. Unlike Effect's `Config.unwrap`, which takes every
 * value that is not a `Config` for an object of them (a string overflows
 * the stack, a number reads as `{}`).
 *
 * @since 0.3.0
 * @category config
 */
export const configOf = <A>(input: ConfigInput<A>): Config.Config<A> => {
  if (Config.isConfig(input)) return input
  if (!isPlainObject(input)) return Config.succeed(input)
  const fields: Record<string, Config.Config<unknown>> = {}
  for (const key of Object.keys(input)) fields[key] = configOf(input[key])
  return Config.all(fields) as Config.Config<unknown> as Config.Config<A>
}

/**
 * Reads options from Effect `Config`, for `layerConfig`: every option may
 * be a `Config` (use `Config.redacted` for passwords and URLs with
 * passwords) or a plain value, and a group of options such as `pool` an
 * object of either (see {@link ConfigInput}).
 *
 * @since 0.1.0
 * @category config
 */
export const fromConfig = (config: ConfigInput<Options>): Effect.Effect<Options, RedisConfigError> =>
  configOf(config).pipe(
    Effect.mapError((error) => new RedisConfigError({ message: `Could not read the Redis configuration: ${error}` }))
  )
