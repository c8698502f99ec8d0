/**
 * The handshake every (re)connection runs before it takes commands:
 * `HELLO 3` with AUTH and SETNAME (then SELECT), or, when RESP2 was asked
 * for or the server does not know HELLO, `AUTH`, `CLIENT SETNAME` and
 * `SELECT`, or `PING` when there is nothing else to send: every handshake
 * waits for an answer, so a server that accepts connections and never
 * answers fails it. Everything is sent in one batch; one round trip.
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Command from "../Command.js"
import type { Resolved } from "../RedisConfig.js"
import { RedisAuthError, RedisConnectionError, type RedisError, RedisReplyError } from "../RedisError.js"
import * as ReplyDecoder from "../ReplyDecoder.js"

/** Sends commands straight to the socket and collects every outcome, in order. */
export type SendAll = (
  commands: ReadonlyArray<Command.Command<unknown>>
) => Effect.Effect<Array<Exit.Exit<unknown, RedisError>>>

const raw = (reply: RespValue): RespValue => reply
const connectionState = { flags: Command.Flags.connectionState, keys: undefined }
const HELLO = Command.spec("HELLO", connectionState)
const AUTH = Command.spec("AUTH", connectionState)
const CLIENT_SETNAME = Command.spec("CLIENT SETNAME", connectionState)
const SELECT = Command.spec("SELECT", connectionState)
const PING = Command.spec("PING", Command.keyless)
const ROLE = Command.spec("ROLE", Command.keyless)
const CLIENT_TRACKING = Command.spec("CLIENT TRACKING", connectionState)
const READONLY = Command.spec("READONLY", connectionState)

/**
 * What a connection asks of the server beyond the defaults: `tracking`
 * turns on `CLIENT TRACKING` (client-side caching, RESP3 only);
 * `replicaReads` sends `READONLY`, so that a cluster replica answers reads
 * of its master's slots.
 */
export interface Extras {
  readonly tracking: boolean
  readonly replicaReads: boolean
}
const roleName = (reply: RespValue): string => ReplyDecoder.text(ReplyDecoder.items(reply)[0] ?? "")

const authCodes = new Set(["WRONGPASS", "NOAUTH", "NOPERM", "AUTH"])

/** Runs the handshake with its `extras`; succeeds with the protocol the connection speaks. */
export const run = (config: Resolved, sendAll: SendAll, extras: Extras): Effect.Effect<2 | 3, RedisError> => {
  if (config.protocol === 2) return resp2(config, sendAll, extras)
  const { clientName, database, password, username } = config
  const hello: Array<Command.RedisArg> = ["HELLO", 3]
  if (password !== undefined) hello.push("AUTH", username ?? "default", Redacted.value(password))
  if (clientName !== undefined) hello.push("SETNAME", clientName)
  const batch: Array<Command.Command<unknown>> = [Command.make(HELLO, hello, raw)]
  if (database !== 0) batch.push(Command.make(SELECT, ["SELECT", database], raw))
  if (extras.tracking) batch.push(Command.make(CLIENT_TRACKING, ["CLIENT", "TRACKING", "ON"], raw))
  if (extras.replicaReads) batch.push(Command.make(READONLY, ["READONLY"], raw))
  if (config.sentinel !== undefined) batch.push(Command.make(ROLE, ["ROLE"], roleName))
  return Effect.flatMap(sendAll(batch), (exits) => {
    const failure = failureOf(exits[0]!)
    if (
      failure instanceof RedisReplyError && (failure.code === "NOPROTO" || /unknown command/i.test(failure.message))
    ) {
      // The server predates RESP3 (or refuses it): speak RESP2 instead.
      return resp2(config, sendAll, extras)
    }
    return Effect.as(checkAllBehindSentinel(config, exits), 3 as const)
  })
}

