import { constants, isAscii } from "node:buffer"
import { RespAttributed, RespError, RespMap, RespPush, RespSet, RespVerbatim } from "../RespValue.js"
import type { RespValue } from "../RespValue.js"
import { RespProtocolError } from "./protocolError.js"

// Node's Buffer has undocumented, stable slicing methods that skip the
// encoding dispatch of `toString`; they matter for short strings.
interface FastBuffer extends Buffer {
  utf8Slice(start: number, end: number): string
  latin1Slice(start: number, end: number): string
}

const asBuffer = (chunk: Uint8Array): FastBuffer =>
  (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)) as FastBuffer

const EMPTY = Buffer.alloc(0) as FastBuffer
const NO_REGION = new ArrayBuffer(0)
const SCRATCH_MAX = 16 * 1024 * 1024

// Binary values are Buffers made the way Node makes its own: instances of a
// Uint8Array subclass whose prototype inherits from Buffer.prototype, with
// `constructor` Buffer. Building one over the region's memory costs well
// under half of `subarray`, which reads `buffer` through a call into C++ and
// clamps its arguments. The class is anonymous because tools that keep
// names (esbuild's keepNames, used by tsx and vitest) redefine `name` on a
// named class, and V8 then constructs its instances on a slow path.
const View = (() => class extends Uint8Array {})()
Object.setPrototypeOf(View.prototype, Buffer.prototype)
Object.defineProperty(View.prototype, "constructor", { value: Buffer, writable: true, configurable: true })

// Large ASCII payloads become a concatenation of strings of at most PIECE
// bytes. Each piece is an ordinary young-generation object; one flat string
// of a megabyte would go to the large-object space, and a stream of them
// forces a full collection every few replies. V8 flattens the whole string
// once, when (and if) the program reads it.
const PIECE = 64 * 1024

const latin1Pieces = (buf: FastBuffer, p: number, stop: number): string => {
  if (stop - p <= PIECE) return buf.latin1Slice(p, stop)
  let text = buf.latin1Slice(p, p + PIECE)
  for (let at = p + PIECE; at < stop; at += PIECE) text += buf.latin1Slice(at, Math.min(stop, at + PIECE))
  return text
}

/** @internal */
export const defaults = {
  maxBulkLength: 512 * 1024 * 1024,
  maxDepth: 64,
  maxAggregateLength: 4294967295
} as const

const CR = 13
const LF = 10
const MINUS = 45
const PLUS = 43
const QUESTION = 63
const COLON = 58

// Decoder states between chunks: nothing pending, a partial header line, or
// a partial bulk payload.
const IDLE = 0
const LINE = 1
const BULK = 2

// What a bulk payload becomes.
const K_STRING = 0
const K_VERBATIM = 1
const K_BLOB_ERROR = 2
const K_CHUNK = 3

// Open aggregate kinds; the streamed ones end with `.` instead of a count.
const A_ARRAY = 0
const A_MAP = 1
const A_SET = 2
const A_PUSH = 3
const A_ATTRIBUTE = 4
const A_STREAMED_ARRAY = 5
const A_STREAMED_MAP = 6
const A_STREAMED_SET = 7

// Results of `length` below zero, and of the per-type parsers: where decoding
// continues, or one of these.
const NULL_LENGTH = -1
const STREAMED = -2
const INCOMPLETE = -3
const INVALID = -4
const FAILED = -5

// Lengths are parsed as exact integers; anything longer than this is over
// every limit anyway.
const LENGTH_GUARD = 2 ** 48

const MIN_INT64 = -(2n ** 63n)
const MAX_INT64 = 2n ** 63n - 1n
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER)
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

const DOUBLE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/
const BIG_NUMBER = /^[+-]?\d+$/

const REGION = 64 * 1024
const WINDOW = 1024

// Aggregates declaring up to this many elements get an array of exactly
// their size, filled by index: no growth on the way and no spare capacity
// afterwards. Larger ones grow as their elements arrive, so a header alone
// never allocates more than this.
const PREALLOCATED = 1024

