/**
 * One multiplexed connection: auto-pipelining writer, FIFO reply matching,
 * handshake, timeouts, the queue of commands waiting to be written (while
 * reconnecting, or while the socket pushes back) and reconnection.
 *
 * The hot path (send → write buffer → socket, socket → decoder → resume) is
 * plain code driven by socket callbacks; Effect is used at the edges only:
 * one wait per command (the runtime's bare asynchronous instruction while
 * the connection is ready, `Effect.async` otherwise: see `execute`), and a
 * manager fiber that reconnects.
 */
import { RespDecoder, RespProtocolError } from "@effect-redis/resp/RespDecoder"
import { RespCommandWriter, validateArguments } from "@effect-redis/resp/RespEncoder"
import { RespAttributed, RespError, RespPush, type RespValue, withoutAttributes } from "@effect-redis/resp/RespValue"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Command from "../Command.js"
import type { Role } from "../ConnectionState.js"
import type { Resolved } from "../RedisConfig.js"
import {
  RedisArgumentError,
  RedisClosedError,
  RedisConnectionError,
  type RedisError,
  RedisTimeoutError
} from "../RedisError.js"
import type { Handlers, Socket, Transport } from "../RedisTransport.js"
import { bareAsync } from "./bareAsync.js"
import { addressOf, type Observer, type Report } from "./connectionStates.js"
import * as Handshake from "./handshake.js"
import type { Meter } from "./metrics.js"
import { Fifo } from "./queue.js"
import { decodeError, replyError } from "./replies.js"

/**
 * The connection ended while the handshake waited for its replies: only the
 * handshake had been sent, so nothing of the caller's ran.
 */
const endedInHandshake = (lost: RedisConnectionError, tls: boolean): RedisConnectionError =>
  new RedisConnectionError({
    reason: "Handshake",
    message: lost.cause instanceof RespProtocolError
      ? `The server answered the Redis handshake with invalid RESP (${lost.cause.message} at byte ${lost.cause.offset})` +
        (tls ? "; is it a Redis server?" : "; is it a Redis server, and does it expect TLS (rediss://)?")
      : "The server closed the connection during the Redis handshake",
    outcome: "not-sent",
    cause: lost
  })

/** Where an outcome goes: `index` is the command's place in its batch (0 for a single command). */
type Resume = (exit: Exit.Exit<unknown, RedisError>, index: number) => void

/** One command waiting to be written or answered. */
class Pending {
  constructor(
    readonly command: Command.Command<unknown>,
    readonly binary: boolean,
    /** `undefined` once answered, timed out or abandoned: a late reply is then dropped. */
    public resume: Resume | undefined,
    readonly deadline: number,
    readonly timeoutMillis: number,
    /** Its place in its batch: one `resume` serves a whole batch, with no closure per command. */
    readonly index: number
  ) {}
}

/**
 * Commands that wait to be written as one unit: a single command, or a
 * whole pipeline or transaction, which waits, expires, is withdrawn and is
 * written together, so that a transaction never goes out in part.
 */
class Waiting {
  /** `false` once written, expired or withdrawn. */
  waiting = true
  constructor(
    public entries: ReadonlyArray<Pending>,
    readonly deadline: number,
    /** About how many bytes the commands take, for the write buffer's bound. */
    readonly bytes: number
  ) {}
}

/**
 * `congested`: connected, but the socket holds more than it could send;
 * commands wait until it drains.
 * `broken`: a reconnect round gave up; the next command starts another.
 * `dead`: lost, and this connection does not reconnect (pool members).
 * `recycling`: connected, but asked to reconnect (see `recycle`); new
 * commands wait while the replies in flight arrive.
 */
type State =
  | "connecting"
  | "ready"
  | "congested"
  | "recycling"
  | "reconnecting"
  | "broken"
  | "dead"
  | "closing"
  | "closed"

