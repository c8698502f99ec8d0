import { type Redis, type RedisConfig, type RedisError, RedisTransport } from "@effect-redis/client"
import { NodeRedis, NodeTransport } from "@effect-redis/node"
import { RedisServer } from "@effect-redis/testing"
import { assert } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option, Schedule, Stream, Tracer } from "effect"
import * as Net from "node:net"

/**
 * A throwaway redis-server and a `Redis` client connected to it, both
 * closed with the layer. The server is provided too, for fault tests.
 */
export const testLayer = (
  options: Omit<RedisConfig.Options, "url" | "host" | "port"> & {
    readonly server?: RedisServer.Options
  } = {}
) => {
  const { server: serverOptions, ...clientOptions } = options
  const server = RedisServer.layer(serverOptions ?? {})
  const client = Layer.unwrapEffect(
    Effect.map(RedisServer.RedisServer, (server) => NodeRedis.layer({ ...clientOptions, url: server.url }))
  )
  return Layer.provideMerge(client, server)
}

/** Retries `effect` every 100 ms until it succeeds and satisfies `done`, for at most `seconds`. */
export const eventually = <A, E>(effect: Effect.Effect<A, E>, done: (a: A) => boolean, seconds: number) =>
  effect.pipe(
    Effect.flatMap((a) => done(a) ? Effect.succeed(a) : Effect.fail("not yet" as const)),
    Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo(`${seconds} seconds`)))
  )

/** How many clients the server sees blocked in a command (BLPOP and friends): INFO clients `blocked_clients`. */
export const blockedClients = (redis: Redis.Redis) =>
  Effect.map(redis.info("clients"), (info) => Number(info["clients"]?.["blocked_clients"] ?? 0))

/** The channel of {@link withMarker}. */
export const markerChannel = "test:marker"

/**
 * A marker channel on the client's subscriber connection; the effect it
 * returns publishes on it and waits for the message. Once it arrived, the
 * connection has read everything published before (frames of one
 * connection are handled in order), whether a stream consumed it or not.
 */
export const withMarker = (redis: Redis.Redis) =>
  Effect.gen(function*() {
    const pull = yield* Stream.toPull(yield* redis.subscription({ channels: [markerChannel] }))
    return Effect.zipRight(redis.publish(markerChannel, "sync"), pull)
  })

/** What the client did with one socket: the bytes it wrote (as latin1 text), in how many writes, and whether it closed. */
export interface Wire {
  written: string
  writes: number
  closed: boolean
}

/**
 * The Node transport, recording each socket it opens in `wires` (in the
 * order they connected), so that a test can wait until the client wrote a
 * command, or saw its connection close, instead of sleeping.
 */
export const recordingTransport = () => {
  const wires: Array<Wire> = []
  const base = NodeTransport.transport
  const transport: RedisTransport.Transport = {
    decoderPlatform: base.decoderPlatform,
    connect: (endpoint, handlers, timeoutMillis) => {
      const wire: Wire = { written: "", writes: 0, closed: false }
      const observed: RedisTransport.Handlers = {
        onData: (chunk) => handlers.onData(chunk),
        onDrain: () => handlers.onDrain(),
        onClose: (error) => {
          handlers.onClose(error)
          wire.closed = true
        }
      }
      return Effect.map(base.connect(endpoint, observed, timeoutMillis), (socket) => {
        wires.push(wire)
        return {
          ...socket,
          write: (data: Uint8Array) => {
            wire.written += Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("latin1")
            wire.writes++
            return socket.write(data)
          }
        }
      })
    }
  }
  return { wires, layer: Layer.succeed(RedisTransport.RedisTransport, transport) }
}

/** A loopback port nothing listens on. */
export const closedPort = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as Net.AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** How many times the server ran `command` (INFO commandstats). */
export const calls = (redis: Redis.Redis, command: string) =>
  Effect.map(redis.info("commandstats"), (info) => {
    const line = info["commandstats"]?.[`cmdstat_${command}`] ?? ""
    return Number(/calls=(\d+)/.exec(line)?.[1] ?? 0)
  })

/** How many times a server refused a command with `code` (INFO errorstats). */
export const refusals = (redis: Redis.Redis, code: string) =>
  Effect.map(redis.info("errorstats"), (info) => {
    const line = info["errorstats"]?.[`errorstat_${code}`] ?? ""
    return Number(/count=(\d+)/.exec(line)?.[1] ?? 0)
  })

/** The error `exit` failed with, if it failed with one (not a defect or an interruption). */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

/** A tracer that keeps every span it opens, delegating to Effect's own. */
export const recording = Effect.map(Effect.tracer, (base) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = base.span(...args)
      spans.push(span)
      return span
    },
    context: base.context
  })
  return { spans, tracer }
})

/** The typed error an exit failed with; fails the test when it succeeded, died or was interrupted. */
export const failure = <A>(exit: Exit.Exit<A, RedisError.RedisError>): RedisError.RedisError => {
  const error = failureOf(exit)
  assert.isDefined(
    error,
    `expected a typed failure, got ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "a success"}`
  )
  return error
}

/** The connections the server has in MONITOR mode (flag `O`). */
export const monitors = (redis: Redis.Redis) =>
  Effect.map(redis.clientList(), (clients) => clients.filter((client) => client.flags?.includes("O")))
