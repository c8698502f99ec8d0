/**
 * Decoder throughput: @effect-redis/resp against redis-parser (ioredis) and
 * node-redis' RESP decoder, in one process on the same bytes, alternating
 * the order each round. Prints markdown tables of medians. effect-redis runs
 * as the client runs it: Node's fast paths (`NodeResp.decoderPlatform`), and
 * chunks it may keep pieces of.
 *
 * Then effect-redis alone, with Node's fast paths and with the standard
 * `TextDecoder` platform, each in processes of its own (`codec.ts platform
 * <name>`): the decoder's call sites specialise on the one platform they
 * see, so two in one process would slow both. The fast paths lean on
 * undocumented Buffer methods and V8 behaviour; a Node release that makes
 * them slower shows up as a falling ratio.
 *
 * Run with `pnpm --filter @effect-redis/bench exec tsx src/codec.ts`.
 *
 * @since 0.1.0
 */
import { NodeResp } from "@effect-redis/node"
import { RespDecoder, type RespDecoderPlatform, standardPlatform } from "@effect-redis/resp/RespDecoder"
import { Decoder as NodeRedisDecoder, RESP_TYPES } from "@redis/client/dist/lib/RESP/decoder.js"
import { spawnSync } from "node:child_process"
import { loadavg } from "node:os"
import { fileURLToPath } from "node:url"
import RedisParser from "redis-parser"
import { type Fixture, largeBulks, mixed } from "./fixtures.js"

interface Contender {
  readonly name: string
  /** Bytes (`true`) or strings out. */
  readonly binary: boolean
  /** Feeds every chunk once and returns the replies seen. */
  readonly make: () => (chunks: ReadonlyArray<Buffer>) => number
}

const effectRedis = (binary: boolean, platform: RespDecoderPlatform = NodeResp.decoderPlatform): Contender => ({
  name: `effect-redis (${binary ? "binary" : "text"})`,
  binary,
  make: () => {
    // The fixture's chunks are never changed after a feed, as a socket's.
    const decoder = new RespDecoder({ platform, immutableChunks: true })
    decoder.binary = binary
    let count = 0
    const onValue = () => {
      count++
    }
    return (chunks) => {
      count = 0
      for (const chunk of chunks) {
        if (decoder.feed(chunk, onValue) !== undefined) throw new Error("protocol error")
      }
      return count
    }
  }
})

const redisParser = (returnBuffers: boolean): Contender => ({
  name: `redis-parser (${returnBuffers ? "buffers" : "strings"})`,
  binary: returnBuffers,
  make: () => {
    let count = 0
    const parser = new RedisParser({
      returnBuffers,
      returnReply: () => {
        count++
      },
      returnError: () => {
        count++
      }
    })
    return (chunks) => {
      count = 0
      for (const chunk of chunks) parser.execute(chunk)
      return count
    }
  }
})

const nodeRedis = (buffers: boolean): Contender => ({
  name: `node-redis (${buffers ? "buffers" : "strings"})`,
  binary: buffers,
  make: () => {
    let count = 0
    const onReply = () => {
      count++
    }
    const mapping = buffers ? { [RESP_TYPES.BLOB_STRING]: Buffer } : {}
    const decoder = new NodeRedisDecoder({
      onReply,
      onErrorReply: onReply,
      onPush: onReply,
      getTypeMapping: () => mapping
    })
    return (chunks) => {
      count = 0
      for (const chunk of chunks) decoder.write(chunk)
      return count
    }
  }
})

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

interface Result {
  readonly name: string
  readonly binary: boolean
  readonly seconds: number
}

const measure = (
  fixture: Fixture,
  contenders: ReadonlyArray<Contender>,
  rounds: number,
  iterations: number
): ReadonlyArray<Result> => {
  const runs = contenders.map((c) => ({ contender: c, run: c.make(), times: [] as Array<number> }))
  // Warm up, and check every decoder sees every reply.
  for (const r of runs) {
    for (let i = 0; i < 3; i++) {
      const seen = r.run(fixture.chunks)
      if (seen !== fixture.replies) {
        throw new Error(`${r.contender.name} saw ${seen} replies in ${fixture.name}, expected ${fixture.replies}`)
      }
    }
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? runs : [...runs].reverse()
    const rotated = order.map((_, i) => order[(i + round) % order.length]!)
    for (const r of rotated) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < iterations; i++) r.run(fixture.chunks)
      r.times.push(Number(process.hrtime.bigint() - start) / 1e9 / iterations)
    }
  }
  return runs.map((r) => ({ name: r.contender.name, binary: r.contender.binary, seconds: median(r.times) }))
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

