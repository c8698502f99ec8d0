/**
 * Connection commands that leave the connection's state alone: PING, ECHO
 * and the CLIENT introspection and control subcommands.
 *
 * The commands that change the state of the connection they run on (HELLO,
 * AUTH, SELECT, RESET, QUIT, CLIENT SETNAME, CLIENT REPLY, CLIENT TRACKING,
 * CLIENT CACHING) are not here: the client issues them itself, during the
 * handshake or on the dedicated connections that need them.
 *
 * @since 0.1.0
 */
import type { Option } from "effect"
import type * as Duration from "effect/Duration"
import * as Command from "../Command.js"
import type { RedisArg } from "../Command.js"
import { noneGiven } from "../internal/args.js"
import * as Declare from "../internal/declare.js"
import * as Time from "../internal/time.js"
import * as D from "../ReplyDecoder.js"

/**
 * A client as CLIENT LIST and CLIENT INFO describe it: field name → value,
 * as the server prints them (`id`, `addr`, `name`, `age`, `idle`, `flags`,
 * `db`, `cmd`, `user`…). Every value is text, numbers included, and stays
 * text in the binary view.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientInfo = Record<string, D.Text>

/**
 * The client types CLIENT LIST and CLIENT KILL filter by.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientType = "normal" | "master" | "replica" | "pubsub"

/**
 * Filters of CLIENT KILL; a client must match all of them. `skipme`
 * defaults to `true` on the server (the calling connection is spared).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientKillFilter {
  readonly id?: number
  readonly type?: ClientType
  readonly user?: string
  /** `ip:port` of the client. */
  readonly addr?: string
  /** `ip:port` of the server side of the connection. */
  readonly laddr?: string
  readonly skipme?: boolean
}

/**
 * CLIENT TRACKINGINFO: the client-side caching state of the connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface TrackingInfo {
  readonly flags: Array<D.Text>
  /** The client id invalidations are redirected to; `0` none, `-1` tracking off. */
  readonly redirect: number
  readonly prefixes: Array<D.Text>
}

// One line per client, `name=value` pairs separated by spaces. Values never
// contain spaces except `name`, which the server forbids to hold any.
const parseClientLine = (line: string): ClientInfo => {
  const out: ClientInfo = {}
  for (const pair of line.split(" ")) {
    const eq = pair.indexOf("=")
    if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1) as D.Text
  }
  return out
}

const clientLine: D.Decoder<ClientInfo> = D.map(D.text, (s) => parseClientLine(s.trim()))
const clientLines: D.Decoder<Array<ClientInfo>> = D.map(
  D.text,
  (s) => s.split("\n").filter((line) => line.trim() !== "").map((line) => parseClientLine(line.trim()))
)
const trackingInfo: D.Decoder<TrackingInfo> = D.struct({
  flags: ["flags", D.array(D.text)],
  redirect: ["redirect", D.integer],
  prefixes: ["prefixes", D.array(D.text)]
})

const declare = Declare.family()
const PING = declare("PING", Command.keyless)
const ECHO = declare("ECHO", Command.keyless)
const CLIENT_ID = declare("CLIENT ID", Command.keyless)
const CLIENT_INFO = declare("CLIENT INFO", Command.keyless)
const CLIENT_LIST = declare("CLIENT LIST", Command.keyless)
const CLIENT_KILL = declare("CLIENT KILL", Command.keyless)
const CLIENT_GETNAME = declare("CLIENT GETNAME", Command.keyless)
const CLIENT_GETREDIR = declare("CLIENT GETREDIR", Command.keyless)
const CLIENT_TRACKINGINFO = declare("CLIENT TRACKINGINFO", Command.keyless)
const CLIENT_NO_EVICT = declare("CLIENT NO-EVICT", { flags: Command.Flags.connectionState, keys: undefined })
const CLIENT_PAUSE = declare("CLIENT PAUSE", Command.keyless)
const CLIENT_UNPAUSE = declare("CLIENT UNPAUSE", Command.keyless)
const CLIENT_UNBLOCK = declare("CLIENT UNBLOCK", Command.keyless)

const optionalBulk = D.optional(D.bulk)

