/**
 * `pnpm bench`: the codec benchmark (`src/codec.ts`), the import cost
 * (`src/importCost.ts`), then every client
 * scenario against one redis-server started here, each (client, scenario,
 * round) in its own process (`src/runner.ts`), with the order of clients
 * changing every round. Prints one markdown table per scenario with the
 * medians and the ratios against effect-redis. See bench/README.md for the
 * environment variables.
 *
 * @since 0.1.0
 */
import * as RedisCluster from "@effect-redis/testing/RedisCluster"
import * as RedisServer from "@effect-redis/testing/RedisServer"
import { Cause, Config, Effect, Exit, Fiber, Option } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { type ScenarioSummary, summarize, table } from "./report.js"
import type { RunResult } from "./result.js"
import { type ClientName, clientNames, onCluster, type Scenario, scenarios, takesPart } from "./scenarios.js"

const srcDir = Path.dirname(fileURLToPath(import.meta.url))
const benchDir = Path.dirname(srcDir)

const names = <A extends string>(name: string, known: ReadonlyArray<A>) =>
  Config.array(Config.string(), name).pipe(
    Config.validate({
      message: `${name} is a comma-separated subset of: ${known.join(", ")}`,
      validation: (list: Array<string>) => list.every((item) => known.includes(item as A))
    }),
    Config.map((list) => known.filter((item) => list.includes(item))),
    Config.withDefault(known)
  )

const positive = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: `${name} must be a positive integer`, validation: (n: number) => n > 0 }),
    Config.withDefault(fallback)
  )

const config = Config.all({
  durationMillis: positive("BENCH_DURATION_MS", 1500),
  warmupMillis: Config.integer("BENCH_WARMUP_MS").pipe(
    Config.validate({ message: "BENCH_WARMUP_MS must be zero or more", validation: (n: number) => n >= 0 }),
    Config.withDefault(300)
  ),
  rounds: positive("BENCH_ROUNDS", 3),
  clients: names<ClientName>("BENCH_CLIENTS", clientNames),
  scenarios: names("BENCH_SCENARIOS", scenarios.map((scenario) => scenario.name)),
  codec: Config.boolean("BENCH_CODEC").pipe(Config.withDefault(true)),
  importCost: Config.boolean("BENCH_IMPORT").pipe(Config.withDefault(true)),
  json: Config.option(Config.string("BENCH_JSON"))
})

type BenchConfig = Config.Config.Success<typeof config>

/** A run that has not printed its line by then is hung: kill it and report that. */
const runTimeoutMillis = (config: BenchConfig) => config.warmupMillis + config.durationMillis + 60_000

/**
 * Runs a TypeScript file of this package in a fresh Node process through
 * tsx's loader, resolving with its exit code (or the signal that killed it).
 * Interrupting the effect kills the process.
 */
