/**
 * Retrying refusals that guarantee a command did not run (TRYAGAIN,
 * CLUSTERDOWN, LOADING, READONLY, MASTERDOWN, BUSY for reads): one
 * executor decorator for every topology, for single commands, the refused
 * commands of a pipeline, and whole transactions whose EXEC reports that
 * nothing ran. Delays follow the configured `Schedule`; no attempt starts
 * once the command timeout has passed since the first refusal, and the
 * last refusal is then reported as it came.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Command from "../Command.js"
import type { Executor } from "../Executor.js"
import type { Resolved } from "../RedisConfig.js"
import type { RedisError, RedisReplyError } from "../RedisError.js"
import { catchFailure } from "./catchFailure.js"
import { failureOf } from "./replies.js"

type Exits = Array<Exit.Exit<unknown, RedisError>>

/** What is retried, how long to wait between attempts, and what to do about a refusal before asking again. */
export interface Policy {
  readonly codes: ReadonlySet<string>
  readonly schedule: Schedule.Schedule<unknown, unknown>
  /** No attempt starts once this long has passed since the first refusal. */
  readonly timeoutMillis: number
  /** Called with every refusal about to be retried (READONLY: the connection that answered reconnects). */
  readonly onRefusal?: ((error: RedisReplyError) => void) | undefined
}

/**
 * The policy of a client: its configured codes, less those the topology
 * never sees (TRYAGAIN and CLUSTERDOWN outside a cluster); `undefined`
 * when nothing is left to retry.
 */
export const policyOf = (
  config: Resolved,
  onRefusal?: (error: RedisReplyError) => void
): Policy | undefined => {
  const codes = new Set<string>(config.retry.codes)
  if (config.cluster === undefined) {
    codes.delete("TRYAGAIN")
    codes.delete("CLUSTERDOWN")
  }
  return codes.size === 0
    ? undefined
    : { codes, schedule: config.retry.schedule, timeoutMillis: config.commandTimeoutMillis, onRefusal }
}

/** Whether `code` is one the policy retries for a command of these `flags` (BUSY: read-only ones only). */
const retriedCode = (policy: Policy, code: string, flags: number): boolean =>
  policy.codes.has(code) && (code !== "BUSY" || (flags & Command.Flags.readonly) !== 0)

/**
 * The refusal a single command met, when the policy retries it: only a
 * `rejected` one, so never the error a script, function or MIGRATE may have
 * met after writing (see `replies.ts`).
 */
const refusalOf = (
  policy: Policy,
  command: Command.Command<unknown>,
  error: RedisError | undefined
): RedisReplyError | undefined =>
  error !== undefined && error._tag === "RedisReplyError" && error.outcome === "rejected" &&
    retriedCode(policy, error.code, command.spec.flags)
    ? error
    : undefined

/**
 * Asks `attempt` again after `first`, on the policy's schedule, while it
 * fails with a retried refusal and the deadline allows another attempt.
 */
const again = <A>(
  policy: Policy,
  first: RedisReplyError,
  attempt: Effect.Effect<A, RedisError>,
  refusal: (error: RedisError) => RedisReplyError | undefined
): Effect.Effect<A, RedisError> =>
  Effect.gen(function*() {
    const deadline = Date.now() + policy.timeoutMillis
    const driver = yield* Schedule.driver(
      policy.schedule.pipe(
        Schedule.delays,
        Schedule.whileOutput((delay) => Date.now() + Duration.toMillis(delay) < deadline)
      )
    )
    let last: RedisReplyError = first
    while (true) {
      policy.onRefusal?.(last)
      if (Option.isNone(yield* Effect.option(driver.next(last)))) return yield* Effect.fail(last)
      const exit = yield* Effect.exit(attempt)
      if (Exit.isSuccess(exit)) return exit.value
      const next = refusal(failureOf(exit)!)
      if (next === undefined) return yield* exit
      last = next
    }
  })

/** EXECABORT's reason names EXEC's own refusal: "Transaction discarded because of: LOADING …". */
const execAbortCode = (error: RedisReplyError): string | undefined => /because of: (\S+)/.exec(error.message)?.[1]

