/**
 * One multiplexed connection: auto-pipelining writer, FIFO reply matching,
 * handshake, timeouts, offline queue and reconnection.
 *
 * The hot path (send → write buffer → socket, socket → decoder → resume) is
 * plain code driven by socket callbacks; Effect is used at the edges only:
 * one `Effect.async` per command, and a manager fiber that reconnects.
 */
import { RespDecoder } from "@effect-redis/resp/RespDecoder"
import { RespCommandWriter, validateArguments } from "@effect-redis/resp/RespEncoder"
import { RespAttributed, RespError, RespPush, type RespValue, withoutAttributes } from "@effect-redis/resp/RespValue"
import { Effect, Exit, Schedule, type Scope } from "effect"
import * as Command from "../Command.js"
import type { Resolved } from "../RedisConfig.js"
import {
  RedisArgumentError,
  RedisClosedError,
  RedisConnectionError,
  type RedisError,
  RedisTimeoutError
} from "../RedisError.js"
import type { Socket, Transport } from "../RedisTransport.js"
import * as Handshake from "./handshake.js"
import { Fifo } from "./queue.js"
import { decodeError, replyError } from "./replies.js"

type Resume = (exit: Exit.Exit<unknown, RedisError>) => void

/** One command waiting to be written or answered. */
class Pending {
  constructor(
    readonly command: Command.Command<unknown>,
    readonly binary: boolean,
    /** `undefined` once answered, timed out or abandoned: a late reply is then dropped. */
    public resume: Resume | undefined,
    readonly deadline: number,
    readonly timeoutMillis: number
  ) {}
}

/**
 * `broken`: a reconnect round gave up; the next command starts another.
 * `dead`: lost, and this connection does not reconnect (pool members).
 */
type State = "connecting" | "ready" | "reconnecting" | "broken" | "dead" | "closing" | "closed"

const raw = (reply: RespValue): RespValue => reply
const PING = Command.spec("PING", Command.keyless)

/**
 * What a connection reports to its owner (pub/sub, client-side caching,
 * MONITOR): out-of-band frames (RESP3 pushes, and under RESP2 the arrays
 * that arrive while no command waits) and the moments it is ready again
 * after a loss, or gives up reconnecting.
 */
export interface ConnectionListener {
  readonly onPush?: (items: Array<RespValue>) => void
  /** An error reply no command waits for: a refused SUBSCRIBE. */
  readonly onStrayError?: (error: RespError) => void
  /** Any other value no command waits for: a MONITOR line, a subscriber's PONG under RESP3. */
  readonly onStrayValue?: (value: RespValue) => void
  readonly onReconnect?: () => void
  /** The connection was lost: what the server told it (tracked keys) no longer holds. */
  readonly onLost?: () => void
  /** A round of reconnect attempts gave up (the schedule ended); the connection waits for a new round. */
  readonly onUnavailable?: (error: RedisConnectionError) => void
}

/**
 * How a connection is made: `reconnect: false` for pool members, which are
 * replaced rather than repaired.
 */
export interface ConnectionOptions {
  readonly listener?: ConnectionListener
  readonly reconnect?: boolean
  /** How frames that no command waits for (pub/sub messages) decode bulk strings. */
  readonly binaryPushes?: boolean
  /** Turn on `CLIENT TRACKING` in every handshake (client-side caching). */
  readonly tracking?: boolean
  /** Send `READONLY` in every handshake (reads from cluster replicas). */
  readonly replicaReads?: boolean
  /**
   * A subscriber connection: no command waits on it once it is ready
   * (SUBSCRIBE and friends go out with `sendOneway`), so the health check
   * must not wait for a reply either (see `healthCheck`).
   */
  readonly subscriber?: boolean
}

