/**
 * The buffer between a connection and one stream (a subscription, MONITOR):
 * bounded in items and in bytes, read by the stream one batch at a time,
 * and never silent about what it drops.
 *
 * Not an Effect `Mailbox`: a flood hands it an item per frame and the
 * stream takes a batch per socket read, so both sides are kept to a push
 * and a splice, and every allocation on the way is one whose effect on the
 * garbage collector was measured (`docs/DESIGN.md`, pub/sub).
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { BufferOptions, Overflow } from "../PubSub.js"
import { RedisArgumentError, RedisOverflowError } from "../RedisError.js"

/**
 * What the inbox needs of an item: its size, and room to say what was
 * lost just before it. The marks are written by the inbox only, before
 * the item is handed to the stream.
 */
export interface Item {
  /** Bytes counted against the bound (a getter: nothing stored per item). */
  readonly size: number
  gap: boolean
  dropped: number
}

/** How much an inbox holds, and what it does when full. */
export interface Bounds {
  readonly items: number
  readonly bytes: number
  readonly overflow: Overflow
}

const overflows: ReadonlyArray<Overflow> = ["dropOldest", "dropNewest", "fail", "backpressure"]

/** The bounds `options` ask for, defaults applied, or why they are invalid (for `command`). */
export const resolveBounds = (options: BufferOptions, command: string): Either.Either<Bounds, RedisArgumentError> => {
  const { bufferBytes = 32 * 1024 * 1024, bufferSize = 10_000, overflow = "dropOldest" } = options
  const invalid = !Number.isInteger(bufferSize) || bufferSize < 1
    ? `bufferSize must be a positive integer, got ${bufferSize}`
    : !Number.isInteger(bufferBytes) || bufferBytes < 1
    ? `bufferBytes must be a positive integer, got ${bufferBytes}`
    : !overflows.includes(overflow)
    ? `overflow must be one of ${overflows.join(", ")}, got ${String(overflow)}`
    : undefined
  return invalid === undefined
    ? Either.right({ items: bufferSize, bytes: bufferBytes, overflow })
    : Either.left(new RedisArgumentError({ message: `${command}: ${invalid}`, command, outcome: "not-sent" }))
}

/** The failure of a stream of `what` (`"subscription"`, `"MONITOR"`) whose `overflow` is `"fail"`. */
export const overflowError = (bounds: Bounds, what: string) => (): RedisOverflowError =>
  new RedisOverflowError({
    message: `The ${what} buffer is full (bufferSize ${bounds.items}, bufferBytes ${bounds.bytes}) and its ` +
      `overflow option is "fail": the consumer fell behind`
  })

/**
 * See {@link keepChunksYoung}: a two-element array, so that
 * `Chunk.unsafeFromArray` builds its backing object for it.
 */
const PAIR: ReadonlyArray<number> = [0, 1]
/** Holds the latest short-lived chunk, so that the optimiser cannot drop its allocation. */
const shortLived: { latest: Chunk.Chunk<number> } = { latest: Chunk.empty() }

/**
 * V8 decides for each allocation site whether to allocate its objects
 * directly in the old generation (pretenuring), from the share of them that
 * is still reachable at the next young collection: 85% or more and it
 * pretenures. Every chunk built from an array shares one site in Effect
 * (the backing object of `Chunk.unsafeFromArray`). Under a flood nearly
 * every batch chunk is still reachable at the next young collection, so V8
 * would pretenure that site; each batch's array and messages would then
 * hang off an old object and outlive every young collection. Measured over
 * 2.5 s of flood without this: 60–70% of the chunks' backings allocated in
 * the old generation, about 120 of 160 young collections copying dead
 * messages (25 with it), three times the collection time, and about 15%
 * fewer messages a second.
 *
 * A second, unused chunk built with every batch halves the share, and V8
 * marks the site "do not pretenure", a decision it keeps. The cost is one
 * small object per batch, not per message.
 */
const keepChunksYoung = (): void => {
  shortLived.latest = Chunk.unsafeFromArray(PAIR)
}

export class Inbox<A extends Item, E> {
  private readonly items: Array<A> = []
  /** Bytes of `items`. */
  private bytes = 0
  /**
   * The batch the consumer took last and may still be working on: it
   * counts against the bounds until the next take, so that a slow consumer
   * never holds a full batch on top of a full buffer.
   */
  private lentItems = 0
  private lentBytes = 0
  /** Lost before the next item accepted: it carries them. */
  private lostCount = 0
  private lostGap = false
  /** Readers waiting for an item: normally the one stream, but a stream value may be run twice. */
  private readonly waiting: Array<(resume: Effect.Effect<void>) => void> = []
  private closed = false
  private failure: E | undefined = undefined
  /** `backpressure` only: over the bounds, and the owner was told to stop reading. */
  private pressing = false
  private readonly halfItems: number
  private readonly halfBytes: number

  constructor(
    private readonly bounds: Bounds,
    /** The failure of a stream whose `overflow` is `"fail"`. */
    private readonly overflowed: () => E,
    /** `backpressure` only: told `true` when the inbox is full, `false` when there is room again. */
    private readonly pressure: (full: boolean) => void = () => {},
    /** Told of every item dropped for room (metrics). */
    private readonly onDrop?: () => void
  ) {
    this.halfItems = Math.max(1, Math.floor(bounds.items / 2))
    this.halfBytes = Math.max(1, Math.floor(bounds.bytes / 2))
  }

