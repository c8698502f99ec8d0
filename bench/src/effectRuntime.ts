/**
 * Effect's runtime alone, without Redis or a socket: what it costs to
 * suspend a caller on an `Effect.async` and resume it, at 100, 1,000 and
 * 10,000 callers in flight, the floor under every effect-redis figure of
 * `par*` and `effect-redis-promise`.
 *
 * A fake server answers every request of one event-loop turn in the next
 * (`setImmediate`), as replies arriving in one socket read would. Callers
 * are, in turn:
 *
 * - `fiber`: fibers looping on an `Effect.async`;
 * - `fiber-bare`: fibers looping on the runtime's bare asynchronous
 *   instruction, without `Effect.async`'s wrapper (how `effect-redis`
 *   waits for a reply: the client's `internal/bareAsync.ts`);
 * - `fiber-shared`: `fiber-bare` under a scheduler with one queue for all
 *   fibers (`SharedQueueScheduler.make()` of `@effect-redis/client`,
 *   installed with `Effect.withScheduler`; how `effect-redis-shared` runs);
 * - `runPromise`: `async` loops awaiting `Effect.runPromise` of the bare
 *   wait (how `effect-redis-promise` runs);
 * - `promise`: `async` loops awaiting a plain Promise (the JavaScript floor).
 *
 * Each (caller, concurrency) runs in its own process, in turn, for
 * `BENCH_ROUNDS` rounds; the table gives the medians of the commands per
 * second and of the CPU time per command (user + system, which a busy
 * machine disturbs less than throughput).
 *
 * ```sh
 * npx tsx src/effectRuntime.ts          # BENCH_DURATION_MS (1500), BENCH_ROUNDS (3)
 * ```
 *
 * @since 0.2.0
 */
import * as SharedQueueScheduler from "@effect-redis/client/SharedQueueScheduler"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import { fileURLToPath } from "node:url"
// Not public API: the probe measures the very wait the client uses.
import { bareAsync } from "../../packages/client/src/internal/bareAsync.js"

const callers = ["fiber", "fiber-bare", "fiber-shared", "runPromise", "promise"] as const
type Caller = typeof callers[number]
const levels = [100, 1_000, 10_000]

/** One measurement in this process; prints one JSON line. */
const measure = async (caller: Caller, workers: number, durationMillis: number): Promise<void> => {
  let waiting: Array<() => void> = []
  let scheduled = false
  const answer = () => {
    scheduled = false
    const batch = waiting
    waiting = []
    for (const resume of batch) resume()
  }
  const request = (resume: () => void) => {
    waiting.push(resume)
    if (!scheduled) {
      scheduled = true
      setImmediate(answer)
    }
  }
  let done = 0
  let stop = false
  let started = 0
  let cpu = process.cpuUsage()
  // Counted once every caller has been answered a few times.
  const warmup = Math.max(3 * workers, 20_000)
  const result = new Promise<{ opsPerSec: number; cpuMicrosPerOp: number }>((resolve) => {
    const count = () => {
      if (++done !== warmup) return
      const at = performance.now()
      cpu = process.cpuUsage()
      started = done
      setTimeout(() => {
        const ops = done - started
        const used = process.cpuUsage(cpu)
        stop = true
        resolve({
          opsPerSec: ops / ((performance.now() - at) / 1000),
          cpuMicrosPerOp: (used.user + used.system) / ops
        })
      }, durationMillis)
    }
    // A new wait per request, as the client builds one per command.
    const async = () => Effect.async<void>((resume) => request(() => resume(Effect.void)))
    const bare = () => bareAsync<void, never>((resume) => request(() => resume(Effect.void)))
    const indexes = Array.from({ length: workers }, (_, i) => i)
    const fiberLoop = (wait: () => Effect.Effect<void>) =>
      Effect.forEach(indexes, () =>
        Effect.gen(function*() {
          while (!stop) {
            yield* wait()
            count()
          }
        }), { concurrency: "unbounded", discard: true })
    const promiseLoops = (call: () => Promise<unknown>) =>
      Promise.all(indexes.map(async () => {
        while (!stop) {
          await call()
          count()
        }
      }))
    switch (caller) {
      case "fiber":
        return Effect.runFork(fiberLoop(async))
      case "fiber-bare":
        return Effect.runFork(fiberLoop(bare))
      case "fiber-shared":
        return Effect.runFork(Effect.withScheduler(fiberLoop(bare), SharedQueueScheduler.make()))
      case "runPromise":
        return promiseLoops(() => Effect.runPromise(bare()))
      case "promise":
        return promiseLoops(() => new Promise<void>((resolve) => request(resolve)))
    }
  })
  process.stdout.write(`${JSON.stringify(await result)}\n`, () => process.exit(0))
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const main = (): void => {
  const durationMillis = Number(process.env.BENCH_DURATION_MS ?? "1500")
  const rounds = Number(process.env.BENCH_ROUNDS ?? "3")
  const self = fileURLToPath(import.meta.url)
  const runs = new Map<string, Array<{ opsPerSec: number; cpuMicrosPerOp: number }>>()
  for (let round = 0; round < rounds; round++) {
    for (const workers of levels) {
      for (const caller of callers) {
        const out = ChildProcess.execFileSync(
          process.execPath,
          ["--import", "tsx", self, caller, String(workers), String(durationMillis)],
          { encoding: "utf8" }
        )
        const key = `${caller} ${workers}`
        runs.set(key, [...(runs.get(key) ?? []), JSON.parse(out.trim().split("\n").at(-1)!)])
      }
    }
  }
  console.log("| callers | in flight | commands/s | CPU µs per command | CPU ÷ 100 in flight |")
  console.log("| --- | ---: | ---: | ---: | ---: |")
  for (const caller of callers) {
    const base = median(runs.get(`${caller} 100`)!.map((run) => run.cpuMicrosPerOp))
    for (const workers of levels) {
      const measured = runs.get(`${caller} ${workers}`)!
      const cpu = median(measured.map((run) => run.cpuMicrosPerOp))
      const ops = median(measured.map((run) => run.opsPerSec))
      console.log(
        `| ${caller} | ${workers.toLocaleString("en-US")} | ${Math.round(ops).toLocaleString("en-US")} | ` +
          `${cpu.toFixed(2)} | ${(cpu / base).toFixed(1)}× |`
      )
    }
  }
}

const [callerArg, workersArg, durationArg] = process.argv.slice(2)
const caller = callers.find((name) => name === callerArg)
if (caller === undefined) main()
else void measure(caller, Number(workersArg), Number(durationArg))