/**
 * For a batch holding MULTI … EXEC: the refusal to retry it whole for,
 * when EXEC reports that nothing ran (EXECABORT, or a cluster's TRYAGAIN
 * or CLUSTERDOWN for the whole transaction) and every refusal behind it is
 * one the policy retries. Queued commands never run before EXEC, so script
 * calls qualify here.
 */
const transactionRefusal = (
  policy: Policy,
  batch: ReadonlyArray<Command.Command<unknown>>,
  exits: Exits,
  multiAt: number
): RedisReplyError | undefined => {
  const exec = failureOf(exits[exits.length - 1]!)
  if (exec === undefined || exec._tag !== "RedisReplyError") return undefined
  // BUSY counts only when every command of the transaction is a read.
  const flags =
    batch.every((command, i) =>
        i <= multiAt || i === batch.length - 1 || (command.spec.flags & Command.Flags.readonly) !== 0
      )
      ? Command.Flags.readonly
      : 0
  if (exec.code !== "EXECABORT") return retriedCode(policy, exec.code, flags) ? exec : undefined
  const own = execAbortCode(exec)
  if (own !== undefined) return retriedCode(policy, own, flags) ? exec : undefined
  let refusal: RedisReplyError | undefined
  for (let i = multiAt + 1; i < exits.length - 1; i++) {
    const queued = failureOf(exits[i]!)
    if (queued === undefined) continue
    if (queued._tag !== "RedisReplyError" || !retriedCode(policy, queued.code, flags)) return undefined
    refusal = queued
  }
  return refusal
}

/** The executor with the policy applied to its commands, pipelines and transactions. */
export const decorate = (executor: Executor, policy: Policy): Executor => {
  const execute = <A>(command: Command.Command<A>, binary: boolean): Effect.Effect<A, RedisError> =>
    catchFailure(executor.execute(command, binary), (error) => {
      const refusal = refusalOf(policy, command, error)
      return refusal === undefined
        ? Effect.fail(error)
        : again(policy, refusal, executor.execute(command, binary), (next) => refusalOf(policy, command, next))
    })

  const transaction = (batch: ReadonlyArray<Command.Command<unknown>>, binary: boolean, multiAt: number) =>
    Effect.flatMap(executor.executeAll(batch, binary), (exits) => {
      const refusal = transactionRefusal(policy, batch, exits, multiAt)
      if (refusal === undefined) return Effect.succeed(exits)
      // The attempt fails with the refusal so that `again` sees it; the last outcomes are kept for the report.
      let last = exits
      const attempt = Effect.flatMap(executor.executeAll(batch, binary), (next) => {
        last = next
        const again = transactionRefusal(policy, batch, next, multiAt)
        return again === undefined ? Effect.succeed(next) : Effect.fail(again)
      })
      return Effect.catchAll(
        again(policy, refusal, attempt, (error) => error as RedisReplyError),
        () => Effect.succeed(last)
      )
    })

  const pipeline = (batch: ReadonlyArray<Command.Command<unknown>>, binary: boolean) =>
    Effect.flatMap(executor.executeAll(batch, binary), (exits) => {
      const refused = (i: number) => refusalOf(policy, batch[i]!, failureOf(exits[i]!)) !== undefined
      let pending: Array<number> = []
      for (let i = 0; i < exits.length; i++) if (refused(i)) pending.push(i)
      if (pending.length === 0) return Effect.succeed(exits)
      // The refused commands go again together, in their order; the others keep their outcomes.
      const attempt = Effect.flatMap(executor.executeAll(pending.map((i) => batch[i]!), binary), (next) => {
        next.forEach((exit, at) => exits[pending[at]!] = exit)
        pending = pending.filter(refused)
        return pending.length === 0 ? Effect.succeed(exits) : Effect.fail(failureOf(exits[pending[0]!]!)!)
      })
      const first = failureOf(exits[pending[0]!]!) as RedisReplyError
      return Effect.catchAll(
        again(policy, first, attempt, (error) => error as RedisReplyError),
        () => Effect.succeed(exits)
      )
    })

  return {
    ...(executor.masters && { masters: executor.masters }),
    execute,
    executeAll: (batch, binary) => {
      const multiAt = batch.findIndex((command) => command.spec.name === "MULTI")
      return multiAt === -1 ? pipeline(batch, binary) : transaction(batch, binary, multiAt)
    }
  }
}
