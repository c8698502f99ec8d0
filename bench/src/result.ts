/**
 * What one run reports, and the pieces every client driver shares to
 * produce it.
 *
 * @since 0.1.0
 */
import type { MeasureWindow } from "./histogram.js"
import type { ClientName, Fixture, Scenario, StepScenario } from "./scenarios.js"

/**
 * What a run prints: its throughput and latency, or why it failed.
 *
 * @since 0.1.0
 * @category models
 */
export type RunResult = ThroughputResult | MemoryResult | {
  readonly ok: false
  readonly client: string
  readonly scenario: string
  readonly error: string
}

/**
 * What a step or receive run measured.
 *
 * @since 0.2.0
 * @category models
 */
export interface ThroughputResult {
  readonly ok: true
  readonly kind: "throughput"
  readonly client: string
  readonly scenario: string
  /** Commands completed inside the measuring window. */
  readonly ops: number
  readonly seconds: number
  readonly opsPerSec: number
  /**
   * Latency of one step (one command unless the scenario batches); absent
   * for receive rates, where no operation has a start.
   */
  readonly p50Us?: number
  readonly p99Us?: number
  /**
   * CPU time of the client's process per command (user + system, µs) over
   * the window; absent for receive rates.
   */
  readonly cpuUsPerOp?: number
}

/**
 * What a memory run measured: the growth of the process' memory with
 * `commands` in flight over the idle client, after GC, per command.
 *
 * @since 0.2.0
 * @category models
 */
export interface MemoryResult {
  readonly ok: true
  readonly kind: "memory"
  readonly client: string
  readonly scenario: string
  readonly commands: number
  /** V8's `heapUsed`: the objects the callers and the client hold. */
  readonly heapBytesPerCommand: number
  /** V8's `external`: buffers and other memory outside the heap that V8 knows about. */
  readonly externalBytesPerCommand: number
  /** The resident set: everything, native memory included (GLIDE's core), and freed pages the OS has not taken back. */
  readonly rssBytesPerCommand: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Timing {
  readonly durationMillis: number
  readonly warmupMillis: number
}

/**
 * Runs one client through one scenario against `127.0.0.1:<port>`. Never
 * rejects for a failure of the client: that is a `RunResult` too.
 *
 * @since 0.1.0
 * @category models
 */
export type Driver = (client: ClientName, scenario: Scenario, port: number, timing: Timing) => Promise<RunResult>

/**
 * The result of a finished window of steps.
 *
 * @since 0.1.0
 * @category constructors
 */
export const succeeded = (client: ClientName, scenario: StepScenario, window: MeasureWindow): RunResult => {
  // Possible when a step takes longer than warm-up and window together (thousands of workers on a busy machine).
  if (window.histogram.count === 0) {
    return failed(client, scenario.name, "no step completed within the measuring window: lengthen BENCH_DURATION_MS")
  }
  const seconds = window.durationMillis / 1000
  const ops = window.histogram.count * scenario.commandsPerStep
  const cpu = window.cpuMicrosPerStep
  return {
    ok: true,
    kind: "throughput",
    client,
    scenario: scenario.name,
    ops,
    seconds,
    opsPerSec: ops / seconds,
    p50Us: window.histogram.quantile(0.5),
    p99Us: window.histogram.quantile(0.99),
    ...(cpu === undefined ? {} : { cpuUsPerOp: cpu / scenario.commandsPerStep })
  }
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const failed = (client: string, scenario: string, error: unknown): RunResult => ({
  ok: false,
  client,
  scenario,
  error: error instanceof Error ? error.message : String(error)
})

/**
 * Why a fixture read back wrong, or `undefined` when it matches. A benchmark
 * that reads the wrong bytes measures nothing, so every run checks once.
 *
 * @since 0.1.0
 * @category checks
 */
export const mismatch = ({ key, value }: Fixture, got: string | null | undefined): string | undefined =>
  got === value
    ? undefined
    : `${key} read back ${got == null ? "nil" : `${got.length} chars`}, expected ${value.length}`

/**
 * `[0, 1, …, n - 1]`: the worker indexes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const workerIndexes = (n: number): ReadonlyArray<number> => Array.from({ length: n }, (_, i) => i)
