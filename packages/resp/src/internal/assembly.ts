/**
 * Gathers a bulk payload that spans chunks, with memory that follows the
 * bytes received rather than the length its header declares.
 *
 * When the caller leaves the chunks it fed unchanged (as sockets do), the
 * payload's pieces are kept where they arrived and copied once, at its end:
 * as fast as trusting the declared length, with none of the risk. Otherwise
 * they are copied as they come, into a buffer that doubles as it fills.
 */
import type { Platform } from "./platform.js"

const EMPTY = new Uint8Array(0)

// Copied as they come, a payload is first given room for this much, or
// twice what arrived with its header, and never more than it declared; its
// buffer then doubles as bytes arrive. So a header that lies costs at most
// this, and a payload that spans chunks at most twice what arrived.
const FIRST_RESERVATION = 64 * 1024

// Payloads that become a string at once are gathered in a buffer reused
// from one to the next: a fresh buffer per large reply is memory the
// garbage collector then has to chase. Buffers past SCRATCH_MAX are not
// kept, so one huge reply does not pin its size for the connection.
const SCRATCH_MAX = 16 * 1024 * 1024

/** @internal */
export class Assembly {
  private buffer: Uint8Array = EMPTY
  private readonly pieces: Array<Uint8Array> = []
  private filled = 0
  private total = 0
  private reusable = false
  private scratch: Uint8Array = EMPTY

  constructor(
    private readonly platform: Platform,
    /** Whether fed chunks stay unchanged, so that pieces may be kept in them. */
    private readonly keepsPieces: boolean
  ) {}

  /**
   * Starts a payload of `total` bytes (its CRLF included) with `buf[p..end)`,
   * fewer than `total`. `reusable` when its bytes become a string at once,
   * so that the next payload may reuse its memory.
   */
  start(buf: Uint8Array, p: number, end: number, total: number, reusable: boolean): void {
    this.buffer = EMPTY
    this.filled = 0
    this.total = total
    this.reusable = reusable
    if (this.keepsPieces) {
      this.pieces.push(buf.subarray(p, end))
    } else {
      this.reserve(Math.min(total, Math.max(FIRST_RESERVATION, 2 * (end - p))))
      this.buffer.set(buf.subarray(p, end))
    }
    this.filled = end - p
  }

  /**
   * Adds what `buf` holds of the payload from `pos`: the index in `buf`
   * right after the payload, or -1 when it continues in the next chunk.
   */
  add(buf: Uint8Array, pos: number): number {
    const need = this.total - this.filled
    const take = Math.min(need, buf.length - pos)
    const filled = this.filled + take
    if (this.keepsPieces) {
      this.pieces.push(buf.subarray(pos, pos + take))
    } else {
      if (filled > this.buffer.length) this.reserve(Math.min(this.total, Math.max(filled, 2 * this.buffer.length)))
      this.buffer.set(buf.subarray(pos, pos + take), this.filled)
    }
    this.filled = filled
    return take < need ? -1 : pos + take
  }

  /**
   * The complete payload, CRLF included, exactly `total` bytes long. A
   * reusable one is only valid until the next `start`.
   */
  take(): Uint8Array {
    if (this.keepsPieces) {
      this.reserve(this.total)
      let at = 0
      for (const piece of this.pieces) {
        this.buffer.set(piece, at)
        at += piece.length
      }
      this.pieces.length = 0
    }
    const buffer = this.buffer
    this.buffer = EMPTY
    return buffer.length === this.total ? buffer : buffer.subarray(0, this.total)
  }

  /** Drops the payload in progress. */
  reset(): void {
    this.buffer = EMPTY
    this.pieces.length = 0
    this.filled = 0
  }

  // Makes room for `capacity` bytes, keeping what was copied.
  private reserve(capacity: number): void {
    let room: Uint8Array
    if (this.reusable && capacity <= SCRATCH_MAX) {
      if (this.scratch.length < capacity) this.scratch = this.platform.alloc(capacity)
      room = this.scratch
    } else {
      room = this.platform.alloc(capacity)
    }
    if (room !== this.buffer && this.filled > 0) room.set(this.buffer.subarray(0, this.filled))
    this.buffer = room
  }
}
