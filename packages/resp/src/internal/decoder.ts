import {
  RespAttributed,
  RespDouble,
  RespError,
  RespMap,
  RespPush,
  RespSet,
  RespTextTooLong,
  RespVerbatim
} from "../RespValue.js"
import type { RespValue } from "../RespValue.js"
import { Assembly } from "./assembly.js"
import { type Platform, standard } from "./platform.js"
import { RespProtocolError } from "./protocolError.js"
import { isBigNumber, readDouble } from "./scalars.js"
import { Slicer } from "./slicer.js"

const EMPTY = new Uint8Array(0)

/** @internal */
export const defaults = {
  maxBulkLength: 512 * 1024 * 1024,
  // Redis 7 turns a Lua table into a reply as deep as Lua's C stack lets it:
  // 7,995 nested arrays, 2,666 nested maps.
  maxDepth: 10_000,
  maxAggregateLength: 2 ** 26,
  // One reply's elements cost 8 to 60 bytes of heap each beyond their
  // payload bytes (empty arrays 40, 16-character strings 60), however few
  // bytes carried them: 2^24 keeps the worst reply near 1 GB, and still lets
  // an LRANGE or HGETALL of millions through.
  maxReplyElements: 2 ** 24,
  maxLineLength: 64 * 1024
} as const

/**
 * V8 grows an array by half its size plus 16. Past about 89 million
 * elements the next growth asks for more than the longest array it can
 * make (2^27 elements) and aborts the process, so no aggregate may grow
 * beyond this.
 *
 * @internal
 */
export const MAX_AGGREGATE_LENGTH = 2 ** 26

/**
 * Header lines need up to 21 bytes and integers are allowed 64.
 *
 * @internal
 */
export const MIN_LINE_LENGTH = 64

const CR = 13
const LF = 10
const MINUS = 45
const PLUS = 43
const QUESTION = 63
const COLON = 58

// Decoder states between chunks: nothing pending, a partial header line, a
// partial bulk payload, or a payload being skipped.
const IDLE = 0
const LINE = 1
const BULK = 2
const SKIP = 3

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

// The longest integer line, sign and leading zeros included.
const INTEGER_LINE = 64

// Aggregates declaring up to this many elements get an array of exactly
// their size, filled by index: no growth on the way and no spare capacity
// afterwards. Larger ones grow as their elements arrive. The slots one
// chunk may preallocate are bounded by its length, so headers alone never
// allocate more than a multiple of the bytes that carried them.
const PREALLOCATED = 1024

// What a closed aggregate's slot holds until the next one opens there.
const NO_ITEMS: Array<RespValue> = []

const noop = (_: RespValue): void => {}

/** @internal */
export interface Options {
  readonly maxBulkLength?: number | undefined
  readonly maxDepth?: number | undefined
  readonly maxAggregateLength?: number | undefined
  readonly maxReplyElements?: number | undefined
  readonly maxLineLength?: number | undefined
  readonly platform?: Platform | undefined
  readonly immutableChunks?: boolean | undefined
}

/** @internal */
export class Decoder {
  binary = false

  private readonly platform: Platform
  private readonly maxBulk: number
  private readonly maxText: number
  private readonly maxDepth: number
  private readonly maxAggregate: number
  private readonly maxReply: number
  private readonly maxLine: number

  private error: RespProtocolError | undefined = undefined
  private onValue: (value: RespValue) => void = noop
  // Set while `onValue` runs, to tell its exceptions from the decoder's.
  private inCallback = false
  // Absolute stream offset of index 0 of the buffer being decoded.
  private base = 0
  private total = 0
  private state = IDLE
  // Position after the CRLF of the last header read by `length`.
  private next = 0
  // Array slots the current chunk may still preallocate.
  private slots = 0
  // Elements the top-level value being decoded may still hold, in all its
  // aggregates and streamed strings together: declared ones are counted at
  // their header, streamed ones as they arrive.
  private replyLeft: number

  // LINE: the start of a header line, copied from the previous chunk.
  private line: Uint8Array = EMPTY
  private lineLength = 0
  private lineOffset = 0

  // BULK: the payload being assembled, its kind, mode and where its element
  // started.
  private readonly assembly: Assembly
  private bulkKind = K_STRING
  private bulkBinary = false
  private bulkStart = 0

