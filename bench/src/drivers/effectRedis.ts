/**
 * The effect-redis driver: the client built and used the way its users
 * write code, with workers as `Effect.gen` loops forked by `Effect.forEach`
 * and subscriptions consumed as Streams; `effect-redis-shared` runs the
 * same program with `SharedQueueScheduler.layer` provided.
 *
 * @since 0.1.0
 */
import * as Redis from "@effect-redis/client/Redis"
import * as SharedQueueScheduler from "@effect-redis/client/SharedQueueScheduler"
import * as NodeTransport from "@effect-redis/node/NodeTransport"
import { Cause, Effect, Exit, Layer, Option, Runtime } from "effect"
import { MeasureWindow } from "../histogram.js"
import { measureMemory } from "../memory.js"
import { countReceived, makeCounter, receiveResult, startPublisher } from "../receive.js"
import { type Driver, failed, mismatch, succeeded, type Timing, workerIndexes } from "../result.js"
import {
  type ClientName,
  type Fixture,
  fixtures,
  type MemoryScenario,
  onCluster,
  onSharedQueue,
  type ReceiveScenario,
  type Scenario,
  type StepScenario
} from "../scenarios.js"

const readBack = (redis: Redis.Redis, expected: ReadonlyArray<Fixture>) =>
  Effect.forEach(expected, (fixture) =>
    Effect.gen(function*() {
      const problem = mismatch(fixture, Option.getOrNull(yield* redis.get(fixture.key)))
      if (problem !== undefined) return yield* Effect.fail(problem)
    }), { discard: true })

const measureSteps = (client: ClientName, scenario: StepScenario, redis: Redis.Redis, timing: Timing) =>
  Effect.gen(function*() {
    const step = yield* scenario.effectRedis(redis)
    if (scenario.written.length > 0) {
      yield* redis.del(scenario.written.map((fixture) => fixture.key))
      yield* step(0, 0)
      yield* readBack(redis, scenario.written)
    }
    const window = new MeasureWindow(timing.warmupMillis, timing.durationMillis)
    const worker = (index: number) =>
      Effect.gen(function*() {
        for (let iteration = 0;; iteration++) {
          const start = performance.now()
          yield* step(index, iteration)
          if (!window.record(start, performance.now())) return
        }
      })
    yield* Effect.forEach(workerIndexes(scenario.workers), worker, { concurrency: "unbounded", discard: true })
    return succeeded(client, scenario, window)
  })

const measureReceive = (
  client: ClientName,
  scenario: ReceiveScenario,
  redis: Redis.Redis,
  port: number,
  timing: Timing
) =>
  Effect.gen(function*() {
    const publisher = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => startPublisher(port, scenario), catch: String }),
      (publisher) => Effect.sync(publisher.stop)
    )
    const counter = makeCounter()
    yield* scenario.effectRedis(redis, counter)
    const counted = yield* Effect.promise(() => countReceived(counter, timing))
    // Stop the flood before the subscription ends rather than after.
    publisher.stop()
    return receiveResult(client, scenario, counter, counted, publisher)
  })

/** Every caller a fiber, as the workers of the step runs. */
const measureInFlight = (client: ClientName, scenario: MemoryScenario, redis: Redis.Redis, port: number) =>
  Effect.gen(function*() {
    const step = yield* scenario.steps.effectRedis(redis)
    const callers = workerIndexes(scenario.commands)
    // The callers run on this fiber's scheduler (`effect-redis-shared`: the shared queue).
    const runtime = yield* Effect.runtime<never>()
    return yield* Effect.promise(() =>
      measureMemory(client, scenario, port, (onReply) =>
        Runtime.runPromise(runtime)(
          Effect.forEach(callers, (caller) => Effect.andThen(step(caller, caller % 2), onReply), {
            concurrency: "unbounded",
            discard: true
          })
        ))
    )
  })

const measure = (client: ClientName, scenario: Scenario, port: number, timing: Timing) =>
  Effect.gen(function*() {
    const target = onCluster(scenario)
      ? { cluster: { nodes: [{ host: "127.0.0.1", port }] } }
      : { url: `redis://127.0.0.1:${port}` }
    // BENCH_METRICS=true measures the cost of the `metrics` option.
    const metrics = process.env["BENCH_METRICS"] === "true"
    const redis = yield* Redis.make({ ...target, metrics }).pipe(Effect.provide(NodeTransport.layer))
    yield* Effect.forEach(fixtures, (fixture) => redis.set(fixture.key, fixture.value), { discard: true })
    yield* readBack(redis, fixtures)
    switch (scenario._tag) {
      case "Steps":
        return yield* measureSteps(client, scenario, redis, timing)
      case "Receive":
        return yield* measureReceive(client, scenario, redis, port, timing)
      case "Memory":
        return yield* measureInFlight(client, scenario, redis, port)
    }
  }).pipe(Effect.scoped)

/**
 * @since 0.1.0
 * @category drivers
 */
export const run: Driver = async (client, scenario, port, timing) => {
  const scheduler = onSharedQueue(client) ? SharedQueueScheduler.layer : Layer.empty
  const exit = await Effect.runPromiseExit(Effect.provide(measure(client, scenario, port, timing), scheduler))
  return Exit.isSuccess(exit) ? exit.value : failed(client, scenario.name, Cause.pretty(exit.cause))
}