export class Connection {
  private state: State = "connecting"
  private socket: Socket | undefined = undefined
  private generation = 0
  private readonly inflight = new Fifo<Pending>()
  /** How many entries at the tail of `inflight` are in the writer, not yet handed to the socket. */
  private unflushed = 0
  private readonly offline = new Fifo<Pending>()
  private readonly writer = new RespCommandWriter()
  private readonly decoder = new RespDecoder()
  private flushScheduled = false
  private sweepTimer: ReturnType<typeof setInterval> | undefined = undefined
  private drained: (() => void) | undefined = undefined
  private lastError: RedisError | undefined = undefined
  /** The protocol the handshake settled on. */
  protocol: 2 | 3 = 3
  /** When the last bytes arrived or the connection opened (ms since epoch): pool members idle longer are PINGed before reuse. */
  lastActivity = Date.now()
  /** Reading is paused (a subscriber's consumer is full): the health check does not expect an answer meanwhile. */
  private paused = false

  constructor(
    readonly config: Resolved,
    private readonly transport: Transport,
    private readonly wake: () => void,
    private readonly listener: ConnectionListener,
    private readonly reconnects: boolean,
    private readonly idleBinary: boolean,
    private readonly extras: Handshake.Extras,
    private readonly subscriber: boolean
  ) {
    this.decoder.binary = idleBinary
  }

  /** Whether commands go straight to the socket now. */
  get isReady(): boolean {
    return this.state === "ready"
  }

  // ---------------------------------------------------------------------------
  // sending

  /** Runs a command: the Effect every typed method ends in. */
  readonly execute = <A>(command: Command.Command<A>, binary: boolean): Effect.Effect<A, RedisError> =>
    Effect.async<A, RedisError>((resume) => {
      const pending = this.send(command, binary, resume as Resume)
      return pending !== undefined ? Effect.sync(() => this.abandon(pending)) : undefined
    })

  /**
   * Sends a command; the reply goes to `resume`. Returns the pending entry
   * when it is parked in the offline queue (so interruption can take it out).
   */
  send(command: Command.Command<unknown>, binary: boolean, resume: Resume): Pending | undefined {
    const timeout = this.config.commandTimeoutMillis + blockAllowance(command)
    const pending = new Pending(command, binary, resume, Date.now() + timeout, timeout)
    switch (this.state) {
      case "ready":
        this.write(pending)
        return undefined
      case "closing":
      case "closed":
        resume(Exit.fail(new RedisClosedError({ message: "The Redis client is closed", outcome: "not-sent" })))
        return undefined
      case "dead":
        resume(Exit.fail(
          new RedisConnectionError({
            reason: "Lost",
            message: "This Redis connection was lost",
            outcome: "not-sent",
            command: command.spec.name
          })
        ))
        return undefined
      case "broken":
        // The last reconnect round gave up: this command starts a new one.
        this.state = "reconnecting"
        this.wake()
        return this.park(pending)
      case "connecting":
      case "reconnecting":
        return this.park(pending)
    }
  }

  /** Holds a command until the connection is ready, within the offline queue's bound. */
  private park(pending: Pending): Pending | undefined {
    if (this.offline.length >= this.config.offlineQueueSize) {
      pending.resume!(Exit.fail(this.unavailable(pending.command)))
      return undefined
    }
    this.offline.push(pending)
    this.armSweep()
    return pending
  }

  private write(pending: Pending): void {
    const error = this.writer.write(pending.command.args)
    if (error !== undefined) {
      pending.resume!(Exit.fail(argumentError(pending.command, error.message)))
      return
    }
    const idle = this.inflight.length === 0
    if (idle && !this.decoder.hasPartial) this.decoder.binary = pending.binary
    this.inflight.push(pending)
    this.unflushed++
    if (this.sweepTimer === undefined) this.armSweep()
    if (this.flushScheduled) return
    if (idle && this.socket !== undefined) {
      // Nothing in flight: a lone command goes out now, without waiting for the batch.
      this.unflushed = 0
      this.socket.write(this.writer.take())
      return
    }
    this.flushScheduled = true
    queueMicrotask(this.flush)
  }

  private readonly flush = (): void => {
    this.flushScheduled = false
    if (this.writer.pending === 0 || this.socket === undefined) return
    this.unflushed = 0
    this.socket.write(this.writer.take())
  }

