/**
 * The client benchmark's workloads, one entry each, and the values they read.
 *
 * A scenario says how many workers run at once and, for every client, how
 * to build the step one worker repeats (`step(worker, iteration)`). The
 * runner times each step. Each client gets the code its users would write:
 * Effects for effect-redis, promises for the others.
 *
 * To add a scenario (a pipeline of 100 SETs, a MULTI of 100 SETs, a pub/sub
 * receive rate…), append one entry to {@link scenarios}: set
 * `commandsPerStep` to the commands one step carries so that ops/s counts
 * commands, and use the builders' scope or `async` for any extra
 * connection a step needs (a subscriber, a publisher).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type * as Scope from "effect/Scope"
import type { Redis as EffectRedis } from "@effect-redis/client/Redis"
import type { RedisError } from "@effect-redis/client/RedisError"
import type { Redis as IORedis } from "ioredis"
import type { RedisClientType } from "redis"

/**
 * The clients compared, effect-redis first (the baseline of the ratios).
 *
 * @since 0.1.0
 * @category models
 */
export const clientNames = ["effect-redis", "ioredis", "ioredis-auto", "node-redis"] as const

/**
 * @since 0.1.0
 * @category models
 */
export type ClientName = typeof clientNames[number]

/**
 * A node-redis client as `createClient()` from `redis` returns it (RESP3,
 * its default).
 *
 * @since 0.1.0
 * @category models
 */
export type NodeRedisClient = RedisClientType

/**
 * One step of an effect-redis worker.
 *
 * @since 0.1.0
 * @category models
 */
export type EffectStep = (worker: number, iteration: number) => Effect.Effect<unknown, RedisError>

/**
 * One step of a promise-based worker.
 *
 * @since 0.1.0
 * @category models
 */
export type PromiseStep = (worker: number, iteration: number) => Promise<unknown>

/**
 * A workload, with its step for every client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scenario {
  /** The name used on the command line and in the tables. */
  readonly name: string
  /** One line for the table heading. */
  readonly description: string
  /** Workers looping at once: the commands (or steps) in flight. */
  readonly workers: number
  /** Commands one step sends; ops/s is steps/s times this. */
  readonly commandsPerStep: number
  readonly effectRedis: (redis: EffectRedis) => Effect.Effect<EffectStep, RedisError, Scope.Scope>
  /** Used for both `ioredis` and `ioredis-auto`. */
  readonly ioredis: (client: IORedis) => Promise<PromiseStep>
  readonly nodeRedis: (client: NodeRedisClient) => Promise<PromiseStep>
}

/**
 * A stored value that scenarios read.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fixture {
  readonly key: string
  readonly value: string
}

const fixture = (key: string, bytes: number): Fixture => ({
  key,
  // ASCII, so every client returns it as a string by default without any
  // UTF-8 decoding differences between them.
  value: "0123456789abcdef".repeat(Math.ceil(bytes / 16)).slice(0, bytes)
})

const small = fixture("bench:16b", 16)
const medium = fixture("bench:100kb", 100 * 1024)
const large = fixture("bench:1mb", 1024 * 1024)

/**
 * The values written (and read back to check) before every run.
 *
 * @since 0.1.0
 * @category models
 */
export const fixtures: ReadonlyArray<Fixture> = [small, medium, large]

/** One command in flight: a worker GETs the same key over and over. */
const sequentialGet = (name: string, description: string, { key }: Fixture): Scenario => ({
  name,
  description,
  workers: 1,
  commandsPerStep: 1,
  effectRedis: (redis) => Effect.succeed(() => redis.get(key)),
  ioredis: async (client) => () => client.get(key),
  nodeRedis: async (client) => () => client.get(key)
})

/**
 * Many workers, each alternating a GET of the shared small value with a
 * SET of its own key, so reads and writes interleave on the connection.
 */
const getSetMix = (workers: number): Scenario => {
  const keys = Array.from({ length: workers }, (_, worker) => `bench:par:${worker}`)
  const { key, value } = small
  return {
    name: `par${workers}`,
    description: `${workers} workers in flight, alternating GET / SET of 16 B`,
    workers,
    commandsPerStep: 1,
    effectRedis: (redis) =>
      Effect.succeed((worker, iteration) => iteration % 2 === 0 ? redis.get(key) : redis.set(keys[worker]!, value)),
    ioredis: async (client) => (worker, iteration) =>
      iteration % 2 === 0 ? client.get(key) : client.set(keys[worker]!, value),
    nodeRedis: async (client) => (worker, iteration) =>
      iteration % 2 === 0 ? client.get(key) : client.set(keys[worker]!, value)
  }
}

/**
 * Every scenario, in the order they run.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const scenarios: ReadonlyArray<Scenario> = [
  sequentialGet("seq-get", "one command in flight, GET of 16 B", small),
  getSetMix(100),
  getSetMix(1000),
  sequentialGet("get-100k", "one command in flight, GET of 100 KiB", medium),
  sequentialGet("get-1m", "one command in flight, GET of 1 MiB", large)
]