// What a closed aggregate's slot holds until the next one opens there.
const NO_ITEMS: Array<RespValue> = []

const noop = (_: RespValue): void => {}

/** @internal */
export class Decoder {
  binary = false

  private readonly maxBulk: number
  private readonly maxText: number
  private readonly maxDepth: number
  private readonly maxAggregate: number

  private error: RespProtocolError | undefined = undefined
  private onValue: (value: RespValue) => void = noop
  // Absolute stream offset of index 0 of the buffer being decoded.
  private base = 0
  private total = 0
  private state = IDLE
  // Position after the CRLF of the last header read by `length`.
  private next = 0

  // LINE: the start of a header line, copied from the previous chunk.
  private line: Buffer = EMPTY
  private lineLength = 0
  private lineOffset = 0

  // BULK: the payload and its CRLF, assembled into its final buffer.
  private bulk: FastBuffer = EMPTY
  private bulkFilled = 0
  private bulkKind = K_STRING
  private bulkBinary = false
  private scratch: FastBuffer = EMPTY
  private bulkStart = 0

  // The copied region of the current chunk binary values are cut from: its
  // memory, and what to add to a position in the chunk to get the offset
  // in that memory.
  private region: ArrayBuffer = NO_REGION
  private regionShift = 0
  private regionSource: Buffer | null = null
  private regionEnd = 0

  // The chunk strings are cut from, whether it is ASCII, and the window of
  // it decoded as Latin-1.
  private textSource: Buffer | null = null
  private ascii = false
  private window = ""
  private windowStart = 0
  private windowEnd = -1

  // The open aggregates, innermost last.
  private depth = 0
  private readonly items: Array<Array<RespValue>> = []
  private readonly sizes: Array<number> = []
  private readonly left: Array<number> = []
  private readonly kinds: Array<number> = []

  // Attributes waiting for the next value at each depth.
  private attributeCount = 0
  private readonly attributes: Array<Array<RespMap> | undefined> = []

  // The chunks of a streamed string, or null outside one.
  private chunks: Array<Buffer> | null = null
  private chunksLength = 0
  private chunksBinary = false

  constructor(options?: {
    readonly maxBulkLength?: number | undefined
    readonly maxDepth?: number | undefined
    readonly maxAggregateLength?: number | undefined
  }) {
    this.maxBulk = options?.maxBulkLength ?? defaults.maxBulkLength
    this.maxText = Math.min(this.maxBulk, constants.MAX_STRING_LENGTH)
    this.maxDepth = options?.maxDepth ?? defaults.maxDepth
    this.maxAggregate = options?.maxAggregateLength ?? defaults.maxAggregateLength
  }

  get hasPartial(): boolean {
    return this.state !== IDLE || this.depth !== 0 || this.chunks !== null || this.attributeCount !== 0
  }

  reset(): void {
    this.error = undefined
    this.onValue = noop
    this.base = 0
    this.total = 0
    this.state = IDLE
    this.line = EMPTY
    this.lineLength = 0
    this.bulk = EMPTY
    this.bulkFilled = 0
    this.depth = 0
    this.items.length = 0
    this.sizes.length = 0
    this.left.length = 0
    this.kinds.length = 0
    this.attributeCount = 0
    this.attributes.length = 0
    this.chunks = null
    this.chunksLength = 0
  }

  feed(chunk: Uint8Array, onValue: (value: RespValue) => void): RespProtocolError | undefined {
    if (this.error !== undefined) return this.error
    const buf = asBuffer(chunk)
    const end = buf.length
    if (end === 0) return undefined
    const chunkBase = this.total
    this.total += end
    this.onValue = onValue
    this.regionSource = null
    this.textSource = null
    try {
      let pos = 0
      if (this.state === LINE) pos = this.resumeLine(buf, chunkBase)
      if (this.state === BULK && pos >= 0) pos = this.resumeBulk(buf, pos, chunkBase)
      if (this.state === IDLE && pos >= 0 && pos < end) {
        this.base = chunkBase
        this.run(buf, pos, end)
      }
    } catch (cause) {
      this.error = new RespProtocolError({
        message: "The value callback threw; reset the decoder before feeding it again",
        offset: chunkBase
      })
      throw cause
    } finally {
      this.onValue = noop
      this.regionSource = null
      this.region = NO_REGION
      this.textSource = null
      this.window = ""
    }
    return this.error
  }