/** While draining the waiting queue, the socket gets a write at least every this many bytes. */
const drainChunkBytes = 64 * 1024

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
  /** Where the connection reports its states (and, with metrics on, its queue and reconnects). */
  readonly observer?: Observer | undefined
  /** What the connection is for, as its state events say. Default `"shared"`. */
  readonly role?: Role
  /** The address its state events show, when not the configured one (see `addressOf`). */
  readonly address?: string
}

/** A connection's link to its client's observer. */
interface Observed {
  readonly report: Report
  readonly meter: Meter | undefined
  readonly role: Role
}

export class Connection {
  private state: State = "connecting"
  private socket: Socket | undefined = undefined
  private generation = 0
  private readonly inflight = new Fifo<Pending>()
  /** How many entries at the tail of `inflight` are in the writer, not yet handed to the socket. */
  private unflushed = 0
  /** Commands waiting to be written, oldest first: while (re)connecting, or while the socket drains. */
  private readonly waiting = new Fifo<Waiting>()
  private waitingCommands = 0
  private waitingBytes = 0
  private readonly writer = new RespCommandWriter()
  private readonly decoder: RespDecoder
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
  /** While down: the reconnect attempt about to be made, and why the connection is down (state events only). */
  private attempt = 1
  private downError: RedisError | undefined = undefined

  constructor(
    readonly config: Resolved,
    private readonly transport: Transport,
    private readonly wake: () => void,
    private readonly listener: ConnectionListener,
    private readonly reconnects: boolean,
    private readonly idleBinary: boolean,
    private readonly extras: Handshake.Extras,
    private readonly subscriber: boolean,
    private readonly observed: Observed | undefined
  ) {
    // A transport never reuses a chunk's memory (see `Handlers.onData`).
    this.decoder = new RespDecoder({
      ...config.replyLimits,
      platform: transport.decoderPlatform,
      immutableChunks: true
    })
    this.decoder.binary = idleBinary
  }

  /** Whether the connection is up (handshake done), even if its socket is still draining. */
  get isReady(): boolean {
    return this.state === "ready" || this.state === "congested"
  }

  // ---------------------------------------------------------------------------
  // sending

  /**
   * Runs a command: the Effect every typed method ends in. While the
   * connection is ready the command is written at once and cannot be taken
   * back, so the fiber waits without a canceller (`bareAsync`, the cheapest
   * wait); otherwise it goes on with `parked`, whose interruption takes the
   * command out of the waiting queue.
   */
  readonly execute = <A>(command: Command.Command<A>, binary: boolean): Effect.Effect<A, RedisError> =>
    bareAsync<A, RedisError>((resume) => {
      if (this.state === "ready") this.send(command, binary, resume as Resume)
      else resume(this.parked(command, binary))
    })

  /** A command sent while the connection is not ready: it may wait to be written, and be withdrawn meanwhile. */
  private parked<A>(command: Command.Command<A>, binary: boolean): Effect.Effect<A, RedisError> {
    return Effect.async<A, RedisError>((resume) => {
      const waiting = this.send(command, binary, resume as Resume)
      return waiting !== undefined ? Effect.sync(() => this.withdraw(waiting)) : undefined
    })
  }

  /**
   * Sends a command; the reply goes to `resume`. Returns its place in the
   * waiting queue when it cannot be written now (so interruption can take
   * it out).
   */
  send(command: Command.Command<unknown>, binary: boolean, resume: Resume): Waiting | undefined {
    const timeout = this.config.commandTimeoutMillis + blockAllowance(command)
    const pending = new Pending(command, binary, resume, Date.now() + timeout, timeout, 0)
    if (this.state === "ready") {
      this.write(pending)
      return undefined
    }
    return this.hold([pending])
  }

  /**
   * Sends commands as one unit: written together now, in one write to the
   * socket when nothing else is in flight, or waiting together.
   */
  private sendAll(entries: ReadonlyArray<Pending>): Waiting | undefined {
    if (this.state !== "ready") return this.hold(entries)
    this.writeAll(entries)
    return undefined
  }