const spawnTs = (
  file: string,
  args: ReadonlyArray<string>,
  options: { readonly inherit: boolean; readonly timeoutMillis?: number; readonly nodeFlags?: ReadonlyArray<string> }
) =>
  Effect.async<{ readonly status: string; readonly stdout: string; readonly stderr: string }>((resume) => {
    const nodeArgs = [...(options.nodeFlags ?? []), "--import", "tsx", Path.join(srcDir, file), ...args]
    const child = ChildProcess.spawn(process.execPath, nodeArgs, {
      cwd: benchDir,
      stdio: options.inherit ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    let timedOut = false
    const timer = options.timeoutMillis === undefined ? undefined : setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, options.timeoutMillis)
    const done = (status: string) => {
      clearTimeout(timer)
      resume(Effect.succeed({ status, stdout, stderr }))
    }
    child.once("error", (error) => done(`could not start: ${error.message}`))
    child.once("close", (code, signal) =>
      done(
        timedOut
          ? `no result within ${options.timeoutMillis} ms`
          : code !== null
          ? `exit ${code}`
          : `killed by ${signal}`
      ))
    return Effect.sync(() => {
      clearTimeout(timer)
      child.kill("SIGKILL")
    })
  })

const runOne = (client: ClientName, scenario: Scenario, port: number, config: BenchConfig) =>
  spawnTs(
    "runner.ts",
    [client, scenario.name, String(port), String(config.durationMillis), String(config.warmupMillis)],
    {
      inherit: false,
      timeoutMillis: runTimeoutMillis(config),
      // Memory runs collect garbage before each measurement.
      nodeFlags: scenario._tag === "Memory" ? ["--expose-gc"] : []
    }
  ).pipe(Effect.map(({ status, stdout, stderr }): RunResult => {
    // The result is the last JSON line: a client may log lines of its own (GLIDE's core logs to stdout).
    const line = stdout.split("\n").filter((candidate) => candidate.startsWith("{")).at(-1) ?? ""
    try {
      return JSON.parse(line) as RunResult
    } catch {
      // The message of a crash, without the stack frames that follow it.
      const tail = stderr.split("\n").filter((line) => line.trim() !== "" && !/^\s+at /.test(line)).slice(-5).join("\n")
      return {
        ok: false,
        client,
        scenario: scenario.name,
        error: `runner ${status}, no result${tail ? `: ${tail}` : ""}`
      }
    }
  }))

/** A, B, C, D / D, C, B, A / B, C, D, A / A, D, C, B …: every client runs early and late. */
const orderFor = <A>(items: ReadonlyArray<A>, round: number): ReadonlyArray<A> => {
  const shift = Math.floor(round / 2) % items.length
  const rotated = [...items.slice(shift), ...items.slice(0, shift)]
  return round % 2 === 0 ? rotated : rotated.reverse()
}

/** The hook for the decoder benchmark, owned separately; its output streams through. */
const runCodec = Effect.gen(function*() {
  if (!Fs.existsSync(Path.join(srcDir, "codec.ts"))) {
    console.log("## Codec\n\nsrc/codec.ts is missing: codec benchmark skipped.\n")
    return
  }
  console.log("## Codec (src/codec.ts)\n")
  const { status } = yield* spawnTs("codec.ts", [], { inherit: true })
  if (status !== "exit 0") console.log(`\ncodec benchmark failed (${status}); continuing with the clients.`)
  console.log("")
})

/** The import-time measurement (`src/importCost.ts`); its table streams through. */
const runImportCost = Effect.gen(function*() {
  console.log("## Import cost (src/importCost.ts)\n")
  const { status } = yield* spawnTs("importCost.ts", [], { inherit: true })
  if (status !== "exit 0") console.log(`\nimport cost measurement failed (${status}); continuing with the clients.`)
  console.log("")
})

const serverVersion = (): string => {
  const binary = process.env.REDIS_SERVER_BIN ?? "redis-server"
  try {
    return ChildProcess.execFileSync(binary, ["--version"], { encoding: "utf8" }).match(/v=(\S+)/)?.[1] ?? "unknown"
  } catch {
    return "unknown"
  }
}

const runScenario = (scenario: Scenario, port: number, config: BenchConfig) =>
  Effect.gen(function*() {
    const clients = config.clients.filter((client) => takesPart(client, scenario))
    const runs = new Map<string, Array<RunResult>>(clients.map((client) => [client, []]))
    for (let round = 0; round < config.rounds; round++) {
      for (const client of orderFor(clients, round)) {
        const result = yield* runOne(client, scenario, port, config)
        runs.get(client)!.push(result)
        console.error(
          `  ${scenario.name} round ${round + 1}/${config.rounds} ${client}: ${
            !result.ok
              ? "failed"
              : result.kind === "memory"
              ? `${Math.round(result.heapBytesPerCommand).toLocaleString("en-US")} heap B per command`
              : `${Math.round(result.opsPerSec).toLocaleString("en-US")} ops/s`
          }`
        )
      }
    }
    const summary = summarize(scenario, runs)
    console.log(`${table(summary, config.rounds, config.durationMillis)}\n`)
    for (const client of summary.clients) {
      for (const run of client.runs) {
        if (!run.ok) console.error(`${scenario.name} / ${run.client} failed:\n${run.error}\n`)
      }
    }
    return summary
  })

const program = Effect.gen(function*() {
  const options = yield* config
  const cpu = Os.cpus()[0]?.model ?? "unknown CPU"
  // Other work on the machine skews every client; the load average says how much to trust a table.
  const load = () => Os.loadavg().map((n) => n.toFixed(2)).join(" ")
  console.log(
    `# effect-redis benchmarks\n\nNode ${process.version}, redis-server ${serverVersion()}, ${Os.cpus().length} × ${cpu}, ` +
      `load average ${load()}\n`
  )
  if (options.codec) yield* runCodec
  if (options.importCost) yield* runImportCost
  const selected = scenarios.filter((s) => options.scenarios.includes(s.name))
  const server = yield* RedisServer.make()
  // Cluster scenarios get a three-master cluster of their own, formed only when one is selected.
  const cluster = selected.some(onCluster) ? Option.some(yield* RedisCluster.make()) : Option.none()
  console.log(
    `## Clients\n\nAgainst one redis-server on port ${server.port}` +
      (Option.isSome(cluster) ? ` (cluster scenarios: 3 masters, seed port ${cluster.value.masters[0]!.port})` : "") +
      `; warm-up ${options.warmupMillis} ms, then ${options.durationMillis} ms measured per run.\n`
  )
  const summaries: Array<ScenarioSummary> = []
  for (const scenario of selected) {
    const port = Option.isSome(cluster) && onCluster(scenario) ? cluster.value.masters[0]!.port : server.port
    summaries.push(yield* runScenario(scenario, port, options))
  }
  if (Option.isSome(options.json)) {
    const file = Path.resolve(options.json.value)
    const document = {
      node: process.version,
      redisServer: serverVersion(),
      cpus: Os.cpus().length,
      loadAverage: Os.loadavg(),
      durationMillis: options.durationMillis,
      warmupMillis: options.warmupMillis,
      rounds: options.rounds,
      scenarios: summaries
    }
    yield* Effect.try({
      try: () => Fs.writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`),
      catch: (cause) => `could not write ${file}: ${cause instanceof Error ? cause.message : String(cause)}`
    })
    console.log(`Results written to ${file}`)
  }
  console.log(`Load average at the end: ${load()}`)
})

const fiber = Effect.runFork(Effect.scoped(program))
// Ctrl-C interrupts the program, so the scope still stops redis-server and
// kills the run in progress.
process.once("SIGINT", () => Effect.runFork(Fiber.interrupt(fiber)))
fiber.addObserver((exit) => {
  if (Exit.isFailure(exit)) {
    console.error(Cause.isInterruptedOnly(exit.cause) ? "Interrupted." : Cause.pretty(exit.cause))
    process.exitCode = 1
  }
})