  /**
   * Writes a command that gets no reply of its own (SUBSCRIBE and friends:
   * their confirmations arrive as pushes). Only while ready; returns whether
   * it was written. Subscribers re-send their state after a reconnect.
   */
  sendOneway(args: ReadonlyArray<Command.RedisArg>): boolean {
    if (this.state !== "ready" || this.writer.write(args) !== undefined) return false
    if (!this.flushScheduled) {
      this.flushScheduled = true
      queueMicrotask(this.flush)
    }
    return true
  }

  private abandon(pending: Pending): void {
    pending.resume = undefined
  }

  // ---------------------------------------------------------------------------
  // receiving

  private readonly onValue = (value: RespValue): void => {
    if (value instanceof RespPush && this.protocol === 3) {
      this.listener.onPush?.(value.items)
      return
    }
    const pending = this.inflight.shift()
    if (pending === undefined) {
      // Nothing is waiting: under RESP2 this is what a subscribed connection receives.
      if (Array.isArray(value)) this.listener.onPush?.(value)
      else if (value instanceof RespError) this.listener.onStrayError?.(value)
      else this.listener.onStrayValue?.(value)
      return
    }
    const next = this.inflight.peek()
    this.decoder.binary = next !== undefined ? next.binary : this.idleBinary
    const resume = pending.resume
    if (resume === undefined) return
    pending.resume = undefined
    if (value instanceof RespAttributed) value = withoutAttributes(value)
    if (value instanceof RespError) {
      resume(Exit.fail(replyError(pending.command, value)))
      return
    }
    let decoded: unknown
    try {
      decoded = pending.command.decode(value)
    } catch (error) {
      resume(Exit.fail(decodeError(pending.command, error)))
      return
    }
    resume(Exit.succeed(decoded))
  }

  private handlers(generation: number) {
    return {
      onData: (chunk: Uint8Array) => {
        if (generation !== this.generation) return
        this.lastActivity = Date.now()
        const error = this.decoder.feed(chunk, this.onValue)
        if (error !== undefined) {
          this.lastError = new RedisConnectionError({
            reason: "Lost",
            message:
              `The server sent invalid RESP (${error.message} at byte ${error.offset}); the connection was reset`,
            outcome: "may-have-executed",
            cause: error
          })
          this.socket?.destroy()
        } else if (this.drained !== undefined && this.inflight.length === 0) {
          this.drained()
        }
      },
      onClose: (error: unknown) => {
        if (generation === this.generation) this.lost(error)
      }
    }
  }

  /** The socket closed: settle what was in flight, then reconnect unless closing. */
  private lost(cause: unknown): void {
    this.generation++
    this.socket = undefined
    this.flushScheduled = false
    // Entries still in the writer never reached the socket: they wait for the next connection.
    const unsent: Array<Pending> = []
    for (let i = 0; i < this.unflushed; i++) unsent.push(this.inflight.pop()!)
    this.unflushed = 0
    this.writer.take()
    for (const pending of unsent) this.offline.unshift(pending)
    const error = this.lastError instanceof RedisConnectionError
      ? this.lastError
      : new RedisConnectionError({
        reason: "Lost",
        message: "The connection to Redis was lost while the command was in flight; it may have executed",
        outcome: "may-have-executed",
        cause
      })
    this.lastError = undefined
    for (const pending of this.inflight.drain()) settle(pending, Exit.fail(error))
    this.decoder.reset()
    this.decoder.binary = this.idleBinary
    this.listener.onLost?.()
    if (this.state === "closing" || this.state === "closed") {
      this.failOffline(new RedisClosedError({ message: "The Redis client is closed", outcome: "not-sent" }))
      this.drained?.()
      return
    }
    if (!this.reconnects) {
      this.state = "dead"
      this.failOffline(error)
      return
    }
    this.state = "reconnecting"
    this.wake()
  }

  // ---------------------------------------------------------------------------
  // timeouts

  private armSweep(): void {
    if (this.sweepTimer !== undefined) return
    const period = Math.max(5, Math.min(250, this.config.commandTimeoutMillis / 8))
    this.sweepTimer = setInterval(this.sweep, period)
    unref(this.sweepTimer)
  }