  private fail(message: string, offset: number): number {
    this.error = new RespProtocolError({ message, offset })
    return FAILED
  }

  private run(buf: FastBuffer, pos: number, end: number): void {
    while (pos < end) {
      const start = pos
      const type = buf[pos]
      if (this.chunks !== null && type !== 59) {
        this.fail(`Expected a streamed string chunk ';', got byte ${type}`, this.base + pos)
        return
      }
      let next: number
      switch (type) {
        case 36: // $
          next = this.bulkString(buf, start, end)
          break
        case 42: // *
          next = this.aggregate(buf, start, end, A_ARRAY)
          break
        case 58: // :
          next = this.integer(buf, start, end)
          break
        case 43: { // +
          const cr = this.lineEnd(buf, start, end)
          next = cr < 0 ? cr : this.emitAt(this.status(buf, start + 1, cr), start, cr + 2)
          break
        }
        case 45: { // -
          const cr = this.lineEnd(buf, start, end)
          next = cr < 0 ? cr : this.emitAt(new RespError(buf.utf8Slice(start + 1, cr), false), start, cr + 2)
          break
        }
        case 37: // %
          next = this.aggregate(buf, start, end, A_MAP)
          break
        case 126: // ~
          next = this.aggregate(buf, start, end, A_SET)
          break
        case 62: // >
          next = this.aggregate(buf, start, end, A_PUSH)
          break
        case 124: // |
          next = this.aggregate(buf, start, end, A_ATTRIBUTE)
          break
        case 95: // _
          next = this.nullValue(buf, start, end)
          break
        case 35: // #
          next = this.boolean(buf, start, end)
          break
        case 44: // ,
          next = this.double(buf, start, end)
          break
        case 40: // (
          next = this.bigNumber(buf, start, end)
          break
        case 61: // =
          next = this.blob(buf, start, end, K_VERBATIM)
          break
        case 33: // !
          next = this.blob(buf, start, end, K_BLOB_ERROR)
          break
        case 59: // ;
          next = this.chunks === null
            ? this.fail("A streamed string chunk ';' outside a streamed string", this.base + start)
            : this.blob(buf, start, end, K_CHUNK)
          break
        case 46: // .
          next = this.end(buf, start, end)
          break
        default:
          next = this.fail(`Unknown RESP type byte ${type}`, this.base + start)
      }
      if (next < 0) {
        if (next === INCOMPLETE) this.saveLine(buf, start, end)
        return
      }
      pos = next
    }
  }

  // `$`: the common case, a whole bulk string of at most 9 length digits
  // inside this chunk, is decoded here; the rest goes to `blob`.
  private bulkString(buf: FastBuffer, start: number, end: number): number {
    let p = start + 1
    let n = 0
    let c = 0
    while (p < end && (c = buf[p]) >= 48 && c <= 57 && p - start < 10) {
      n = n * 10 + c - 48
      p++
    }
    const from = p + 2
    const stop = from + n
    if (
      c !== CR || p === start + 1 || stop + 2 > end || buf[p + 1] !== LF || buf[stop] !== CR ||
      buf[stop + 1] !== LF || n > (this.binary ? this.maxBulk : this.maxText)
    ) {
      return this.blob(buf, start, end, K_STRING)
    }
    return this.emitAt(
      this.binary ? this.view(buf, from, stop) : this.text(buf, from, stop),
      start,
      stop + 2
    )
  }

  // Emits a value and returns where decoding continues, or fails when the
  // value overfills a streamed aggregate.
  private emitAt(value: RespValue, start: number, next: number): number {
    return this.emit(value)
      ? next
      : this.fail(`A streamed aggregate has more than ${this.maxAggregate} elements`, this.base + start)
  }

