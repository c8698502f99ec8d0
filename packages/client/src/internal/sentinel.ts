/**
 * Redis Sentinel: a transport that dials whatever server the sentinels
 * currently name as the master, asking them again on every dial, so that
 * reconnects (and pool members, and the subscriber connection) follow a
 * failover; and a watcher of the sentinels' `+switch-master` events that
 * closes every connection to a former master at once, so that none keeps
 * writing to a server that is being demoted. A second transport dials the
 * replicas the sentinels report healthy, in turn, for replica reads.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Command from "../Command.js"
import type { Resolved, ResolvedSentinel } from "../RedisConfig.js"
import { RedisConnectionError, type RedisError } from "../RedisError.js"
import type { Socket, Transport } from "../RedisTransport.js"
import * as ReplyDecoder from "../ReplyDecoder.js"
import * as Connection from "./connection.js"
import * as Subscriber from "./subscriber.js"

type Address = { readonly host: string; readonly port: number }

/** A connection this transport opened, and the server it was opened to. */
interface Dialed {
  readonly server: Address
  socket: Socket | undefined
  closed: boolean
}

const GET_MASTER_ADDR = Command.spec("SENTINEL GET-MASTER-ADDR-BY-NAME", Command.keyless)
const REPLICAS = Command.spec("SENTINEL REPLICAS", Command.keyless)
const address = ReplyDecoder.optional(ReplyDecoder.tuple(ReplyDecoder.text, ReplyDecoder.text))
const replicaList = ReplyDecoder.array(ReplyDecoder.record(ReplyDecoder.text))

/** A replica fit to read from: linked to its master, and not down or disconnected in the sentinel's view. */
const healthy = (replica: Record<string, string>): boolean => {
  const flags = (replica["flags"] ?? "").split(",")
  return replica["master-link-status"] === "ok" &&
    !flags.some((flag) => flag === "s_down" || flag === "o_down" || flag === "disconnected")
}

/** Both transports of a client behind Sentinel. */
export interface SentinelTransports {
  /** Dials the master. */
  readonly master: Transport
  /** Dials a healthy replica, in turn (the master when there is none). */
  readonly replicas: Transport
}

/** The settings of a connection to one sentinel: its own credentials and TLS, database 0, no client name. */
const sentinelConfig = (
  config: Resolved,
  sentinel: ResolvedSentinel,
  at: Address
): Resolved => ({
  ...config,
  endpoint: { _tag: "Tcp", host: at.host, port: at.port, tls: sentinel.tls },
  username: sentinel.username,
  password: sentinel.password,
  database: 0,
  clientName: undefined,
  healthCheckIntervalMillis: undefined,
  sentinel: undefined
})

/** Asks one sentinel a question over a short connection of its own. */
const ask = <A>(
  base: Transport,
  config: Resolved,
  sentinel: ResolvedSentinel,
  at: Address,
  question: (connection: Connection.Connection) => Effect.Effect<A, RedisError>
): Effect.Effect<A, RedisError> =>
  Effect.scoped(Effect.flatMap(
    Connection.make(sentinelConfig(config, sentinel, at), base, { reconnect: false }),
    question
  ))

