/**
 * Server commands: INFO, keyspace-wide operations (DBSIZE, FLUSHDB,
 * FLUSHALL, SWAPDB), configuration, memory, command introspection, the slow
 * log and latency monitor, replication (ROLE, WAIT) and the ACL queries open
 * to every user.
 *
 * Most replies here are text the server produces; they are decoded as text
 * even in the binary view, and typed `ReplyDecoder.Text` so the binary
 * view's types say so.
 *
 * @since 0.1.0
 */
import { RespDouble } from "@effect-redis/resp/RespValue"
import type { Option } from "effect"
import type * as Duration from "effect/Duration"
import * as Command from "../Command.js"
import type { OneOrMany, RedisArg, RedisKey } from "../Command.js"
import { hasNoEntries, noneGiven } from "../internal/args.js"
import * as Declare from "../internal/declare.js"
import * as Time from "../internal/time.js"
import * as D from "../ReplyDecoder.js"

/**
 * INFO parsed: section name in lower case (`server`, `clients`, `memory`,
 * `keyspace`…) → field → value as printed. Keyspace lines stay whole
 * (`db0` → `keys=1,expires=0,avg_ttl=0`). Values stay text in the binary
 * view.
 *
 * @since 0.1.0
 * @category models
 */
export type Info = Record<string, Record<string, D.Text>>

/**
 * How FLUSHDB, FLUSHALL, SCRIPT FLUSH and FUNCTION FLUSH free memory:
 * in a background thread (`async`) or before replying (`sync`). The server
 * default follows `lazyfree-lazy-user-flush`.
 *
 * @since 0.1.0
 * @category models
 */
export type FlushMode = "async" | "sync"

/**
 * The server clock as TIME reports it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerTime {
  /** Unix time in seconds. */
  readonly seconds: number
  /** Microseconds elapsed in the current second. */
  readonly microseconds: number
}

/**
 * MEMORY STATS: metric → value; per-database metrics (`db.0`) are nested.
 *
 * @since 0.1.0
 * @category models
 */
export type MemoryStats = Record<string, number | Record<string, number>>

/**
 * One command as COMMAND INFO describes it. `firstKey`/`lastKey`/`step`
 * are the legacy key positions; commands whose keys are not a range report
 * `0`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommandInfo {
  readonly name: D.Text
  readonly arity: number
  readonly flags: Array<D.Text>
  readonly firstKey: number
  readonly lastKey: number
  readonly step: number
  readonly aclCategories: Array<D.Text>
  readonly tips: Array<D.Text>
  readonly subcommands: Array<CommandInfo>
}

/**
 * The documentation of one command (COMMAND DOCS), without its argument
 * tree and history.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommandDocs {
  readonly summary: D.Text
  readonly since: D.Text
  readonly group: D.Text
  readonly complexity: Option.Option<D.Text>
  readonly subcommands: Record<string, CommandDocs>
}

/**
 * The filter of COMMAND LIST: commands of a module, of an ACL category, or
 * whose name matches a glob pattern.
 *
 * @since 0.1.0
 * @category models
 */
export type CommandListFilter =
  | { readonly module: string }
  | { readonly aclcat: string }
  | { readonly pattern: string }

/**
 * One slow log entry.
 *
 * @since 0.1.0
 * @category models
 */
export interface SlowlogEntry {
  readonly id: number
  /** Unix time in seconds when the command ran. */
  readonly timestamp: number
  /** Execution time in microseconds. */
  readonly duration: number
  /** The command line, possibly shortened by the server. */
  readonly args: Array<D.Text>
  readonly clientAddress: D.Text
  readonly clientName: D.Text
}

/**
 * The latest spike of one latency event (LATENCY LATEST).
 *
 * @since 0.1.0
 * @category models
 */
export interface LatencyLatest {
  readonly event: D.Text
  /** Unix time in seconds of the latest spike. */
  readonly timestamp: number
  /** The latest spike, in milliseconds. */
  readonly latest: number
  /** The highest spike recorded, in milliseconds. */
  readonly max: number
}

/**
 * The replication role of the server (ROLE). Replica offsets are `-1`
 * while the replica is not connected.
 *
 * @since 0.1.0
 * @category models
 */
export type Role =
  | {
    readonly role: "master"
    readonly replicationOffset: number
    readonly replicas: Array<{ readonly ip: D.Text; readonly port: number; readonly offset: number }>
  }
  | {
    readonly role: "slave"
    readonly masterIp: D.Text
    readonly masterPort: number
    /** `connect`, `connecting`, `sync` or `connected`. */
    readonly state: D.Text
    readonly offset: number
  }
  | { readonly role: "sentinel"; readonly masters: Array<D.Text> }

