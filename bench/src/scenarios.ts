/**
 * The client benchmark's workloads, one entry each, and the values they read.
 *
 * Most scenarios are steps: a scenario says how many workers run at once
 * and, for every client, how to build the step one worker repeats
 * (`step(worker, iteration)`); the runner times each step. The `pubsub`
 * scenario instead counts messages a subscriber receives from a flood that
 * a separate process publishes (`src/publisher.ts`), and `mem10000`
 * measures the heap that commands in flight hold (`src/memory.ts`). Each
 * client gets the code its users would write: Effects and Streams for
 * effect-redis, promises and callbacks for the others.
 *
 * To add a scenario, append one entry to {@link scenarios}: for steps, set
 * `commandsPerStep` to the commands one step carries so that ops/s counts
 * commands, and use the builders' scope or `async` for any extra
 * connection a step needs.
 *
 * @since 0.1.0
 */
import type * as Command from "@effect-redis/client/Command"
import * as Commands from "@effect-redis/client/Commands"
import type { Redis as EffectRedis } from "@effect-redis/client/Redis"
import type { RedisError } from "@effect-redis/client/RedisError"
import type { GlideClient, GlideClientConfiguration } from "@valkey/valkey-glide"
import { Chunk, Effect, Stream } from "effect"
import type * as Scope from "effect/Scope"
import type { ChainableCommander, Redis as IORedis } from "ioredis"
import type { RedisClientType } from "redis"

/**
 * The clients compared, effect-redis first (the baseline of the ratios).
 * `effect-redis-promise` is effect-redis called from promise code: one
 * `runPromise` per step, from `async` loops like the other clients'. The
 * `-shared` ones are the same programs run on `SharedQueueScheduler.layer`
 * instead of Effect's default scheduler.
 *
 * @since 0.1.0
 * @category models
 */
export const clientNames = [
  "effect-redis",
  "effect-redis-shared",
  "effect-redis-promise",
  "effect-redis-promise-shared",
  "ioredis",
  "ioredis-auto",
  "node-redis",
  "valkey-glide"
] as const

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
 * A workload of steps, with its step for every client.
 *
 * @since 0.1.0
 * @category models
 */
export interface StepScenario {
  readonly _tag: "Steps"
  /** The name used on the command line and in the tables. */
  readonly name: string
  /** One line for the table heading. */
  readonly description: string
  /** Workers looping at once: the commands (or steps) in flight. */
  readonly workers: number
  /** Commands one step sends; ops/s is steps/s times this. */
  readonly commandsPerStep: number
  /**
   * Run against a three-master Redis Cluster instead of one server: every
   * client connects in its cluster mode, given one master as its seed.
   */
  readonly cluster?: boolean
  /**
   * Keys a step writes, with the value it writes: deleted before the run and
   * read back after one step, so a client whose batches silently fail
   * cannot post a number.
   */
  readonly written: ReadonlyArray<Fixture>
  /** Used for both `effect-redis` and `effect-redis-promise`. */
  readonly effectRedis: (redis: EffectRedis) => Effect.Effect<EffectStep, RedisError, Scope.Scope>
  /** Used for both `ioredis` and `ioredis-auto`. */
  readonly ioredis: (client: IORedis) => Promise<PromiseStep>
  readonly nodeRedis: (client: NodeRedisClient) => Promise<PromiseStep>
  readonly glide: (client: GlideClient) => Promise<PromiseStep>
}

/**
 * What a subscriber has received so far. The handlers bump `received` and
 * keep the last payload, which the run compares with the one published.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageCounter {
  received: number
  last: string | undefined
}

/**
 * A receive-rate workload: one subscriber on `channel` while another process
 * floods it with `message`; ops/s is messages received per second.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReceiveScenario {
  readonly _tag: "Receive"
  readonly name: string
  readonly description: string
  readonly channel: string
  /** The payload of every PUBLISH. */
  readonly message: string
  /**
   * Subscribes and counts into the counter from then on; completes once the
   * server confirmed the subscription. The effect-redis one keeps consuming
   * until its scope closes.
   */
  readonly effectRedis: (redis: EffectRedis, counter: MessageCounter) => Effect.Effect<void, RedisError, Scope.Scope>
  /** Used for both `ioredis` and `ioredis-auto`. */
  readonly ioredis: (client: IORedis, counter: MessageCounter) => Promise<void>
  readonly nodeRedis: (client: NodeRedisClient, counter: MessageCounter) => Promise<void>
  /**
   * GLIDE subscribes when a client connects, so this one says what to
   * subscribe to and `connect` opens the subscriber (closed with the run).
   */
  readonly glide: (
    connect: (subscriptions: GlideClientConfiguration.PubSubSubscriptions) => Promise<void>,
    counter: MessageCounter
  ) => Promise<void>
}