  // Hands a complete value to its aggregate, closing every aggregate it
  // completes, or to `onValue` at the top level. False when a streamed
  // aggregate overflows.
  private emit(value: RespValue): boolean {
    let v = value
    while (true) {
      let d = this.depth
      if (this.attributeCount !== 0) v = this.attach(v, d)
      if (d === 0) {
        const onValue = this.onValue
        onValue(v)
        return true
      }
      d--
      const items = this.items[d]
      const left = --this.left[d]
      // Elements of a declared length go to their index (inside the array
      // when it was preallocated, at its end otherwise); streamed ones append.
      if (left >= 0) items[this.sizes[d] - 1 - left] = v
      else items.push(v)
      if (left > 0) return true
      if (left < 0) return items.length <= this.maxAggregate
      const closed = this.close(d)
      if (closed === undefined) return true
      v = closed
    }
  }

  // Pops the aggregate at depth `d`; an attribute becomes pending instead
  // of a value.
  private close(d: number): RespValue | undefined {
    this.depth = d
    const items = this.items[d]
    this.items[d] = NO_ITEMS
    switch (this.kinds[d]) {
      case A_ARRAY:
      case A_STREAMED_ARRAY:
        return items
      case A_MAP:
      case A_STREAMED_MAP:
        return new RespMap(items)
      case A_SET:
      case A_STREAMED_SET:
        return new RespSet(items)
      case A_PUSH:
        return new RespPush(items)
      default: {
        const pending = this.attributes[d]
        if (pending === undefined) this.attributes[d] = [new RespMap(items)]
        else pending.push(new RespMap(items))
        this.attributeCount++
        return undefined
      }
    }
  }

  private attach(value: RespValue, d: number): RespValue {
    const pending = this.attributes[d]
    if (pending === undefined) return value
    this.attributes[d] = undefined
    this.attributeCount -= pending.length
    let v = value
    for (let i = pending.length - 1; i >= 0; i--) v = new RespAttributed(pending[i], v)
    return v
  }

  // Finds the CR ending the line that starts at `start` and checks the LF
  // after it. Returns the CR's index, INCOMPLETE or FAILED.
  private lineEnd(buf: FastBuffer, start: number, end: number): number {
    let cr = start + 1
    while (cr < end && buf[cr] !== CR) cr++
    if (cr + 1 >= end) {
      return end - start > this.maxBulk
        ? this.fail(`A line is longer than ${this.maxBulk} bytes`, this.base + start)
        : INCOMPLETE
    }
    if (buf[cr + 1] !== LF) return this.fail("Expected LF after CR", this.base + cr + 1)
    return cr
  }

  // Reads the length of a `$`-like or `*`-like header: a non-negative
  // decimal, `-1` or `?`, followed by CRLF. Sets `next` past the CRLF.
  private length(buf: FastBuffer, start: number, end: number): number {
    let p = start + 1
    if (p >= end) return INCOMPLETE
    let c = buf[p]
    let result: number
    if (c === MINUS || c === QUESTION) {
      result = c === MINUS ? NULL_LENGTH : STREAMED
      if (c === MINUS) {
        if (++p >= end) return INCOMPLETE
        if (buf[p] !== 49) return INVALID
      }
      p++
    } else {
      let n = 0
      while (p < end) {
        c = buf[p]
        if (c === CR) break
        const digit = c - 48
        if (digit < 0 || digit > 9) return INVALID
        n = n * 10 + digit
        if (n > LENGTH_GUARD) return INVALID
        p++
      }
      if (p === start + 1) return p >= end ? INCOMPLETE : INVALID
      result = n
    }
    if (p + 1 >= end) return INCOMPLETE
    if (buf[p] !== CR) return INVALID
    if (buf[p + 1] !== LF) return this.fail("Expected LF after CR", this.base + p + 1)
    this.next = p + 2
    return result
  }