  private readonly sweep = (): void => {
    const now = Date.now()
    // Deadlines grow along the queue (one timeout per connection; blocking
    // commands get dedicated connections), so expired entries are at the head.
    for (let i = 0; i < this.inflight.length; i++) {
      const pending = this.inflight.at(i)!
      if (pending.deadline > now) break
      settle(pending, Exit.fail(timeoutError(pending, "may-have-executed")))
    }
    while (this.offline.length > 0 && this.offline.peek()!.deadline <= now) {
      const pending = this.offline.shift()!
      settle(pending, Exit.fail(timeoutError(pending, "not-sent")))
    }
    if (this.inflight.length === 0 && this.offline.length === 0) {
      clearInterval(this.sweepTimer)
      this.sweepTimer = undefined
    }
  }

  // ---------------------------------------------------------------------------
  // connecting

  /** Dials and runs the handshake; on success the offline queue is written. */
  readonly connect: Effect.Effect<void, RedisError> = Effect.suspend(() => {
    const generation = ++this.generation
    return this.transport.connect(this.config.endpoint, this.handlers(generation), this.config.connectTimeoutMillis)
      .pipe(
        Effect.flatMap((socket) => {
          if (generation !== this.generation) {
            socket.destroy()
            return Effect.fail(this.unavailable(undefined))
          }
          this.socket = socket
          return Handshake.run(this.config, (commands) => this.handshakeAll(commands), this.extras).pipe(
            Effect.map((protocol) => {
              this.protocol = protocol
            }),
            Effect.timeoutFail({
              duration: this.config.connectTimeoutMillis,
              onTimeout: () =>
                new RedisConnectionError({
                  reason: "Handshake",
                  message: `The Redis handshake did not complete within ${this.config.connectTimeoutMillis} ms`,
                  outcome: "not-sent"
                })
            }),
            Effect.tapError(() => Effect.sync(() => socket.destroy()))
          )
        }),
        Effect.tap(() =>
          Effect.sync(() => {
            if (this.state === "closing" || this.state === "closed") return
            this.state = "ready"
            for (const pending of this.offline.drain()) if (pending.resume !== undefined) this.write(pending)
          })
        )
      )
  })

  /**
   * Sends commands together (one write when the connection is ready, or
   * kept together in the offline queue) and collects every outcome in order.
   */
  readonly executeAll = (
    commands: ReadonlyArray<Command.Command<unknown>>,
    binary: boolean
  ): Effect.Effect<Array<Exit.Exit<unknown, RedisError>>> =>
    Effect.suspend(() => {
      // All or nothing: a transaction must never go out without its EXEC.
      const refusal = this.refuseBatch(commands)
      return collect(commands.length, (i, resume) => {
        if (refusal !== undefined) resume(Exit.fail(refusal))
        else this.send(commands[i]!, binary, resume)
      })
    })

  /** Why a batch cannot go out whole, if it cannot: an invalid argument, or no room to wait. */
  private refuseBatch(commands: ReadonlyArray<Command.Command<unknown>>): RedisError | undefined {
    for (const command of commands) {
      const invalid = validateArguments(command.args)
      if (invalid !== undefined) return argumentError(command, `${invalid.message}; nothing in the batch was sent`)
    }
    const parking = this.state === "connecting" || this.state === "reconnecting" || this.state === "broken"
    return parking && this.offline.length + commands.length > this.config.offlineQueueSize
      ? this.unavailable(commands[0])
      : undefined
  }

  /** Like `executeAll`, straight to the socket: the handshake runs before the connection is ready. */
  private handshakeAll(commands: ReadonlyArray<Command.Command<unknown>>) {
    const timeout = this.config.connectTimeoutMillis
    return collect(
      commands.length,
      (i, resume) => this.write(new Pending(commands[i]!, false, resume, Date.now() + timeout, timeout))
    )
  }

  // ---------------------------------------------------------------------------
  // lifecycle