const parseInfo = (s: string): Info => {
  const out: Info = {}
  let section: Record<string, D.Text> = {}
  for (const raw of s.split("\n")) {
    const line = raw.trim()
    if (line === "") continue
    if (line.startsWith("#")) {
      section = {}
      out[line.slice(1).trim().toLowerCase()] = section
      continue
    }
    const colon = line.indexOf(":")
    if (colon > 0) section[line.slice(0, colon)] = line.slice(colon + 1) as D.Text
  }
  return out
}

const textList = D.array(D.text)
const info = D.map(D.text, parseInfo)
const time: D.Decoder<ServerTime> = D.map(
  D.tuple(D.integer, D.integer),
  ([seconds, microseconds]) => ({ seconds, microseconds })
)
const textRecord = D.record(D.text)
const optionalInteger = D.optional(D.integer)
const doubleRecord = D.record(D.double)
const memoryStats: D.Decoder<MemoryStats> = D.record((reply) =>
  typeof reply === "number" || typeof reply === "string" || reply instanceof Uint8Array ||
    reply instanceof RespDouble
    ? D.double(reply)
    : doubleRecord(reply)
)

const commandInfo: D.Decoder<CommandInfo> = (reply) => {
  const item = D.items(reply)
  if (item.length < 10) throw new D.ReplyShapeError("a COMMAND INFO entry of 10 items", reply)
  return {
    name: D.text(item[0]!),
    arity: D.integer(item[1]!),
    flags: textList(item[2]!),
    firstKey: D.integer(item[3]!),
    lastKey: D.integer(item[4]!),
    step: D.integer(item[5]!),
    aclCategories: textList(item[6]!),
    tips: textList(item[7]!),
    subcommands: commandInfoList(item[9]!)
  }
}
const commandInfoList: D.Decoder<Array<CommandInfo>> = D.array(commandInfo)
const optionalCommandInfoList = D.array(D.optional(commandInfo))

// Recursive: subcommands are documented like commands, and absent for
// commands without any.
const commandDocs: D.Decoder<CommandDocs> = D.struct({
  summary: ["summary", D.text],
  since: ["since", D.text],
  group: ["group", D.text],
  complexity: ["complexity", D.optional(D.text)],
  subcommands: ["subcommands", (reply) => reply === null ? {} : commandDocsRecord(reply)]
})
const commandDocsRecord: D.Decoder<Record<string, CommandDocs>> = D.record(commandDocs)

const bulkList = D.array(D.bulk)
const keysAndFlags = D.array(D.map(D.tuple(D.bulk, textList), ([key, flags]) => ({ key, flags })))

const slowlog: D.Decoder<Array<SlowlogEntry>> = D.array((reply) => {
  const item = D.items(reply)
  if (item.length < 6) throw new D.ReplyShapeError("a SLOWLOG entry of 6 items", reply)
  return {
    id: D.integer(item[0]!),
    timestamp: D.integer(item[1]!),
    duration: D.integer(item[2]!),
    args: textList(item[3]!),
    clientAddress: D.text(item[4]!),
    clientName: D.text(item[5]!)
  }
})
const latencyLatest: D.Decoder<Array<LatencyLatest>> = D.array(D.map(
  D.tuple(D.text, D.integer, D.integer, D.integer),
  ([event, timestamp, latest, max]) => ({ event, timestamp, latest, max })
))
const latencyHistory = D.array(D.map(
  D.tuple(D.integer, D.integer),
  ([timestamp, latency]) => ({ timestamp, latency })
))

const role: D.Decoder<Role> = (reply) => {
  const item = D.items(reply)
  const kind = D.text(item[0] ?? null)
  switch (kind) {
    case "master":
      return {
        role: "master",
        replicationOffset: D.integer(item[1] ?? null),
        replicas: D.items(item[2] ?? null).map((replica) => {
          const [ip, port, offset] = D.tuple(D.text, D.integer, D.integer)(replica)
          return { ip, port, offset }
        })
      }
    case "slave":
      return {
        role: "slave",
        masterIp: D.text(item[1] ?? null),
        masterPort: D.integer(item[2] ?? null),
        state: D.text(item[3] ?? null),
        offset: D.integer(item[4] ?? null)
      }
    case "sentinel":
      return { role: "sentinel", masters: textList(item[1] ?? null) }
    default:
      throw new D.ReplyShapeError("a ROLE reply", reply)
  }
}

