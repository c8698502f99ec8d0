import { Redis, type RedisError, SharedQueueScheduler } from "@effect-redis/client"
import { NodeRedis } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, FiberRef, Layer, ManagedRuntime, Option, Scheduler } from "effect"

/** The order in which `scheduler` runs tasks scheduled with these priorities in one go. */
const runOrder = (scheduler: Scheduler.Scheduler, priorities: ReadonlyArray<number>) =>
  Effect.async<ReadonlyArray<number>>((resume) => {
    const order: Array<number> = []
    for (const priority of priorities) scheduler.scheduleTask(() => order.push(priority), priority)
    // The highest priority number of all runs last, within the same drain.
    scheduler.scheduleTask(() => resume(Effect.succeed(order)), Math.max(...priorities) + 1)
  })

/**
 * Whether a fiber's scheduler is none of Effect's own: neither the default
 * nor the `SyncScheduler` a `ManagedRuntime` keeps from building its layer.
 */
const onSharedQueue = (scheduler: Scheduler.Scheduler): boolean =>
  scheduler !== Scheduler.defaultScheduler &&
  !(scheduler instanceof Scheduler.MixedScheduler) &&
  !(scheduler instanceof Scheduler.SyncScheduler) &&
  !(scheduler instanceof Scheduler.ControlledScheduler)

describe("SharedQueueScheduler", () => {
  it.scopedLive(
    "runs the program it is provided to and every fiber it forks; 5,000 concurrent callers each get their own reply",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const callers = Array.from({ length: 5_000 }, (_, i) => i)
        const program = Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const own = yield* FiberRef.get(FiberRef.currentScheduler)
          const forked = yield* Fiber.join(yield* Effect.fork(FiberRef.get(FiberRef.currentScheduler)))
          const replies = yield* Effect.forEach(
            callers,
            (i) =>
              Effect.zipRight(
                redis.set(`sqs:${i}`, `value ${i}`),
                Effect.zip(redis.get(`sqs:${i}`), redis.incr("sqs:count"))
              ),
            { concurrency: "unbounded" }
          )
          return { own, forked, replies, count: yield* redis.get("sqs:count") }
        })
        const { count, forked, own, replies } = yield* program.pipe(
          Effect.provide(Layer.merge(NodeRedis.layer({ url: server.url }), SharedQueueScheduler.layer))
        )
        assert.isTrue(onSharedQueue(own), "the program runs on the shared queue")
        assert.strictEqual(forked, own, "a forked fiber runs on the same queue")
        replies.forEach(([value], i) => assert.deepStrictEqual(value, Option.some(`value ${i}`)))
        assert.deepStrictEqual(new Set(replies.map(([, n]) => n)).size, callers.length, "every INCR counted once")
        assert.deepStrictEqual(count, Option.some(String(callers.length)))
      }),
    { timeout: 60_000 }
  )

  it.scopedLive(
    "serves promise callers through a ManagedRuntime built with it, one runPromise per command",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const runtime = yield* Effect.acquireRelease(
          Effect.sync(() =>
            ManagedRuntime.make(Layer.merge(NodeRedis.layer({ url: server.url }), SharedQueueScheduler.layer))
          ),
          (runtime) => Effect.promise(() => runtime.dispose())
        )
        const results = yield* Effect.promise(async () => {
          const redis = await runtime.runPromise(Redis.Redis)
          const scheduler = await runtime.runPromise(FiberRef.get(FiberRef.currentScheduler))
          const counts = await Promise.all(
            Array.from({ length: 1_000 }, () => runtime.runPromise(redis.incr("sqs:promise")))
          )
          return { scheduler, counts }
        })
        assert.isTrue(onSharedQueue(results.scheduler), "runPromise runs on the shared queue")
        assert.deepStrictEqual(
          [...results.counts].sort((a, b) => a - b),
          Array.from({ length: 1_000 }, (_, i) => i + 1),
          "every caller got its own INCR reply"
        )
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "reaches the fibers of an application layer it is provided to, not of one merged beside it",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const redisLayer = NodeRedis.layer({ url: server.url })
        // An application layer: a fiber it forks runs a command and reports its scheduler.
        const app = (report: Deferred.Deferred<Scheduler.Scheduler>) =>
          Layer.scopedDiscard(Effect.forkScoped(Effect.gen(function*() {
            const redis = yield* Redis.Redis
            yield* redis.incr("sqs:app")
            yield* Deferred.succeed(report, yield* FiberRef.get(FiberRef.currentScheduler))
          })))
        const schedulerOfApp = (
          compose: (app: Layer.Layer<never, never, Redis.Redis>) => Layer.Layer<never, RedisError.RedisError>
        ) =>
          Effect.gen(function*() {
            const report = yield* Deferred.make<Scheduler.Scheduler>()
            const running = yield* Effect.fork(Layer.launch(compose(app(report))))
            const scheduler = yield* Deferred.await(report)
            yield* Fiber.interrupt(running)
            return scheduler
          })
        const provided = yield* schedulerOfApp((app) =>
          app.pipe(Layer.provide(Layer.merge(redisLayer, SharedQueueScheduler.layer)))
        )
        const merged = yield* schedulerOfApp((app) =>
          Layer.merge(app.pipe(Layer.provide(redisLayer)), SharedQueueScheduler.layer)
        )
        assert.isTrue(onSharedQueue(provided), "provided to the application's layer: its fibers are on the queue")
        assert.isFalse(onSharedQueue(merged), "merged beside it: its fibers stay on the default scheduler")
      }),
    { timeout: 30_000 }
  )

  it.scopedLive(
    "lets replies and timers in while a fiber keeps the queue busy",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make()
        const program = Effect.gen(function*() {
          const redis = yield* Redis.Redis
          let answered = false
          let timerFired = false
          // The timer is what is tested (it must fire while the queue stays busy),
          // not a wait: the loop below ends on the state it sets and the PING's reply.
          setTimeout(() => (timerFired = true), 0)
          const ping = yield* Effect.fork(Effect.map(redis.ping(), () => (answered = true)))
          // Yields to the scheduler on every turn, never to the event loop itself:
          // it ends only if the drains give way to the socket's reply and the timer.
          let turns = 0
          while (!answered || !timerFired) {
            yield* Effect.yieldNow()
            turns++
          }
          yield* Fiber.join(ping)
          return turns
        })
        const turns = yield* program.pipe(
          Effect.provide(Layer.merge(NodeRedis.layer({ url: server.url }), SharedQueueScheduler.layer))
        )
        assert.isAbove(turns, 0)
      }),
    { timeout: 30_000 }
  )

  it.effect("runs tasks of one drain in the order of their priorities, as Effect's default scheduler does", () =>
    Effect.gen(function*() {
      const priorities = [3, 0, 2, 0, 1, 3, 0]
      const shared = yield* runOrder(SharedQueueScheduler.make(), priorities)
      assert.deepStrictEqual(shared, yield* runOrder(Scheduler.defaultScheduler, priorities))
      assert.deepStrictEqual(shared, [0, 0, 0, 1, 2, 3, 3])
    }))
})
