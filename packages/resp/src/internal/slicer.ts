/**
 * How the decoder cuts strings and binary values out of the buffers it
 * decodes, sharing one platform call or one copy among the values of a
 * chunk.
 */
import type { Platform } from "./platform.js"

const NO_REGION = new ArrayBuffer(0)

// Binary values are views into a private copy of up to REGION bytes of the
// chunk, made once for all the values it holds: allocating a buffer per
// value costs more than decoding it. A kept value holds its region alive.
const REGION = 64 * 1024

// Strings up to WINDOW bytes of an ASCII buffer are cut from a string of the
// next WINDOW bytes: one platform call then serves every value in the
// window, and a call costs several times a substring. V8 copies substrings
// under 13 characters; longer ones share the window, so a kept string holds
// at most WINDOW bytes alive. Buffers under MIN_WINDOWED bytes hold too few
// values to pay for the ASCII check.
const WINDOW = 1024
const MIN_WINDOWED = 1024

// ASCII payloads up to FLAT bytes become one flat string, in one platform
// call: a concatenation of pieces would be copied again into a flat string
// the first time the program reads it. FLAT stays under V8's largest
// regular object (128 KiB). Longer ones become a concatenation of strings
// of at most FLAT bytes, each an ordinary young-generation object: a flat
// string of a megabyte goes to the large-object space, and a stream of them
// (10 GETs of 1 MiB in flight) made the client spend about five times the
// CPU per reply in V8's garbage collector (issue 17, bench/README.md).
const FLAT = 120 * 1024

/** @internal */
export class Slicer {
  // The copied region of a buffer binary values are cut from: its memory,
  // and what to add to a position in the buffer to get the offset in it.
  private region: ArrayBuffer = NO_REGION
  private regionShift = 0
  private regionSource: Uint8Array | null = null
  private regionEnd = 0

  // The buffer strings are cut from, whether it is ASCII, and the window of
  // it decoded.
  private textSource: Uint8Array | null = null
  private ascii = false
  private window = ""
  private windowStart = 0
  private windowEnd = -1

  constructor(private readonly platform: Platform) {}

  /**
   * Forgets what was cut from earlier buffers: the caller may reuse a buffer
   * it fed, and the decoder reuses its own.
   */
  forget(): void {
    this.regionSource = null
    this.region = NO_REGION
    this.textSource = null
    this.window = ""
  }

  /** A binary value with the bytes of `buf[p..stop)`, which the caller may then overwrite. */
  copy(buf: Uint8Array, p: number, stop: number): Uint8Array {
    if (this.regionSource !== buf || stop > this.regionEnd) {
      const end = Math.min(buf.length, p + Math.max(REGION, stop - p))
      const region = this.platform.alloc(end - p)
      region.set(buf.subarray(p, end))
      this.region = region.buffer as ArrayBuffer
      this.regionShift = region.byteOffset - p
      this.regionSource = buf
      this.regionEnd = end
    }
    return this.platform.binary(this.region, this.regionShift + p, stop - p)
  }

  /** A binary value over `buf[p..stop)` itself, for memory nobody writes again. */
  own(buf: Uint8Array, p: number, stop: number): Uint8Array {
    return this.platform.binary(buf.buffer as ArrayBuffer, buf.byteOffset + p, stop - p)
  }

  /**
   * The UTF-8 text of `buf[p..stop)`. ASCII is decoded as such, a plain copy
   * where UTF-8 has to be validated: over twice as fast on large payloads.
   */
  text(buf: Uint8Array, p: number, stop: number): string {
    if (buf.length >= MIN_WINDOWED) {
      if (this.textSource !== buf) {
        this.textSource = buf
        this.ascii = this.platform.isAscii(buf, 0, buf.length)
        this.windowEnd = -1
      }
      if (this.ascii) {
        if (stop - p > WINDOW) return this.asciiText(buf, p, stop)
        if (p < this.windowStart || stop > this.windowEnd) {
          this.windowStart = p
          this.windowEnd = Math.min(buf.length, p + WINDOW)
          this.window = this.platform.ascii(buf, p, this.windowEnd)
        }
        return this.window.slice(p - this.windowStart, stop - this.windowStart)
      }
      if (stop - p > WINDOW && this.platform.isAscii(buf, p, stop)) return this.asciiText(buf, p, stop)
    }
    return this.platform.utf8(buf, p, stop)
  }

  /**
   * A simple string: `OK` is most of them, and its constant saves a call
   * into the platform when the chunk is too short for a window.
   */
  status(buf: Uint8Array, p: number, cr: number): string {
    if (cr - p === 2 && buf[p] === 79 && buf[p + 1] === 75) return "OK"
    return this.text(buf, p, cr)
  }

  private asciiText(buf: Uint8Array, p: number, stop: number): string {
    const ascii = this.platform.ascii
    if (stop - p <= FLAT) return ascii(buf, p, stop)
    let text = ascii(buf, p, p + FLAT)
    for (let at = p + FLAT; at < stop; at += FLAT) text += ascii(buf, at, Math.min(stop, at + FLAT))
    return text
  }
}
