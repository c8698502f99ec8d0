/**
 * Decoder throughput: @effect-redis/resp against redis-parser (ioredis) and
 * node-redis' RESP decoder, in one process on the same bytes, alternating
 * the order each round. Prints markdown tables of medians.
 *
 * effect-redis runs as the client runs it (chunks it may keep pieces of) and
 * twice: with Node's fast paths (`NodeResp.decoderPlatform`, what the client
 * uses on Node) and with the standard `TextDecoder` platform. The ratio between the two is printed per fixture: the fast paths
 * lean on undocumented Buffer methods and V8 behaviour, and a Node release
 * that makes them slower shows up as a falling ratio.
 *
 * Run with `pnpm --filter @effect-redis/bench exec tsx src/codec.ts`.
 *
 * @since 0.1.0
 */
import { NodeResp } from "@effect-redis/node"
import { RespDecoder, type RespDecoderPlatform, standardPlatform } from "@effect-redis/resp/RespDecoder"
import { Decoder as NodeRedisDecoder, RESP_TYPES } from "@redis/client/dist/lib/RESP/decoder.js"
import { loadavg } from "node:os"
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
  name: `effect-redis${platform === standardPlatform ? " standard platform" : ""} (${binary ? "binary" : "text"})`,
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
  const seconds = (name: string) => results.find((r) => r.name === name)!.seconds
  const fastPaths = (mode: string) =>
    fmt(seconds(`effect-redis standard platform (${mode})`) / seconds(`effect-redis (${mode})`), 2)
  console.log(
    `\nNode fast paths vs the standard platform: ${fastPaths("text")}× (text), ${fastPaths("binary")}× (binary)`
  )
}

const contenders = [
  effectRedis(false),
  effectRedis(false, standardPlatform),
  redisParser(false),
  nodeRedis(false),
  effectRedis(true),
  effectRedis(true, standardPlatform),
  redisParser(true),
  nodeRedis(true)
]

const rounds = Number(process.env.ROUNDS ?? 7)

// Other processes share the cores: the load average says how far to trust
// the absolute numbers (the ratios are measured side by side).
const load = (): string => loadavg().map((n) => n.toFixed(2)).join(" ")

console.log(`Node ${process.version}, ${rounds} rounds, median per decoder, load average ${load()}`)

const mix = mixed()
report(mix, measure(mix, contenders, rounds, 20), false)

for (const fixture of [largeBulks(1024 * 1024, 16), largeBulks(16 * 1024 * 1024, 2)]) {
  report(fixture, measure(fixture, contenders, rounds, 4), true)
}

console.log(`\nload average at the end: ${load()}`)