  // SKIP: a payload too long for text, passed over: the bytes still to
  // skip (CRLF included), its length, kind and where its element started.
  private skipLeft = 0
  private skipLength = 0
  private skipKind = K_STRING
  private skipStart = 0

  private readonly slicer: Slicer

  // The open aggregates, innermost last.
  private depth = 0
  private readonly items: Array<Array<RespValue>> = []
  private readonly sizes: Array<number> = []
  private readonly left: Array<number> = []
  private readonly kinds: Array<number> = []

  // Attributes waiting for the next value at each depth. Each will wrap a
  // value, so they count toward the nesting limit.
  private attributeCount = 0
  private readonly attributes: Array<Array<RespMap> | undefined> = []

  // The chunks of a streamed string, or null outside one; once it is too
  // long for text, its chunks are skipped and only counted.
  private chunks: Array<Uint8Array> | null = null
  private chunksLength = 0
  private chunksBinary = false
  private chunksSkipped = false

  constructor(options?: Options) {
    this.platform = options?.platform ?? standard
    this.slicer = new Slicer(this.platform)
    this.assembly = new Assembly(this.platform, options?.immutableChunks ?? false)
    this.maxBulk = options?.maxBulkLength ?? defaults.maxBulkLength
    this.maxText = Math.min(this.maxBulk, this.platform.maxStringLength)
    this.maxDepth = options?.maxDepth ?? defaults.maxDepth
    this.maxAggregate = Math.min(options?.maxAggregateLength ?? defaults.maxAggregateLength, MAX_AGGREGATE_LENGTH)
    this.maxReply = options?.maxReplyElements ?? defaults.maxReplyElements
    this.replyLeft = this.maxReply
    this.maxLine = Math.max(options?.maxLineLength ?? defaults.maxLineLength, MIN_LINE_LENGTH)
  }

  get hasPartial(): boolean {
    return this.state !== IDLE || this.depth !== 0 || this.chunks !== null || this.attributeCount !== 0
  }

  reset(): void {
    this.error = undefined
    this.onValue = noop
    this.inCallback = false
    this.base = 0
    this.total = 0
    this.state = IDLE
    this.replyLeft = this.maxReply
    this.line = EMPTY
    this.lineLength = 0
    this.assembly.reset()
    this.skipLeft = 0
    this.depth = 0
    this.items.length = 0
    this.sizes.length = 0
    this.left.length = 0
    this.kinds.length = 0
    this.attributeCount = 0
    this.attributes.length = 0
    this.chunks = null
    this.chunksLength = 0
    this.chunksSkipped = false
  }

  feed(chunk: Uint8Array, onValue: (value: RespValue) => void): RespProtocolError | undefined {
    if (this.error !== undefined) return this.error
    const end = chunk.length
    if (end === 0) return undefined
    const buf = this.platform.wrap(chunk)
    const chunkBase = this.total
    this.total += end
    this.onValue = onValue
    this.slots = end
    try {
      let pos = 0
      if (this.state === LINE) pos = this.resumeLine(buf, chunkBase)
      if (this.state === BULK && pos >= 0) pos = this.resumeBulk(buf, pos, chunkBase)
      if (this.state === SKIP && pos >= 0) pos = this.resumeSkip(buf, pos, chunkBase)
      if (this.state === IDLE && pos >= 0 && pos < end) {
        this.base = chunkBase
        this.run(buf, pos, end)
      }
    } catch (cause) {
      if (this.inCallback) {
        this.error = new RespProtocolError({
          message: "The value callback threw; reset the decoder before feeding it again",
          offset: chunkBase
        })
        throw cause
      }
      // The engine refused memory for a payload or a string: the stream
      // cannot be followed further, but the caller gets an error, not a throw.
      this.error = new RespProtocolError({
        message: `The reply could not be decoded: ${cause instanceof Error ? cause.message : String(cause)}`,
        offset: chunkBase
      })
    } finally {
      this.onValue = noop
      this.slicer.forget()
    }
    return this.error
  }

  private fail(message: string, offset: number): number {
    this.error = new RespProtocolError({ message, offset })
    return FAILED
  }

  private lineTooLong(offset: number): number {
    return this.fail(`A line is longer than the limit of ${this.maxLine} bytes`, offset)
  }

  // A streamed element past the aggregate's limit, or past the reply's.
  private overflow(offset: number): number {
    return this.replyLeft < 0
      ? this.tooManyElements(offset)
      : this.fail(`A streamed aggregate has more than ${this.maxAggregate} elements`, offset)
  }

