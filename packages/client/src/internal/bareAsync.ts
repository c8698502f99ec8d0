/**
 * The cheapest way for a fiber to wait for a callback: the runtime's own
 * asynchronous instruction, without the wrapper `Effect.async` builds
 * around it on every run.
 *
 * `Effect.async` allocates a wrapper effect, a closure that runs the
 * registration early, a proxy for the resume function and only then the
 * instruction the fiber waits on. One command pays that for each run, and
 * at thousands of commands in flight those objects are what the garbage
 * collector copies (issue 17, bench/README.md). The instruction alone is an
 * object with an op code, the registration and the fiber it blocks on.
 *
 * That instruction is not public API: its shape is checked once, on first
 * use, by running one to completion. Where the check fails (an
 * Effect release that changed it) `bareAsync` is `Effect.async`, slower
 * and equally correct; the test suite asserts that the check passes on the
 * Effect version the project is built with.
 *
 * What it gives up: there is no canceller. Interrupting a fiber that waits
 * on it resumes the fiber at once and a later call of `resume` is ignored,
 * which is what a command already written to the socket wants (it cannot be
 * taken back). Anything that can be undone on interruption uses
 * `Effect.async`, or is handed to `resume` as an effect of its own.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"

/** Where a bare wait's outcome goes: the effect the fiber goes on with. */
export type Resume<A, E> = (effect: Effect.Effect<A, E>) => void

/** The runtime's primitive instruction, as much of it as is set here. */
interface Instruction {
  effect_instruction_i0: unknown
  effect_instruction_i1: unknown
}

// Every primitive instruction is an instance of one class; `yieldNow` is one of them.
const Instruction = (Effect.yieldNow() as unknown as { constructor: new(op: string) => Instruction }).constructor

const instruction = <A, E>(register: (resume: Resume<A, E>) => void): Effect.Effect<A, E> => {
  const wait = new Instruction("Async")
  wait.effect_instruction_i0 = register
  wait.effect_instruction_i1 = FiberId.none
  return wait as unknown as Effect.Effect<A, E>
}

// Runs an instruction resumed before it returns: it must be an effect and
// give back what it was resumed with.
const probe = (): boolean => {
  try {
    const marker = {}
    const wait = instruction<object, never>((resume) => resume(Effect.succeed(marker)))
    if (!Effect.isEffect(wait)) return false
    const exit = Effect.runSyncExit(Effect.map(wait, (value) => [value]))
    return Exit.isSuccess(exit) && exit.value[0] === marker
  } catch {
    return false
  }
}

const viaEffectAsync = <A, E>(register: (resume: Resume<A, E>) => void): Effect.Effect<A, E> =>
  Effect.async((resume) => register(resume))

// Chosen on first use rather than at import: the check runs a fiber, and
// the first fiber of a process costs milliseconds that an import should not.
let chosen: typeof instruction | undefined
const choose = () => chosen ??= probe() ? instruction : viaEffectAsync

/**
 * Whether `bareAsync` is the runtime's instruction (`true`) or
 * `Effect.async` (the instruction's shape was not the expected one).
 */
export const isBare = (): boolean => choose() === instruction

/**
 * Waits until `register`'s callback is called, with no canceller (see the
 * module's comment). `register` runs every time the effect runs.
 */
export const bareAsync = <A, E>(register: (resume: Resume<A, E>) => void): Effect.Effect<A, E> =>
  (chosen ?? choose())(register)