const declare = Declare.family()
const INFO = declare("INFO", Command.keyless)
const DBSIZE = declare("DBSIZE", { flags: Command.Flags.readonly, keys: undefined })
const FLUSHDB = declare("FLUSHDB", { flags: Command.Flags.write, keys: undefined })
const FLUSHALL = declare("FLUSHALL", { flags: Command.Flags.write, keys: undefined })
const SWAPDB = declare("SWAPDB", { flags: Command.Flags.write, keys: undefined })
const TIME = declare("TIME", Command.keyless)
const LASTSAVE = declare("LASTSAVE", Command.keyless)
const CONFIG_GET = declare("CONFIG GET", Command.keyless)
const CONFIG_SET = declare("CONFIG SET", Command.keyless)
const CONFIG_RESETSTAT = declare("CONFIG RESETSTAT", Command.keyless)
const CONFIG_REWRITE = declare("CONFIG REWRITE", Command.keyless)
const MEMORY_USAGE = declare("MEMORY USAGE", {
  flags: Command.Flags.readonly,
  keys: { first: 2, last: 2, step: 1 }
})
const MEMORY_STATS = declare("MEMORY STATS", Command.keyless)
const MEMORY_DOCTOR = declare("MEMORY DOCTOR", Command.keyless)
const MEMORY_MALLOC_STATS = declare("MEMORY MALLOC-STATS", Command.keyless)
const MEMORY_PURGE = declare("MEMORY PURGE", Command.keyless)
const COMMAND_COUNT = declare("COMMAND COUNT", Command.keyless)
const COMMAND_INFO = declare("COMMAND INFO", Command.keyless)
const COMMAND_DOCS = declare("COMMAND DOCS", Command.keyless)
const COMMAND_LIST = declare("COMMAND LIST", Command.keyless)
const COMMAND_GETKEYS = declare("COMMAND GETKEYS", Command.keyless)
const COMMAND_GETKEYSANDFLAGS = declare("COMMAND GETKEYSANDFLAGS", Command.keyless)
const LOLWUT = declare("LOLWUT", { flags: Command.Flags.readonly, keys: undefined })
const SLOWLOG_GET = declare("SLOWLOG GET", Command.keyless)
const SLOWLOG_LEN = declare("SLOWLOG LEN", Command.keyless)
const SLOWLOG_RESET = declare("SLOWLOG RESET", Command.keyless)
const LATENCY_LATEST = declare("LATENCY LATEST", Command.keyless)
const LATENCY_HISTORY = declare("LATENCY HISTORY", Command.keyless)
const LATENCY_RESET = declare("LATENCY RESET", Command.keyless)
const LATENCY_DOCTOR = declare("LATENCY DOCTOR", Command.keyless)
const WAIT = declare("WAIT", { flags: Command.Flags.blocking, keys: undefined })
const ROLE = declare("ROLE", Command.keyless)
const ACL_WHOAMI = declare("ACL WHOAMI", Command.keyless)
const ACL_CAT = declare("ACL CAT", Command.keyless)
const ACL_GENPASS = declare("ACL GENPASS", Command.keyless)

const flushArgs = (name: string, mode: FlushMode | undefined): ReadonlyArray<RedisArg> =>
  mode === undefined ? [name] : [name, mode.toUpperCase()]

