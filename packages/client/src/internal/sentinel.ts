/**
 * Redis Sentinel: a transport that dials whatever server the sentinels
 * currently name as the master, asking them again on every dial, so that
 * reconnects (and pool members, and the subscriber connection) follow a
 * failover; and a watcher of every known sentinel's `+switch-master`
 * events that closes every connection to a former master at once, so that
 * none keeps writing to a server that is being demoted. A second transport
 * dials the replicas the sentinels report healthy, in turn, for replica
 * reads.
 *
 * - Asking: the sentinel that answered last (or announced the last switch)
 *   first, then the others in order, each within the connect timeout. An
 *   answer counts only if the master it names is not flagged down
 *   (`s_down`, `o_down`) and reports the role `master` when asked
 *   (`ROLE`, checked on a short connection of its own and remembered for a
 *   second); otherwise the next sentinel is asked.
 * - Every answer also lists the sentinel's peers (`SENTINEL SENTINELS`):
 *   the known sentinels are the configured ones, the one that answered
 *   and its peers. Each known sentinel is watched.
 * - A dial that fails (the named master is down, a failover is under way)
 *   is tried again within the connect timeout, at once when a sentinel
 *   announces a switch, so that commands reach a promoted replica without
 *   waiting for the reconnect schedule.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberMap from "effect/FiberMap"
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

const keyOf = (address: Address): string => `${address.host}:${address.port}`

/** A connection this transport opened, and the server it was opened to. */
interface Dialed {
  server: string
  socket: Socket | undefined
  closed: boolean
  /** Whether the socket went to the connection that asked: until then its events are not the connection's. */
  handedOver: boolean
}

const GET_MASTER_ADDR = Command.spec("SENTINEL GET-MASTER-ADDR-BY-NAME", Command.keyless)
const MASTER = Command.spec("SENTINEL MASTER", Command.keyless)
const SENTINELS = Command.spec("SENTINEL SENTINELS", Command.keyless)
const REPLICAS = Command.spec("SENTINEL REPLICAS", Command.keyless)
const address = ReplyDecoder.optional(ReplyDecoder.tuple(ReplyDecoder.text, ReplyDecoder.text))
const fields = ReplyDecoder.record(ReplyDecoder.text)
const fieldsList = ReplyDecoder.array(fields)

const flagsOf = (record: Record<string, string>): ReadonlyArray<string> => (record["flags"] ?? "").split(",")

/** A replica fit to read from: linked to its master, and not down or disconnected in the sentinel's view. */
const healthy = (replica: Record<string, string>): boolean =>
  replica["master-link-status"] === "ok" &&
  !flagsOf(replica).some((flag) => flag === "s_down" || flag === "o_down" || flag === "disconnected")

const addressIn = (record: Record<string, string>): Address => ({
  host: record["ip"] ?? "",
  port: Number(record["port"])
})

/** How long an address that answered ROLE `master` is trusted without asking again. */
const verifiedForMillis = 1_000
/** How long a sentinel that could not be reached is asked after the others. */
const silentForMillis = 5_000
/** Between attempts of one dial while the master cannot be reached: doubling up to the cap. */
const redialFirstDelayMillis = 50
const redialMaxDelayMillis = 500

/** Both transports of a client behind Sentinel. */
export interface SentinelTransports {
  /** Dials the master. */
  readonly master: Transport
  /** Dials a healthy replica, in turn (the master when there is none). */
  readonly replicas: Transport
}

/** The settings of a connection to one sentinel: its own credentials and TLS, database 0, no client name. */
const sentinelConfig = (config: Resolved, sentinel: ResolvedSentinel, at: Address): Resolved => ({
  ...config,
  endpoint: { _tag: "Tcp", host: at.host, port: at.port, tls: sentinel.tls },
  username: sentinel.username,
  password: sentinel.password,
  database: 0,
  clientName: undefined,
  healthCheckIntervalMillis: undefined,
  sentinel: undefined
})

const failure = (message: string) => new RedisConnectionError({ reason: "Connect", message, outcome: "not-sent" })

/** What one sentinel says about the master: where it is, and who its peers are. */
interface Answer {
  readonly master: Address
  /** The flags `s_down`, `o_down` it gives the master, if any. */
  readonly down: ReadonlyArray<string>
  readonly peers: ReadonlyArray<Address>
}

