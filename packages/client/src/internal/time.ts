/**
 * Time arguments in the unit a command takes. A number is already in that
 * unit (the parameter says which: `ex` and EXPIRE take seconds, `px` and
 * PEXPIRE milliseconds); any other Effect `Duration` input (a `Duration`,
 * `"10 seconds"`, …) is converted to it, and a `Date` to a Unix time in it.
 *
 * Decision: a time that is not a whole number of the command's unit
 * (`"1.5 seconds"` for EXPIRE, a `Date` with milliseconds for EXPIREAT) is
 * refused before sending (`RedisArgumentError`, `not-sent`) rather than
 * rounded: a rounded expiry is a different expiry, and the millisecond
 * variant of the command takes it exactly. Blocking timeouts in seconds
 * take fractions (the server reads them to the millisecond), so they are
 * never refused; an infinite `Duration` is `0`, which the server reads as
 * "wait forever" (and so is a zero one, as for the number `0`).
 *
 * @since 0.3.0
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Duration from "effect/Duration"
import * as Command from "../Command.js"

/**
 * The unit a command takes a time in.
 *
 * @since 0.3.0
 * @category models
 */
export type Unit = "seconds" | "milliseconds"

/**
 * Why a time argument cannot be sent.
 *
 * @since 0.3.0
 * @category models
 */
export class Refused {
  constructor(readonly reason: string) {}
}

// Dividing keeps whole units exact (3000 / 1000 is 3; 3000 * 0.001 is not).
const millisPer: Record<Unit, number> = { seconds: 1000, milliseconds: 1 }

const whole = (value: number, unit: Unit, what: string, shown: string, finer: string | undefined): number | Refused =>
  Number.isInteger(value) ? value : new Refused(
    `${what} is sent in whole ${unit}, and ${shown} is not` +
      (finer === undefined ? "" : `; ${finer} takes milliseconds`)
  )

/**
 * A span of time (a time to live, an idle time) in whole `unit`s. An
 * infinite `Duration` is refused: it has no number to send.
 *
 * @since 0.3.0
 * @category constructors
 */
export const span = (input: Duration.DurationInput, unit: Unit, what: string, finer?: string): number | Refused => {
  if (typeof input === "number") return input
  const duration = Duration.decode(input)
  if (!Duration.isFinite(duration)) return new Refused(`${what} must be a finite time, got an infinite Duration`)
  return whole(Duration.toMillis(duration) / millisPer[unit], unit, what, Duration.format(duration), finer)
}

/**
 * An instant as a Unix time in whole `unit`s.
 *
 * @since 0.3.0
 * @category constructors
 */
export const instant = (input: number | Date, unit: Unit, what: string, finer?: string): number | Refused => {
  if (typeof input === "number") return input
  const millis = input.getTime()
  if (Number.isNaN(millis)) return new Refused(`${what} must be a valid Date, got an invalid one`)
  return whole(millis / millisPer[unit], unit, what, input.toISOString(), finer)
}

// A blocking timeout in seconds, 0 meaning "wait forever": an infinite
// Duration is 0; fractions are sent as they are (the server reads them to
// the millisecond).
const timeoutSeconds = (input: Duration.DurationInput): number => {
  if (typeof input === "number") return input
  const duration = Duration.decode(input)
  return Duration.isFinite(duration) ? Duration.toMillis(duration) / 1000 : 0
}

/**
 * A blocking timeout in whole milliseconds, `0` meaning "wait forever": an
 * infinite `Duration` is `0`.
 *
 * @since 0.3.0
 * @category constructors
 */
export const timeoutMillis = (input: Duration.DurationInput, what: string): number | Refused => {
  if (typeof input === "number") return input
  const duration = Duration.decode(input)
  if (!Duration.isFinite(duration)) return 0
  return whole(Duration.toMillis(duration), "milliseconds", what, Duration.format(duration), undefined)
}

/**
 * A call of a blocking command whose timeout is in seconds: its arguments
 * built around the timeout, and the reply awaited that much longer than
 * the command timeout.
 *
 * @since 0.3.0
 * @category constructors
 */
export const blockingSeconds = <A>(
  spec: Command.CommandSpec,
  timeout: Duration.DurationInput,
  args: (seconds: number) => ReadonlyArray<Command.RedisArg>,
  decode: (reply: RespValue) => A
): Command.Command<A> => {
  const seconds = timeoutSeconds(timeout)
  return Command.makeBlocking(spec, args(seconds), decode, seconds * 1000)
}

/**
 * Builds the call from the time in the command's unit, or refuses it
 * (`RedisArgumentError`, `not-sent`) with the reason the time cannot be
 * sent.
 *
 * @since 0.3.0
 * @category constructors
 */
export const withTime = <A>(
  spec: Command.CommandSpec,
  time: number | Refused,
  build: (time: number) => Command.Command<A>
): Command.Command<A> => typeof time === "number" ? build(time) : Command.invalid(spec, time.reason)