  /** Adds an item, or makes room or refuses as `overflow` says, and wakes the readers. */
  offer(item: A): void {
    if (this.closed) return
    const size = item.size
    // Past the bounds, something is dropped first; but a lone item is always accepted, however large.
    if (!this.fits(size) && (this.items.length > 0 || this.lentItems > 0) && !this.makeRoom(item, size)) return
    if (this.lostCount !== 0 || this.lostGap) {
      item.dropped += this.lostCount
      item.gap = true
      this.lostCount = 0
      this.lostGap = false
    }
    this.items.push(item)
    this.bytes += size
    if (this.waiting.length > 0) this.wake()
  }

  /** The next item accepted has `gap: true` (items may be missing before it: a reconnect). */
  markGap(): void {
    this.lostGap = true
  }

  /** Whether an item of `size` bytes can join what is held without passing a bound. */
  private fits(size: number): boolean {
    return this.items.length + this.lentItems < this.bounds.items &&
      this.bytes + this.lentBytes + size <= this.bounds.bytes
  }

  /** Over a bound with `item` coming: whether it may be added now. */
  private makeRoom(item: A, size: number): boolean {
    switch (this.bounds.overflow) {
      case "dropOldest": {
        while (this.items.length > 0 && !this.fits(size)) this.dropOldest()
        // Only the batch the consumer holds may be left, with no room beside it.
        return this.fits(size) || this.lentItems === 0 || this.lose(item)
      }
      case "dropNewest":
        return this.lose(item)
      case "fail":
        this.fail(this.overflowed())
        return false
      case "backpressure":
        if (!this.pressing) {
          this.pressing = true
          this.pressure(true)
        }
        return true
    }
  }

  private dropOldest(): void {
    this.onDrop?.()
    const oldest = this.items.shift()!
    this.bytes -= oldest.size
    const next = this.items[0]
    if (next === undefined) {
      this.lostCount += 1 + oldest.dropped
      this.lostGap = true
    } else {
      next.dropped += 1 + oldest.dropped
      next.gap = true
    }
  }

  private lose(item: A): false {
    this.onDrop?.()
    this.lostCount += 1 + item.dropped
    this.lostGap = true
    return false
  }

  /** No more items: the stream ends once it has read what is buffered. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.release()
    this.wake()
  }

  /** No more items: the stream fails with `error` once it has read what is buffered. */
  fail(error: E): void {
    if (this.closed) return
    this.failure = error
    this.close()
  }

  private release(): void {
    if (!this.pressing) return
    this.pressing = false
    this.pressure(false)
  }

  private wake(): void {
    // A resumed reader runs later, on its fiber: it cannot register again during this loop.
    while (this.waiting.length > 0) this.waiting.pop()!(Effect.void)
  }

  /** How many of the oldest items make the next batch: at most half of each bound, at least one. */
  private batchLength(): number {
    const items = this.items
    if (items.length <= this.halfItems && this.bytes <= this.halfBytes) return items.length
    const most = Math.min(items.length, this.halfItems)
    let bytes = items[0]!.size
    let count = 1
    while (count < most && bytes + items[count]!.size <= this.halfBytes) bytes += items[count++]!.size
    return count
  }

  /**
   * The oldest buffered items, as one chunk (everything, unless that is
   * more than half of a bound); waits while empty, and fails with `None`
   * (the end of the stream), or with the failure, once closed and drained.
   */
  private readonly take: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>> = Effect.suspend(() => {
    // Asking again means the consumer is done with the previous batch.
    this.lentItems = 0
    this.lentBytes = 0
    const items = this.items
    if (items.length > 0) {
      keepChunksYoung()
      const length = this.batchLength()
      let batch: Array<A>
      if (length === items.length) {
        this.lentBytes = this.bytes
        batch = items.splice(0, length)
      } else {
        batch = items.splice(0, length)
        for (let i = 0; i < length; i++) this.lentBytes += batch[i]!.size
      }
      this.lentItems = length
      this.bytes -= this.lentBytes
      if (this.pressing && this.fits(0)) this.release()
      return Effect.succeed(Chunk.unsafeFromArray(batch))
    }
    this.release()
    if (this.closed) return Effect.fail(this.failure === undefined ? Option.none() : Option.some(this.failure))
    return Effect.zipRight(
      Effect.async<void>((resume) => {
        this.waiting.push(resume)
        return Effect.sync(() => {
          const at = this.waiting.indexOf(resume)
          if (at !== -1) this.waiting.splice(at, 1)
        })
      }),
      this.take
    )
  })

  /**
   * The items as a stream, in batches of whatever arrived since the
   * previous read. Built with `repeatEffectChunkOption` rather than a
   * hand-written channel loop: under a flood with a consumer whose Effect
   * refers to each chunk, it kept a third fewer young collections from
   * copying dead messages (24–27 of about 140 against 36–42, 4 runs each).
   */
  readonly stream: Stream.Stream<A, E> = Stream.repeatEffectChunkOption(this.take)
}
