/**
 * Dedicated connections, pooled: for blocking commands, WATCH transactions
 * and `reserve`, which must not share the multiplexed connection.
 *
 * Not Effect's `Pool`: with an idle time-to-live it keeps every connection
 * it ever created in its TTL queue (an invalidated one is never taken out),
 * and invalidating closes the connection in the caller's fiber, running a
 * finalizer another fiber registered, which grows the caller's FiberRef
 * stacks. Here a discarded connection is forgotten at once and closed in a
 * fiber of its own, so it is garbage once closed and the caller pays a
 * constant cost.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Command from "../Command.js"
import type { Executor, Lender, Lent } from "../Executor.js"
import type { Resolved } from "../RedisConfig.js"
import { RedisClosedError, type RedisError, RedisPoolError } from "../RedisError.js"
import type { Transport } from "../RedisTransport.js"
import * as ReplyDecoder from "../ReplyDecoder.js"
import * as Connection from "./connection.js"
import type { Observer } from "./connectionStates.js"
import { Fifo } from "./queue.js"

const PING = Command.spec("PING", Command.keyless)
const ping = Command.make(PING, ["PING"], ReplyDecoder.raw)

/** Members idle longer than this answer a PING before they are lent. */
const idleCheckMillis = 5_000

/** A `Lender` whose `withConnection` hands out the connection itself. */
export interface ConnectionPool extends Lender {
  readonly withConnection: <A, E, R>(
    use: (connection: Connection.Connection) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | RedisError, R>
}

/** A pooled connection and the scope that owns it. */
class Member {
  /** When it came back to the pool (ms since epoch). */
  idleSince = 0
  constructor(readonly connection: Connection.Connection, readonly scope: Scope.CloseableScope) {}
}

/** What a waiting borrower is given: a member, or room to open one. */
type Grant = Member | "open"

/** A borrower waiting for a member while the pool is at `pool.max`. */
class Waiter {
  /** Set once: granted, timed out, abandoned or refused. */
  settled = false
  /** What was granted, until the borrower has it: given back if the borrower was interrupted meanwhile. */
  granted: Grant | undefined = undefined
  timer: ReturnType<typeof setTimeout> | undefined = undefined
  resume: ((result: Effect.Effect<Grant, RedisError>) => void) | undefined = undefined
}

class LentConnection implements Lent {
  keep = true
  readonly execute: Executor["execute"]
  readonly executeAll: Executor["executeAll"]
  constructor(connection: Connection.Connection) {
    this.execute = connection.execute
    this.executeAll = connection.executeAll
  }
  readonly discardOnRelease = (): void => {
    this.keep = false
  }
}

/** Whether a connection is still fit for reuse after `exit`. */
/** Whether a lent connection may go back to the pool after `use` ended so: success, or a refusal the server gave. */
export const reusableAfter = (exit: Exit.Exit<unknown, unknown>): boolean => {
  if (Exit.isSuccess(exit)) return true
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  return typeof failure === "object" && failure !== null && "_tag" in failure &&
    (failure._tag === "RedisReplyError" || failure._tag === "RedisTransactionError")
}

const closedError = () =>
  new RedisClosedError({
    message: "The Redis client is closed: its pool lends no more connections",
    outcome: "not-sent"
  })

class Pool {
  /** Members waiting to be lent, the most recently returned last. */
  private readonly idle: Array<Member> = []
  /** Every open member, lent or idle, for the shutdown. */
  private readonly members = new Set<Member>()
  private readonly waiters = new Fifo<Waiter>()
  /** Members open or opening: never more than `pool.max`. */
  private size = 0
  private closed = false
  /** What the metrics were last told (used, idle, waiting): they are given the changes. */
  private reported = { used: 0, idle: 0, waiting: 0 }

  constructor(
    private readonly config: Resolved,
    private readonly transport: Transport,
    private readonly observer: Observer | undefined
  ) {}

  /** Tells the metrics, if on, how the numbers of used, idle and waiting changed since last told. */
  measure(): void {
    const meter = this.observer?.meter
    if (meter === undefined) return
    const idle = this.idle.length
    const now = { used: this.members.size - idle, idle, waiting: this.waiters.length }
    const last = this.reported
    meter.pool(now.used - last.used, now.idle - last.idle, now.waiting - last.waiting)
    this.reported = now
  }