/** The master's address, as one sentinel knows it. */
const masterAddress = (sentinel: ResolvedSentinel) => (connection: Connection.Connection) =>
  Effect.gen(function*() {
    const reply = yield* connection.execute(
      Command.make(GET_MASTER_ADDR, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", sentinel.name], address),
      false
    )
    if (Option.isNone(reply)) {
      return yield* new RedisConnectionError({
        reason: "Connect",
        message: `it monitors no master named "${sentinel.name}"`,
        outcome: "not-sent"
      })
    }
    const [host, port] = reply.value
    return { host, port: Number(port) }
  })

/** The healthy replicas' addresses, as one sentinel knows them. */
const replicaAddresses = (sentinel: ResolvedSentinel) => (connection: Connection.Connection) =>
  Effect.map(
    connection.execute(Command.make(REPLICAS, ["SENTINEL", "REPLICAS", sentinel.name], replicaList), false),
    (replicas) =>
      replicas.filter(healthy).map((replica): Address => ({ host: replica["ip"] ?? "", port: Number(replica["port"]) }))
  )

/**
 * The transports of a client behind Sentinel: every dial first asks the
 * sentinels, in turn, where to go (the sentinel that answered last is asked
 * first) and then dials that server with the configured TLS settings. A
 * watcher, running in `scope`, listens for `+switch-master` on that
 * sentinel and closes the connections to the former master; they then
 * reconnect (or, in the pool, are replaced) through the new one.
 */
export const make = (
  base: Transport,
  config: Resolved,
  sentinel: ResolvedSentinel
): Effect.Effect<SentinelTransports, never, Scope.Scope> =>
  Effect.gen(function*() {
    let first = 0
    let turn = 0
    const live = new Set<Dialed>()

    /** The first sentinel's answer to `question`. */
    const discover = <A>(what: string, question: (connection: Connection.Connection) => Effect.Effect<A, RedisError>) =>
      Effect.suspend(() => {
        const order = sentinel.sentinels.map((_, i) => (first + i) % sentinel.sentinels.length)
        const failures: Array<string> = []
        const attempt = (n: number): Effect.Effect<A, RedisConnectionError> => {
          if (n === order.length) {
            return Effect.fail(
              new RedisConnectionError({
                reason: "Connect",
                message: `No sentinel gave the ${what} of master "${sentinel.name}": ${failures.join("; ")}`,
                outcome: "not-sent"
              })
            )
          }
          const at = sentinel.sentinels[order[n]!]!
          return ask(base, config, sentinel, at, question).pipe(
            Effect.tap(() =>
              Effect.sync(() => {
                first = order[n]!
              })
            ),
            Effect.catchAll((error) => {
              failures.push(`${at.host}:${at.port} ${error.message}`)
              return attempt(n + 1)
            })
          )
        }
        return attempt(0)
      })
    const master = discover("address", masterAddress(sentinel))
    const replica = Effect.flatMap(
      discover("replicas", replicaAddresses(sentinel)),
      (replicas) => replicas.length === 0 ? master : Effect.succeed(replicas[turn++ % replicas.length]!)
    )

    /** `+switch-master <name> <old-ip> <old-port> <new-ip> <new-port>` */
    const onSwitch = (payload: string): void => {
      const [name, oldHost, oldPort] = payload.split(" ")
      if (name !== sentinel.name) return
      for (const dialed of live) {
        if (dialed.server.host === oldHost && dialed.server.port === Number(oldPort)) dialed.socket?.destroy()
      }
    }

    const watch = Effect.scoped(
      Effect.gen(function*() {
        const subscriber = yield* Subscriber.make(
          sentinelConfig(config, sentinel, sentinel.sentinels[first]!),
          base,
          false
        )
        const events = yield* subscriber.subscribe({ channels: ["+switch-master"] })
        yield* Stream.runForEach(events, (event) => Effect.sync(() => onSwitch(String(event.message))))
      })
    )
    // Without a sentinel to listen to, failovers are still followed on the next reconnect.
    yield* Effect.forkScoped(Effect.retry(watch, config.reconnectSchedule).pipe(Effect.ignore))

    /** A transport dialing where `find` says, its connections tracked for the watcher. */
    const dialing = (find: Effect.Effect<Address, RedisConnectionError>): Transport => ({
      decoderPlatform: base.decoderPlatform,
      connect: (endpoint, handlers, timeoutMillis) =>
        Effect.flatMap(find, (server) => {
          const dialed: Dialed = { server, socket: undefined, closed: false }
          const tracked = {
            ...handlers,
            onClose: (error: unknown) => {
              dialed.closed = true
              live.delete(dialed)
              handlers.onClose(error)
            }
          }
          return base.connect(
            { _tag: "Tcp", host: server.host, port: server.port, tls: endpoint.tls },
            tracked,
            timeoutMillis
          )
            .pipe(
              Effect.tap((socket) =>
                Effect.sync(() => {
                  dialed.socket = socket
                  if (!dialed.closed) live.add(dialed)
                })
              )
            )
        })
    })
    return { master: dialing(master), replicas: dialing(replica) }
  })