/**
 * The transports of a client behind Sentinel, with the watchers of the
 * sentinels running in `scope`.
 */
export const make = (
  base: Transport,
  config: Resolved,
  sentinel: ResolvedSentinel
): Effect.Effect<SentinelTransports, never, Scope.Scope> =>
  Effect.gen(function*() {
    const configured = sentinel.sentinels.map(keyOf)
    /** Every sentinel known, by address: the configured ones first. */
    const known = new Map<string, Address>(sentinel.sentinels.map((at) => [keyOf(at), at]))
    /** The sentinel asked first: the one that answered last, or announced the last switch. */
    let preferred = configured[0]!
    /** Sentinels that could not be reached lately: asked last, until then. */
    const silentUntil = new Map<string, number>()
    let turn = 0
    let verified: { readonly server: string; readonly until: number } | undefined
    /** Bumped by every switch to a new master; pulses `switched`. */
    let switches = 0
    let lastSwitchTo: string | undefined
    const switched = yield* Effect.makeLatch(false)
    const live = new Set<Dialed>()
    const watchers = yield* FiberMap.make<string>()

    /** Asks one sentinel `question` over a short connection of its own, within the connect timeout. */
    const ask = <A>(at: Address, question: (connection: Connection.Connection) => Effect.Effect<A, RedisError>) =>
      // Disconnected: a stopped sentinel holds the handshake, which cannot be interrupted; the answer is
      // given up on at once (on a timeout or a switch) and the connection closes in the background.
      Effect.disconnect(Effect.scoped(Effect.flatMap(
        Connection.make(sentinelConfig(config, sentinel, at), base, { reconnect: false }),
        question
      ))).pipe(
        Effect.timeoutFail({
          duration: config.connectTimeoutMillis,
          onTimeout: () => failure(`no answer within ${config.connectTimeoutMillis} ms`)
        }),
        Effect.tapError((error) =>
          Effect.sync(() => {
            if (error._tag === "RedisConnectionError") silentUntil.set(keyOf(at), Date.now() + silentForMillis)
          })
        )
      )

    /** Whether `at` is a master now (the handshake behind Sentinel checks ROLE); remembered for a second. */
    const isMaster = (at: Address): Effect.Effect<void, RedisError> =>
      Effect.suspend(() => {
        const server = keyOf(at)
        if (verified !== undefined && verified.server === server && verified.until > Date.now()) return Effect.void
        // Disconnected, as sentinel questions are: a switch need not wait for a stopped server's handshake.
        return Effect.disconnect(Effect.scoped(
          Connection.make(
            { ...config, endpoint: { _tag: "Tcp", host: at.host, port: at.port, tls: config.endpoint.tls } },
            base,
            { reconnect: false }
          )
        )).pipe(
          Effect.tap(() =>
            Effect.sync(() => {
              verified = { server, until: Date.now() + verifiedForMillis }
            })
          )
        )
      })

    /**
     * The master as one sentinel knows it. During a failover
     * GET-MASTER-ADDR-BY-NAME already names the promoted replica, while
     * SENTINEL MASTER still describes the former master: its flags then
     * do not concern the answer.
     */
    const masterOf = (connection: Connection.Connection) =>
      Effect.gen(function*() {
        const [named, master, peers] = yield* connection.executeAll([
          Command.make(GET_MASTER_ADDR, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", sentinel.name], address),
          Command.make(MASTER, ["SENTINEL", "MASTER", sentinel.name], fields),
          Command.make(SENTINELS, ["SENTINEL", "SENTINELS", sentinel.name], fieldsList)
        ], false)
        const where = (yield* named!) as Option.Option<readonly [string, string]>
        if (Option.isNone(where)) return yield* failure(`it monitors no master named "${sentinel.name}"`)
        const at = { host: where.value[0], port: Number(where.value[1]) }
        const state = (yield* master!) as Record<string, string>
        const down = keyOf(addressIn(state)) === keyOf(at)
          ? flagsOf(state).filter((flag) => flag === "s_down" || flag === "o_down")
          : []
        const listed = (yield* Effect.orElseSucceed(peers!, () => [])) as Array<Record<string, string>>
        return { master: at, down, peers: listed.map(addressIn) } satisfies Answer
      })

    /** The known sentinels in the order they are asked: the preferred one first, those silent lately last. */
    const order = (): Array<Address> => {
      const now = Date.now()
      const silent = (at: Address) => (silentUntil.get(keyOf(at)) ?? 0) > now
      const first = known.get(preferred)
      const all = first === undefined
        ? [...known.values()]
        : [first, ...[...known.values()].filter((at) => at !== first)]
      return [...all.filter((at) => !silent(at)), ...all.filter(silent)]
    }

    /**
     * The first answer `check` accepts, asking the sentinels in order, and
     * the sentinel that gave it; the message lists every refusal. When
     * sentinels answered but `check` refused every answer (the master they
     * name is down or not a master: a failover may be under way) the
     * reason is `Unavailable`, when none answered `Connect`.
     */
    const discover = <A>(
      what: string,
      question: (connection: Connection.Connection) => Effect.Effect<A, RedisError>,
      check: (answer: A) => Effect.Effect<void, RedisError>
    ): Effect.Effect<{ readonly answer: A; readonly from: Address }, RedisConnectionError> =>
      Effect.suspend(() => {
        const sentinels = order()
        const failures: Array<string> = []
        let answered = false
        const attempt = (
          n: number
        ): Effect.Effect<{ readonly answer: A; readonly from: Address }, RedisConnectionError> => {
          if (n === sentinels.length) {
            return Effect.fail(
              new RedisConnectionError({
                reason: answered ? "Unavailable" : "Connect",
                message: `No sentinel gave the ${what} of master "${sentinel.name}": ${failures.join("; ")}`,
                outcome: "not-sent"
              })
            )
          }
          const at = sentinels[n]!
          return ask(at, question).pipe(
            Effect.tap((answer) =>
              Effect.tapError(check(answer), () =>
                Effect.sync(() => {
                  answered = true
                }))
            ),
            Effect.map((answer) => {
              preferred = keyOf(at)
              return { answer, from: at }
            }),
            Effect.catchAll((error) => {
              failures.push(`${keyOf(at)} ${error.message}`)
              return attempt(n + 1)
            })
          )
        }
        return attempt(0)
      })

    /** The sentinels now known: the configured ones, the one that answered, and its peers; each watched. */
    const learn = (from: Address, peers: ReadonlyArray<Address>): Effect.Effect<void> =>
      Effect.suspend(() => {
        const current = new Map<string, Address>()
        for (const at of [...sentinel.sentinels, from, ...peers]) current.set(keyOf(at), at)
        const gone = [...known.keys()].filter((key) => !current.has(key))
        for (const key of gone) known.delete(key)
        for (const [key, at] of current) known.set(key, at)
        return Effect.zipRight(
          Effect.forEach(gone, (key) => FiberMap.remove(watchers, key), { discard: true }),
          Effect.forEach(current, ([key, at]) => FiberMap.run(watchers, key, watch(at), { onlyIfMissing: true }), {
            discard: true
          })
        )
      })

    /** The master's address: the first sentinel whose answer names a master that reports being one. */
    const findMaster = discover(
      "address",
      masterOf,
      (answer) =>
        answer.down.length > 0
          ? Effect.fail(failure(`it flags master ${keyOf(answer.master)} down (${answer.down.join(",")})`))
          : Effect.mapError(isMaster(answer.master), (error) =>
            failure(`named ${keyOf(answer.master)}: ${error.message}`))
    ).pipe(
      Effect.tap(({ answer, from }) =>
        learn(from, answer.peers)
      ),
      Effect.map(({ answer }) => answer.master)
    )

    const findReplica = Effect.flatMap(
      discover(
        "replicas",
        (connection) =>
          Effect.map(
            connection.execute(Command.make(REPLICAS, ["SENTINEL", "REPLICAS", sentinel.name], fieldsList), false),
            (replicas) => replicas.filter(healthy).map(addressIn)
          ),
        () => Effect.void
      ),
      ({ answer }) => answer.length === 0 ? findMaster : Effect.succeed(answer[turn++ % answer.length]!)
    )

    /** `+switch-master <name> <old-ip> <old-port> <new-ip> <new-port>`, heard from `from`. */
    const onSwitch = (from: string, payload: string): void => {
      const [name, oldHost, oldPort, newHost, newPort] = payload.split(" ")
      if (name !== sentinel.name) return
      // The sentinel that announced the switch knows the new master: it is asked first from now on.
      preferred = from
      const former = `${oldHost}:${oldPort}`
      const next = `${newHost}:${newPort}`
      if (verified?.server === former) verified = undefined
      for (const dialed of live) if (dialed.server === former) dialed.socket?.destroy()
      // Several sentinels announce the same switch: dials under way restart only for a new one.
      if (lastSwitchTo === next) return
      lastSwitchTo = next
      switches++
      switched.unsafeOpen()
      switched.unsafeClose()
    }

    /** Listens to one sentinel's `+switch-master`, reconnecting as the subscriber connection does. */
    const watch = (at: Address): Effect.Effect<void> =>
      Effect.scoped(
        Effect.gen(function*() {
          const subscriber = yield* Subscriber.make(sentinelConfig(config, sentinel, at), base, false)
          const events = yield* subscriber.subscribe({ channels: ["+switch-master"] })
          yield* Stream.runForEach(events, (event) => Effect.sync(() => onSwitch(keyOf(at), String(event.message))))
        })
      ).pipe(
        // A sentinel that cannot be reached is watched again on the reconnect schedule.
        Effect.retry(config.reconnectSchedule),
        Effect.ignore
      )
    yield* Effect.forEach(sentinel.sentinels, (at) => FiberMap.run(watchers, keyOf(at), watch(at)), { discard: true })

    /**
     * A transport dialing where `find` says, its connections tracked for
     * the watchers. While the sentinels name a master that cannot be
     * reached (or a switch overtakes the dial), it is tried again, every
     * 500 ms at most and at once when a switch is announced: within the
     * connect timeout until the transport has connected once, and after
     * that for as long as it takes, since a reconnect would otherwise be
     * tried again only on the reconnect schedule and miss the switch by up
     * to its delay. When no sentinel answers, the dial fails at once.
     */
    const dialing = (find: Effect.Effect<Address, RedisConnectionError>): Transport => {
      let connected = false
      return {
        decoderPlatform: base.decoderPlatform,
        // Interruptible although a connection's dial runs in its uninterruptible acquisition: the races
        // below end by interrupting their loser.
        connect: (endpoint, handlers, timeoutMillis) =>
          Effect.interruptible(Effect.gen(function*() {
            const deadline = connected ? Infinity : Date.now() + timeoutMillis
            let delay = redialFirstDelayMillis
            while (true) {
              const seen = switches
              const dialed: Dialed = { server: "", socket: undefined, closed: false, handedOver: false }
              const attempt = Effect.flatMap(find, (server) => {
                dialed.server = keyOf(server)
                return base.connect(
                  { _tag: "Tcp", host: server.host, port: server.port, tls: endpoint.tls },
                  {
                    onData: (chunk) => {
                      if (dialed.handedOver) handlers.onData(chunk)
                    },
                    onDrain: () => {
                      if (dialed.handedOver) handlers.onDrain()
                    },
                    onClose: (error) => {
                      dialed.closed = true
                      live.delete(dialed)
                      if (dialed.handedOver) handlers.onClose(error)
                    }
                  },
                  Math.max(1, Math.min(timeoutMillis, deadline - Date.now()))
                )
              })
              // A switch while dialing: the answer may name the former master.
              const outcome = yield* Effect.either(Effect.raceFirst(attempt, Effect.as(switched.await, undefined)))
              if (outcome._tag === "Right" && outcome.right !== undefined) {
                const socket = outcome.right
                if (seen === switches && !dialed.closed) {
                  dialed.socket = socket
                  dialed.handedOver = true
                  live.add(dialed)
                  connected = true
                  return socket
                }
                socket.destroy()
              }
              const left = deadline - Date.now()
              // No sentinel could be asked (or none knows the master): not worth asking again now.
              const hopeless = outcome._tag === "Left" && outcome.left.reason === "Connect" && dialed.server === ""
              if (outcome._tag === "Left" && (left <= 0 || hopeless)) return yield* outcome.left
              if (left <= 0) return yield* failure(`The master changed while dialing it, for ${timeoutMillis} ms`)
              if (seen === switches) {
                // No switch yet: try again shortly, or at once when one comes.
                yield* Effect.timeoutOption(switched.await, Duration.millis(Math.min(delay, left)))
                delay = Math.min(delay * 2, redialMaxDelayMillis)
              }
            }
          }))
      }
    }
    return { master: dialing(findMaster), replicas: dialing(findReplica) }
  })