  /** Puts commands in the writer; when nothing else was in flight, they go to the socket now, in one write. */
  private writeAll(entries: ReadonlyArray<Pending>): void {
    const idle = this.inflight.length === 0
    for (const pending of entries) this.write(pending, false)
    if (idle) this.flush()
  }

  /** Commands that cannot be written now: refused if the connection is gone for good, else queued. */
  private hold(entries: ReadonlyArray<Pending>): Waiting | undefined {
    switch (this.state) {
      case "closing":
      case "closed":
        failAll(entries, new RedisClosedError({ message: "The Redis client is closed", outcome: "not-sent" }))
        return undefined
      case "dead":
        failAll(
          entries,
          new RedisConnectionError({
            reason: "Lost",
            message: "This Redis connection was lost",
            outcome: "not-sent",
            command: entries[0]!.command.spec.name
          })
        )
        return undefined
      case "broken":
        // The last reconnect round gave up: these commands start a new one.
        this.reconnectIfGivenUp()
    }
    return this.park(entries)
  }

  /** Queues commands as one unit until they can be written, within the queue's bounds. */
  private park(entries: ReadonlyArray<Pending>): Waiting | undefined {
    const refusal = this.noRoom(entries)
    if (refusal !== undefined) {
      failAll(entries, refusal)
      return undefined
    }
    const unit = unitOf(entries)
    this.waiting.push(unit)
    this.waitingCommands += entries.length
    this.waitingBytes += unit.bytes
    this.observed?.meter?.queued(entries.length)
    this.armSweep()
    return unit
  }

  /**
   * Why commands cannot wait, if they cannot: the bytes already waiting
   * reach the write buffer's bound, or, while not connected, the offline
   * queue cannot hold them all.
   */
  private noRoom(entries: ReadonlyArray<Pending>): RedisConnectionError | undefined {
    const command = entries[0]!.command.spec.name
    const limit = this.config.writeBufferSize
    if (this.waitingBytes >= limit) {
      return new RedisConnectionError({
        reason: "Unavailable",
        message:
          `About ${this.waitingBytes} bytes of commands already wait to be written (writeBufferSize is ${limit}) ` +
          (this.isReady ? "because Redis is not reading them as fast as they come" : "while Redis is not connected") +
          "; the command was not sent",
        outcome: "not-sent",
        command
      })
    }
    if (this.isReady || this.waitingCommands + entries.length <= this.config.offlineQueueSize) return undefined
    return new RedisConnectionError({
      reason: "Unavailable",
      message: this.config.offlineQueueSize === 0
        ? "Not connected to Redis and the offline queue is disabled"
        : `Not connected to Redis and the offline queue is full (${this.config.offlineQueueSize} commands)`,
      outcome: "not-sent",
      command
    })
  }

  /**
   * Puts a command in the writer. A lone command (nothing in flight) goes
   * to the socket at once when `alone`; otherwise the writer is flushed in
   * a microtask, with whatever else is sent meanwhile.
   */
  private write(pending: Pending, alone = true): void {
    const error = this.writer.write(pending.command.args)
    if (error !== undefined) {
      settle(pending, Exit.fail(argumentError(pending.command, error.message)))
      return
    }
    const idle = this.inflight.length === 0
    if (idle && !this.decoder.hasPartial) this.decoder.binary = pending.binary
    this.inflight.push(pending)
    this.unflushed++
    if (this.sweepTimer === undefined) this.armSweep()
    if (this.flushScheduled) return
    if (alone && idle && this.socket !== undefined) {
      // Nothing in flight: a lone command goes out now, without waiting for the batch.
      this.unflushed = 0
      this.handOver(this.socket, this.writer.take())
      return
    }
    this.flushScheduled = true
    queueMicrotask(this.flush)
  }

  private readonly flush = (): void => {
    this.flushScheduled = false
    if (this.writer.pending === 0 || this.socket === undefined) return
    this.unflushed = 0
    this.handOver(this.socket, this.writer.take())
  }

  /** Gives bytes to the socket; one that pushes back makes later commands wait until it drains. */
  private handOver(socket: Socket, bytes: Uint8Array): void {
    if (socket.write(bytes) === false && this.state === "ready") this.state = "congested"
  }

