/**
 * A log-bucket latency histogram and the measuring window of one run.
 *
 * Recording must cost next to nothing next to a Redis round trip (tens of
 * microseconds), allocate nothing, and keep every sample whatever the run
 * length, so samples go into preallocated buckets 1% wide (like an HDR
 * histogram with two significant digits) instead of an array to sort.
 *
 * @since 0.1.0
 */

/** Relative width of a bucket: percentiles are exact to within 1%. */
const growth = 1.01
const logGrowth = Math.log(growth)
/** Bucket 0 holds everything up to 1 µs; the last one everything above ~2 minutes. */
const bucketCount = Math.ceil(Math.log(120e6) / logGrowth) + 1

/**
 * Latencies in microseconds, bucketed on a 1% logarithmic scale.
 *
 * @since 0.1.0
 * @category models
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(bucketCount)
  private total = 0

  /** The number of samples recorded. */
  get count(): number {
    return this.total
  }

  /**
   * Adds one sample, in microseconds.
   */
  record(micros: number): void {
    const index = micros <= 1 ? 0 : Math.min(bucketCount - 1, Math.ceil(Math.log(micros) / logGrowth))
    this.counts[index]!++
    this.total++
  }

  /**
   * The value at quantile `q` (0 < q ≤ 1): the upper bound of the bucket
   * holding that sample, so at most 1% above the true value. `NaN` when
   * nothing was recorded.
   */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN
    const rank = Math.max(1, Math.ceil(q * this.total))
    let seen = 0
    for (let i = 0; i < bucketCount; i++) {
      seen += this.counts[i]!
      if (seen >= rank) return Math.pow(growth, i)
    }
    return Math.pow(growth, bucketCount - 1)
  }
}

/**
 * The measuring window of one run: operations completing during the
 * warm-up are neither timed nor counted, and workers stop at the deadline.
 *
 * @since 0.1.0
 * @category models
 */
export class MeasureWindow {
  readonly histogram = new LatencyHistogram()
  private readonly measureFrom: number
  private readonly deadline: number
  // The process' CPU time (user + system, µs) when the first step of the
  // window completed, and what it used from then until the deadline.
  private cpuFrom: NodeJS.CpuUsage | undefined = undefined
  private cpuUsed: NodeJS.CpuUsage | undefined = undefined

  /** Starts the warm-up now (`performance.now()` time base). */
  constructor(warmupMillis: number, readonly durationMillis: number) {
    this.measureFrom = performance.now() + warmupMillis
    this.deadline = this.measureFrom + durationMillis
  }

  /**
   * Records one step that started at `start` and ended at `end`
   * (`performance.now()` values). Returns `false` once the deadline has
   * passed: the worker must stop.
   */
  record(start: number, end: number): boolean {
    if (end < this.measureFrom) return true
    if (end >= this.deadline) {
      if (this.cpuFrom !== undefined && this.cpuUsed === undefined) this.cpuUsed = process.cpuUsage(this.cpuFrom)
      return false
    }
    if (this.cpuFrom === undefined) this.cpuFrom = process.cpuUsage()
    this.histogram.record((end - start) * 1000)
    return true
  }

  /**
   * CPU time (user + system) the whole process spent per step from the
   * first step completed in the window to the deadline: what a busy machine
   * disturbs far less than throughput. `undefined` before the deadline.
   */
  get cpuMicrosPerStep(): number | undefined {
    const used = this.cpuUsed
    return used === undefined || this.histogram.count === 0
      ? undefined
      : (used.user + used.system) / this.histogram.count
  }
}