/**
 * The server commands, one definition per command.
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
   * INFO: server information and statistics, parsed. Without sections the
   * server sends its default set; `"all"` or `"everything"` send more.
   *
   * @since 0.1.0
   */
  info: (...sections: ReadonlyArray<OneOrMany<string>>): Command.Command<Info> =>
    Command.make(INFO, [INFO.command, ...sections.flat()], info),
  /**
   * DBSIZE: the number of keys in the selected database.
   *
   * @since 0.1.0
   */
  dbsize: (): Command.Command<number> => Command.make(DBSIZE, [DBSIZE.command], D.integer),
  /**
   * FLUSHDB: deletes every key of the selected database.
   *
   * @since 0.1.0
   */
  flushdb: (options: { readonly mode?: FlushMode } = {}): Command.Command<void> =>
    Command.make(FLUSHDB, flushArgs(FLUSHDB.command, options.mode), D.ok),
  /**
   * FLUSHALL: deletes every key of every database.
   *
   * @since 0.1.0
   */
  flushall: (options: { readonly mode?: FlushMode } = {}): Command.Command<void> =>
    Command.make(FLUSHALL, flushArgs(FLUSHALL.command, options.mode), D.ok),
  /**
   * SWAPDB: exchanges two databases; clients connected to one see the
   * other's data at once.
   *
   * @since 0.1.0
   */
  swapdb: (index1: number, index2: number): Command.Command<void> =>
    Command.make(SWAPDB, [SWAPDB.command, index1, index2], D.ok),
  /**
   * TIME: the server clock.
   *
   * @since 0.1.0
   */
  time: (): Command.Command<ServerTime> => Command.make(TIME, [TIME.command], time),
  /**
   * LASTSAVE: Unix time in seconds of the last successful save to disk
   * (the server start when it never saved).
   *
   * @since 0.1.0
   */
  lastsave: (): Command.Command<number> => Command.make(LASTSAVE, [LASTSAVE.command], D.integer),
  /**
   * CONFIG GET: the configuration parameters matching any of the glob
   * patterns, name → value.
   *
   * @since 0.1.0
   */
  configGet: (...patterns: ReadonlyArray<OneOrMany<string>>): Command.Command<Record<string, D.Text>> => {
    const list = patterns.flat()
    return list.length === 0
      ? noneGiven(CONFIG_GET, "pattern")
      : Command.make(CONFIG_GET, [CONFIG_GET.command, CONFIG_GET.subcommand, ...list], textRecord)
  },
  /**
   * CONFIG SET: sets parameters, all or none. Needs at least one.
   *
   * @since 0.1.0
   */
  configSet: (parameters: Readonly<Record<string, RedisArg>>): Command.Command<void> => {
    if (hasNoEntries(parameters)) return noneGiven(CONFIG_SET, "parameter")
    const args: Array<RedisArg> = [CONFIG_SET.command, CONFIG_SET.subcommand]
    for (const name in parameters) args.push(name, parameters[name]!)
    return Command.make(CONFIG_SET, args, D.ok)
  },
  /**
   * CONFIG RESETSTAT: resets the statistics INFO reports.
   *
   * @since 0.1.0
   */
  configResetstat: (): Command.Command<void> =>
    Command.make(CONFIG_RESETSTAT, [CONFIG_RESETSTAT.command, CONFIG_RESETSTAT.subcommand], D.ok),
  /**
   * CONFIG REWRITE: writes the running configuration to the config file;
   * fails when the server was started without one.
   *
   * @since 0.1.0
   */
  configRewrite: (): Command.Command<void> =>
    Command.make(CONFIG_REWRITE, [CONFIG_REWRITE.command, CONFIG_REWRITE.subcommand], D.ok),
  /**
   * MEMORY USAGE: bytes a key and its value take, estimated from `samples`
   * nested values (server default 5, `0` = all).
   *
   * @returns none when the key does not exist.
   * @since 0.1.0
   */
  memoryUsage: (key: RedisKey, options: { readonly samples?: number } = {}): Command.Command<Option.Option<number>> =>
    Command.make(
      MEMORY_USAGE,
      options.samples === undefined
        ? [MEMORY_USAGE.command, MEMORY_USAGE.subcommand, key]
        : [MEMORY_USAGE.command, MEMORY_USAGE.subcommand, key, "SAMPLES", options.samples],
      optionalInteger
    ),
  /**
   * MEMORY STATS: memory usage metrics.
   *
   * @since 0.1.0
   */
  memoryStats: (): Command.Command<MemoryStats> =>
    Command.make(MEMORY_STATS, [MEMORY_STATS.command, MEMORY_STATS.subcommand], memoryStats),
  /**
   * MEMORY DOCTOR: the server's advice on memory problems, as prose.
   *
   * @since 0.1.0
   */
  memoryDoctor: (): Command.Command<D.Text> =>
    Command.make(MEMORY_DOCTOR, [MEMORY_DOCTOR.command, MEMORY_DOCTOR.subcommand], D.text),
  /**
   * MEMORY MALLOC-STATS: the allocator's internal statistics, as text.
   *
   * @since 0.1.0
   */
  memoryMallocStats: (): Command.Command<D.Text> =>
    Command.make(MEMORY_MALLOC_STATS, [MEMORY_MALLOC_STATS.command, MEMORY_MALLOC_STATS.subcommand], D.text),
  /**
   * MEMORY PURGE: asks the allocator to release dirty pages.
   *
   * @since 0.1.0
   */
  memoryPurge: (): Command.Command<void> =>
    Command.make(MEMORY_PURGE, [MEMORY_PURGE.command, MEMORY_PURGE.subcommand], D.ok),
  /**
   * COMMAND COUNT: how many commands the server has (subcommands not
   * counted).
   *
   * @since 0.1.0
   */
  commandCount: (): Command.Command<number> =>
    Command.make(COMMAND_COUNT, [COMMAND_COUNT.command, COMMAND_COUNT.subcommand], D.integer),
  /**
   * COMMAND INFO: the named commands, in order; none for an unknown name.
   * Without names, every command.
   *
   * @since 0.1.0
   */
  commandInfo: (...names: ReadonlyArray<OneOrMany<string>>): Command.Command<Array<Option.Option<CommandInfo>>> =>
    Command.make(
      COMMAND_INFO,
      [COMMAND_INFO.command, COMMAND_INFO.subcommand, ...names.flat()],
      optionalCommandInfoList
    ),
  /**
   * COMMAND DOCS: documentation by command name (lower case); unknown
   * names are left out. Without names, every command.
   *
   * @since 0.1.0
   */
  commandDocs: (...names: ReadonlyArray<OneOrMany<string>>): Command.Command<Record<string, CommandDocs>> =>
    Command.make(COMMAND_DOCS, [COMMAND_DOCS.command, COMMAND_DOCS.subcommand, ...names.flat()], commandDocsRecord),
  /**
   * COMMAND LIST: the names of all commands and subcommands (as
   * `container|subcommand`), or of those passing a filter.
   *
   * @since 0.1.0
   */
  commandList: (options: { readonly filterby?: CommandListFilter } = {}): Command.Command<Array<D.Text>> => {
    const filter = options.filterby
    const args: ReadonlyArray<RedisArg> = filter === undefined
      ? [COMMAND_LIST.command, COMMAND_LIST.subcommand]
      : "module" in filter
      ? [COMMAND_LIST.command, COMMAND_LIST.subcommand, "FILTERBY", "MODULE", filter.module]
      : "aclcat" in filter
      ? [COMMAND_LIST.command, COMMAND_LIST.subcommand, "FILTERBY", "ACLCAT", filter.aclcat]
      : [COMMAND_LIST.command, COMMAND_LIST.subcommand, "FILTERBY", "PATTERN", filter.pattern]
    return Command.make(COMMAND_LIST, args, textList)
  },
  /**
   * COMMAND GETKEYS: the keys of a full command line, as the server finds
   * them. Fails for commands without keys.
   *
   * @since 0.1.0
   */
  commandGetkeys: (command: ReadonlyArray<RedisArg>): Command.Command<Array<string>> =>
    command.length === 0
      ? noneGiven(COMMAND_GETKEYS, "command word")
      : Command.make(COMMAND_GETKEYS, [COMMAND_GETKEYS.command, COMMAND_GETKEYS.subcommand, ...command], bulkList),
  /**
   * COMMAND GETKEYSANDFLAGS: the keys of a full command line with their
   * access flags (`RW`, `access`, `update`…).
   *
   * @since 0.1.0
   */
  commandGetkeysandflags: (
    command: ReadonlyArray<RedisArg>
  ): Command.Command<Array<{ readonly key: string; readonly flags: Array<D.Text> }>> =>
    command.length === 0
      ? noneGiven(COMMAND_GETKEYSANDFLAGS, "command word")
      : Command.make(COMMAND_GETKEYSANDFLAGS, [
        COMMAND_GETKEYSANDFLAGS.command,
        COMMAND_GETKEYSANDFLAGS.subcommand,
        ...command
      ], keysAndFlags),
  /**
   * LOLWUT: computer art and the server version.
   *
   * @since 0.1.0
   */
  lolwut: (options: { readonly version?: number } = {}): Command.Command<D.Text> =>
    Command.make(
      LOLWUT,
      options.version === undefined ? [LOLWUT.command] : [LOLWUT.command, "VERSION", options.version],
      D.text
    ),
  /**
   * SLOWLOG GET: the latest slow log entries, newest first (server default
   * 10, `-1` = all).
   *
   * @since 0.1.0
   */
  slowlogGet: (count?: number): Command.Command<Array<SlowlogEntry>> =>
    Command.make(
      SLOWLOG_GET,
      count === undefined
        ? [SLOWLOG_GET.command, SLOWLOG_GET.subcommand]
        : [SLOWLOG_GET.command, SLOWLOG_GET.subcommand, count],
      slowlog
    ),
  /**
   * SLOWLOG LEN: the number of entries in the slow log.
   *
   * @since 0.1.0
   */
  slowlogLen: (): Command.Command<number> =>
    Command.make(SLOWLOG_LEN, [SLOWLOG_LEN.command, SLOWLOG_LEN.subcommand], D.integer),
  /**
   * SLOWLOG RESET: empties the slow log.
   *
   * @since 0.1.0
   */
  slowlogReset: (): Command.Command<void> =>
    Command.make(SLOWLOG_RESET, [SLOWLOG_RESET.command, SLOWLOG_RESET.subcommand], D.ok),
  /**
   * LATENCY LATEST: the latest spike of every latency event. Empty unless
   * `latency-monitor-threshold` is set.
   *
   * @since 0.1.0
   */
  latencyLatest: (): Command.Command<Array<LatencyLatest>> =>
    Command.make(LATENCY_LATEST, [LATENCY_LATEST.command, LATENCY_LATEST.subcommand], latencyLatest),
  /**
   * LATENCY HISTORY: the recorded spikes of one event, oldest first
   * (Unix seconds, milliseconds).
   *
   * @since 0.1.0
   */
  latencyHistory: (
    event: string
  ): Command.Command<Array<{ readonly timestamp: number; readonly latency: number }>> =>
    Command.make(LATENCY_HISTORY, [LATENCY_HISTORY.command, LATENCY_HISTORY.subcommand, event], latencyHistory),
  /**
   * LATENCY RESET: forgets the spikes of the named events, or of all.
   *
   * @returns how many event series were reset.
   * @since 0.1.0
   */
  latencyReset: (...events: ReadonlyArray<OneOrMany<string>>): Command.Command<number> =>
    Command.make(LATENCY_RESET, [LATENCY_RESET.command, LATENCY_RESET.subcommand, ...events.flat()], D.integer),
  /**
   * LATENCY DOCTOR: the server's analysis of its latency spikes, as prose.
   *
   * @since 0.1.0
   */
  latencyDoctor: (): Command.Command<D.Text> =>
    Command.make(LATENCY_DOCTOR, [LATENCY_DOCTOR.command, LATENCY_DOCTOR.subcommand], D.text),
  /**
   * WAIT: blocks until the writes of this connection reached `numreplicas`
   * replicas or `timeout` passed: a number of milliseconds or a `Duration`,
   * whole milliseconds, `0` or `Duration.infinity` for forever. Runs
   * on a dedicated connection, so it only waits for that connection's
   * writes: issue the writes and the WAIT in one `reserve`d connection or
   * transaction to make it meaningful.
   *
   * @returns how many replicas acknowledged.
   * @since 0.1.0
   */
  wait: (numreplicas: number, timeout: Duration.DurationInput): Command.Command<number> =>
    Time.withTime(
      WAIT,
      Time.timeoutMillis(timeout, "timeout"),
      (millis) => Command.makeBlocking(WAIT, [WAIT.command, numreplicas, millis], D.integer, millis)
    ),
  /**
   * ROLE: whether the server is a master, a replica or a sentinel, and its
   * replication state.
   *
   * @since 0.1.0
   */
  role: (): Command.Command<Role> => Command.make(ROLE, [ROLE.command], role),
  /**
   * ACL WHOAMI: the user the connection is authenticated as.
   *
   * @since 0.1.0
   */
  aclWhoami: (): Command.Command<D.Text> =>
    Command.make(ACL_WHOAMI, [ACL_WHOAMI.command, ACL_WHOAMI.subcommand], D.text),
  /**
   * ACL CAT: the ACL categories, or the commands of one category.
   *
   * @since 0.1.0
   */
  aclCat: (category?: string): Command.Command<Array<D.Text>> =>
    Command.make(
      ACL_CAT,
      category === undefined ? [ACL_CAT.command, ACL_CAT.subcommand] : [ACL_CAT.command, ACL_CAT.subcommand, category],
      textList
    ),
  /**
   * ACL GENPASS: a random password from the server's CSPRNG, `bits` long
   * (server default 256), in hex.
   *
   * @since 0.1.0
   */
  aclGenpass: (bits?: number): Command.Command<D.Text> =>
    Command.make(
      ACL_GENPASS,
      bits === undefined
        ? [ACL_GENPASS.command, ACL_GENPASS.subcommand]
        : [ACL_GENPASS.command, ACL_GENPASS.subcommand, bits],
      D.text
    )
} as const

/**
 * Every spec of the family, for the coverage test.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
