/**
 * MULTI … EXEC as one batch: the commands are queued with raw decoders and
 * their real decoders are applied to the elements of the EXEC reply.
 */
import { RespError, type RespValue } from "@effect-redis/resp/RespValue"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Command from "../Command.js"
import type { Executor } from "../Executor.js"
import { type RedisError, RedisReplyError, RedisTransactionError } from "../RedisError.js"
import * as ReplyDecoder from "../ReplyDecoder.js"
import { decodeError, failureOf, replyError } from "./replies.js"
import { withScriptsLoaded } from "./script.js"

const MULTI = Command.spec("MULTI", { keys: undefined, flags: Command.Flags.connectionState })
const EXEC = Command.spec("EXEC", { keys: undefined, flags: Command.Flags.connectionState })

const multi = Command.make(MULTI, ["MULTI"], ReplyDecoder.raw)
const exec = Command.make(EXEC, ["EXEC"], ReplyDecoder.raw)

/**
 * Sends MULTI, the commands and EXEC in one write and decodes the EXEC
 * reply. Fails with `RedisTransactionError` when nothing was applied
 * (a WATCH conflict, or a command refused while queueing).
 */
export const run = (
  executeAll: Executor["executeAll"],
  commands: ReadonlyArray<Command.Command<unknown>>,
  binary: boolean
): Effect.Effect<Array<Either.Either<unknown, RedisError>>, RedisError> => {
  const batch = new Array<Command.Command<unknown>>(commands.length + 2)
  batch[0] = multi
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i]!
    batch[i + 1] = Command.make(command.spec, command.args, ReplyDecoder.raw)
  }
  batch[batch.length - 1] = exec
  // Script calls lose their identity in the MULTI copies: their scripts are loaded ahead of MULTI.
  return Effect.flatMap(withScriptsLoaded(executeAll, batch, binary, commands), (exits) => {
    const multiFailure = failureOf(exits[0]!)
    if (multiFailure !== undefined) return Effect.fail(multiFailure)
    for (let i = 0; i < commands.length; i++) {
      const queued = failureOf(exits[i + 1]!)
      if (queued instanceof RedisReplyError) {
        return Effect.fail(
          new RedisTransactionError({
            reason: "Aborted",
            message: `The transaction was discarded: command ${
              i + 1
            } (${queued.command}) was refused: ${queued.message}`,
            command: queued.command,
            outcome: "not-sent"
          })
        )
      }
      if (queued !== undefined) return Effect.fail(queued)
    }
    const execExit = exits[exits.length - 1]!
    if (Exit.isFailure(execExit)) return Effect.fail(failureOf(execExit)!)
    const reply = execExit.value as RespValue
    if (reply === null) {
      return Effect.fail(
        new RedisTransactionError({
          reason: "Conflict",
          message: "A watched key changed before EXEC; the transaction was not applied",
          outcome: "not-sent"
        })
      )
    }
    const items = ReplyDecoder.items(reply)
    const results = new Array<Either.Either<unknown, RedisError>>(commands.length)
    for (let i = 0; i < commands.length; i++) {
      const command = commands[i]!
      const item = items[i] ?? null
      if (item instanceof RespError) {
        results[i] = Either.left(replyError(command, item))
        continue
      }
      try {
        results[i] = Either.right(command.decode(item))
      } catch (error) {
        results[i] = Either.left(decodeError(command, error))
      }
    }
    return Effect.succeed(results)
  })
}

/** Pipeline outcomes as Eithers (sends only ever fail with a `RedisError`, never die). */
export const toEithers = (
  exits: ReadonlyArray<Exit.Exit<unknown, RedisError>>
): Array<Either.Either<unknown, RedisError>> =>
  exits.map((exit) => Exit.isSuccess(exit) ? Either.right(exit.value) : Either.left(failureOf(exit)!))