  private blob(buf: FastBuffer, start: number, end: number, kind: number): number {
    const length = this.length(buf, start, end)
    if (length < 0) {
      if (length === NULL_LENGTH && kind === K_STRING) return this.emitAt(null, start, this.next)
      if (length === STREAMED && kind === K_STRING) {
        this.chunks = []
        this.chunksLength = 0
        this.chunksBinary = this.binary
        return this.next
      }
      if (length === INCOMPLETE || length === FAILED) return length
      return this.fail(`Invalid length in a bulk header`, this.base + start)
    }
    const binary = kind === K_CHUNK ? this.chunksBinary : this.binary
    const total = kind === K_CHUNK ? this.chunksLength + length : length
    if (total > this.maxBulk || (!binary && total > constants.MAX_STRING_LENGTH)) {
      return this.fail(
        `A bulk payload of ${total} bytes exceeds the limit of ${
          binary ? this.maxBulk : Math.min(this.maxBulk, constants.MAX_STRING_LENGTH)
        } bytes${binary ? "" : " (decode it in binary mode)"}`,
        this.base + start
      )
    }
    if (kind === K_CHUNK && length === 0) return this.endChunks(start)
    const p = this.next
    const stop = p + length
    if (stop + 2 > end) return this.startBulk(buf, p, end, length, kind, binary, start)
    if (buf[stop] !== CR || buf[stop + 1] !== LF) {
      return this.fail("Expected CRLF after a bulk payload", this.base + (buf[stop] !== CR ? stop : stop + 1))
    }
    return this.payload(buf, p, stop, kind, binary, false, this.base + start, stop + 2)
  }

  // Turns a complete payload into its value; `owned` when `buf` is the
  // decoder's own buffer, which binary values may then view.
  private payload(
    buf: FastBuffer,
    p: number,
    stop: number,
    kind: number,
    binary: boolean,
    owned: boolean,
    elementOffset: number,
    next: number
  ): number {
    let value: RespValue
    switch (kind) {
      case K_STRING:
        value = binary ? (owned ? buf.subarray(p, stop) : this.view(buf, p, stop)) : this.text(buf, p, stop)
        break
      case K_BLOB_ERROR:
        value = new RespError(buf.utf8Slice(p, stop), true)
        break
      case K_VERBATIM:
        if (stop - p < 4 || buf[p + 3] !== COLON) {
          return this.fail("A verbatim string must start with a three-byte format and ':'", elementOffset)
        }
        value = new RespVerbatim(
          buf.latin1Slice(p, p + 3),
          binary ? (owned ? buf.subarray(p + 4, stop) : this.view(buf, p + 4, stop)) : this.text(buf, p + 4, stop)
        )
        break
      default:
        this.chunks!.push(owned ? buf.subarray(p, stop) : this.view(buf, p, stop))
        this.chunksLength += stop - p
        return next
    }
    return this.emit(value)
      ? next
      : this.fail(`A streamed aggregate has more than ${this.maxAggregate} elements`, elementOffset)
  }

  private aggregate(buf: FastBuffer, start: number, end: number, kind: number): number {
    const length = this.length(buf, start, end)
    if (length > 0) {
      const count = kind === A_MAP || kind === A_ATTRIBUTE ? length * 2 : length
      if (count > this.maxAggregate) {
        return this.fail(
          `An aggregate of ${count} elements exceeds the limit of ${this.maxAggregate}`,
          this.base + start
        )
      }
      return this.open(kind, count, start)
    }
    if (length === 0) {
      switch (kind) {
        case A_ARRAY:
          return this.emitAt([], start, this.next)
        case A_MAP:
          return this.emitAt(new RespMap([]), start, this.next)
        case A_SET:
          return this.emitAt(new RespSet([]), start, this.next)
        case A_PUSH:
          return this.emitAt(new RespPush([]), start, this.next)
        default: {
          // An empty attribute still precedes a value: open it and close it
          // at once so it becomes pending like any other.
          const next = this.open(kind, 0, start)
          if (next >= 0) this.close(this.depth - 1)
          return next
        }
      }
    }
    if (length === NULL_LENGTH && kind === A_ARRAY) return this.emitAt(null, start, this.next)
    if (length === STREAMED && kind <= A_SET) {
      return this.open(
        kind === A_ARRAY ? A_STREAMED_ARRAY : kind === A_MAP ? A_STREAMED_MAP : A_STREAMED_SET,
        -1,
        start
      )
    }
    if (length === INCOMPLETE || length === FAILED) return length
    return this.fail("Invalid length in an aggregate header", this.base + start)
  }