/**
 * The connection commands, one definition per command.
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
   * PING: checks the server answers.
   *
   * @returns `"PONG"` (a status, so text in the binary view too).
   * @since 0.1.0
   */
  ping: (): Command.Command<D.Text> => Command.make(PING, [PING.command], D.text),
  /**
   * PING with a message: the server sends `message` back, as a bulk string
   * (bytes in the binary view).
   *
   * @since 0.1.0
   */
  pingMessage: (message: RedisArg): Command.Command<string> => Command.make(PING, [PING.command, message], D.bulk),
  /**
   * ECHO: the server sends `message` back.
   *
   * @since 0.1.0
   */
  echo: (message: RedisArg): Command.Command<string> => Command.make(ECHO, [ECHO.command, message], D.bulk),
  /**
   * CLIENT ID: the id of the connection the command runs on. With a pool
   * or several connections it identifies whichever one carried it.
   *
   * @since 0.1.0
   */
  clientId: (): Command.Command<number> =>
    Command.make(CLIENT_ID, [CLIENT_ID.command, CLIENT_ID.subcommand], D.integer),
  /**
   * CLIENT INFO: the connection the command runs on, as CLIENT LIST prints it.
   *
   * @since 0.1.0
   */
  clientInfo: (): Command.Command<ClientInfo> =>
    Command.make(CLIENT_INFO, [CLIENT_INFO.command, CLIENT_INFO.subcommand], clientLine),
  /**
   * CLIENT LIST: every connected client, optionally only those of a type
   * or with the given ids.
   *
   * @since 0.1.0
   */
  clientList: (
    options: { readonly type?: ClientType; readonly ids?: ReadonlyArray<number> } = {}
  ): Command.Command<Array<ClientInfo>> => {
    const args: Array<RedisArg> = [CLIENT_LIST.command, CLIENT_LIST.subcommand]
    if (options.type !== undefined) args.push("TYPE", options.type)
    if (options.ids !== undefined && options.ids.length > 0) args.push("ID", ...options.ids)
    return Command.make(CLIENT_LIST, args, clientLines)
  },
  /**
   * CLIENT KILL with filters: closes every client matching all of them.
   *
   * @returns how many clients were closed.
   * @since 0.1.0
   */
  clientKill: (filter: ClientKillFilter): Command.Command<number> => {
    const args: Array<RedisArg> = [CLIENT_KILL.command, CLIENT_KILL.subcommand]
    if (filter.id !== undefined) args.push("ID", filter.id)
    if (filter.type !== undefined) args.push("TYPE", filter.type)
    if (filter.user !== undefined) args.push("USER", filter.user)
    if (filter.addr !== undefined) args.push("ADDR", filter.addr)
    if (filter.laddr !== undefined) args.push("LADDR", filter.laddr)
    if (filter.skipme !== undefined) args.push("SKIPME", filter.skipme ? "yes" : "no")
    return args.length === 2 ? noneGiven(CLIENT_KILL, "filter") : Command.make(CLIENT_KILL, args, D.integer)
  },
  /**
   * CLIENT GETNAME: the name of the connection the command runs on.
   *
   * @returns none when it has no name.
   * @since 0.1.0
   */
  clientGetname: (): Command.Command<Option.Option<string>> =>
    Command.make(CLIENT_GETNAME, [CLIENT_GETNAME.command, CLIENT_GETNAME.subcommand], optionalBulk),
  /**
   * CLIENT GETREDIR: the client id tracking invalidations are redirected to.
   *
   * @returns the id, `0` when tracking is on without redirection, `-1` when
   * tracking is off.
   * @since 0.1.0
   */
  clientGetredir: (): Command.Command<number> =>
    Command.make(CLIENT_GETREDIR, [CLIENT_GETREDIR.command, CLIENT_GETREDIR.subcommand], D.integer),
  /**
   * CLIENT TRACKINGINFO: the client-side caching state of the connection.
   *
   * @since 0.1.0
   */
  clientTrackinginfo: (): Command.Command<TrackingInfo> =>
    Command.make(CLIENT_TRACKINGINFO, [CLIENT_TRACKINGINFO.command, CLIENT_TRACKINGINFO.subcommand], trackingInfo),
  /**
   * CLIENT NO-EVICT: exempts the connection from client eviction
   * (`maxmemory-clients`), or makes it evictable again. It changes the
   * connection's state: refused on the shared connection, run it on a
   * reserved one (`redis.reserve`).
   *
   * @since 0.1.0
   */
  clientNoEvict: (on: boolean): Command.Command<void> =>
    Command.make(CLIENT_NO_EVICT, [CLIENT_NO_EVICT.command, CLIENT_NO_EVICT.subcommand, on ? "ON" : "OFF"], D.ok),
  /**
   * CLIENT PAUSE: suspends every client's commands (`mode: "all"`, the
   * default) or only writes (`"write"`) for `duration`: a number of
   * milliseconds or a `Duration` of whole milliseconds (otherwise
   * `RedisArgumentError`, unsent).
   * The reply comes at once; later commands of other clients wait.
   *
   * @since 0.1.0
   */
  clientPause: (
    duration: Duration.DurationInput,
    options: { readonly mode?: "write" | "all" } = {}
  ): Command.Command<void> =>
    Time.withTime(CLIENT_PAUSE, Time.span(duration, "milliseconds", "duration"), (millis) =>
      Command.make(
        CLIENT_PAUSE,
        options.mode === undefined
          ? [CLIENT_PAUSE.command, CLIENT_PAUSE.subcommand, millis]
          : [CLIENT_PAUSE.command, CLIENT_PAUSE.subcommand, millis, options.mode.toUpperCase()],
        D.ok
      )),
  /**
   * CLIENT UNPAUSE: ends a CLIENT PAUSE early.
   *
   * @since 0.1.0
   */
  clientUnpause: (): Command.Command<void> =>
    Command.make(CLIENT_UNPAUSE, [CLIENT_UNPAUSE.command, CLIENT_UNPAUSE.subcommand], D.ok),
  /**
   * CLIENT UNBLOCK: wakes up a client blocked in BLPOP, XREAD BLOCK, WAIT…
   * as if it timed out, or with an `UNBLOCKED` error when `error` is set.
   *
   * @returns `true` if the client was blocked and got unblocked.
   * @since 0.1.0
   */
  clientUnblock: (clientId: number, options: { readonly error?: boolean } = {}): Command.Command<boolean> =>
    Command.make(
      CLIENT_UNBLOCK,
      options.error === true
        ? [CLIENT_UNBLOCK.command, CLIENT_UNBLOCK.subcommand, clientId, "ERROR"]
        : [CLIENT_UNBLOCK.command, CLIENT_UNBLOCK.subcommand, clientId],
      D.boolean
    )
} as const

/**
 * Every spec of the family, for the coverage test.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
