/**
 * What the promise-based drivers share: the fixture check and the workers,
 * `async` loops that await one step at a time.
 *
 * @since 0.1.0
 */
import { MeasureWindow } from "../histogram.js"
import { failed, mismatch, type RunResult, succeeded, type Timing, workerIndexes } from "../result.js"
import { type ClientName, fixtures, type PromiseStep, type Scenario } from "../scenarios.js"

/**
 * A connected promise-based client, reduced to what a run needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseClient {
  readonly set: (key: string, value: string) => Promise<unknown>
  readonly get: (key: string) => Promise<string | null>
  /** The scenario's step for this client. */
  readonly step: (scenario: Scenario) => Promise<PromiseStep>
  readonly close: () => void
}

/**
 * Logs a client's `error` events: left unhandled they would crash the run,
 * and a failing command reports the error anyway.
 *
 * @since 0.1.0
 * @category drivers
 */
export const logErrors = (client: ClientName) => (error: unknown): void => {
  console.error(`[${client}] ${error instanceof Error ? error.message : String(error)}`)
}

const measure = async (client: PromiseClient, scenario: Scenario, timing: Timing): Promise<MeasureWindow> => {
  for (const fixture of fixtures) {
    await client.set(fixture.key, fixture.value)
    const problem = mismatch(fixture, await client.get(fixture.key))
    if (problem !== undefined) throw new Error(problem)
  }
  const step = await client.step(scenario)
  const window = new MeasureWindow(timing.warmupMillis, timing.durationMillis)
  const worker = async (index: number) => {
    for (let iteration = 0;; iteration++) {
      const start = performance.now()
      await step(index, iteration)
      if (!window.record(start, performance.now())) return
    }
  }
  await Promise.all(workerIndexes(scenario.workers).map(worker))
  return window
}

/**
 * Connects, checks the fixtures, runs the workers and closes the client.
 *
 * @since 0.1.0
 * @category drivers
 */
export const runPromiseClient = async (
  name: ClientName,
  connect: () => Promise<PromiseClient>,
  scenario: Scenario,
  timing: Timing
): Promise<RunResult> => {
  try {
    const client = await connect()
    try {
      return succeeded(name, scenario, await measure(client, scenario, timing))
    } finally {
      client.close()
    }
  } catch (error) {
    return failed(name, scenario.name, error)
  }
}
