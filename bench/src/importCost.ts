/**
 * Import cost: the wall time of `node -e "import('<package>')"` for
 * `@effect-redis/node` as published (the compiled `dist/`, not the sources)
 * against `ioredis` and `redis`, and against node doing nothing; and of
 * `@effect-redis/client`'s index, which the README's quick start imports
 * too (it loads `RedisSchema`, hence `effect/Schema`); and of `effect/Stream`
 * alone, the floor of the client's import (its public API returns streams
 * from synchronous methods, so the module loads with it); and of
 * `effect/Effect` alone, the floor of any library built on Effect. A second
 * table times, inside the process, what importing the client adds to a
 * program that has already loaded `effect/Effect`, `effect/Layer` and
 * `effect/Stream` (as an Effect service has), against importing ioredis
 * timed the same way. Every repetition runs each of them once, in a fresh
 * process, in turn; the tables show medians and the ratios against ioredis.
 *
 * Run with `pnpm --filter @effect-redis/bench import-cost`
 * (`BENCH_IMPORT_REPETITIONS`, default 15). It builds the packages first.
 *
 * @since 0.2.0
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const benchDir = Path.dirname(Path.dirname(fileURLToPath(import.meta.url)))
const rootDir = Path.dirname(benchDir)
const repetitions = Number(process.env.BENCH_IMPORT_REPETITIONS ?? "15")
if (!Number.isInteger(repetitions) || repetitions < 1) {
  throw new Error("BENCH_IMPORT_REPETITIONS must be a positive integer")
}

/**
 * A node_modules holding the three runtime packages of `@effect-redis/node`
 * as a user's install has them (package.json with the published exports, a
 * copy of dist/), and the workspace's own `effect`.
 */
const installBuilt = (): string => {
  ChildProcess.execFileSync(process.execPath, [Path.join(rootDir, "scripts", "build.mjs")], { stdio: "inherit" })
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-redis-import-"))
  for (const name of ["resp", "client", "node"]) {
    const source = Path.join(rootDir, "packages", name)
    const manifest = JSON.parse(Fs.readFileSync(Path.join(source, "package.json"), "utf8"))
    const target = Path.join(dir, "node_modules", "@effect-redis", name)
    Fs.mkdirSync(target, { recursive: true })
    Fs.writeFileSync(
      Path.join(target, "package.json"),
      JSON.stringify({ name: manifest.name, type: "module", exports: manifest.publishConfig.exports })
    )
    Fs.cpSync(Path.join(source, "dist"), Path.join(target, "dist"), { recursive: true })
  }
  // The workspace's own effect, and ioredis for the in-program comparison.
  const require = createRequire(import.meta.url)
  for (const name of ["effect", "ioredis"]) {
    const installedAt = Path.dirname(require.resolve(`${name}/package.json`))
    Fs.symlinkSync(Fs.realpathSync(installedAt), Path.join(dir, "node_modules", name))
  }
  return dir
}

interface Target {
  readonly name: string
  readonly code: string
  readonly cwd: string
  /** Timed inside the process: `code` prints the milliseconds it measured, instead of the process' wall time. */
  readonly inProcess?: boolean
}

const millis = (target: Target): number => {
  const start = process.hrtime.bigint()
  const args = target.inProcess === true ? ["--input-type=module", "-e", target.code] : ["-e", target.code]
  const result = ChildProcess.spawnSync(process.execPath, args, { cwd: target.cwd, encoding: "utf8" })
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`${target.name} failed to import: ${result.stderr}`)
  return target.inProcess === true ? Number(result.stdout.trim()) : elapsed
}

/** Code that loads what an Effect service has loaded, then prints how long importing `specifier` takes. */
const timedAfterEffect = (specifier: string): string =>
  `await Promise.all(["effect/Effect", "effect/Layer", "effect/Stream"].map((m) => import(m)));` +
  `const start = performance.now(); await import("${specifier}"); console.log(performance.now() - start)`

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const installed = installBuilt()
try {
  const targets: ReadonlyArray<Target> = [
    { name: "node (nothing)", code: "0", cwd: benchDir },
    { name: "@effect-redis/node (dist)", code: "import('@effect-redis/node')", cwd: installed },
    { name: "@effect-redis/client index (dist)", code: "import('@effect-redis/client')", cwd: installed },
    { name: "effect/Stream alone", code: "import('effect/Stream')", cwd: installed },
    { name: "effect/Effect alone", code: "import('effect/Effect')", cwd: installed },
    { name: "ioredis", code: "import('ioredis')", cwd: benchDir },
    { name: "redis", code: "import('redis')", cwd: benchDir }
  ]
  const inProgram: ReadonlyArray<Target> = [
    {
      name: "@effect-redis/node (dist), in an Effect program",
      code: timedAfterEffect("@effect-redis/node"),
      cwd: installed,
      inProcess: true
    },
    { name: "ioredis, in the same program", code: timedAfterEffect("ioredis"), cwd: installed, inProcess: true }
  ]
  const all = [...targets, ...inProgram]
  const times = new Map<string, Array<number>>(all.map((target) => [target.name, []]))
  for (const target of all) millis(target) // file system caches warm
  for (let i = 0; i < repetitions; i++) {
    for (const target of i % 2 === 0 ? all : [...all].reverse()) {
      times.get(target.name)!.push(millis(target))
    }
  }
  const medians = new Map([...times].map(([name, values]) => [name, median(values)]))
  const spreadOf = (name: string) => (Math.max(...times.get(name)!) - Math.min(...times.get(name)!)) / 2
  const nothing = medians.get("node (nothing)")!
  const ioredis = medians.get("ioredis")!
  const rows = targets.map((target) => {
    const wall = medians.get(target.name)!
    return `| ${target.name} | ${wall.toFixed(0)} ms | ±${spreadOf(target.name).toFixed(0)} | ${
      (wall - nothing).toFixed(0)
    } ms | ${(wall / ioredis).toFixed(2)}× |`
  })
  const ioredisInProgram = medians.get(inProgram[1]!.name)!
  const programRows = inProgram.map((target) => {
    const took = medians.get(target.name)!
    return `| ${target.name} | ${took.toFixed(0)} ms | ±${spreadOf(target.name).toFixed(0)} | ${
      (took / ioredisInProgram).toFixed(2)
    }× |`
  })
  console.log(
    [
      `Wall time of \`node -e "import('…')"\`, median of ${repetitions} fresh processes each, load average ${
        Os.loadavg().map((n) => n.toFixed(2)).join(" ")
      }.\n`,
      "| import | wall | spread | above bare node | ÷ ioredis |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...rows,
      "\nThe import alone, timed inside a process that has already loaded `effect/Effect`, `effect/Layer` and " +
      "`effect/Stream`:\n",
      "| import | time | spread | ÷ ioredis |",
      "| --- | ---: | ---: | ---: |",
      ...programRows
    ].join("\n")
  )
} finally {
  Fs.rmSync(installed, { recursive: true, force: true })
}