  private tooManyElements(offset: number): number {
    return this.fail(
      `A reply holds more than ${this.maxReply} elements in all its aggregates (the maxReplyElements limit)`,
      offset
    )
  }

  private run(buf: Uint8Array, pos: number, end: number): void {
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
          next = cr < 0 ? cr : this.emitAt(this.slicer.status(buf, start + 1, cr), start, cr + 2)
          break
        }
        case 45: { // -
          const cr = this.lineEnd(buf, start, end)
          next = cr < 0
            ? cr
            : this.emitAt(new RespError(this.platform.utf8(buf, start + 1, cr), false), start, cr + 2)
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
  private bulkString(buf: Uint8Array, start: number, end: number): number {
    let p = start + 1
    let n = 0
    let c = 0
    while (p < end && (c = buf[p]!) >= 48 && c <= 57 && p - start < 10) {
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
      this.binary ? this.slicer.copy(buf, from, stop) : this.slicer.text(buf, from, stop),
      start,
      stop + 2
    )
  }

  // Emits a value and returns where decoding continues, or fails when the
  // value overfills a streamed aggregate.
  private emitAt(value: RespValue, start: number, next: number): number {
    return this.emit(value) ? next : this.overflow(this.base + start)
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
        this.replyLeft = this.maxReply
        const onValue = this.onValue
        this.inCallback = true
        onValue(v)
        this.inCallback = false
        return true
      }
      d--
      const items = this.items[d]!
      const left = this.left[d]! - 1
      this.left[d] = left
      // Elements of a declared length go to their index (inside the array
      // when it was preallocated, at its end otherwise); streamed ones append.
      if (left >= 0) items[this.sizes[d]! - 1 - left] = v
      else items.push(v)
      if (left > 0) return true
      if (left < 0) return items.length <= this.maxAggregate && --this.replyLeft >= 0
      const closed = this.close(d)
      if (closed === undefined) return true
      v = closed
    }
  }

  // Pops the aggregate at depth `d`; an attribute becomes pending instead
  // of a value.
  private close(d: number): RespValue | undefined {
    this.depth = d
    const items = this.items[d]!
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
    for (let i = pending.length - 1; i >= 0; i--) v = new RespAttributed(pending[i]!, v)
    return v
  }

  // Finds the CR ending the line that starts at `start` and checks the LF
  // after it. Returns the CR's index, INCOMPLETE or FAILED. The search stops
  // at the line limit, so a line without end costs no more than the limit.
  private lineEnd(buf: Uint8Array, start: number, end: number): number {
    // One past the last place the CR may be.
    const bound = start + 2 + this.maxLine
    const limit = Math.min(end, bound)
    let cr = start + 1
    while (cr < limit && buf[cr] !== CR) cr++
    if (cr === limit) return limit === bound ? this.lineTooLong(this.base + start) : INCOMPLETE
    if (cr + 1 >= end) return INCOMPLETE
    if (buf[cr + 1] !== LF) return this.fail("Expected LF after CR", this.base + cr + 1)
    return cr
  }

  // Reads the length of a `$`-like or `*`-like header: a non-negative
  // decimal, `-1` or `?`, followed by CRLF. Sets `next` past the CRLF.
  private length(buf: Uint8Array, start: number, end: number): number {
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
        c = buf[p]!
        if (c === CR) break
        const digit = c - 48
        if (digit < 0 || digit > 9) return INVALID
        n = n * 10 + digit
        if (n > LENGTH_GUARD) return INVALID
        p++
      }
      if (p === start + 1) return p >= end ? INCOMPLETE : INVALID
      // Leading zeros are the only way to make a valid header this long.
      if (p - start - 1 > this.maxLine) return this.lineTooLong(this.base + start)
      result = n
    }
    if (p + 1 >= end) return INCOMPLETE
    if (buf[p] !== CR) return INVALID
    if (buf[p + 1] !== LF) return this.fail("Expected LF after CR", this.base + p + 1)
    this.next = p + 2
    return result
  }

  private blob(buf: Uint8Array, start: number, end: number, kind: number): number {
    const length = this.length(buf, start, end)
    if (length < 0) {
      if (length === NULL_LENGTH && kind === K_STRING) return this.emitAt(null, start, this.next)
      if (length === STREAMED && kind === K_STRING) {
        this.chunks = []
        this.chunksLength = 0
        this.chunksBinary = this.binary
        this.chunksSkipped = false
        return this.next
      }
      if (length === INCOMPLETE || length === FAILED) return length
      return this.fail(`Invalid length in a bulk header`, this.base + start)
    }
    // An error's message is text in either mode.
    const binary = kind === K_BLOB_ERROR ? false : kind === K_CHUNK ? this.chunksBinary : this.binary
    const total = kind === K_CHUNK ? this.chunksLength + length : length
    if (total > this.maxBulk) {
      return this.fail(`A bulk payload of ${total} bytes exceeds the limit of ${this.maxBulk} bytes`, this.base + start)
    }
    if (kind === K_CHUNK && length === 0) return this.endChunks(start)
    const p = this.next
    if (!binary && total > this.maxText) return this.startSkip(buf, p, length, kind, start)
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
    buf: Uint8Array,
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
        value = binary ? this.bytes(buf, p, stop, owned) : this.slicer.text(buf, p, stop)
        break
      case K_BLOB_ERROR:
        value = new RespError(this.platform.utf8(buf, p, stop), true)
        break
      case K_VERBATIM:
        if (stop - p < 4 || buf[p + 3] !== COLON) {
          return this.fail("A verbatim string must start with a three-byte format and ':'", elementOffset)
        }
        value = new RespVerbatim(
          String.fromCharCode(buf[p]!, buf[p + 1]!, buf[p + 2]!),
          binary ? this.bytes(buf, p + 4, stop, owned) : this.slicer.text(buf, p + 4, stop)
        )
        break
      default:
        if (this.chunks!.length === this.maxAggregate) {
          return this.fail(`A streamed string has more than ${this.maxAggregate} chunks`, elementOffset)
        }
        if (--this.replyLeft < 0) return this.tooManyElements(elementOffset)
        this.chunks!.push(this.bytes(buf, p, stop, owned))
        this.chunksLength += stop - p
        return next
    }
    return this.emit(value) ? next : this.overflow(elementOffset)
  }

  private bytes(buf: Uint8Array, p: number, stop: number, owned: boolean): Uint8Array {
    return owned ? this.slicer.own(buf, p, stop) : this.slicer.copy(buf, p, stop)
  }

  private aggregate(buf: Uint8Array, start: number, end: number, kind: number): number {
    const length = this.length(buf, start, end)
    if (length > 0) {
      const count = kind === A_MAP || kind === A_ATTRIBUTE ? length * 2 : length
      if (count > this.maxAggregate) {
        return this.fail(
          `An aggregate of ${count} elements exceeds the limit of ${this.maxAggregate}`,
          this.base + start
        )
      }
      if (count > this.replyLeft) return this.tooManyElements(this.base + start)
      this.replyLeft -= count
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
    if (d + this.attributeCount >= this.maxDepth) {
      return this.fail(
        `Aggregates and attributes nest deeper than the limit of ${this.maxDepth}`,
        this.base + start
      )
    }
    let items: Array<RespValue>
    if (count > 0 && count <= PREALLOCATED && count <= this.slots) {
      this.slots -= count
      items = new Array<RespValue>(count)
    } else {
      items = []
    }
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
  private end(buf: Uint8Array, start: number, end: number): number {
    if (start + 2 >= end) return INCOMPLETE
    if (buf[start + 1] !== CR) return this.fail("Expected CRLF after '.'", this.base + start + 1)
    if (buf[start + 2] !== LF) return this.fail("Expected LF after CR", this.base + start + 2)
    const d = this.depth - 1
    const kind = d < 0 ? -1 : this.kinds[d]!
    if (kind < A_STREAMED_ARRAY) return this.fail("'.' outside a streamed aggregate", this.base + start)
    if (this.attributeCount !== 0 && this.attributes[d + 1] !== undefined) {
      return this.fail(
        "A streamed aggregate ended after an attribute, before the value it describes",
        this.base + start
      )
    }
    if (kind === A_STREAMED_MAP && (this.items[d]!.length & 1) === 1) {
      return this.fail("A streamed map ended after a key without its value", this.base + start)
    }
    return this.emitAt(this.close(d)!, start, start + 3)
  }

  private integer(buf: Uint8Array, start: number, end: number): number {
    let p = start + 1
    const sign = p < end ? buf[p] : 0
    if (sign === MINUS || sign === PLUS) p++
    const first = p
    const bound = start + 2 + INTEGER_LINE
    const limit = Math.min(end, bound)
    let n = 0
    while (p < limit) {
      const c = buf[p]!
      if (c === CR) break
      const digit = c - 48
      if (digit < 0 || digit > 9) return this.fail("Invalid integer", this.base + start)
      n = n * 10 + digit
      p++
    }
    if (p === limit) return limit === bound ? this.fail("Invalid integer", this.base + start) : INCOMPLETE
    if (p + 1 >= end) return INCOMPLETE
    if (p === first) return this.fail("Invalid integer", this.base + start)
    if (buf[p + 1] !== LF) return this.fail("Expected LF after CR", this.base + p + 1)
    let value: number | bigint
    // Up to 15 digits `n` is exact; beyond, go through bigint.
    if (p - first <= 15) {
      value = sign === MINUS ? 0 - n : n
    } else {
      const big = BigInt(this.platform.ascii(buf, start + 1, p))
      if (big < MIN_INT64 || big > MAX_INT64) {
        return this.fail("An integer is out of the signed 64-bit range", this.base + start)
      }
      value = big >= MIN_SAFE && big <= MAX_SAFE ? Number(big) : big
    }
    return this.emitAt(value, start, p + 2)
  }

  private nullValue(buf: Uint8Array, start: number, end: number): number {
    if (start + 1 >= end) return INCOMPLETE
    if (buf[start + 1] !== CR) return this.fail("Invalid null", this.base + start)
    if (start + 2 >= end) return INCOMPLETE
    if (buf[start + 2] !== LF) return this.fail("Expected LF after CR", this.base + start + 2)
    return this.emitAt(null, start, start + 3)
  }

  private boolean(buf: Uint8Array, start: number, end: number): number {
    if (start + 1 >= end) return INCOMPLETE
    const c = buf[start + 1]
    if (c !== 116 && c !== 102) return this.fail("Invalid boolean", this.base + start)
    if (start + 2 >= end) return INCOMPLETE
    if (buf[start + 2] !== CR) return this.fail("Invalid boolean", this.base + start)
    if (start + 3 >= end) return INCOMPLETE
    if (buf[start + 3] !== LF) return this.fail("Expected LF after CR", this.base + start + 3)
    return this.emitAt(c === 116, start, start + 4)
  }

  private double(buf: Uint8Array, start: number, end: number): number {
    const cr = this.lineEnd(buf, start, end)
    if (cr < 0) return cr
    const value = readDouble(buf, start + 1, cr, this.platform.ascii)
    return value === undefined
      ? this.fail("Invalid double", this.base + start)
      : this.emitAt(new RespDouble(value), start, cr + 2)
  }

  // Validating the digits first keeps the work linear in the line, and the
  // line limit bounds what `BigInt` is given.
  private bigNumber(buf: Uint8Array, start: number, end: number): number {
    const cr = this.lineEnd(buf, start, end)
    if (cr < 0) return cr
    return isBigNumber(buf, start + 1, cr)
      ? this.emitAt(BigInt(this.platform.ascii(buf, start + 1, cr)), start, cr + 2)
      : this.fail("Invalid big number", this.base + start)
  }

  private endChunks(start: number): number {
    const chunks = this.chunks!
    this.chunks = null
    if (this.chunksSkipped) {
      this.chunksSkipped = false
      return this.emitAt(new RespTextTooLong(this.chunksLength), start, this.next)
    }
    const bytes = chunks.length === 1 ? chunks[0]! : this.concat(chunks, this.chunksLength)
    return this.emitAt(this.chunksBinary ? bytes : this.slicer.text(bytes, 0, bytes.length), start, this.next)
  }

  private concat(chunks: ReadonlyArray<Uint8Array>, length: number): Uint8Array {
    const out = this.platform.alloc(length)
    let at = 0
    for (const chunk of chunks) {
      out.set(chunk, at)
      at += chunk.length
    }
    return this.platform.binary(out.buffer as ArrayBuffer, out.byteOffset, length)
  }

  private startBulk(
    buf: Uint8Array,
    p: number,
    end: number,
    length: number,
    kind: number,
    binary: boolean,
    start: number
  ): number {
    // Streamed-string chunks and binary values are kept; the rest become a
    // string at once.
    this.assembly.start(buf, p, end, length + 2, !binary && kind !== K_CHUNK)
    this.bulkKind = kind
    this.bulkBinary = binary
    this.bulkStart = this.base + start
    this.state = BULK
    return end
  }

  private resumeBulk(buf: Uint8Array, pos: number, chunkBase: number): number {
    const next = this.assembly.add(buf, pos)
    if (next < 0) return buf.length
    this.state = IDLE
    const bulk = this.assembly.take()
    // The reused buffer may have been cut from before: forget it.
    this.slicer.forget()
    const stop = bulk.length - 2
    if (bulk[stop] !== CR || bulk[stop + 1] !== LF) {
      const missing = bulk[stop] !== CR ? stop : stop + 1
      // The payload's bytes are contiguous in the stream, ending at `chunkBase + next`.
      return this.fail("Expected CRLF after a bulk payload", chunkBase + next - (bulk.length - missing))
    }
    this.base = chunkBase
    return this.payload(bulk, 0, stop, this.bulkKind, this.bulkBinary, true, this.bulkStart, next)
  }

  // A payload too long for text: its bytes are passed over as they arrive,
  // and a RespTextTooLong takes its place (a chunk of a streamed string is
  // only counted; the string's end emits it).
  private startSkip(buf: Uint8Array, p: number, length: number, kind: number, start: number): number {
    if (kind === K_CHUNK) {
      this.chunks = []
      this.chunksSkipped = true
      this.chunksLength += length
    }
    this.skipLength = length
    this.skipKind = kind
    this.skipStart = this.base + start
    this.skipLeft = length + 2
    this.state = SKIP
    return this.skip(buf, p, this.base)
  }

  private resumeSkip(buf: Uint8Array, pos: number, chunkBase: number): number {
    this.base = chunkBase
    return this.skip(buf, pos, chunkBase)
  }

  private skip(buf: Uint8Array, pos: number, bufBase: number): number {
    const left = this.skipLeft
    const take = Math.min(left, buf.length - pos)
    // The CRLF is the last two bytes skipped; check those that are here.
    const cr = pos + left - 2
    if (cr >= pos && cr < pos + take && buf[cr] !== CR) {
      return this.fail("Expected CRLF after a bulk payload", bufBase + cr)
    }
    if (left <= take && buf[pos + left - 1] !== LF) {
      return this.fail("Expected CRLF after a bulk payload", bufBase + pos + left - 1)
    }
    if (take < left) {
      this.skipLeft = left - take
      return buf.length
    }
    this.state = IDLE
    if (this.skipKind === K_CHUNK) return pos + left
    return this.emit(new RespTextTooLong(this.skipLength)) ? pos + left : this.overflow(this.skipStart)
  }

  // Keeps the start of a line that continues in the next chunk; the line
  // limit bounds what is kept.
  private saveLine(buf: Uint8Array, start: number, end: number): void {
    const length = end - start
    if (length > this.maxLine + 2) {
      this.lineTooLong(this.base + start)
      return
    }
    if (this.line.length < length) this.line = this.platform.alloc(Math.min(this.maxLine + 2, Math.max(64, length * 2)))
    this.line.set(buf.subarray(start, end))
    this.lineLength = length
    this.lineOffset = this.base + start
    this.state = LINE
  }

  // Completes the saved line with the start of `buf` and decodes it.
  // Returns where decoding of `buf` continues, or FAILED.
  private resumeLine(buf: Uint8Array, chunkBase: number): number {
    const length = this.lineLength
    let take: number
    if (this.line[length - 1] === CR) {
      take = 1
    } else {
      const cr = buf.indexOf(CR)
      if (cr === -1 || cr === buf.length - 1) {
        const total = length + buf.length
        // What follows the type byte, up to the CR if it came.
        if (total - 1 - (cr === -1 ? 0 : 1) > this.maxLine) return this.lineTooLong(this.lineOffset)
        if (this.line.length < total) {
          const grown = this.platform.alloc(Math.min(this.maxLine + 2, total * 2))
          grown.set(this.line.subarray(0, length))
          this.line = grown
        }
        this.line.set(buf, length)
        this.lineLength = total
        return buf.length
      }
      take = cr + 2
    }
    const line = this.platform.alloc(length + take)
    line.set(this.line.subarray(0, length))
    line.set(buf.subarray(0, take), length)
    this.state = IDLE
    this.lineLength = 0
    this.base = this.lineOffset
    this.run(line, 0, line.length)
    this.base = chunkBase
    return this.error === undefined ? take : FAILED
  }
}
