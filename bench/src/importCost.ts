/**
 * Import cost: the wall time of `node -e "import('<package>')"` for
 * `@effect-redis/node` as published (the compiled `dist/`, not the sources)
 * against `ioredis` and `redis`, and against node doing nothing; and of
 * `@effect-redis/client`'s index, which the README's quick start imports
 * too (it loads `RedisSchema`, hence `effect/Schema`); and of `effect/Stream`
 * alone, the floor of the client's import (its public API returns streams
 * from synchronous methods, so the module loads with it). Every
 * repetition runs each of them once, in a fresh process, in turn; the table
 * shows medians and the ratios against ioredis.
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
  const effect = Path.dirname(createRequire(import.meta.url).resolve("effect/package.json"))
  Fs.symlinkSync(Fs.realpathSync(effect), Path.join(dir, "node_modules", "effect"))
  return dir
}

interface Target {
  readonly name: string
  readonly code: string
  readonly cwd: string
}

const wallMillis = (target: Target): number => {
  const start = process.hrtime.bigint()
  const result = ChildProcess.spawnSync(process.execPath, ["-e", target.code], { cwd: target.cwd, encoding: "utf8" })
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`${target.name} failed to import: ${result.stderr}`)
  return elapsed
}

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
    { name: "ioredis", code: "import('ioredis')", cwd: benchDir },
    { name: "redis", code: "import('redis')", cwd: benchDir }
  ]
  const times = new Map<string, Array<number>>(targets.map((target) => [target.name, []]))
  for (const target of targets) wallMillis(target) // file system caches warm
  for (let i = 0; i < repetitions; i++) {
    for (const target of i % 2 === 0 ? targets : [...targets].reverse()) {
      times.get(target.name)!.push(wallMillis(target))
    }
  }
  const medians = new Map([...times].map(([name, values]) => [name, median(values)]))
  const nothing = medians.get("node (nothing)")!
  const ioredis = medians.get("ioredis")!
  const rows = targets.map((target) => {
    const wall = medians.get(target.name)!
    const spread = Math.max(...times.get(target.name)!) - Math.min(...times.get(target.name)!)
    return `| ${target.name} | ${wall.toFixed(0)} ms | ±${(spread / 2).toFixed(0)} | ${
      (wall - nothing).toFixed(0)
    } ms | ${(wall / ioredis).toFixed(2)}× |`
  })
  console.log(
    [
      `Wall time of \`node -e "import('…')"\`, median of ${repetitions} fresh processes each, load average ${
        Os.loadavg().map((n) => n.toFixed(2)).join(" ")
      }.\n`,
      "| import | wall | spread | above bare node | ÷ ioredis |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...rows
    ].join("\n")
  )
} finally {
  Fs.rmSync(installed, { recursive: true, force: true })
}
