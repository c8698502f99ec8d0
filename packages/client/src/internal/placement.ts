/**
 * Which connection a command may run on. The shared connection carries
 * every caller's commands in one stream, so nothing may block it or change
 * its state (database, subscriber mode, reply mode, an open transaction, a
 * WATCH…): blocking commands go to a pool connection, and state-changing
 * ones are refused before anything is sent; they run only on a connection
 * the caller reserved (`redis.reserve`), which is closed afterwards.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Command from "../Command.js"
import type { Lender } from "../Executor.js"
import { RedisArgumentError, type RedisError } from "../RedisError.js"

const { blocking, connectionState, pubsub } = Command.Flags

/** The flags that keep a command off the shared connection: one test per command on the hot path. */
export const dedicated = blocking | connectionState | pubsub

const stateful = connectionState | pubsub

/**
 * What commands sent untyped do to their connection, by name, after the
 * server's own classification (`COMMAND INFO`): the `@connection` and
 * `@transaction` commands that change the connection, the subscriber
 * commands (`pubsub`, `noscript`), replication and MONITOR (a connection
 * that streams), and the `blocking` ones.
 */
const byName: Record<string, number> = {
  SELECT: connectionState,
  AUTH: connectionState,
  HELLO: connectionState,
  RESET: connectionState,
  QUIT: connectionState,
  READONLY: connectionState,
  READWRITE: connectionState,
  ASKING: connectionState,
  WATCH: connectionState,
  UNWATCH: connectionState,
  MULTI: connectionState,
  EXEC: connectionState,
  DISCARD: connectionState,
  MONITOR: connectionState,
  SYNC: connectionState,
  PSYNC: connectionState,
  REPLCONF: connectionState,
  SUBSCRIBE: pubsub,
  PSUBSCRIBE: pubsub,
  SSUBSCRIBE: pubsub,
  UNSUBSCRIBE: pubsub,
  PUNSUBSCRIBE: pubsub,
  SUNSUBSCRIBE: pubsub,
  BLPOP: blocking,
  BRPOP: blocking,
  BRPOPLPUSH: blocking,
  BLMOVE: blocking,
  BLMPOP: blocking,
  BZPOPMIN: blocking,
  BZPOPMAX: blocking,
  BZMPOP: blocking,
  WAIT: blocking,
  WAITAOF: blocking
}

/** The same for subcommands of container commands. */
const bySubcommand: Record<string, Record<string, number>> = {
  CLIENT: {
    REPLY: connectionState,
    TRACKING: connectionState,
    CACHING: connectionState,
    SETNAME: connectionState,
    SETINFO: connectionState,
    "NO-EVICT": connectionState,
    "NO-TOUCH": connectionState
  },
  SCRIPT: { DEBUG: connectionState }
}

const textDecoder = new TextDecoder()

const word = (arg: Command.RedisArg | undefined): string =>
  (arg instanceof Uint8Array ? textDecoder.decode(arg) : String(arg ?? "")).toUpperCase()

/** The flags of a command sent through `raw`, from its name and subcommand. */
export const rawFlags = (args: ReadonlyArray<Command.RedisArg>): number => {
  const name = word(args[0])
  const subcommands = bySubcommand[name]
  if (subcommands !== undefined) return subcommands[word(args[1])] ?? 0
  // XREAD and XREADGROUP block only with a BLOCK option.
  if (name === "XREAD" || name === "XREADGROUP") return args.some((arg) => word(arg) === "BLOCK") ? blocking : 0
  return byName[name] ?? 0
}

/** Where a blocking command sent untyped says how long it blocks: the argument's index, and its unit in ms. */
const blockArgument: Record<string, { readonly at: "last" | number; readonly unitMillis: number }> = {
  BLPOP: { at: "last", unitMillis: 1000 },
  BRPOP: { at: "last", unitMillis: 1000 },
  BRPOPLPUSH: { at: "last", unitMillis: 1000 },
  BLMOVE: { at: "last", unitMillis: 1000 },
  BZPOPMIN: { at: "last", unitMillis: 1000 },
  BZPOPMAX: { at: "last", unitMillis: 1000 },
  BLMPOP: { at: 1, unitMillis: 1000 },
  BZMPOP: { at: 1, unitMillis: 1000 },
  WAIT: { at: "last", unitMillis: 1 },
  WAITAOF: { at: "last", unitMillis: 1 }
}

