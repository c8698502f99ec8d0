/**
 * What every driver shares to measure a receive rate (the `pubsub`
 * scenario): the flood publisher's process, the measuring window and the
 * checks on what arrived.
 *
 * @since 0.1.0
 */
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { failed, type RunResult, type Timing } from "./result.js"
import type { ClientName, MessageCounter, ReceiveScenario } from "./scenarios.js"

const srcDir = Path.dirname(fileURLToPath(import.meta.url))

/**
 * The running flood publisher (`src/publisher.ts`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Publisher {
  /** Why the publisher stopped on its own, if it did: the run's numbers are then void. */
  readonly failure: () => string | undefined
  /** Kills it. Idempotent. */
  readonly stop: () => void
}

/**
 * Starts the publisher of the scenario's messages against
 * `127.0.0.1:<port>` and resolves once it is connected. It waits for a
 * subscriber before publishing, so start it first and subscribe after: the
 * flood then begins as soon as the subscription exists, whatever Node's
 * start-up time.
 *
 * @since 0.1.0
 * @category constructors
 */
export const startPublisher = (port: number, scenario: ReceiveScenario): Promise<Publisher> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn(
      process.execPath,
      ["--import", "tsx", Path.join(srcDir, "publisher.ts"), String(port), scenario.channel, scenario.message],
      // Its stdin stays open for as long as this process lives: the
      // publisher exits when it closes, even if this process is killed.
      { cwd: Path.dirname(srcDir), stdio: ["pipe", "pipe", "pipe"] }
    )
    let stopped = false
    let ready = false
    let failure: string | undefined
    let stdout = ""
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      if (ready || !stdout.includes("ready\n")) return
      ready = true
      resolve({
        failure: () => failure,
        stop: () => {
          stopped = true
          child.kill("SIGKILL")
        }
      })
    })
    const end = (status: string) => {
      if (stopped) return
      failure = `publisher ${status}${stderr.trim() === "" ? "" : `: ${stderr.trim()}`}`
      if (!ready) reject(new Error(failure))
    }
    child.once("error", (error) => end(`could not start (${error.message})`))
    child.once("exit", (code, signal) => end(code !== null ? `exited with ${code}` : `killed by ${signal}`))
  })

/**
 * A counter for a subscriber's handlers to bump.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCounter = (): MessageCounter => ({ received: 0, last: undefined })

/**
 * The messages received during the measuring window and its actual length.
 * Timers fire late when the event loop is busy, so the length is measured,
 * not assumed; nothing here waits for a message, so a silent flood cannot
 * hang the run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counted {
  readonly messages: number
  readonly millis: number
}

/**
 * Lets the warm-up pass, then counts what arrives for the window's duration.
 *
 * @since 0.1.0
 * @category measuring
 */
export const countReceived = (counter: MessageCounter, timing: Timing): Promise<Counted> =>
  new Promise((resolve) => {
    setTimeout(() => {
      const before = counter.received
      const start = performance.now()
      setTimeout(
        () => resolve({ messages: counter.received - before, millis: performance.now() - start }),
        timing.durationMillis
      )
    }, timing.warmupMillis)
  })

/**
 * The result of a receive run, failed if the publisher stopped on its own,
 * nothing arrived, or the last payload is not the one published.
 *
 * @since 0.1.0
 * @category constructors
 */
export const receiveResult = (
  client: ClientName,
  scenario: ReceiveScenario,
  counter: MessageCounter,
  counted: Counted,
  publisher: Publisher
): RunResult => {
  const problem = publisher.failure() ??
    (counted.messages === 0
      ? "no message received during the window"
      : counter.last !== scenario.message
      ? `received a payload of ${counter.last?.length ?? 0} chars, expected ${scenario.message.length}`
      : undefined)
  if (problem !== undefined) return failed(client, scenario.name, problem)
  const seconds = counted.millis / 1000
  return {
    ok: true,
    kind: "throughput",
    client,
    scenario: scenario.name,
    ops: counted.messages,
    seconds,
    opsPerSec: counted.messages / seconds
  }
}
