/**
 * One benchmark run in its own process, so that JIT state and garbage from
 * one client never weigh on another:
 *
 * ```sh
 * tsx src/runner.ts <client> <scenario> <port> <durationMs> [warmupMs]
 * ```
 *
 * Connects the client to `127.0.0.1:<port>`, writes the fixtures and reads
 * them back, runs the scenario's workers through a warm-up (default 300 ms,
 * not counted) and then for `durationMs`, and prints one JSON line (a
 * `RunResult`) on stdout, after any line a client logs there itself. Exits
 * with status 1 when the run failed. Memory scenarios ignore the timing and
 * need `node --expose-gc`.
 *
 * @since 0.1.0
 */
import { type Driver, failed, type RunResult } from "./result.js"
import { type ClientName, clientNames, scenarios } from "./scenarios.js"

// Loaded on demand: a run loads only its own client, and a client that does
// not load fails its runs without taking the others down.
const drivers: Record<ClientName, () => Promise<{ readonly run: Driver }>> = {
  "effect-redis": () => import("./drivers/effectRedis.js"),
  "effect-redis-shared": () => import("./drivers/effectRedis.js"),
  "effect-redis-promise": () => import("./drivers/effectRedisPromise.js"),
  "effect-redis-promise-shared": () => import("./drivers/effectRedisPromise.js"),
  "ioredis": () => import("./drivers/ioredis.js"),
  "ioredis-auto": () => import("./drivers/ioredis.js"),
  "node-redis": () => import("./drivers/nodeRedis.js"),
  "valkey-glide": () => import("./drivers/glide.js")
}

const parseArgs = (argv: ReadonlyArray<string>) => {
  const [clientArg, scenarioArg, portArg, durationArg, warmupArg = "300"] = argv
  const client = clientNames.find((name) => name === clientArg)
  const scenario = scenarios.find((s) => s.name === scenarioArg)
  const port = Number(portArg)
  const durationMillis = Number(durationArg)
  const warmupMillis = Number(warmupArg)
  if (client === undefined) return `unknown client "${clientArg}" (known: ${clientNames.join(", ")})`
  if (scenario === undefined) {
    return `unknown scenario "${scenarioArg}" (known: ${scenarios.map((s) => s.name).join(", ")})`
  }
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return `port must be a TCP port, got "${portArg}"`
  if (!(durationMillis > 0)) return `durationMs must be a positive number, got "${durationArg}"`
  if (!(warmupMillis >= 0)) return `warmupMs must be zero or more, got "${warmupArg}"`
  return { client, scenario, port, timing: { durationMillis, warmupMillis } }
}

const args = parseArgs(process.argv.slice(2))
const result: RunResult = typeof args === "string"
  ? failed(process.argv[2] ?? "", process.argv[3] ?? "", args)
  : await drivers[args.client]().then(
    (driver) => driver.run(args.client, args.scenario, args.port, args.timing),
    (error) => failed(args.client, args.scenario.name, `could not load the ${args.client} driver: ${String(error)}`)
  )
// Exit explicitly once the line is flushed: a client that lingers on its
// socket after closing must not keep the run (and the whole bench) waiting.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(result.ok ? 0 : 1))