// Each decoder is compared with redis-parser in the same mode: strings cost
// differently from buffers, so a cross-mode ratio says little.
const report = (fixture: Fixture, results: ReadonlyArray<Result>, large: boolean): void => {
  const base = (binary: boolean) => results.find((r) => r.name === `redis-parser (${binary ? "buffers" : "strings"})`)!
  console.log(
    `\n### ${fixture.name}: ${fmt(fixture.replies)} replies, ${
      fmt(fixture.bytes / 1e6, 1)
    } MB, ${fixture.chunks.length} chunks\n`
  )
  console.log(`| decoder | replies/s | ${large ? "GB/s" : "MB/s"} | vs redis-parser, same mode |`)
  console.log("| --- | ---: | ---: | ---: |")
  for (const r of results) {
    const throughput = fixture.bytes / r.seconds
    console.log(
      `| ${r.name} | ${fmt(fixture.replies / r.seconds)} | ${
        large ? fmt(throughput / 1e9, 2) : fmt(throughput / 1e6, 0)
      } | ${fmt(base(r.binary).seconds / r.seconds, 2)}× |`
    )
  }
}

const rounds = Number(process.env.ROUNDS ?? 7)

const fixtures = (): ReadonlyArray<readonly [Fixture, iterations: number]> => [
  [mixed(), 20],
  [largeBulks(1024 * 1024, 16), 4],
  [largeBulks(16 * 1024 * 1024, 2), 4]
]

const platforms: Record<string, RespDecoderPlatform> = { node: NodeResp.decoderPlatform, standard: standardPlatform }

// Other processes share the cores: the load average says how far to trust
// the absolute numbers (the ratios are measured side by side).
const load = (): string => loadavg().map((n) => n.toFixed(2)).join(" ")

/** Seconds per pass of effect-redis with one platform, per fixture and mode, measured in a fresh process. */
const platformRun = (name: string): Record<string, number> => {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "platform", name], {
    encoding: "utf8"
  })
  if (child.status !== 0) throw new Error(`codec.ts platform ${name} failed: ${child.stderr}`)
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!)
}

if (process.argv[2] === "platform") {
  const platform = platforms[process.argv[3]!]!
  const out: Record<string, number> = {}
  for (const [fixture, iterations] of fixtures()) {
    for (const binary of [false, true]) {
      const [result] = measure(fixture, [effectRedis(binary, platform)], rounds, iterations)
      out[`${fixture.name} ${binary ? "binary" : "text"}`] = result!.seconds
    }
  }
  console.log(JSON.stringify(out))
} else {
  const contenders = [
    effectRedis(false),
    redisParser(false),
    nodeRedis(false),
    effectRedis(true),
    redisParser(true),
    nodeRedis(true)
  ]
  console.log(`Node ${process.version}, ${rounds} rounds, median per decoder, load average ${load()}`)
  for (const [fixture, iterations] of fixtures()) {
    report(fixture, measure(fixture, contenders, rounds, iterations), fixture.name !== "mixed")
  }

  // Alternating processes, three of each: the median of each side.
  const runs: Record<string, Array<Record<string, number>>> = { node: [], standard: [] }
  for (let i = 0; i < 3; i++) {
    for (const name of i % 2 === 0 ? ["node", "standard"] : ["standard", "node"]) runs[name]!.push(platformRun(name))
  }
  const medianOf = (name: string, key: string) => median(runs[name]!.map((run) => run[key]!))
  console.log("\n### Node fast paths vs the standard platform, each in processes of its own\n")
  console.log("| fixture | text | binary |")
  console.log("| --- | ---: | ---: |")
  const names = new Set(Object.keys(runs["node"]![0]!).map((key) => key.replace(/ (text|binary)$/, "")))
  for (const name of names) {
    const ratio = (mode: string) =>
      fmt(medianOf("standard", `${name} ${mode}`) / medianOf("node", `${name} ${mode}`), 2)
    console.log(`| ${name} | ${ratio("text")}× | ${ratio("binary")}× |`)
  }
  console.log(`\nload average at the end: ${load()}`)
}
