/**
 * An Effect scheduler for programs that keep thousands of fibers waiting on
 * Redis at once: one task queue for every fiber, drained in one microtask.
 *
 * Since Effect 3.20 the default scheduler keeps a queue per fiber (an entry
 * in a `WeakMap`) and wakes each fiber in a microtask of its own, so that
 * promise code called from concurrent `runPromise`s keeps its own
 * `AsyncLocalStorage` context. With 1,000 to 10,000 fibers each resumed by
 * a Redis reply, that per-fiber bookkeeping and the garbage it leaves cost
 * more than the client itself: in two runs of the project's benchmark
 * (`bench/README.md`) this scheduler gave 1.19–1.37× the throughput at
 * 1,000 commands in flight and 1.56–1.59× at 10,000, with the same code.
 *
 * It is Effect's own `SchedulerRunner` (priorities, yielding to the event
 * loop after a number of drains in a row), shared by every fiber that runs
 * on it: the way Effect scheduled before 3.20. What it gives up is that
 * isolation: promise code that reads an `AsyncLocalStorage` (for example an
 * OpenTelemetry context kept there rather than in Effect's own tracer)
 * after a yield or a sleep may see the context of another fiber woken in
 * the same drain (after a Redis reply the store is lost on either
 * scheduler: the reply wakes the fiber from the socket's callback).
 * Effect's own context, fiber refs and spans are per fiber either way.
 *
 * The scheduler belongs to the application, so the client never installs
 * it. Provide {@link layer} once, at the top, to what forks the fibers: the
 * program (`Effect.provide`), the `ManagedRuntime` promise code runs
 * through, or the application's layer (`Layer.provide`). Merged beside a
 * layer with `Layer.merge` it does not reach that layer's fibers: merged
 * layers are built side by side. `Effect.withScheduler(program, make())`
 * works when it wraps the whole program once; wrapping each command or
 * each `runPromise` costs more than it saves.
 *
 * ```ts
 * import { Redis, SharedQueueScheduler } from "@effect-redis/client"
 * import { Effect } from "effect"
 *
 * // Ten thousand fibers, each waiting on its own INCR, on one queue; `Redis`
 * // still comes from the application's layer (`NodeRedis.layer`).
 * const program = Effect.forEach(
 *   Array.from({ length: 10_000 }, (_, i) => i),
 *   (i) => Effect.flatMap(Redis.Redis, (redis) => redis.incr(`hits:${i % 100}`)),
 *   { concurrency: "unbounded", discard: true }
 * ).pipe(Effect.provide(SharedQueueScheduler.layer))
 * ```
 *
 * @since 0.2.0
 */
import * as Layer from "effect/Layer"
import * as Scheduler from "effect/Scheduler"

/** The bound of Effect's default scheduler (`Scheduler.defaultScheduler`). */
const maxDrainsBeforeTimer = 2048

/**
 * A scheduler with one queue for every fiber that runs on it. Like
 * Effect's default, a drain that follows 2,048 others in a row waits for a
 * timer, letting I/O and timers in.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (): Scheduler.Scheduler => {
  const runner = new Scheduler.SchedulerRunner((depth, drain) => {
    if (depth >= maxDrainsBeforeTimer) setTimeout(() => drain(0), 0)
    else queueMicrotask(() => drain(depth + 1))
  })
  return Scheduler.make((task, priority) => runner.scheduleTask(task, priority))
}

/**
 * Runs the program or layer this layer is provided to, and every fiber it
 * forks, on a new shared-queue scheduler (not a layer merged beside it).
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: Layer.Layer<never> = Layer.suspend(() => Layer.setScheduler(make()))