/**
 * How long a blocking command sent untyped may hold its reply, in ms (`0`
 * = indefinitely), read from its arguments as the server reads them, so
 * that its reply is awaited that long beyond the command timeout, as for
 * the typed methods. One that does not say (a timeout that does not parse,
 * which the server refuses at once) is given no bound.
 */
export const rawBlockMillis = (args: ReadonlyArray<Command.RedisArg>): number => {
  const name = word(args[0])
  const rule = name === "XREAD" || name === "XREADGROUP"
    ? { at: args.findIndex((arg) => word(arg) === "BLOCK") + 1, unitMillis: 1 }
    : blockArgument[name]
  const index = rule === undefined ? 0 : rule.at === "last" ? args.length - 1 : rule.at
  const millis = index > 0 ? Number(word(args[index])) * rule!.unitMillis : Number.NaN
  return Number.isFinite(millis) && millis > 0 ? millis : 0
}

/**
 * Why a raw command is refused on every connection, if it is: `CLIENT
 * REPLY OFF` and `SKIP` take away replies, and replies are matched to
 * commands in order.
 */
export const refusedEverywhere = (args: ReadonlyArray<Command.RedisArg>): string | undefined => {
  if (word(args[0]) !== "CLIENT" || word(args[1]) !== "REPLY") return undefined
  const mode = word(args[2])
  return mode === "OFF" || mode === "SKIP"
    ? `CLIENT REPLY ${mode} is not supported: replies are matched to commands in order, ` +
      "so a command without its reply would take the reply of the next one"
    : undefined
}

/** The refusal of a state-changing command on the shared connection. */
export const refusal = (command: Command.Command<unknown>): RedisArgumentError =>
  new RedisArgumentError({
    message: `${command.spec.name} changes the state of the connection it runs on, and would change it for every ` +
      "caller of the shared connection (and be undone by a reconnect): run it on a dedicated connection from " +
      "`redis.reserve`",
    command: command.spec.name,
    outcome: "not-sent"
  })

/**
 * Runs a command that cannot share the connection: refused if it changes
 * the connection's state, else (blocking) on a pool connection.
 */
export const aside = <A>(
  command: Command.Command<A>,
  pooled: (command: Command.Command<A>) => Effect.Effect<A, RedisError>
): Effect.Effect<A, RedisError> =>
  (command.spec.flags & stateful) !== 0 ? Effect.fail(refusal(command)) : pooled(command)

/**
 * Where a batch runs: on the shared connection, on a pool connection (it
 * contains a blocking command, which would hold up every caller), or
 * nowhere: a state-changing command outside a complete MULTI … EXEC (or
 * DISCARD), which goes out contiguously and leaves the connection as it
 * found it.
 */
export const ofBatch = (batch: ReadonlyArray<Command.Command<unknown>>): "shared" | "pool" | RedisArgumentError => {
  let blocks = false
  let multi: Command.Command<unknown> | undefined = undefined
  for (const command of batch) {
    const flags = command.spec.flags
    if ((flags & dedicated) === 0) continue
    if ((flags & blocking) !== 0) blocks = true
    if ((flags & stateful) === 0) continue
    const name = command.spec.name
    if (multi === undefined && name === "MULTI") multi = command
    else if (multi !== undefined && (name === "EXEC" || name === "DISCARD")) multi = undefined
    else return refusal(command)
  }
  if (multi !== undefined) return refusal(multi)
  return blocks ? "pool" : "shared"
}

/** Every command of a batch fails with `error`. */
export const failedBatch = (
  batch: ReadonlyArray<Command.Command<unknown>>,
  error: RedisError
): Array<Exit.Exit<unknown, RedisError>> => batch.map(() => Exit.fail(error))

/** Runs a batch on a connection of `lender`; not getting one fails every command. */
export const onPool = (
  lender: Lender,
  batch: ReadonlyArray<Command.Command<unknown>>,
  binary: boolean
): Effect.Effect<Array<Exit.Exit<unknown, RedisError>>> =>
  lender.withConnection((connection) => connection.executeAll(batch, binary)).pipe(
    Effect.catchAll((error) => Effect.succeed(failedBatch(batch, error)))
  )