const resp2 = (config: Resolved, sendAll: SendAll, extras: Extras): Effect.Effect<2, RedisError> => {
  if (extras.tracking) {
    return Effect.fail(
      new RedisConnectionError({
        reason: "Handshake",
        message: "Client-side caching needs RESP3 (HELLO 3), which this server does not speak; turn the cache off",
        outcome: "not-sent"
      })
    )
  }
  const { clientName, database, password, username } = config
  const batch: Array<Command.Command<unknown>> = []
  if (password !== undefined) {
    const secret = Redacted.value(password)
    batch.push(Command.make(AUTH, username === undefined ? ["AUTH", secret] : ["AUTH", username, secret], raw))
  }
  if (clientName !== undefined) batch.push(Command.make(CLIENT_SETNAME, ["CLIENT", "SETNAME", clientName], raw))
  if (database !== 0) batch.push(Command.make(SELECT, ["SELECT", database], raw))
  if (extras.replicaReads) batch.push(Command.make(READONLY, ["READONLY"], raw))
  if (config.sentinel !== undefined) batch.push(Command.make(ROLE, ["ROLE"], roleName))
  if (batch.length === 0) return Effect.as(Effect.flatMap(sendAll([ping]), ([exit]) => checkAlive(exit!)), 2 as const)
  return Effect.as(Effect.flatMap(sendAll(batch), (exits) => checkAllBehindSentinel(config, exits)), 2 as const)
}

const ping = Command.make(PING, ["PING"], raw)

/**
 * Any answer to the handshake's PING shows the server is there, except
 * NOAUTH: it wants a password none was given for. (An ACL without PING, or
 * a server still loading, refuses PING yet serves the connection.)
 */
const checkAlive = (exit: Exit.Exit<unknown, RedisError>): Effect.Effect<void, RedisError> => {
  const refusal = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
  return refusal instanceof RedisReplyError && refusal.code !== "NOAUTH" ? Effect.void : checkAll([exit])
}

/**
 * Behind Sentinel the last reply is ROLE's: a server that is not (or no
 * longer) a master is refused, and the reconnect asks the sentinels again.
 * A user the ACL does not allow ROLE skips the check rather than never
 * connecting.
 */
const checkAllBehindSentinel = (
  config: Resolved,
  exits: ReadonlyArray<Exit.Exit<unknown, RedisError>>
): Effect.Effect<void, RedisError> => {
  if (config.sentinel === undefined) return checkAll(exits)
  const role = exits[exits.length - 1]!
  const denied = Exit.isFailure(role) && failureOf(role) instanceof RedisAuthError
  const checked = denied ? exits.slice(0, -1) : exits
  return Effect.zipRight(
    checkAll(checked),
    Exit.isSuccess(role) ? checkMaster(config.sentinel.name, role.value) : Effect.void
  )
}

const checkMaster = (name: string, role: unknown): Effect.Effect<void, RedisError> => {
  if (role === "master") return Effect.void
  return Effect.fail(
    new RedisConnectionError({
      reason: "Handshake",
      message: `The server the sentinels named as master "${name}" reports the role ` +
        `"${String(role)}" (a failover is under way); the next attempt asks the sentinels again`,
      outcome: "not-sent"
    })
  )
}

/** What a failed handshake step means: refused credentials, a server that lacks HELLO, or another refusal. */
const failureOf = (exit: Exit.Exit<unknown, RedisError>): RedisError | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (error instanceof RedisReplyError && authCodes.has(error.code)) {
    return new RedisAuthError({ code: error.code, message: `Redis refused the credentials: ${error.message}` })
  }
  return error ??
    new RedisConnectionError({ reason: "Handshake", message: "The handshake was interrupted", outcome: "not-sent" })
}

const checkAll = (exits: ReadonlyArray<Exit.Exit<unknown, RedisError>>): Effect.Effect<void, RedisError> => {
  for (const exit of exits) {
    const failure = failureOf(exit)
    if (failure !== undefined) {
      return Effect.fail(
        failure instanceof RedisReplyError
          ? new RedisConnectionError({
            reason: "Handshake",
            message: `The Redis handshake failed at ${failure.command}: ${failure.message}`,
            outcome: "not-sent",
            cause: failure
          })
          : failure
      )
    }
  }
  return Effect.void
}