  /** The manager loop: waits for a lost connection, then reconnects on the configured schedule. */
  reconnectLoop(waitForWake: Effect.Effect<void>): Effect.Effect<never> {
    const attempt = this.connect.pipe(
      Effect.tap(() => Effect.sync(() => this.listener.onReconnect?.())),
      Effect.retry(this.config.reconnectSchedule),
      Effect.catchAll((error) =>
        Effect.sync(() => {
          if (this.state !== "reconnecting") return
          this.state = "broken"
          const unavailable = new RedisConnectionError({
            reason: "Unavailable",
            message: `Could not reconnect to Redis: ${error.message}`,
            outcome: "not-sent",
            cause: error
          })
          this.failOffline(unavailable)
          this.listener.onUnavailable?.(unavailable)
        })
      )
    )
    return waitForWake.pipe(
      Effect.zipRight(Effect.suspend(() => this.state === "reconnecting" ? attempt : Effect.void)),
      Effect.forever
    )
  }

  /** Starts a new round of reconnect attempts if the last one gave up, as a command would. */
  reconnectIfGivenUp(): void {
    if (this.state !== "broken") return
    this.state = "reconnecting"
    this.wake()
  }

  /** Stops reading from the socket (flow control for a subscriber whose consumer is full). */
  pauseReading(): void {
    this.paused = true
    this.socket?.pause()
  }

  /** Reads again after {@link pauseReading}. */
  resumeReading(): void {
    this.paused = false
    this.socket?.resume()
  }

  /** Sends PING on a schedule; an unanswered PING resets the connection. */
  healthCheck(intervalMillis: number): Effect.Effect<never> {
    const ping = Effect.suspend(() =>
      this.state !== "ready" ? Effect.void : this.execute(Command.make(PING, ["PING"], raw), false).pipe(
        Effect.catchAll((error) =>
          Effect.sync(() => {
            if (error._tag === "RedisTimeoutError") this.socket?.destroy()
          })
        )
      )
    )
    const probe = this.subscriber ? this.pingOneway(intervalMillis) : ping
    return Effect.repeat(probe, Schedule.spaced(intervalMillis)).pipe(Effect.zipRight(Effect.never))
  }

  /**
   * The health check's PING on a subscriber connection, sent without a
   * pending entry: under RESP2 its answer is a `pong` array that may come
   * after messages and subscription confirmations, which would otherwise be
   * taken for the PING's reply (and lost). Any bytes arriving after the
   * PING went out count as the answer; none within the command timeout
   * resets the connection.
   */
  private pingOneway(intervalMillis: number): Effect.Effect<void> {
    const timeout = this.config.commandTimeoutMillis
    return Effect.suspend(() => {
      const socket = this.socket
      const sentAt = Date.now()
      if (this.paused || !this.sendOneway(["PING"])) return Effect.void
      const answered = Effect.suspend(() =>
        this.paused || this.lastActivity >= sentAt || this.socket !== socket ? Effect.void : Effect.fail("silent")
      )
      return answered.pipe(
        Effect.retry(Schedule.spaced(Math.min(intervalMillis, timeout)).pipe(Schedule.upTo(timeout))),
        Effect.catchAll(() => Effect.sync(() => socket?.destroy()))
      )
    })
  }

  /** Refuses new commands, waits for replies in flight up to the close bound, then closes the socket. */
  readonly close: Effect.Effect<void> = Effect.suspend(() => {
    if (this.state === "closed") return Effect.void
    this.state = "closing"
    this.failOffline(new RedisClosedError({ message: "The Redis client is closed", outcome: "not-sent" }))
    this.flush()
    const waitDrained = Effect.async<void>((resume) => {
      if (this.inflight.length === 0) return resume(Effect.void)
      this.drained = () => resume(Effect.void)
    })
    // Finalizers run uninterruptibly: the wait must be made interruptible, or the timeout could not end it.
    return waitDrained.pipe(
      Effect.interruptible,
      Effect.timeoutOption(this.config.closeTimeoutMillis),
      Effect.zipRight(Effect.sync(() => {
        this.state = "closed"
        this.drained = undefined
        const socket = this.socket
        this.generation++
        this.socket = undefined
        for (const pending of this.inflight.drain()) {
          settle(
            pending,
            Exit.fail(
              new RedisClosedError({
                message: "The Redis client closed before the reply arrived; the command may have executed",
                outcome: "may-have-executed"
              })
            )
          )
        }
        socket?.end()
        socket?.destroy()
        if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer)
        this.sweepTimer = undefined
      }))
    )
  })

  /** Drops the socket at once (a pool member in an unknown state); what was in flight fails as lost. */
  abort(): void {
    this.socket?.destroy()
  }

  private failOffline(error: RedisError): void {
    for (const pending of this.offline.drain()) settle(pending, Exit.fail(error))
  }

  private unavailable(command: Command.Command<unknown> | undefined): RedisConnectionError {
    return new RedisConnectionError({
      reason: "Unavailable",
      message: this.config.offlineQueueSize === 0
        ? "Not connected to Redis and the offline queue is disabled"
        : `Not connected to Redis and the offline queue is full (${this.config.offlineQueueSize} commands)`,
      outcome: "not-sent",
      command: command?.spec.name
    })
  }
}

