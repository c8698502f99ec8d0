/**
 * MONITOR on a connection of its own: the server's lines parsed into
 * events, buffered like a subscription's messages, the connection closed
 * with the caller's scope or the client's, whichever closes first.
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Command from "../Command.js"
import type { MonitorEvent } from "../Monitor.js"
import type { BufferOptions } from "../PubSub.js"
import type { Resolved } from "../RedisConfig.js"
import { RedisClosedError, RedisConnectionError, RedisDecodeError, type RedisError } from "../RedisError.js"
import type { Transport } from "../RedisTransport.js"
import * as ReplyDecoder from "../ReplyDecoder.js"
import * as Connection from "./connection.js"
import { Inbox, overflowError, resolveBounds } from "./inbox.js"

const MONITOR = Command.spec("MONITOR", Command.keyless)
const monitorCommand = Command.make(MONITOR, ["MONITOR"], ReplyDecoder.ok)

/** A parsed line; a class for the reason `subscriber.ts` gives for its messages. */
class Event implements MonitorEvent {
  /** Written by the inbox before the stream emits the event. */
  gap = false
  dropped = 0
  constructor(
    readonly time: number,
    readonly database: number,
    readonly client: string,
    readonly args: ReadonlyArray<string>
  ) {}

  /** What the event counts against `bufferBytes`: its arguments. */
  get size(): number {
    let size = 0
    for (const arg of this.args) size += arg.length
    return size
  }
}

/** `<seconds>.<microseconds> [<db> `, then the client's address up to `] "`. */
const head = /^(\d+)\.(\d{6}) \[(\d+) /

const escapes: Record<string, number> = { "\\": 92, "\"": 34, n: 10, r: 13, t: 9, a: 7, b: 8 }
const utf8 = new TextDecoder()

/**
 * The quoted arguments from `at` on, as the server writes them
 * (`sdscatrepr`: `\"`, `\\`, `\n`, `\r`, `\t`, `\a`, `\b`, `\xHH` for any
 * other byte outside printable ASCII), or `undefined` if malformed.
 */
const parseArgs = (line: string, at: number): Array<string> | undefined => {
  const args: Array<string> = []
  let i = at
  while (i < line.length) {
    if (line[i] !== "\"") return undefined
    const bytes: Array<number> = []
    i++
    while (line[i] !== "\"") {
      if (i >= line.length) return undefined
      if (line[i] !== "\\") {
        bytes.push(line.charCodeAt(i++))
        continue
      }
      const escape = line[i + 1]!
      if (escape === "x") {
        const byte = Number.parseInt(line.slice(i + 2, i + 4), 16)
        if (Number.isNaN(byte)) return undefined
        bytes.push(byte)
        i += 4
      } else {
        const byte = escapes[escape]
        if (byte === undefined) return undefined
        bytes.push(byte)
        i += 2
      }
    }
    args.push(utf8.decode(Uint8Array.from(bytes)))
    i++
    if (i < line.length && line[i++] !== " ") return undefined
  }
  return args.length > 0 ? args : undefined
}

/** Reads one MONITOR line: `1339518083.107412 [0 127.0.0.1:60866] "keys" "*"`. */
export const parseLine = (line: string): Event | undefined => {
  const match = head.exec(line)
  if (match === null) return undefined
  const end = line.indexOf("] \"", match[0].length)
  if (end === -1) return undefined
  const args = parseArgs(line, end + 2)
  return args === undefined
    ? undefined
    : new Event(
      Number(match[1]) * 1_000_000 + Number(match[2]),
      Number(match[3]),
      line.slice(match[0].length, end),
      args
    )
}

const closedError = () =>
  new RedisClosedError({ message: "The Redis client is closed: MONITOR ended with it", outcome: "not-sent" })

/**
 * Monitors the server `transport` reaches, on a connection in `scope`;
 * returns the events' inbox, for the caller to close when its own scope
 * ends (the stream then ends normally rather than as closed).
 */
const monitorIn = (
  config: Resolved,
  transport: Transport,
  options: BufferOptions,
  scope: Scope.Scope
): Effect.Effect<Inbox<Event, RedisError>, RedisError> =>
  Effect.gen(function*() {
    const bounds = yield* resolveBounds(options, "MONITOR")
    let connection: Connection.Connection | undefined = undefined
    const inbox = new Inbox<Event, RedisError>(
      bounds,
      overflowError(bounds, "MONITOR"),
      (full) => full ? connection?.pauseReading() : connection?.resumeReading()
    )
    const onLine = (value: RespValue): void => {
      const event = typeof value === "string" ? parseLine(value) : undefined
      if (event !== undefined) return inbox.offer(event)
      inbox.fail(
        new RedisDecodeError({
          message: `MONITOR sent a line of an unknown format: ${String(value).slice(0, 200)}`,
          command: "MONITOR",
          outcome: "may-have-executed"
        })
      )
    }
    connection = yield* Connection.make(
      // A PING would be answered between the lines, which no reply could be told apart from.
      { ...config, healthCheckIntervalMillis: undefined },
      transport,
      {
        reconnect: false,
        listener: {
          onStrayValue: onLine,
          onLost: () =>
            inbox.fail(
              new RedisConnectionError({
                reason: "Lost",
                message: "The MONITOR connection was lost; commands from then on were not seen",
                outcome: "may-have-executed",
                command: "MONITOR"
              })
            )
        }
      }
    ).pipe(Scope.extend(scope))
    // When the client closes first; otherwise the caller's scope has already ended the stream.
    yield* Scope.addFinalizer(scope, Effect.sync(() => inbox.fail(closedError())))
    yield* connection.execute(monitorCommand, false)
    return inbox
  })

/**
 * `redis.monitor` for the servers `transports` gives when called (one
 * stream each, merged), tied to the client's scope: closing the client
 * ends every monitor, and afterwards a new one fails with
 * `RedisClosedError`.
 */
export const make = (
  config: Resolved,
  transports: Effect.Effect<ReadonlyArray<Transport>, RedisError>
): Effect.Effect<
  (options: BufferOptions) => Effect.Effect<Stream.Stream<MonitorEvent, RedisError>, RedisError, Scope.Scope>,
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const clientScope = yield* Effect.scope
    let closed = false
    yield* Effect.addFinalizer(() => Effect.sync(() => closed = true))
    return (options) =>
      Effect.gen(function*() {
        if (closed) return yield* Effect.fail(closedError())
        const targets = yield* transports
        const scope = yield* Scope.fork(clientScope, ExecutionStrategy.sequential)
        yield* Effect.addFinalizer((exit) => Scope.close(scope, exit))
        const inboxes = yield* Effect.forEach(
          targets,
          (transport) => monitorIn(config, transport, options, scope),
          { concurrency: "unbounded" }
        )
        // Registered last, so it runs before the connections close: the streams end rather than fail.
        yield* Effect.addFinalizer(() => Effect.sync(() => inboxes.forEach((inbox) => inbox.close())))
        const streams = inboxes.map((inbox): Stream.Stream<MonitorEvent, RedisError> => inbox.stream)
        return streams.length === 1 ? streams[0]! : Stream.mergeAll(streams, { concurrency: "unbounded" })
      })
  })
