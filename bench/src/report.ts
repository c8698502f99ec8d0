/**
 * Turns the runs of one scenario into medians, ratios and a markdown table.
 *
 * @since 0.1.0
 */
import type { MemoryResult, RunResult, ThroughputResult } from "./result.js"
import type { Scenario } from "./scenarios.js"

/**
 * The rounds of one client in one scenario, summarised: `M` holds the
 * medians.
 *
 * @since 0.2.0
 * @category models
 */
export interface RoundsSummary<M> {
  readonly client: string
  readonly runs: ReadonlyArray<RunResult>
  /** Medians over the successful rounds; `undefined` when none succeeded. */
  readonly median: M | undefined
  /** (max − min) / median of the main figure over the successful rounds; tables show half of it as ±%. */
  readonly spread: number | undefined
  /** effect-redis against this client (medians); above 1 means effect-redis does better. */
  readonly ratio: number | undefined
}

/**
 * A client's rounds in a step or receive scenario. The latencies are
 * `undefined` for receive rates; the ratio is effect-redis ops/s ÷ this
 * client's.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientSummary = RoundsSummary<
  { readonly opsPerSec: number; readonly p50Us: number | undefined; readonly p99Us: number | undefined }
>

/**
 * A client's rounds in a memory scenario: bytes per command in flight; the
 * ratio is this client's heap bytes ÷ effect-redis'.
 *
 * @since 0.2.0
 * @category models
 */
export type MemoryClientSummary = RoundsSummary<
  { readonly heapBytes: number; readonly externalBytes: number; readonly rssBytes: number }
>

/**
 * @since 0.1.0
 * @category models
 */
export type ScenarioSummary = {
  readonly kind: "throughput"
  readonly scenario: string
  readonly description: string
  /** Workers looping at once; 1 (the subscriber) for receive rates. */
  readonly workers: number
  readonly clients: ReadonlyArray<ClientSummary>
} | {
  readonly kind: "memory"
  readonly scenario: string
  readonly description: string
  /** Commands in flight at once. */
  readonly workers: number
  readonly clients: ReadonlyArray<MemoryClientSummary>
}

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The median of latencies every run reported, `undefined` when some run had none. */
const medianOf = (xs: ReadonlyArray<number | undefined>): number | undefined =>
  xs.every((x): x is number => x !== undefined) ? median(xs) : undefined

/** (max − min) / median. */
const spreadOf = (xs: ReadonlyArray<number>): number => (Math.max(...xs) - Math.min(...xs)) / median(xs)

type Succeeded<K extends "throughput" | "memory"> = Extract<RunResult, { readonly kind: K }>

/**
 * One client's medians over its successful rounds of one kind (a run of
 * the other kind would be a runner bug, and counts as none), and the
 * spread of its main figure.
 */
const summarizeRounds = <K extends "throughput" | "memory", M>(
  client: string,
  runs: ReadonlyArray<RunResult>,
  kind: K,
  figure: (run: Succeeded<K>) => number,
  medians: (ok: ReadonlyArray<Succeeded<K>>) => M
): Omit<RoundsSummary<M>, "ratio"> => {
  const ok = runs.flatMap((run) => run.ok && run.kind === kind ? [run as Succeeded<K>] : [])
  return ok.length === 0
    ? { client, runs, median: undefined, spread: undefined }
    : { client, runs, median: medians(ok), spread: spreadOf(ok.map(figure)) }
}

/** Adds each client's ratio against effect-redis' medians. */
const withRatios = <M>(
  summaries: ReadonlyArray<Omit<RoundsSummary<M>, "ratio">>,
  ratio: (effectRedis: M, client: M) => number
): ReadonlyArray<RoundsSummary<M>> => {
  const baseline = summaries.find((summary) => summary.client === "effect-redis")?.median
  return summaries.map((summary) => ({
    ...summary,
    ratio: baseline === undefined || summary.median === undefined ? undefined : ratio(baseline, summary.median)
  }))
}

/**
 * Medians per client over the rounds, and each client's ratio against
 * effect-redis (ops/s, or heap per command for memory scenarios), so that
 * above 1 always means effect-redis does better.
 *
 * @since 0.1.0
 * @category constructors
 */
