/**
 * The effect-redis driver: the client built and used the way its users
 * write code, with workers as `Effect.gen` loops forked by `Effect.forEach`.
 *
 * @since 0.1.0
 */
import { Cause, Effect, Exit, Option } from "effect"
import * as Redis from "@effect-redis/client/Redis"
import * as NodeTransport from "@effect-redis/node/NodeTransport"
import { MeasureWindow } from "../histogram.js"
import { type Driver, failed, mismatch, succeeded, type Timing, workerIndexes } from "../result.js"
import { fixtures, type Scenario } from "../scenarios.js"

const measure = (scenario: Scenario, port: number, timing: Timing) =>
  Effect.gen(function*() {
    const redis = yield* Redis.make({ url: `redis://127.0.0.1:${port}` }).pipe(Effect.provide(NodeTransport.layer))
    yield* Effect.forEach(fixtures, (fixture) =>
      Effect.gen(function*() {
        yield* redis.set(fixture.key, fixture.value)
        const problem = mismatch(fixture, Option.getOrNull(yield* redis.get(fixture.key)))
        if (problem !== undefined) return yield* Effect.fail(problem)
      }), { discard: true })
    const step = yield* scenario.effectRedis(redis)
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
    return window
  }).pipe(Effect.scoped)

/**
 * @since 0.1.0
 * @category drivers
 */
export const run: Driver = async (client, scenario, port, timing) => {
  const exit = await Effect.runPromiseExit(measure(scenario, port, timing))
  return Exit.isSuccess(exit)
    ? succeeded(client, scenario, exit.value)
    : failed(client, scenario.name, Cause.pretty(exit.cause))
}