  /** Writes what waits, oldest first, until nothing is left or the socket pushes back again. */
  private drainWaiting(): void {
    let unflushedBytes = 0
    while (this.state === "ready" && this.waiting.length > 0) {
      const unit = this.waiting.shift()!
      if (!unit.waiting) continue
      this.release(unit)
      for (const pending of unit.entries) this.write(pending, false)
      unflushedBytes += unit.bytes
      if (unflushedBytes >= drainChunkBytes) {
        this.flush()
        unflushedBytes = 0
      }
    }
  }

  /** Takes a unit out of the waiting queue's counts: it was written, expired or withdrawn. */
  private release(unit: Waiting): void {
    unit.waiting = false
    this.waitingCommands -= unit.entries.length
    this.waitingBytes -= unit.bytes
    this.observed?.meter?.queued(-unit.entries.length)
  }

  /**
   * Writes a command that gets no reply of its own (SUBSCRIBE and friends:
   * their confirmations arrive as pushes). Only while connected; returns
   * whether it was written. Subscribers re-send their state after a
   * reconnect.
   */
  sendOneway(args: ReadonlyArray<Command.RedisArg>): boolean {
    if (!this.isReady || this.writer.write(args) !== undefined) return false
    if (!this.flushScheduled) {
      this.flushScheduled = true
      queueMicrotask(this.flush)
    }
    return true
  }

  /**
   * An interrupted caller: commands that still wait are never written;
   * the replies of those already written are read and dropped.
   */
  private withdraw(unit: Waiting): void {
    const entries = unit.entries
    if (unit.waiting) {
      this.release(unit)
      unit.entries = []
    }
    for (const pending of entries) pending.resume = undefined
  }

  // ---------------------------------------------------------------------------
  // receiving

  private readonly onValue = (value: RespValue): void => {
    if (value instanceof RespPush && this.protocol === 3) {
      if (!this.answersOldest(value)) {
        this.listener.onPush?.(value.items)
        return
      }
      value = value.items
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
      resume(Exit.fail(replyError(pending.command, value)), pending.index)
      return
    }
    let decoded: unknown
    try {
      decoded = pending.command.decode(value)
    } catch (error) {
      resume(Exit.fail(decodeError(pending.command, error)), pending.index)
      return
    }
    resume(succeeded(decoded), pending.index)
  }

  /**
   * Whether a RESP3 push is the reply of the oldest command: a SUBSCRIBE
   * sent on a reserved connection is answered by its first confirmation,
   * which RESP3 sends as a push.
   */
  private answersOldest(push: RespPush): boolean {
    const oldest = this.inflight.peek()
    if (oldest === undefined || (oldest.command.spec.flags & Command.Flags.pubsub) === 0) return false
    const kind = push.items[0]
    const name = typeof kind === "string" ? kind : kind instanceof Uint8Array ? textDecoder.decode(kind) : ""
    return name.toLowerCase().endsWith("subscribe")
  }