  private open(kind: number, count: number, start: number): number {
    const d = this.depth
    if (d >= this.maxDepth) {
      return this.fail(`Aggregates nest deeper than the limit of ${this.maxDepth}`, this.base + start)
    }
    const items = count > 0 && count <= PREALLOCATED ? new Array<RespValue>(count) : []
    if (d === this.items.length) {
      this.items.push(items)
      this.sizes.push(count)
      this.left.push(count)
      this.kinds.push(kind)
      this.attributes.push(undefined)
    } else {
      this.items[d] = items
      this.sizes[d] = count
      this.left[d] = count
      this.kinds[d] = kind
    }
    this.depth = d + 1
    return this.next
  }

  // `.`: the end of the innermost streamed aggregate.
  private end(buf: FastBuffer, start: number, end: number): number {
    if (start + 2 >= end) return INCOMPLETE
    if (buf[start + 1] !== CR) return this.fail("Expected CRLF after '.'", this.base + start + 1)
    if (buf[start + 2] !== LF) return this.fail("Expected LF after CR", this.base + start + 2)
    const d = this.depth - 1
    const kind = d < 0 ? -1 : this.kinds[d]
    if (kind < A_STREAMED_ARRAY) return this.fail("'.' outside a streamed aggregate", this.base + start)
    if (kind === A_STREAMED_MAP && (this.items[d].length & 1) === 1) {
      return this.fail("A streamed map ended after a key without its value", this.base + start)
    }
    return this.emitAt(this.close(d)!, start, start + 3)
  }

  private integer(buf: FastBuffer, start: number, end: number): number {
    let p = start + 1
    const sign = p < end ? buf[p] : 0
    if (sign === MINUS || sign === PLUS) p++
    const first = p
    let n = 0
    while (p < end) {
      const c = buf[p]
      if (c === CR) break
      const digit = c - 48
      if (digit < 0 || digit > 9) return this.fail("Invalid integer", this.base + start)
      n = n * 10 + digit
      p++
    }
    if (p + 1 >= end) {
      return p - start > 64 ? this.fail("Invalid integer", this.base + start) : INCOMPLETE
    }
    if (p === first) return this.fail("Invalid integer", this.base + start)
    if (buf[p + 1] !== LF) return this.fail("Expected LF after CR", this.base + p + 1)
    let value: number | bigint
    // Up to 15 digits `n` is exact; beyond, go through bigint.
    if (p - first <= 15) {
      value = sign === MINUS ? 0 - n : n
    } else {
      const big = BigInt(buf.latin1Slice(start + 1, p))
      if (big < MIN_INT64 || big > MAX_INT64) {
        return this.fail("An integer is out of the signed 64-bit range", this.base + start)
      }
      value = big >= MIN_SAFE && big <= MAX_SAFE ? Number(big) : big
    }
    return this.emitAt(value, start, p + 2)
  }

  private nullValue(buf: FastBuffer, start: number, end: number): number {
    if (start + 1 >= end) return INCOMPLETE
    if (buf[start + 1] !== CR) return this.fail("Invalid null", this.base + start)
    if (start + 2 >= end) return INCOMPLETE
    if (buf[start + 2] !== LF) return this.fail("Expected LF after CR", this.base + start + 2)
    return this.emitAt(null, start, start + 3)
  }

