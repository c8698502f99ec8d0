/**
 * The shared-queue scheduler of the runtime probe (`src/effectRuntime.ts`)
 * and of `BENCH_EFFECT_SCHEDULER=shared`, which runs the effect-redis
 * clients under it (see README.md, "Where the time goes").
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Scheduler from "effect/Scheduler"

/**
 * One queue for every fiber, drained in one microtask, yielding to the
 * event loop after 2,048 drains in a row. Effect 3.20+'s default scheduler
 * keeps a queue per fiber (a `WeakMap` entry each) and schedules one
 * microtask per fiber it wakes.
 *
 * @since 0.2.0
 * @category schedulers
 */
export const sharedQueueScheduler = (): Scheduler.Scheduler => {
  let tasks: Array<Scheduler.Task> = []
  let running = false
  let depth = 0
  const drain = (): void => {
    const batch = tasks
    tasks = []
    for (let i = 0; i < batch.length; i++) batch[i]!()
    if (tasks.length === 0) {
      running = false
      depth = 0
    } else if (++depth >= 2048) {
      depth = 0
      setTimeout(drain, 0)
    } else {
      queueMicrotask(drain)
    }
  }
  return Scheduler.make((task) => {
    tasks.push(task)
    if (!running) {
      running = true
      queueMicrotask(drain)
    }
  })
}

/** Whether `BENCH_EFFECT_SCHEDULER=shared` asks for the shared queue. */
const shared = process.env.BENCH_EFFECT_SCHEDULER === "shared"

/**
 * Runs `effect` under the shared-queue scheduler when
 * `BENCH_EFFECT_SCHEDULER=shared`, else as it is.
 *
 * @since 0.2.0
 * @category schedulers
 */
export const withBenchScheduler = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  shared ? Effect.withScheduler(effect, sharedQueueScheduler()) : effect

/**
 * The same for a runtime's layer (`effect-redis-promise`).
 *
 * @since 0.2.0
 * @category schedulers
 */
export const benchSchedulerLayer: Layer.Layer<never> = shared
  ? Layer.setScheduler(sharedQueueScheduler())
  : Layer.empty