  private handlers(generation: number): Handlers {
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
        } else if (this.inflight.length === 0) {
          // The last reply a recycled connection waited for: the reconnect sends what waits.
          if (this.state === "recycling") this.socket?.destroy()
          else this.drained?.()
        }
      },
      onDrain: () => {
        if (generation !== this.generation || this.state !== "congested") return
        this.state = "ready"
        this.drainWaiting()
      },
      onClose: (error: unknown) => {
        if (generation === this.generation) this.lost(error)
      }
    }
  }

  /** The socket closed: settle what was in flight, then reconnect unless closing. */
  private lost(cause: unknown): void {
    const error = this.lastError instanceof RedisConnectionError
      ? this.lastError
      : new RedisConnectionError({
        reason: "Lost",
        message: "The connection to Redis was lost while the command was in flight; it may have executed",
        outcome: "may-have-executed",
        cause
      })
    this.lastError = undefined
    this.detach(error)
    this.listener.onLost?.()
    if (this.state === "closing" || this.state === "closed") {
      this.failWaiting(new RedisClosedError({ message: "The Redis client is closed", outcome: "not-sent" }))
      this.drained?.()
      return
    }
    if (!this.reconnects) {
      this.state = "dead"
      this.observed?.report({ _tag: "Closed" })
      this.failWaiting(
        new RedisConnectionError({
          reason: "Lost",
          message: "The connection to Redis was lost before the command was sent",
          outcome: "not-sent",
          cause
        })
      )
      return
    }
    this.state = "reconnecting"
    this.down(error)
    this.wake()
  }

  /**
   * Lets go of the socket: its later events are ignored, entries still in
   * the writer wait for the next connection (first, as one unit), what was
   * in flight fails with `error`, and the decoder starts afresh.
   */
  private detach(error: RedisError): void {
    this.generation++
    this.socket = undefined
    this.flushScheduled = false
    if (this.unflushed > 0) {
      // Entries still in the writer never reached the socket: they wait for the next connection, first, as one unit.
      const unsent = new Array<Pending>(this.unflushed)
      for (let i = unsent.length - 1; i >= 0; i--) unsent[i] = this.inflight.pop()!
      const unit = unitOf(unsent)
      this.waiting.unshift(unit)
      this.waitingCommands += unsent.length
      this.waitingBytes += unit.bytes
      this.observed?.meter?.queued(unsent.length)
    }
    this.unflushed = 0
    this.writer.take()
    for (const pending of this.inflight.drain()) settle(pending, Exit.fail(error))
    this.decoder.reset()
    this.decoder.binary = this.idleBinary
  }

  /** Reports the connection down, with the attempt about to be made. */
  private down(error: RedisError): void {
    this.attempt = 1
    this.downError = error
    this.observed?.report({ _tag: "Reconnecting", attempt: 1, error })
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
    // Every overdue command fails wherever it sits: a blocking command ahead does not hold up the others.
    for (let i = 0; i < this.inflight.length; i++) {
      const pending = this.inflight.at(i)!
      if (pending.deadline <= now) settle(pending, Exit.fail(timeoutError(pending, "may-have-executed")))
    }
    for (let i = 0; i < this.waiting.length; i++) {
      const unit = this.waiting.at(i)!
      if (unit.waiting && unit.deadline <= now) this.expire(unit)
    }
    // Expired and withdrawn units keep their place until the queue drains; while it cannot, they are dropped here.
    if (this.waiting.length > 2 * this.waitingCommands + 64) {
      for (const unit of this.waiting.drain()) if (unit.waiting) this.waiting.push(unit)
    }
    const oldest = this.inflight.peek()
    if (oldest !== undefined && oldest.deadline <= now && (this.isReady || this.state === "recycling")) {
      this.reset(oldest)
    }
    if (this.inflight.length === 0 && this.waitingCommands === 0) {
      clearInterval(this.sweepTimer)
      this.sweepTimer = undefined
    }
  }

  /** A unit that waited past its deadline fails whole: none of it was sent. */
  private expire(unit: Waiting): void {
    const entries = unit.entries
    this.release(unit)
    unit.entries = []
    const because = this.isReady ? "for the server to read what was written before" : "for a connection"
    for (const pending of entries) settle(pending, Exit.fail(timeoutError(pending, "not-sent", because)))
  }

  /**
   * The oldest command's reply did not complete in time: the server is
   * stopped or not reading, or its reply is stuck half-way. Replies are
   * matched in order, so nothing behind it can complete either: the
   * connection is replaced. What was in flight fails as may-have-executed;
   * what waits goes to the new connection.
   */
  private reset(oldest: Pending): void {
    this.lastError = new RedisConnectionError({
      reason: "Lost",
      message: `The reply to ${oldest.command.spec.name} did not complete within ${oldest.timeoutMillis} ms, ` +
        "so the connection was reset; the command was in flight and may have executed",
      outcome: "may-have-executed"
    })
    const socket = this.socket
    this.lost(undefined)
    socket?.destroy()
  }

  // ---------------------------------------------------------------------------
  // connecting

  /** Dials and runs the handshake, both within the connect timeout; on success what waits is written. */
  readonly connect: Effect.Effect<void, RedisError> = Effect.suspend(() => {
    const generation = ++this.generation
    const started = Date.now()
    const timeout = this.config.connectTimeoutMillis
    return this.transport.connect(this.config.endpoint, this.handlers(generation), timeout)
      .pipe(
        Effect.flatMap((socket) => {
          if (generation !== this.generation) {
            socket.destroy()
            return Effect.fail(
              new RedisConnectionError({
                reason: "Connect",
                message: "A newer connection attempt replaced this one",
                outcome: "not-sent"
              })
            )
          }
          this.socket = socket
          const unanswered = () =>
            new RedisConnectionError({
              reason: "Handshake",
              message: `The server accepted the connection but the Redis handshake did not complete ` +
                `within the connect timeout (${timeout} ms)`,
              outcome: "not-sent"
            })
          return Handshake.run(this.config, (commands) => this.handshakeAll(commands), this.extras).pipe(
            Effect.map((protocol) => {
              this.protocol = protocol
            }),
            // Whichever expires first, the handshake's commands or this timer, the failure is the same.
            Effect.catchTag("RedisTimeoutError", () => Effect.fail(unanswered())),
            Effect.mapError((error) =>
              error._tag === "RedisConnectionError" && error.reason === "Lost"
                ? endedInHandshake(error, this.config.endpoint.tls !== undefined)
                : error
            ),
            Effect.timeoutFail({ duration: Math.max(1, timeout - (Date.now() - started)), onTimeout: unanswered }),
            Effect.tapError((error) =>
              Effect.sync(() => {
                // Now, not on the socket's close event: an attempt made at once would begin before that
                // event, which would then be ignored and leave this handshake's replies to the next one.
                if (generation === this.generation) this.detach(error)
                socket.destroy()
              })
            )
          )
        }),
        Effect.tap(() =>
          Effect.sync(() => {
            if (this.state === "closing" || this.state === "closed") return
            this.state = "ready"
            this.observed?.report({ _tag: "Ready" })
            this.drainWaiting()
          })
        )
      )
  })

  /**
   * Sends commands together (one write when the connection is ready, or
   * waiting together) and collects every outcome in order. An
   * interrupted batch that still waits is never written.
   */
  readonly executeAll = (
    commands: ReadonlyArray<Command.Command<unknown>>,
    binary: boolean
  ): Effect.Effect<Array<Exit.Exit<unknown, RedisError>>> =>
    Effect.suspend(() => {
      // All or nothing: a transaction must never go out without its EXEC.
      const invalid = invalidArgument(commands)
      if (invalid !== undefined) return Effect.succeed(commands.map(() => Exit.fail(invalid)))
      const base = this.config.commandTimeoutMillis
      return collect(commands, binary, (command) => base + blockAllowance(command), (entries) => {
        const waiting = this.sendAll(entries)
        return waiting === undefined ? undefined : Effect.sync(() => this.withdraw(waiting))
      })
    })

  /** Like `executeAll`, straight to the socket: the handshake runs before the connection is ready. */
  private handshakeAll(commands: ReadonlyArray<Command.Command<unknown>>) {
    const timeout = this.config.connectTimeoutMillis
    return collect(commands, false, () => timeout, (entries) => {
      this.writeAll(entries)
      return undefined
    })
  }

  // ---------------------------------------------------------------------------
  // lifecycle

  /** The manager loop: waits for a lost connection, then reconnects on the configured schedule. */
  reconnectLoop(waitForWake: Effect.Effect<void>): Effect.Effect<never> {
    const attempt = this.connect.pipe(
      Effect.tapError((error) =>
        Effect.sync(() => {
          this.downError = error
          this.observed?.report({ _tag: "Reconnecting", attempt: ++this.attempt, error })
        })
      ),
      Effect.tap(() =>
        Effect.sync(() => {
          if (this.observed !== undefined) this.observed.meter?.reconnected(this.observed.role)
          this.listener.onReconnect?.()
        })
      ),
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
          this.failWaiting(unavailable)
          this.observed?.report({ _tag: "Unavailable", error: unavailable })
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
    if (this.downError !== undefined) this.down(this.downError)
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

  /**
   * Sends PING on a schedule while idle; an unanswered PING resets the
   * connection. Not while a command is in flight: its own deadline already
   * bounds the wait, and a PING queued behind a blocking command (a pool
   * connection in BLPOP) would time out and kill it.
   */
  healthCheck(intervalMillis: number): Effect.Effect<never> {
    const ping = Effect.suspend(() =>
      this.state !== "ready" || this.inflight.length > 0
        ? Effect.void
        : this.execute(Command.make(PING, ["PING"], raw), false).pipe(
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
    this.failWaiting(new RedisClosedError({ message: "The Redis client is closed", outcome: "not-sent" }))
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
        this.observed?.report({ _tag: "Closed" })
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

  /**
   * Reconnects without failing anything: new commands wait in the waiting
   * queue (within the offline queue's bound, as while reconnecting), the
   * replies in flight are read, then the socket closes and the reconnect
   * (behind Sentinel: to the master the sentinels name now) writes what
   * waited. For a server that answered as a replica (READONLY).
   */
  recycle(): void {
    if (!this.isReady || !this.reconnects) return
    this.state = "recycling"
    if (this.inflight.length === 0) this.socket?.destroy()
  }

  /** Drops the socket at once (a pool member in an unknown state); what was in flight fails as lost. */
  abort(): void {
    this.socket?.destroy()
  }

  /** Fails every command still waiting (none of them was sent). */
  private failWaiting(error: RedisError): void {
    for (const unit of this.waiting.drain()) {
      if (!unit.waiting) continue
      this.release(unit)
      failAll(unit.entries, error)
    }
  }
}

const textDecoder = new TextDecoder()

/**
 * Makes one pending entry per command and sends them with `send`, which
 * returns what undoes the sending on interruption, if anything; resumes
 * once with every outcome, in order.
 */
const collect = (
  commands: ReadonlyArray<Command.Command<unknown>>,
  binary: boolean,
  timeoutOf: (command: Command.Command<unknown>) => number,
  send: (entries: ReadonlyArray<Pending>) => Effect.Effect<void> | undefined
): Effect.Effect<Array<Exit.Exit<unknown, RedisError>>> =>
  Effect.async((resume) => {
    const results = new Array<Exit.Exit<unknown, RedisError>>(commands.length)
    let remaining = commands.length
    if (remaining === 0) return resume(Effect.succeed(results))
    const now = Date.now()
    const collected: Resume = (exit, i) => {
      results[i] = exit
      if (--remaining === 0) resume(Effect.succeed(results))
    }
    const entries = new Array<Pending>(commands.length)
    for (let i = 0; i < entries.length; i++) {
      const command = commands[i]!
      const timeout = timeoutOf(command)
      entries[i] = new Pending(command, binary, collected, now + timeout, timeout, i)
    }
    return send(entries)
  })

/** The unit of commands that wait together: it expires when the first of them would. */
const unitOf = (entries: ReadonlyArray<Pending>): Waiting => {
  let deadline = Infinity
  let bytes = 0
  for (const pending of entries) {
    deadline = Math.min(deadline, pending.deadline)
    bytes += sizeOf(pending.command)
  }
  return new Waiting(entries, deadline, bytes)
}

/** About the bytes a command takes on the wire: enough to bound what waits, without encoding it. */
const sizeOf = (command: Command.Command<unknown>): number => {
  let bytes = 16
  for (const arg of command.args) {
    bytes += 16 + (typeof arg === "string" || arg instanceof Uint8Array ? arg.length : 0)
  }
  return bytes
}

/** The first invalid argument of a batch, which is then refused whole. */
const invalidArgument = (commands: ReadonlyArray<Command.Command<unknown>>): RedisArgumentError | undefined => {
  for (const command of commands) {
    const invalid = validateArguments(command.args)
    if (invalid !== undefined) return argumentError(command, `${invalid.message}; nothing in the batch was sent`)
  }
  return undefined
}

const argumentError = (command: Command.Command<unknown>, encoderMessage: string): RedisArgumentError =>
  new RedisArgumentError({
    message: `${command.spec.name}: ${Command.refusalOf(command) ?? encoderMessage}`,
    command: command.spec.name,
    outcome: "not-sent"
  })

// The outcomes most replies decode to, made once: a pipeline of SETs or a
// transaction's QUEUED replies would otherwise allocate one per command.
const succeededTrue = Exit.succeed(true)
const succeededOk = Exit.succeed("OK")
const succeededQueued = Exit.succeed("QUEUED")

/** The success of a decoded reply; exits are immutable, so common values share one. */
const succeeded = (value: unknown): Exit.Exit<unknown> =>
  value === undefined
    ? Exit.void
    : value === true
    ? succeededTrue
    : value === "OK"
    ? succeededOk
    : value === "QUEUED"
    ? succeededQueued
    : Exit.succeed(value)

const settle = (pending: Pending, exit: Exit.Exit<unknown, RedisError>): void => {
  const resume = pending.resume
  if (resume === undefined) return
  pending.resume = undefined
  resume(exit, pending.index)
}

const failAll = (entries: ReadonlyArray<Pending>, error: RedisError): void => {
  for (const pending of entries) settle(pending, Exit.fail(error))
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

const timeoutError = (
  pending: Pending,
  outcome: "not-sent" | "may-have-executed",
  waitingFor = ""
): RedisTimeoutError =>
  new RedisTimeoutError({
    message: `${pending.command.spec.name}: no reply within ${pending.timeoutMillis} ms` +
      (outcome === "not-sent" ? ` (still waiting ${waitingFor}; not sent)` : ""),
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
    const observer = options.observer
    const role = options.role ?? "shared"
    const observed = observer &&
      { report: observer.states.register(role, options.address ?? addressOf(config)), meter: observer.meter, role }
    const connection = new Connection(
      config,
      transport,
      () => wakeUp.unsafeOpen(),
      options.listener ?? {},
      reconnect,
      options.binaryPushes ?? false,
      { tracking: options.tracking ?? false, replicaReads: options.replicaReads ?? false },
      options.subscriber ?? false,
      observed
    )
    // A first connect is bounded whatever the transport does: behind Sentinel, a dial made once the
    // transport has connected waits for the master as long as it takes (a reconnect must not miss a
    // switch), which would hold a new pool member or subscriber connection forever while no master is up.
    // A second more than the connect timeout, so that a transport's own, more telling failure comes first.
    const firstConnectMillis = config.connectTimeoutMillis + 1_000
    const bounded = Effect.timeoutFail(connection.connect, {
      duration: firstConnectMillis,
      onTimeout: () =>
        new RedisConnectionError({
          reason: "Connect",
          message: `No connection to Redis within ${firstConnectMillis} ms (the connect timeout and a second)`,
          outcome: "not-sent"
        })
    })
    // A first connect that fails leaves nothing open.
    const first = observed === undefined
      ? bounded
      : Effect.tapError(bounded, () => Effect.sync(() => observed.report({ _tag: "Closed" })))
    yield* Effect.acquireRelease(first, () => connection.close)
    if (reconnect) {
      const waitForWake = wakeUp.await.pipe(Effect.zipRight(wakeUp.close))
      yield* Effect.forkScoped(connection.reconnectLoop(waitForWake))
    }
    if (config.healthCheckIntervalMillis !== undefined) {
      // Interruptible even when made in an uninterruptible region (the pool opens members in one): a
      // forked fiber inherits it, and closing the scope would wait forever for the endless check.
      yield* Effect.forkScoped(Effect.interruptible(connection.healthCheck(config.healthCheckIntervalMillis)))
    }
    return connection
  })
