/**
 * The buffer between the subscriber connection and one subscription stream:
 * bounded, dropping the oldest message when full, and read by the stream
 * one batch (everything buffered) at a time.
 *
 * Not an Effect `Mailbox`: a flood hands it a message per frame and the
 * stream takes a batch per socket read, so both sides are kept to a push
 * and a splice, and every allocation on the way is one whose effect on the
 * garbage collector was measured (`docs/DESIGN.md`, pub/sub).
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

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

export class Inbox<A> {
  private readonly items: Array<A> = []
  /** Readers waiting for a message: normally the one stream, but a stream value may be run twice. */
  private readonly waiting: Array<(resume: Effect.Effect<void>) => void> = []
  private closed = false

  constructor(private readonly capacity: number) {}

  /** Adds a message, dropping the oldest when full, and wakes the readers. */
  offer(item: A): void {
    if (this.closed) return
    if (this.items.length >= this.capacity) this.items.shift()
    this.items.push(item)
    if (this.waiting.length > 0) this.wake()
  }

  /** No more messages: the stream ends once it has read what is buffered. */
  close(): void {
    this.closed = true
    this.wake()
  }

  private wake(): void {
    // A resumed reader runs later, on its fiber: it cannot register again during this loop.
    while (this.waiting.length > 0) this.waiting.pop()!(Effect.void)
  }

  /**
   * Everything buffered, as one chunk; waits while empty, and fails with
   * `None` (the end of the stream) once closed and drained.
   */
  private readonly take: Effect.Effect<Chunk.Chunk<A>, Option.Option<never>> = Effect.suspend(() => {
    if (this.items.length > 0) {
      keepChunksYoung()
      return Effect.succeed(Chunk.unsafeFromArray(this.items.splice(0, this.items.length)))
    }
    if (this.closed) return Effect.fail(Option.none())
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
   * The messages as a stream, in batches of whatever arrived since the
   * previous read. Built with `repeatEffectChunkOption` rather than a
   * hand-written channel loop: under a flood with a consumer whose Effect
   * refers to each chunk, it kept a third fewer young collections from
   * copying dead messages (24–27 of about 140 against 36–42, 4 runs each).
   */
  readonly stream: Stream.Stream<A> = Stream.repeatEffectChunkOption(this.take)
}
