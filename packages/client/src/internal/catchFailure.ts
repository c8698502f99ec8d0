/**
 * `Effect.catchAll` for the per-command path: the same recovery, at no
 * cost when the effect succeeds.
 *
 * `Effect.catchAll` is built on `matchEffect`, which allocates its
 * handlers' record and, on success, a fresh `Effect.succeed` of the value:
 * objects on every command that never fails. A failure handler
 * (`catchAllCause`) is a single frame the fiber pops on success. The cluster
 * router and the retry policy wrap every command in one (bench/README.md,
 * "The wait per command").
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * Recovers from the effect's failure with `f`, as `Effect.catchAll` does: a
 * cause holding a defect, or only interruptions, is passed on unhandled.
 */
export const catchFailure = <A, E, B, E2>(
  self: Effect.Effect<A, E>,
  f: (error: E) => Effect.Effect<B, E2>
): Effect.Effect<A | B, E | E2> =>
  Effect.catchAllCause(self, (cause): Effect.Effect<B, E | E2> => {
    if (Cause.isDie(cause)) return Effect.failCause(cause)
    const failure = Cause.failureOption(cause)
    return Option.isSome(failure) ? f(failure.value) : Effect.failCause(cause)
  })