  private boolean(buf: FastBuffer, start: number, end: number): number {
    if (start + 1 >= end) return INCOMPLETE
    const c = buf[start + 1]
    if (c !== 116 && c !== 102) return this.fail("Invalid boolean", this.base + start)
    if (start + 2 >= end) return INCOMPLETE
    if (buf[start + 2] !== CR) return this.fail("Invalid boolean", this.base + start)
    if (start + 3 >= end) return INCOMPLETE
    if (buf[start + 3] !== LF) return this.fail("Expected LF after CR", this.base + start + 3)
    return this.emitAt(c === 116, start, start + 4)
  }

  private double(buf: FastBuffer, start: number, end: number): number {
    const cr = this.lineEnd(buf, start, end)
    if (cr < 0) return cr
    const text = buf.latin1Slice(start + 1, cr)
    const value = text === "inf" || text === "+inf"
      ? Infinity
      : text === "-inf"
      ? -Infinity
      : text === "nan"
      ? NaN
      : DOUBLE.test(text)
      ? Number(text)
      : undefined
    return value === undefined ? this.fail("Invalid double", this.base + start) : this.emitAt(value, start, cr + 2)
  }

  private bigNumber(buf: FastBuffer, start: number, end: number): number {
    const cr = this.lineEnd(buf, start, end)
    if (cr < 0) return cr
    const text = buf.latin1Slice(start + 1, cr)
    return BIG_NUMBER.test(text)
      ? this.emitAt(BigInt(text), start, cr + 2)
      : this.fail("Invalid big number", this.base + start)
  }

  // Binary values are views into a private copy of up to REGION bytes of the
  // chunk, made once for all the values it holds: allocating a buffer per
  // value costs more than decoding it. A kept value holds its region alive.
  private view(buf: FastBuffer, p: number, stop: number): Buffer {
    if (this.regionSource !== buf || stop > this.regionEnd) {
      const end = Math.min(buf.length, p + Math.max(REGION, stop - p))
      const region = Buffer.allocUnsafe(end - p)
      buf.copy(region, 0, p, end)
      this.region = region.buffer as ArrayBuffer
      this.regionShift = region.byteOffset - p
      this.regionSource = buf
      this.regionEnd = end
    }
    return new View(this.region, this.regionShift + p, stop - p) as Buffer
  }

  // ASCII is decoded as Latin-1, which is a plain copy where UTF-8 has to
  // be validated: over twice as fast on large payloads. Strings up to WINDOW
  // bytes are cut from a Latin-1 string of the next WINDOW bytes of the
  // chunk: one call into Buffer then serves every value in the window, and a
  // call costs several times a substring. V8 copies substrings under 13
  // characters; longer ones share the window, so a kept string holds at most
  // WINDOW bytes alive. Chunks under 1 KiB hold too few values to pay for
  // the ASCII check.
  private text(buf: FastBuffer, p: number, stop: number): string {
    if (buf.length >= 1024) {
      if (this.textSource !== buf) {
        this.textSource = buf
        this.ascii = isAscii(buf)
        this.windowEnd = -1
      }
      if (this.ascii) {
        if (stop - p > WINDOW) return latin1Pieces(buf, p, stop)
        if (p < this.windowStart || stop > this.windowEnd) {
          this.windowStart = p
          this.windowEnd = Math.min(buf.length, p + WINDOW)
          this.window = buf.latin1Slice(p, this.windowEnd)
        }
        return this.window.slice(p - this.windowStart, stop - this.windowStart)
      }
      if (stop - p > WINDOW && isAscii(buf.subarray(p, stop))) return latin1Pieces(buf, p, stop)
    }
    return buf.utf8Slice(p, stop)
  }

  // `+OK` is most simple strings; its constant saves a call into Buffer
  // when the chunk is too short for a window.
  private status(buf: FastBuffer, p: number, cr: number): string {
    if (cr - p === 2 && buf[p] === 79 && buf[p + 1] === 75) return "OK"
    return this.text(buf, p, cr)
  }

