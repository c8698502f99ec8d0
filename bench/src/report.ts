/**
 * Turns the runs of one scenario into medians, ratios and a markdown table.
 *
 * @since 0.1.0
 */
import type { RunResult } from "./result.js"
import type { Scenario } from "./scenarios.js"

/**
 * The rounds of one client in one scenario, summarised.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSummary {
  readonly client: string
  readonly runs: ReadonlyArray<RunResult>
  /**
   * Medians over the successful rounds; `undefined` when none succeeded.
   * The latencies are `undefined` for receive rates.
   */
  readonly median:
    | { readonly opsPerSec: number; readonly p50Us: number | undefined; readonly p99Us: number | undefined }
    | undefined
  /** (max − min) / median of ops/s over the successful rounds; tables show half of it as ±%. */
  readonly spread: number | undefined
  /** effect-redis ops/s ÷ this client's ops/s (medians): above 1 means effect-redis is faster. */
  readonly ratio: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ScenarioSummary {
  readonly scenario: string
  readonly description: string
  /** Workers looping at once; 1 (the subscriber) for receive rates. */
  readonly workers: number
  readonly clients: ReadonlyArray<ClientSummary>
}

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The median of latencies every run reported, `undefined` when some run had none. */
const medianOf = (xs: ReadonlyArray<number | undefined>): number | undefined =>
  xs.every((x): x is number => x !== undefined) ? median(xs) : undefined

/**
 * Medians per client over the rounds, and each client's ratio against
 * effect-redis.
 *
 * @since 0.1.0
 * @category constructors
 */
export const summarize = (
  scenario: Scenario,
  runsByClient: ReadonlyMap<string, ReadonlyArray<RunResult>>
): ScenarioSummary => {
  const partial = [...runsByClient].map(([client, runs]) => {
    const ok = runs.flatMap((run) => run.ok ? [run] : [])
    if (ok.length === 0) return { client, runs, median: undefined, spread: undefined }
    const opsPerSec = ok.map((run) => run.opsPerSec)
    const middle = median(opsPerSec)
    return {
      client,
      runs,
      median: {
        opsPerSec: middle,
        p50Us: medianOf(ok.map((run) => run.p50Us)),
        p99Us: medianOf(ok.map((run) => run.p99Us))
      },
      spread: (Math.max(...opsPerSec) - Math.min(...opsPerSec)) / middle
    }
  })
  const baseline = partial.find((summary) => summary.client === "effect-redis")?.median?.opsPerSec
  return {
    scenario: scenario.name,
    description: scenario.description,
    workers: scenario._tag === "Steps" ? scenario.workers : 1,
    clients: partial.map((summary) => ({
      ...summary,
      ratio: baseline === undefined || summary.median === undefined ? undefined : baseline / summary.median.opsPerSec
    }))
  }
}

const fmt = (n: number, digits: number): string =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** A decimal below 10 µs, where the 1% buckets still resolve it; whole microseconds above. */
const micros = (n: number | undefined): string => n === undefined ? "n/a" : fmt(n, n < 10 ? 1 : 0)

/** The first line of an error, safe inside a table cell. */
const cell = (text: string): string => (text.split("\n")[0] ?? "").replaceAll("|", "\\|").slice(0, 120)

/**
 * The markdown table of one scenario.
 *
 * @since 0.1.0
 * @category formatting
 */
export const table = (summary: ScenarioSummary, rounds: number, durationMillis: number): string => {
  const lines = [
    `### ${summary.scenario}: ${summary.description}`,
    "",
    `median of ${rounds} round${rounds === 1 ? "" : "s"} × ${fmt(durationMillis / 1000, 1)} s, one process per run`,
    "",
    "| client | ops/s | spread | p50 µs | p99 µs | effect-redis ÷ client |",
    "| --- | ---: | ---: | ---: | ---: | ---: |"
  ]
  for (const client of summary.clients) {
    const failures = client.runs.flatMap((run) => run.ok ? [] : [run.error])
    if (client.median === undefined) {
      lines.push(`| ${client.client} | failed: ${cell(failures[0] ?? "no run")} | | | | |`)
      continue
    }
    const name = failures.length === 0
      ? client.client
      : `${client.client} (${client.runs.length - failures.length}/${client.runs.length} rounds ok)`
    lines.push(
      `| ${name} | ${fmt(client.median.opsPerSec, 0)} | ±${fmt(((client.spread ?? 0) * 100) / 2, 0)}% | ${
        micros(client.median.p50Us)
      } | ${micros(client.median.p99Us)} | ${client.ratio === undefined ? "n/a" : `${fmt(client.ratio, 2)}×`} |`
    )
  }
  return lines.join("\n")
}
