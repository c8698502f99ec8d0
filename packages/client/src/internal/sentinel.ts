/**
 * Redis Sentinel: a transport that dials whatever server the sentinels
 * currently name as the master, asking them again on every dial, so that
 * reconnects (and pool members, and the subscriber connection) follow a
 * failover; and a watcher of the sentinels' `+switch-master` events that
 * closes every connection to a former master at once, so that none keeps
 * writing to a server that is being demoted.
 */
import { Effect, Option, type Scope, Stream } from "effect"
import * as Command from "../Command.js"
import type { Resolved, ResolvedSentinel } from "../RedisConfig.js"
import { RedisConnectionError, type RedisError } from "../RedisError.js"
import type { Socket, Transport } from "../RedisTransport.js"
import * as ReplyDecoder from "../ReplyDecoder.js"
import * as Connection from "./connection.js"
import * as Subscriber from "./subscriber.js"

type Address = { readonly host: string; readonly port: number }

/** A connection this transport opened, and the master it was opened to. */
interface Dialed {
  readonly master: Address
  socket: Socket | undefined
  closed: boolean
}

const GET_MASTER_ADDR = Command.spec("SENTINEL GET-MASTER-ADDR-BY-NAME", Command.keyless)
const address = ReplyDecoder.optional(ReplyDecoder.tuple(ReplyDecoder.text, ReplyDecoder.text))

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

/** Asks one sentinel for the master's address. */
const ask = (
  base: Transport,
  config: Resolved,
  sentinel: ResolvedSentinel,
  at: Address
): Effect.Effect<Address, RedisError> =>
  Effect.scoped(
    Effect.gen(function*() {
      const connection = yield* Connection.make(sentinelConfig(config, sentinel, at), base, { reconnect: false })
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
  )

/**
 * The transport of a client behind Sentinel: every dial first asks the
 * sentinels, in turn, for the master's address (the sentinel that answered
 * last is asked first) and then dials it with the configured TLS settings.
 * A watcher, running in `scope`, listens for `+switch-master` on that
 * sentinel and closes the connections to the former master; they then
 * reconnect (or, in the pool, are replaced) through the new one.
 */
export const make = (
  base: Transport,
  config: Resolved,
  sentinel: ResolvedSentinel
): Effect.Effect<Transport, never, Scope.Scope> =>
  Effect.gen(function*() {
    let first = 0
    const live = new Set<Dialed>()

    const discover = Effect.suspend(() => {
      const order = sentinel.sentinels.map((_, i) => (first + i) % sentinel.sentinels.length)
      const failures: Array<string> = []
      const attempt = (n: number): Effect.Effect<Address, RedisConnectionError> => {
        if (n === order.length) {
          return Effect.fail(
            new RedisConnectionError({
              reason: "Connect",
              message: `No sentinel gave the address of master "${sentinel.name}": ${failures.join("; ")}`,
              outcome: "not-sent"
            })
          )
        }
        const at = sentinel.sentinels[order[n]!]!
        return ask(base, config, sentinel, at).pipe(
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

    /** `+switch-master <name> <old-ip> <old-port> <new-ip> <new-port>` */
    const onSwitch = (payload: string): void => {
      const [name, , , host, port] = payload.split(" ")
      if (name !== sentinel.name) return
      for (const dialed of live) {
        if (dialed.master.host !== host || dialed.master.port !== Number(port)) dialed.socket?.destroy()
      }
    }

    const watch = Effect.scoped(
      Effect.gen(function*() {
        const subscriber = yield* Subscriber.make(sentinelConfig(config, sentinel, sentinel.sentinels[first]!), base, false)
        const events = yield* subscriber.subscribe({ channels: ["+switch-master"] })
        yield* Stream.runForEach(events, (event) => Effect.sync(() => onSwitch(String(event.message))))
      })
    )
    // Without a sentinel to listen to, failovers are still followed on the next reconnect.
    yield* Effect.forkScoped(Effect.retry(watch, config.reconnectSchedule).pipe(Effect.ignore))

    return {
      connect: (endpoint, handlers, timeoutMillis) =>
        Effect.flatMap(discover, (master) => {
          const dialed: Dialed = { master, socket: undefined, closed: false }
          const tracked = {
            ...handlers,
            onClose: (error: unknown) => {
              dialed.closed = true
              live.delete(dialed)
              handlers.onClose(error)
            }
          }
          return base.connect({ _tag: "Tcp", host: master.host, port: master.port, tls: endpoint.tls }, tracked, timeoutMillis)
            .pipe(
              Effect.tap((socket) =>
                Effect.sync(() => {
                  dialed.socket = socket
                  if (!dialed.closed) live.add(dialed)
                })
              )
            )
        })
    }
  })