export const summarize = (
  scenario: Scenario,
  runsByClient: ReadonlyMap<string, ReadonlyArray<RunResult>>
): ScenarioSummary => {
  const rounds = [...runsByClient]
  if (scenario._tag === "Memory") {
    const heap = (run: MemoryResult) => run.heapBytesPerCommand
    return {
      kind: "memory",
      scenario: scenario.name,
      description: scenario.description,
      workers: scenario.commands,
      clients: withRatios(
        rounds.map(([client, runs]) =>
          summarizeRounds(client, runs, "memory", heap, (ok) => ({
            heapBytes: median(ok.map(heap)),
            externalBytes: median(ok.map((run) => run.externalBytesPerCommand)),
            rssBytes: median(ok.map((run) => run.rssBytesPerCommand))
          }))
        ),
        (effectRedis, client) => client.heapBytes / effectRedis.heapBytes
      )
    }
  }
  const opsPerSec = (run: ThroughputResult) => run.opsPerSec
  return {
    kind: "throughput",
    scenario: scenario.name,
    description: scenario.description,
    workers: scenario._tag === "Steps" ? scenario.workers : 1,
    clients: withRatios(
      rounds.map(([client, runs]) =>
        summarizeRounds(client, runs, "throughput", opsPerSec, (ok) => ({
          opsPerSec: median(ok.map(opsPerSec)),
          p50Us: medianOf(ok.map((run) => run.p50Us)),
          p99Us: medianOf(ok.map((run) => run.p99Us))
        }))
      ),
      (effectRedis, client) => effectRedis.opsPerSec / client.opsPerSec
    )
  }
}

const fmt = (n: number, digits: number): string =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** A decimal below 10 µs, where the 1% buckets still resolve it; whole microseconds above. */
const micros = (n: number | undefined): string => n === undefined ? "n/a" : fmt(n, n < 10 ? 1 : 0)

/** The first line of an error, safe inside a table cell. */
const cell = (text: string): string => (text.split("\n")[0] ?? "").replaceAll("|", "\\|").slice(0, 120)

const ratioCell = (ratio: number | undefined): string => ratio === undefined ? "n/a" : `${fmt(ratio, 2)}×`

/** Half the spread, as ±%. */
const spreadCell = (spread: number | undefined): string => `±${fmt(((spread ?? 0) * 100) / 2, 0)}%`

interface Rounds {
  readonly client: string
  readonly runs: ReadonlyArray<RunResult>
}

const failures = ({ runs }: Rounds): ReadonlyArray<string> => runs.flatMap((run) => run.ok ? [] : [run.error])

/** The client's name, with the rounds that succeeded when some failed. */
const label = (rounds: Rounds): string => {
  const failed = failures(rounds).length
  return failed === 0
    ? rounds.client
    : `${rounds.client} (${rounds.runs.length - failed}/${rounds.runs.length} rounds ok)`
}

/**
 * One row per client, six columns: the name, the main figure, its spread,
 * two more figures and the ratio; or why every round failed.
 */
const rows = <M>(
  clients: ReadonlyArray<RoundsSummary<M>>,
  figures: (median: M) => readonly [string, string, string]
): ReadonlyArray<string> =>
  clients.map((client) => {
    if (client.median === undefined) {
      return `| ${client.client} | failed: ${cell(failures(client)[0] ?? "no run")} | | | | |`
    }
    const [main, second, third] = figures(client.median)
    return `| ${label(client)} | ${main} | ${spreadCell(client.spread)} | ${second} | ${third} | ${
      ratioCell(client.ratio)
    } |`
  })

const roundsText = (rounds: number): string => `median of ${rounds} round${rounds === 1 ? "" : "s"}`

/**
 * The markdown table of one scenario.
 *
 * @since 0.1.0
 * @category formatting
 */
export const table = (summary: ScenarioSummary, rounds: number, durationMillis: number): string => {
  const [method, header, body] = summary.kind === "memory"
    ? [
      `${roundsText(rounds)}, one process per run; bytes per command in flight ` +
      `(${summary.workers.toLocaleString("en-US")} in flight minus idle, after GC)`,
      "| client | heap B | spread | external B | rss B | client heap ÷ effect-redis heap |",
      rows(summary.clients, (median) => [
        fmt(median.heapBytes, 0),
        fmt(median.externalBytes, 0),
        fmt(median.rssBytes, 0)
      ])
    ]
    : [
      `${roundsText(rounds)} × ${fmt(durationMillis / 1000, 1)} s, one process per run`,
      "| client | ops/s | spread | p50 µs | p99 µs | effect-redis ÷ client |",
      rows(summary.clients, (median) => [fmt(median.opsPerSec, 0), micros(median.p50Us), micros(median.p99Us)])
    ]
  return [
    `### ${summary.scenario}: ${summary.description}`,
    "",
    method,
    "",
    header,
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...body
  ].join("\n")
}
