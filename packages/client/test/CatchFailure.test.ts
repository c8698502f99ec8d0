import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber } from "effect"
import { catchFailure } from "../src/internal/catchFailure.js"

// The recovery the cluster router and the retry policy wrap every command in:
// `Effect.catchAll`'s semantics, checked against it.
describe("catchFailure", () => {
  const recover = (error: string) => Effect.succeed(`recovered ${error}`)

  it.effect("passes a success through and recovers a failure, as Effect.catchAll", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* catchFailure(Effect.succeed("ok"), recover), "ok")
      assert.strictEqual(yield* catchFailure(Effect.fail("refused"), recover), "recovered refused")
      assert.strictEqual(yield* Effect.catchAll(Effect.fail("refused"), recover), "recovered refused")
    }))

  it.effect("passes a defect, alone or beside a failure, through unhandled, as Effect.catchAll", () =>
    Effect.gen(function*() {
      for (const cause of [Cause.die("boom"), Cause.parallel(Cause.fail("refused"), Cause.die("boom"))]) {
        const ours = yield* Effect.exit(catchFailure(Effect.failCause(cause), recover))
        const theirs = yield* Effect.exit(Effect.catchAll(Effect.failCause(cause), recover))
        assert.isTrue(Exit.isFailure(ours) && Cause.isDie(ours.cause))
        assert.isTrue(Exit.isFailure(theirs) && Cause.isDie(theirs.cause))
      }
    }))

  it.effect("passes an interruption through unhandled", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(catchFailure(Effect.never, recover))
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause))
    }))
})