  /**
   * A healthy member, lent to the caller: reused, opened, or waited for
   * (up to `pool.acquireTimeout`). Run uninterruptibly: only the wait
   * itself can be interrupted, and a member granted at that moment goes
   * back.
   */
  readonly acquire: Effect.Effect<Member, RedisError> = Effect.suspend(() => {
    if (this.closed) return Effect.fail(closedError())
    const member = this.idle.pop()
    if (member !== undefined) return this.checked(member)
    if (this.size < this.config.pool.max) {
      this.size++
      return this.open
    }
    return Effect.flatMap(this.wait(), (grant) => grant === "open" ? this.open : this.checked(grant))
  })

  /** `member` if it is still fit to lend, otherwise another one. */
  private checked(member: Member): Effect.Effect<Member, RedisError> {
    const connection = member.connection
    if (!connection.isReady) {
      this.discard(member)
      return this.acquire
    }
    if (Date.now() - connection.lastActivity <= idleCheckMillis) return Effect.succeed(member)
    return Effect.flatMap(Effect.isSuccess(connection.execute(ping, false)), (healthy) => {
      if (healthy) return Effect.succeed(member)
      this.discard(member)
      return this.acquire
    })
  }

  /** Opens a member in the room already counted in `size`. */
  private readonly open: Effect.Effect<Member, RedisError> = Effect.flatMap(
    Scope.make(),
    (scope) =>
      Connection.make(this.config, this.transport, { reconnect: false, observer: this.observer, role: "pool" }).pipe(
        Scope.extend(scope),
        // The pool closed while this one was dialing: nothing else would close it.
        Effect.filterOrFail(() => !this.closed, closedError),
        Effect.map((connection) => {
          const member = new Member(connection, scope)
          this.members.add(member)
          return member
        }),
        Effect.onExit((exit) =>
          Exit.isSuccess(exit) ? Effect.void : Effect.zipRight(Effect.sync(() => this.vacate()), this.closeScope(scope))
        )
      )
  )

  private wait(): Effect.Effect<Grant, RedisError> {
    const waiter = new Waiter()
    const { acquireTimeoutMillis, max } = this.config.pool
    return Effect.async<Grant, RedisError>((resume) => {
      waiter.resume = resume
      this.waiters.push(waiter)
      this.measure()
      waiter.timer = setTimeout(() => {
        if (waiter.settled) return
        waiter.settled = true
        this.forget(waiter)
        resume(Effect.fail(
          new RedisPoolError({
            message: `No pooled connection became free within ${acquireTimeoutMillis} ms (pool.acquireTimeout): ` +
              `all ${max} (pool.max) are held by blocking commands, reserve or watch. Raise pool.max to the ` +
              `number of concurrent blocking commands plus reserve and watch scopes, or pool.acquireTimeout ` +
              `to let callers queue longer`,
            outcome: "not-sent"
          })
        ))
      }, acquireTimeoutMillis)
      return Effect.sync(() => this.abandon(waiter))
    }).pipe(
      Effect.interruptible,
      // Interrupted after the grant but before the borrower took it: it goes back.
      Effect.onInterrupt(() => Effect.sync(() => this.abandon(waiter))),
      Effect.ensuring(Effect.sync(() => this.measure()))
    )
  }

  /** Gives `grant` to the first waiter, if any. */
  private grant(grant: Grant): boolean {
    const waiter = this.waiters.shift()
    if (waiter === undefined) return false
    waiter.settled = true
    waiter.granted = grant
    clearTimeout(waiter.timer)
    waiter.resume!(Effect.succeed(grant))
    return true
  }

  private abandon(waiter: Waiter): void {
    if (!waiter.settled) {
      waiter.settled = true
      clearTimeout(waiter.timer)
      this.forget(waiter)
      return
    }
    const granted = waiter.granted
    waiter.granted = undefined
    if (granted === "open") this.vacate()
    else if (granted !== undefined) this.release(granted, true)
  }