  private endChunks(start: number): number {
    const chunks = this.chunks!
    this.chunks = null
    const bytes = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.chunksLength)) as FastBuffer
    return this.emitAt(this.chunksBinary ? bytes : this.text(bytes, 0, bytes.length), start, this.next)
  }

  private startBulk(
    buf: FastBuffer,
    p: number,
    end: number,
    length: number,
    kind: number,
    binary: boolean,
    start: number
  ): number {
    // Streamed-string chunks are kept until the end marker: only other text payloads may share the scratch buffer.
    const bulk = binary || kind === K_CHUNK ? Buffer.allocUnsafe(length + 2) as FastBuffer : this.scratchFor(length + 2)
    buf.copy(bulk, 0, p, end)
    this.bulk = bulk
    this.bulkFilled = end - p
    this.bulkKind = kind
    this.bulkBinary = binary
    this.bulkStart = this.base + start
    this.state = BULK
    return end
  }

  // Text payloads that span chunks are assembled in a reused buffer: they
  // become a string right away, and a fresh buffer per large reply is memory
  // the garbage collector then has to chase. Buffers past SCRATCH_MAX are
  // not kept, so one huge reply does not pin its size for the connection.
  private scratchFor(size: number): FastBuffer {
    if (size > SCRATCH_MAX) return Buffer.allocUnsafe(size) as FastBuffer
    if (this.scratch.length < size) {
      this.scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(size, this.scratch.length * 2))) as FastBuffer
    }
    return this.scratch.subarray(0, size) as FastBuffer
  }

  private resumeBulk(buf: FastBuffer, pos: number, chunkBase: number): number {
    const bulk = this.bulk
    const need = bulk.length - this.bulkFilled
    const available = buf.length - pos
    if (available < need) {
      buf.copy(bulk, this.bulkFilled, pos)
      this.bulkFilled += available
      return buf.length
    }
    buf.copy(bulk, this.bulkFilled, pos, pos + need)
    this.state = IDLE
    this.bulk = EMPTY
    const stop = bulk.length - 2
    if (bulk[stop] !== CR || bulk[stop + 1] !== LF) {
      const missing = bulk[stop] !== CR ? stop : stop + 1
      // The payload's bytes are contiguous in the stream, ending at
      // `chunkBase + pos + need`.
      return this.fail("Expected CRLF after a bulk payload", chunkBase + pos + need - (bulk.length - missing))
    }
    this.base = chunkBase
    return this.payload(bulk, 0, stop, this.bulkKind, this.bulkBinary, true, this.bulkStart, pos + need)
  }

  private saveLine(buf: FastBuffer, start: number, end: number): void {
    const length = end - start
    if (this.line.length < length) this.line = Buffer.allocUnsafe(Math.max(64, length * 2))
    buf.copy(this.line, 0, start, end)
    this.lineLength = length
    this.lineOffset = this.base + start
    this.state = LINE
  }

  // Completes the saved line with the start of `buf` and decodes it.
  // Returns where decoding of `buf` continues, or FAILED.
  private resumeLine(buf: FastBuffer, chunkBase: number): number {
    const length = this.lineLength
    let take: number
    if (this.line[length - 1] === CR) {
      take = 1
    } else {
      const cr = buf.indexOf(CR)
      if (cr === -1 || cr === buf.length - 1) {
        const total = length + buf.length
        if (total > this.maxBulk) return this.fail(`A line is longer than ${this.maxBulk} bytes`, this.lineOffset)
        if (this.line.length < total) {
          const grown = Buffer.allocUnsafe(total * 2)
          this.line.copy(grown, 0, 0, length)
          this.line = grown
        }
        buf.copy(this.line, length)
        this.lineLength = total
        return buf.length
      }
      take = cr + 2
    }
    const line = Buffer.allocUnsafe(length + take) as FastBuffer
    this.line.copy(line, 0, 0, length)
    buf.copy(line, length, 0, take)
    this.state = IDLE
    this.lineLength = 0
    this.base = this.lineOffset
    this.run(line, 0, line.length)
    this.base = chunkBase
    return this.error === undefined ? take : FAILED
  }
}