/**
 * The heap that commands in flight hold: `commands` callers each send one
 * step of `steps` (caller `i` its iteration `i % 2`, so GETs and SETs
 * alternate) while the server is paused, and the heap in use then, minus
 * that of the idle client, is divided by `commands` (`src/memory.ts`).
 *
 * @since 0.2.0
 * @category models
 */
export interface MemoryScenario {
  readonly _tag: "Memory"
  readonly name: string
  readonly description: string
  /** Commands in flight at once, one per caller. */
  readonly commands: number
  /** The scenario whose step every caller sends once. */
  readonly steps: StepScenario
}

/**
 * A workload, with what every client does in it.
 *
 * @since 0.1.0
 * @category models
 */
export type Scenario = StepScenario | ReceiveScenario | MemoryScenario

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

// ASCII, so every client returns it as a string by default without any
// UTF-8 decoding differences between them.
const ascii = (bytes: number): string => "0123456789abcdef".repeat(Math.ceil(bytes / 16)).slice(0, bytes)

const fixture = (key: string, bytes: number): Fixture => ({ key, value: ascii(bytes) })

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

/** Workers that GET the same key over and over, one command in flight each. */
const repeatedGet = (name: string, description: string, { key }: Fixture, workers: number): StepScenario => ({
  _tag: "Steps",
  name,
  description,
  workers,
  commandsPerStep: 1,
  written: [],
  effectRedis: (redis) => Effect.succeed(() => redis.get(key)),
  ioredis: async (client) => () => client.get(key),
  nodeRedis: async (client) => () => client.get(key),
  glide: async (client) => () => client.get(key)
})

/**
 * Many workers, each alternating a GET of the shared small value with a
 * SET of its own key, so reads and writes interleave on the connection.
 */
const getSetMix = (workers: number): StepScenario => {
  const keys = Array.from({ length: workers }, (_, worker) => `bench:par:${worker}`)
  const { key, value } = small
  return {
    _tag: "Steps",
    name: `par${workers}`,
    description: `${workers.toLocaleString("en-US")} workers in flight, alternating GET / SET of 16 B`,
    workers,
    commandsPerStep: 1,
    written: [],
    effectRedis: (redis) =>
      Effect.succeed((worker, iteration) => iteration % 2 === 0 ? redis.get(key) : redis.set(keys[worker]!, value)),
    ioredis: async (client) => (worker, iteration) =>
      iteration % 2 === 0 ? client.get(key) : client.set(keys[worker]!, value),
    nodeRedis: async (client) => (worker, iteration) =>
      iteration % 2 === 0 ? client.get(key) : client.set(keys[worker]!, value),
    glide: async (client) => (worker, iteration) =>
      iteration % 2 === 0 ? client.get(key) : client.set(keys[worker]!, value)
  }
}

/** The batch builder node-redis offers for both pipelines and transactions. */
type NodeRedisMulti = ReturnType<NodeRedisClient["multi"]>

/**
 * One worker sending 100 SETs of the small value (distinct keys) in one
 * batch and waiting for every reply; the three functions say how each
 * client sends the batch.
 */
const hundredSets = (options: {
  readonly name: string
  readonly description: string
  readonly effectRedis: (
    redis: EffectRedis,
    commands: ReadonlyArray<Command.Command<boolean>>
  ) => Effect.Effect<unknown, RedisError>
  readonly ioredis: (client: IORedis) => ChainableCommander
  readonly nodeRedis: (batch: NodeRedisMulti) => Promise<unknown>
  /** GLIDE's `Batch(isAtomic)`: a transaction when atomic, else a pipeline. */
  readonly glideAtomic: boolean
}): StepScenario => {
  const written = Array.from({ length: 100 }, (_, position) => ({
    key: `bench:${options.name}:${position}`,
    value: small.value
  }))
  return {
    _tag: "Steps",
    name: options.name,
    description: options.description,
    workers: 1,
    commandsPerStep: written.length,
    written,
    // The commands are built anew every step, as calling code builds them
    // from its data and as the other clients must (their builders are
    // single-use).
    effectRedis: (redis) =>
      Effect.succeed(() =>
        options.effectRedis(redis, written.map(({ key, value }) => Commands.commands.set(key, value)))
      ),
    ioredis: async (client) => () => {
      const batch = options.ioredis(client)
      for (const { key, value } of written) batch.set(key, value)
      return batch.exec()
    },
    nodeRedis: async (client) => () => {
      const batch = client.multi()
      for (const { key, value } of written) batch.set(key, value)
      return options.nodeRedis(batch)
    },
    glide: async (client) => {
      // Loaded by the GLIDE driver already; a type-only import keeps the other runs from loading it.
      const { Batch } = await import("@valkey/valkey-glide")
      return () => {
        const batch = new Batch(options.glideAtomic)
        for (const { key, value } of written) batch.set(key, value)
        return client.exec(batch, true)
      }
    }
  }
}