  private forget(waiter: Waiter): void {
    const kept = this.waiters.drain().filter((other) => other !== waiter)
    for (const other of kept) this.waiters.push(other)
  }

  /** Back from a borrower: kept for the next one, or closed. */
  release(member: Member, keep: boolean): void {
    if (!keep || this.closed || !member.connection.isReady) return this.discard(member)
    if (!this.grant(member)) {
      member.idleSince = Date.now()
      this.idle.push(member)
    }
    this.measure()
  }

  /**
   * Forgets `member` and closes it: the socket now, its scope in a fiber of
   * its own (the scope's finalizers were registered by another fiber, and
   * running them here would grow this fiber's FiberRef stacks).
   */
  discard(member: Member): void {
    if (!this.members.delete(member)) return
    member.connection.abort()
    this.vacate()
    this.measure()
    Effect.runFork(this.closeScope(member.scope))
  }

  /** A member fewer: a waiter may open one in its place. */
  private vacate(): void {
    this.size--
    if (!this.closed && this.size < this.config.pool.max && this.waiters.length > 0) {
      this.size++
      this.grant("open")
    }
  }

  private closeScope(scope: Scope.CloseableScope): Effect.Effect<void> {
    return Scope.close(scope, Exit.void)
  }

  /** Closes idle members beyond `pool.min` that have been idle for `pool.idleTimeToLive`. */
  readonly evictIdle: Effect.Effect<void> = Effect.sync(() => {
    const oldest = Date.now() - this.config.pool.idleTimeToLiveMillis
    while (this.idle.length > 0 && this.size > this.config.pool.min && this.idle[0]!.idleSince <= oldest) {
      this.discard(this.idle.shift()!)
    }
  })

  /** Opens members until `pool.min` are open (failures are left to the next borrower to meet). */
  readonly fill: Effect.Effect<void> = Effect.suspend(() => {
    const missing = this.config.pool.min - this.size
    if (missing <= 0 || this.closed) return Effect.void
    this.size += missing
    return Effect.forEach(
      Array.from({ length: missing }),
      () => Effect.option(Effect.map(this.open, (member) => this.release(member, true))),
      { concurrency: "unbounded", discard: true }
    )
  })

  /** Refuses new borrowers and closes every member, lent ones included. */
  readonly shutdown: Effect.Effect<void> = Effect.suspend(() => {
    this.closed = true
    for (const waiter of this.waiters.drain()) {
      waiter.settled = true
      clearTimeout(waiter.timer)
      waiter.resume!(Effect.fail(closedError()))
    }
    const members = [...this.members]
    this.members.clear()
    this.idle.length = 0
    this.measure()
    return Effect.forEach(members, (member) => this.closeScope(member.scope), {
      concurrency: "unbounded",
      discard: true
    })
  })
}

export const make = (
  config: Resolved,
  transport: Transport,
  observer?: Observer
): Effect.Effect<ConnectionPool, never, Scope.Scope> =>
  Effect.gen(function*() {
    const pool = new Pool(config, transport, observer)
    const acquire = observer?.meter === undefined ? pool.acquire : Effect.tap(pool.acquire, () => pool.measure())
    yield* Effect.addFinalizer(() => pool.shutdown)
    yield* Effect.forkScoped(pool.fill)
    const sweepMillis = Math.max(1_000, config.pool.idleTimeToLiveMillis / 4)
    yield* Effect.forkScoped(
      Effect.forever(Effect.zipRight(Effect.sleep(sweepMillis), Effect.zipRight(pool.evictIdle, pool.fill)))
    )

    const borrow = Effect.uninterruptible(Effect.flatMap(acquire, (member) => {
      const lent = new LentConnection(member.connection)
      return Effect.as(Effect.addFinalizer(() => Effect.sync(() => pool.release(member, lent.keep))), lent)
    }))

    return {
      borrow,
      withConnection: (use) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(acquire, (member) =>
            restore(use(member.connection)).pipe(
              Effect.onExit((exit) => Effect.sync(() => pool.release(member, reusableAfter(exit))))
            ))
        )
    }
  })