/**
 * Runs `count` sends that report through callbacks and resumes once with
 * every outcome, in order. Interruption leaves the replies to be dropped.
 */
const collect = (
  count: number,
  send: (index: number, resume: Resume) => void
): Effect.Effect<Array<Exit.Exit<unknown, RedisError>>> =>
  Effect.async((resume) => {
    const results = new Array<Exit.Exit<unknown, RedisError>>(count)
    let remaining = count
    if (count === 0) return resume(Effect.succeed(results))
    for (let i = 0; i < count; i++) {
      send(i, (exit) => {
        results[i] = exit
        if (--remaining === 0) resume(Effect.succeed(results))
      })
    }
  })

const argumentError = (command: Command.Command<unknown>, encoderMessage: string): RedisArgumentError =>
  new RedisArgumentError({
    message: `${command.spec.name}: ${Command.refusalOf(command) ?? encoderMessage}`,
    command: command.spec.name,
    outcome: "not-sent"
  })

const settle = (pending: Pending, exit: Exit.Exit<unknown, RedisError>): void => {
  const resume = pending.resume
  if (resume === undefined) return
  pending.resume = undefined
  resume(exit)
}

const blockAllowance = (command: Command.Command<unknown>): number => {
  const block = command.blockMillis
  return block === undefined ? 0 : block === 0 ? 2 ** 31 : block
}

const unref = (timer: unknown): void => {
  if (typeof timer === "object" && timer !== null && "unref" in timer && typeof timer.unref === "function") {
    timer.unref()
  }
}

const timeoutError = (pending: Pending, outcome: "not-sent" | "may-have-executed"): RedisTimeoutError =>
  new RedisTimeoutError({
    message: `${pending.command.spec.name}: no reply within ${pending.timeoutMillis} ms` +
      (outcome === "not-sent" ? " (still waiting for a connection; not sent)" : ""),
    command: pending.command.spec.name,
    timeoutMillis: pending.timeoutMillis,
    outcome
  })

/**
 * Opens a connection in the current scope: the first dial must succeed;
 * later losses are repaired by the reconnect loop.
 */
export const make = (
  config: Resolved,
  transport: Transport,
  options: ConnectionOptions = {}
): Effect.Effect<Connection, RedisError, Scope.Scope> =>
  Effect.gen(function*() {
    const reconnect = options.reconnect ?? true
    const wakeUp = yield* Effect.makeLatch(false)
    const connection = new Connection(
      config,
      transport,
      () => wakeUp.unsafeOpen(),
      options.listener ?? {},
      reconnect,
      options.binaryPushes ?? false,
      { tracking: options.tracking ?? false, replicaReads: options.replicaReads ?? false },
      options.subscriber ?? false
    )
    yield* Effect.acquireRelease(connection.connect, () => connection.close)
    if (reconnect) {
      const waitForWake = wakeUp.await.pipe(Effect.zipRight(wakeUp.close))
      yield* Effect.forkScoped(connection.reconnectLoop(waitForWake))
    }
    if (config.healthCheckIntervalMillis !== undefined) {
      yield* Effect.forkScoped(connection.healthCheck(config.healthCheckIntervalMillis))
    }
    return connection
  })
