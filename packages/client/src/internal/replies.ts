/**
 * Turning replies into typed errors, shared by single commands, pipelines
 * and transactions.
 */
import { type RespError, RespTextTooLong, type RespValue } from "@effect-redis/resp/RespValue"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Command from "../Command.js"
import { type Outcome, RedisDecodeError, type RedisError, RedisReplyError } from "../RedisError.js"
import { ReplyShapeError } from "../ReplyDecoder.js"

/** Commands that can fail after writing: Lua scripts, functions, MIGRATE (a key may have reached the target). */
const mayFailAfterWriting = new Set([
  "EVAL",
  "EVALSHA",
  "EVAL_RO",
  "EVALSHA_RO",
  "FCALL",
  "FCALL_RO",
  "MIGRATE"
])

/** Refusals the server gives before a script, function or MIGRATE starts. */
const refusedBeforeStarting = new Set([
  "NOSCRIPT",
  "BUSY",
  "LOADING",
  "MASTERDOWN",
  "MOVED",
  "ASK",
  "TRYAGAIN",
  "CLUSTERDOWN",
  "CROSSSLOT",
  "NOAUTH"
])

/**
 * What an error reply says about the command: the server refused it and
 * nothing ran, unless the command may have written before failing.
 */
export const replyOutcome = (command: string, code: string): Outcome =>
  mayFailAfterWriting.has(command) && !refusedBeforeStarting.has(code) ? "may-have-executed" : "rejected"

export const replyError = (command: Command.Command<unknown>, error: RespError): RedisReplyError =>
  new RedisReplyError({
    code: error.code,
    message: error.message,
    command: command.spec.name,
    outcome: replyOutcome(command.spec.name, error.code)
  })

export const decodeError = (command: Command.Command<unknown>, error: unknown): RedisDecodeError =>
  new RedisDecodeError({
    message: !(error instanceof ReplyShapeError)
      ? `${command.spec.name}: the reply could not be decoded: ${String(error)}`
      : error.reply instanceof RespTextTooLong
      ? `${command.spec.name}: the reply holds a string of ${error.reply.byteLength} bytes, longer than the longest ` +
        `JavaScript string; read it as bytes with redis.binary`
      : `${command.spec.name}: expected ${error.expected}, got ${describe(error.reply)}`,
    command: command.spec.name,
    outcome: "may-have-executed"
  })

const describe = (value: RespValue): string => {
  if (value === null) return "nil"
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (value instanceof Uint8Array) return `${value.length} bytes`
  if (typeof value === "object") return value.constructor.name
  const text = String(value)
  return `${typeof value} ${text.length > 40 ? text.slice(0, 40) + "…" : text}`
}

/** The typed error an outcome failed with, if it failed with one. */
export const failureOf = (exit: Exit.Exit<unknown, RedisError>): RedisError | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