/** `par100` against a cluster: the SET keys spread over the three masters. */
const clusterPar100: StepScenario = {
  ...getSetMix(100),
  name: "cluster-par100",
  description: "100 workers in flight, alternating GET / SET of 16 B, against a 3-master cluster",
  cluster: true
}

const pipeline100 = hundredSets({
  name: "pipeline100",
  description: "one worker, a pipeline of 100 SETs of 16 B (distinct keys); latency per pipeline",
  effectRedis: (redis, commands) => redis.pipeline(commands),
  ioredis: (client) => client.pipeline(),
  nodeRedis: (batch) => batch.execAsPipeline(),
  glideAtomic: false
})

const multi100 = hundredSets({
  name: "multi100",
  description: "one worker, MULTI, 100 SETs of 16 B (distinct keys), EXEC; latency per transaction",
  effectRedis: (redis, commands) => redis.transaction(commands),
  ioredis: (client) => client.multi(),
  nodeRedis: (batch) => batch.exec(),
  glideAtomic: true
})

/** One subscriber receiving a flood of 64-byte messages on one channel. */
const pubsub: ReceiveScenario = {
  _tag: "Receive",
  name: "pubsub",
  description: "messages received per second by one subscriber from a flood of 64 B PUBLISHes",
  channel: "bench:ch",
  message: ascii(64),
  effectRedis: (redis, counter) =>
    Effect.flatMap(
      redis.subscription({ channels: [pubsub.channel] }),
      (messages) =>
        Effect.forkScoped(Stream.runForEachChunk(messages, (chunk) =>
          Effect.sync(() => {
            counter.received += chunk.length
            counter.last = Chunk.unsafeLast(chunk).message
          })))
    ),
  ioredis: async (client, counter) => {
    client.on("message", (_channel: string, message: string) => {
      counter.received++
      counter.last = message
    })
    await client.subscribe(pubsub.channel)
  },
  nodeRedis: async (client, counter) => {
    await client.subscribe(pubsub.channel, (message) => {
      counter.received++
      counter.last = message
    })
  },
  glide: async (connect, counter) => {
    const { GlideClientConfiguration } = await import("@valkey/valkey-glide")
    await connect({
      channelsAndPatterns: { [GlideClientConfiguration.PubSubChannelModes.Exact]: new Set([pubsub.channel]) },
      callback: (message) => {
        counter.received++
        // A string: the client's default decoder is `Decoder.String`.
        counter.last = message.message as string
      }
    })
  }
}

/** 10,000 commands in flight, half GETs and half SETs of 16 B. */
const mem10000: MemoryScenario = {
  _tag: "Memory",
  name: "mem10000",
  description: "heap per command in flight, 10,000 in flight (GET / SET of 16 B), after GC",
  commands: 10_000,
  steps: getSetMix(10_000)
}

/**
 * Whether a scenario runs against a cluster (every client in its cluster mode).
 *
 * @since 0.1.0
 * @category models
 */
export const onCluster = (scenario: Scenario): boolean => scenario._tag === "Steps" && scenario.cluster === true

/** Whether a client is effect-redis called from promise code. */
const isPromiseMode = (client: ClientName): boolean =>
  client === "effect-redis-promise" || client === "effect-redis-promise-shared"

/**
 * Whether a client runs in a scenario. The `effect-redis-promise` clients
 * sit out `pubsub`: a subscription is a Stream whichever code started it,
 * so they would measure `effect-redis` twice.
 *
 * @since 0.2.0
 * @category models
 */
export const takesPart = (client: ClientName, scenario: Scenario): boolean =>
  !(isPromiseMode(client) && scenario._tag === "Receive")

/**
 * Whether a client is effect-redis on `SharedQueueScheduler.layer`.
 *
 * @since 0.2.0
 * @category models
 */
export const onSharedQueue = (client: ClientName): boolean =>
  client === "effect-redis-shared" || client === "effect-redis-promise-shared"

/**
 * Every scenario, in the order they run.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const scenarios: ReadonlyArray<Scenario> = [
  repeatedGet("seq-get", "one command in flight, GET of 16 B", small, 1),
  getSetMix(100),
  getSetMix(1000),
  getSetMix(10_000),
  repeatedGet("get-100k", "one command in flight, GET of 100 KiB", medium, 1),
  repeatedGet("get-100k-par10", "10 workers in flight, GET of 100 KiB", medium, 10),
  repeatedGet("get-1m", "one command in flight, GET of 1 MiB", large, 1),
  repeatedGet("get-1m-par10", "10 workers in flight, GET of 1 MiB", large, 10),
  pipeline100,
  multi100,
  pubsub,
  mem10000,
  clusterPar100
]
