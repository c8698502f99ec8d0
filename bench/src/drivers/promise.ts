/**
 * What the promise-based drivers share: the fixture check, the workers
 * (`async` loops that await one step at a time), the receive runs and the
 * memory runs.
 *
 * @since 0.1.0
 */
import { MeasureWindow } from "../histogram.js"
import { measureMemory } from "../memory.js"
import { countReceived, makeCounter, receiveResult, startPublisher } from "../receive.js"
import { failed, mismatch, type RunResult, succeeded, type Timing, workerIndexes } from "../result.js"
import {
  type ClientName,
  type Fixture,
  fixtures,
  type MemoryScenario,
  type MessageCounter,
  type PromiseStep,
  type ReceiveScenario,
  type Scenario,
  type StepScenario
} from "../scenarios.js"

/**
 * A connected promise-based client, reduced to what a run needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseClient {
  readonly set: (key: string, value: string) => Promise<unknown>
  readonly get: (key: string) => Promise<string | null>
  readonly del: (keys: Array<string>) => Promise<unknown>
  /** The scenario's step for this client. */
  readonly step: (scenario: StepScenario) => Promise<PromiseStep>
  /** Subscribes this client as the scenario says, counting into `counter`. */
  readonly receive: (scenario: ReceiveScenario, counter: MessageCounter) => Promise<void>
  /** Closes every connection the client opened; awaited when it returns a promise. */
  readonly close: () => unknown
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

const readBack = async (client: PromiseClient, expected: ReadonlyArray<Fixture>): Promise<void> => {
  for (const fixture of expected) {
    const problem = mismatch(fixture, await client.get(fixture.key))
    if (problem !== undefined) throw new Error(problem)
  }
}

const measureSteps = async (
  name: ClientName,
  client: PromiseClient,
  scenario: StepScenario,
  timing: Timing
): Promise<RunResult> => {
  const step = await client.step(scenario)
  if (scenario.written.length > 0) {
    await client.del(scenario.written.map((fixture) => fixture.key))
    await step(0, 0)
    await readBack(client, scenario.written)
  }
  const window = new MeasureWindow(timing.warmupMillis, timing.durationMillis)
  const worker = async (index: number) => {
    for (let iteration = 0;; iteration++) {
      const start = performance.now()
      await step(index, iteration)
      if (!window.record(start, performance.now())) return
    }
  }
  await Promise.all(workerIndexes(scenario.workers).map(worker))
  return succeeded(name, scenario, window)
}

const measureReceive = async (
  name: ClientName,
  client: PromiseClient,
  scenario: ReceiveScenario,
  port: number,
  timing: Timing
): Promise<RunResult> => {
  const publisher = await startPublisher(port, scenario)
  try {
    const counter = makeCounter()
    await client.receive(scenario, counter)
    const counted = await countReceived(counter, timing)
    return receiveResult(name, scenario, counter, counted, publisher)
  } finally {
    publisher.stop()
  }
}

/** Every caller an `async` function awaiting its one command, as the workers of the step runs. */
const measureInFlight = async (
  name: ClientName,
  client: PromiseClient,
  scenario: MemoryScenario,
  port: number
): Promise<RunResult> => {
  const step = await client.step(scenario.steps)
  const callers = workerIndexes(scenario.commands)
  return measureMemory(name, scenario, port, (onReply) =>
    Promise.all(callers.map(async (caller) => {
      await step(caller, caller % 2)
      onReply()
    })))
}

/**
 * Connects, checks the fixtures, runs the scenario and closes the client.
 *
 * @since 0.1.0
 * @category drivers
 */
export const runPromiseClient = async (
  name: ClientName,
  connect: () => Promise<PromiseClient>,
  scenario: Scenario,
  port: number,
  timing: Timing
): Promise<RunResult> => {
  try {
    const client = await connect()
    try {
      for (const fixture of fixtures) await client.set(fixture.key, fixture.value)
      await readBack(client, fixtures)
      switch (scenario._tag) {
        case "Steps":
          return await measureSteps(name, client, scenario, timing)
        case "Receive":
          return await measureReceive(name, client, scenario, port, timing)
        case "Memory":
          return await measureInFlight(name, client, scenario, port)
      }
    } finally {
      await client.close()
    }
  } catch (error) {
    return failed(name, scenario.name, error)
  }
}
