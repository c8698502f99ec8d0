/**
 * Writes RESP: commands (an array of bulk strings, what a client sends) and
 * arbitrary frames (what a server or a fake server sends).
 *
 * {@link RespCommandWriter} is the client's hot path: it batches the
 * commands queued during one event-loop turn into a single buffer for a
 * single socket write.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import type { RespFrame } from "./RespFrame.js"

/**
 * A command argument. Strings are sent as UTF-8, numbers and bigints in
 * decimal, byte arrays as they are.
 *
 * @since 0.1.0
 * @category models
 */
export type Argument = string | number | bigint | Uint8Array

/**
 * An argument that RESP cannot carry: a non-finite number (`NaN`,
 * `Infinity`, `-Infinity`) or, from untyped callers, a value of another type.
 *
 * @since 0.1.0
 * @category errors
 */
export class RespEncodeError extends Data.TaggedError("RespEncodeError")<{
  readonly message: string
  /** The position of the offending argument in the command. */
  readonly argumentIndex: number
}> {}

const CRLF = "\r\n"

// Past 1e21 `String(n)` switches to exponent notation, which Redis would
// not read as an integer.
const integerText = (value: number): string => Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString()

const numberText = (value: number): string => Number.isInteger(value) ? integerText(value) : String(value)

const badArgument = (value: unknown, index: number): RespEncodeError =>
  new RespEncodeError({
    message: typeof value === "number"
      ? `Argument ${index} is ${value}, which RESP cannot carry; send a finite number or a string`
      : `Argument ${index} is a ${
        value === null ? "null" : typeof value
      }; arguments must be strings, numbers, bigints or Uint8Arrays`,
    argumentIndex: index
  })

/**
 * Checks that every argument can be encoded, without encoding anything:
 * for callers that must send a batch whole or not at all (a MULTI … EXEC
 * block must never go out without its EXEC).
 *
 * @since 0.1.0
 * @category encoding
 */
export const validateArguments = (args: ReadonlyArray<Argument>): RespEncodeError | undefined => {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (typeof arg === "string" || typeof arg === "bigint" || arg instanceof Uint8Array) continue
    if (typeof arg === "number" && Number.isFinite(arg)) continue
    return badArgument(arg, i)
  }
  return undefined
}

// The slab a writer starts with: small, as most connections idle. Full, a
// slab is replaced by one at least as large, so a busy writer settles on
// slabs that hold many batches.
const FIRST_SLAB = 4 * 1024

// A slab larger than this (grown for a large batch) is let go once its batch is taken.
const LARGE_SLAB = 1024 * 1024

// Strings up to this long are copied a character at a time while they
// prove ASCII; longer ones go through one call into the runtime.
const SHORT_STRING = 64

// "\r\n" as bytes.
const CR = 13
const LF = 10

/**
 * Accumulates commands into one batch: the write buffer of an
 * auto-pipelining connection.
 *
 * Commands are encoded straight into bytes, at the end of a slab that the
 * writer keeps between batches; {@link take} hands out the batch as a view
 * of the slab and later commands go after it, so a batch never allocates
 * more than its bytes and nothing is copied once written. When the slab is
 * full a larger one is started and the batch so far is copied into it; views
 * handed out earlier keep the old one alive for as long as they need it.
 * Byte-array arguments are copied when written.
 *
 * @since 0.1.0
 * @category encoding
 */
export class RespCommandWriter {
  private slab: Buffer = Buffer.allocUnsafeSlow(FIRST_SLAB)
  // The batch is `slab[start..end)`.
  private start = 0
  private end = 0
  private count = 0

  /**
   * Appends one command. An unencodable argument gives a
   * {@link RespEncodeError} and leaves the batch unchanged.
   *
   * @since 0.1.0
   */
  write(args: ReadonlyArray<Argument>): RespEncodeError | undefined {
    // From the batch's start: a slab grown meanwhile moves the batch.
    const begin = this.end - this.start
    const n = args.length
    this.room(16)
    this.head(42, n)
    for (let i = 0; i < n; i++) {
      const arg = args[i]
      if (typeof arg === "string") {
        this.string(arg)
      } else if (typeof arg === "number") {
        if (!Number.isFinite(arg)) return this.refuse(begin, badArgument(arg, i))
        if (Number.isSafeInteger(arg) && arg >= 0) {
          this.room(40)
          this.head(36, digitCount(arg))
          this.digits(arg)
          this.slab[this.end++] = CR
          this.slab[this.end++] = LF
        } else {
          this.string(numberText(arg))
        }
      } else if (typeof arg === "bigint") {
        this.string(arg.toString())
      } else if (arg instanceof Uint8Array) {
        this.room(arg.length + 24)
        this.head(36, arg.length)
        this.slab.set(arg, this.end)
        this.end += arg.length
        this.slab[this.end++] = CR
        this.slab[this.end++] = LF
      } else {
        return this.refuse(begin, badArgument(arg, i))
      }
    }
    this.count++
    return undefined
  }

  /**
   * Drops what the refused command wrote.
   *
   * @internal
   */
  private refuse(begin: number, error: RespEncodeError): RespEncodeError {
    this.end = this.start + begin
    return error
  }

  /**
   * A bulk string of `value` in UTF-8: its length is the byte length.
   *
   * @internal
   */
  private string(value: string): void {
    const length = value.length
    if (length <= SHORT_STRING) {
      this.room(length + 24)
      const begin = this.end
      this.head(36, length)
      const slab = this.slab
      let at = this.end
      let i = 0
      for (; i < length; i++) {
        const code = value.charCodeAt(i)
        if (code > 127) break
        slab[at++] = code
      }
      if (i === length) {
        slab[at++] = CR
        slab[at++] = LF
        this.end = at
        return
      }
      // Not ASCII: start again with its UTF-8 length.
      this.end = begin
    }
    const bytes = Buffer.byteLength(value, "utf8")
    this.room(bytes + 24)
    this.head(36, bytes)
    this.end += this.slab.write(value, this.end, bytes, bytes === length ? "latin1" : "utf8")
    this.slab[this.end++] = CR
    this.slab[this.end++] = LF
  }

  /**
   * `*n\r\n` or `$n\r\n` (`marker` is the byte of `*` or `$`); the room is there.
   *
   * @internal
   */
  private head(marker: number, n: number): void {
    this.slab[this.end++] = marker
    this.digits(n)
    this.slab[this.end++] = CR
    this.slab[this.end++] = LF
  }

  /**
   * The decimal digits of a safe non-negative integer; the room is there.
   *
   * @internal
   */
  private digits(n: number): void {
    if (n < 10) {
      this.slab[this.end++] = 48 + n
      return
    }
    let at = this.end + digitCount(n)
    this.end = at
    while (n >= 10) {
      const next = Math.floor(n / 10)
      // The digit first: `48 + n` would round for n within 48 of 2^53.
      this.slab[--at] = 48 + (n - next * 10)
      n = next
    }
    this.slab[--at] = 48 + n
  }

  /**
   * Makes sure `bytes` more fit after the batch: a new slab, with the batch so far copied, when they do not.
   *
   * @internal
   */
  private room(bytes: number): void {
    if (this.end + bytes <= this.slab.length) return
    const batch = this.end - this.start
    const slab = Buffer.allocUnsafeSlow(Math.max(this.slab.length, 2 * (batch + bytes)))
    this.slab.copy(slab, 0, this.start, this.end)
    this.slab = slab
    this.start = 0
    this.end = batch
  }

  /**
   * The number of commands written since the last {@link take}.
   *
   * @since 0.1.0
   */
  get pending(): number {
    return this.count
  }

  /**
   * The bytes of every command written since the last call, as one buffer
   * (empty when nothing was written), and an empty batch. The buffer is a
   * view of the writer's slab that the writer never writes again.
   *
   * @since 0.1.0
   */
  take(): Uint8Array {
    const batch = this.slab.subarray(this.start, this.end)
    this.start = this.end
    this.count = 0
    if (this.slab.length > LARGE_SLAB) {
      this.slab = Buffer.allocUnsafeSlow(FIRST_SLAB)
      this.start = this.end = 0
    }
    return batch
  }
}

/** The number of decimal digits of a safe non-negative integer. */
const digitCount = (n: number): number => {
  let count = 1
  while (n >= 10) {
    n = Math.floor(n / 10)
    count++
  }
  return count
}

/**
 * Encodes one command as an array of bulk strings. Numbers are written as
 * `String(n)` would (the shortest form that reads back as the same number,
 * `-0` as `0`), except that integers from 1e21 up are spelled out in full
 * decimal rather than in exponent notation; bigints in decimal. A non-finite
 * number gives `Either.left(RespEncodeError)`: the result is an `Either`
 * because this is not a hot path, unlike {@link RespCommandWriter.write}.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeCommand = (args: ReadonlyArray<Argument>): Either.Either<Uint8Array, RespEncodeError> => {
  const writer = new RespCommandWriter()
  const error = writer.write(args)
  return error === undefined ? Either.right(writer.take()) : Either.left(error)
}

const doubleText = (value: number): string =>
  Number.isNaN(value)
    ? "nan"
    : value === Infinity
    ? "inf"
    : value === -Infinity
    ? "-inf"
    : Object.is(value, -0)
    ? "-0"
    : String(value)

class FrameWriter {
  readonly parts: Array<Uint8Array> = []
  private text = ""

  line(text: string): void {
    this.text += text + CRLF
  }

  blob(prefix: string, value: string | Uint8Array): void {
    if (typeof value === "string") {
      this.text += prefix + Buffer.byteLength(value, "utf8") + CRLF + value + CRLF
    } else {
      this.text += prefix + value.length + CRLF
      this.flush()
      this.parts.push(value)
      this.text = CRLF
    }
  }

  flush(): void {
    if (this.text.length > 0) this.parts.push(Buffer.from(this.text, "utf8"))
    this.text = ""
  }

  frame(frame: RespFrame): void {
    switch (frame._tag) {
      case "SimpleString":
        return this.line("+" + frame.value)
      case "SimpleError":
        return this.line("-" + frame.message)
      case "Integer":
        return this.line(
          ":" + (typeof frame.value === "number" ? numberText(frame.value) : frame.value.toString())
        )
      case "BulkString":
        return this.blob("$", frame.value)
      case "Null":
        return this.line(frame.resp2 === "bulk" ? "$-1" : frame.resp2 === "array" ? "*-1" : "_")
      case "Array":
        return this.items("*", frame.items)
      case "Set":
        return this.items("~", frame.items)
      case "Push":
        return this.items(">", frame.items)
      case "Map":
        return this.entries("%", frame.entries)
      case "Attribute":
        this.entries("|", frame.attributes)
        return this.frame(frame.value)
      case "Double":
        return this.line("," + doubleText(frame.value))
      case "Boolean":
        return this.line(frame.value ? "#t" : "#f")
      case "BigNumber":
        return this.line("(" + frame.value.toString())
      case "VerbatimString":
        return this.blob(
          "=",
          typeof frame.text === "string"
            ? frame.format + ":" + frame.text
            : Buffer.concat([Buffer.from(frame.format + ":", "utf8"), frame.text])
        )
      case "BlobError":
        return this.blob("!", frame.message)
      case "StreamedString":
        this.line("$?")
        for (const chunk of frame.chunks) if (chunk.length > 0) this.blob(";", chunk)
        return this.line(";0")
      case "StreamedAggregate":
        this.line(frame.kind === "array" ? "*?" : frame.kind === "map" ? "%?" : "~?")
        for (const item of frame.items) this.frame(item)
        return this.line(".")
    }
  }

  private items(prefix: string, items: ReadonlyArray<RespFrame>): void {
    this.line(prefix + items.length)
    for (const item of items) this.frame(item)
  }

  private entries(prefix: string, entries: ReadonlyArray<readonly [RespFrame, RespFrame]>): void {
    this.line(prefix + entries.length)
    for (const [key, value] of entries) {
      this.frame(key)
      this.frame(value)
    }
  }
}

/**
 * Encodes a frame exactly as described, without validation: a simple string
 * containing CRLF or a non-integer `Integer` is written as given, so fake
 * servers can send malformed replies on purpose.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeFrame = (frame: RespFrame): Uint8Array => {
  const writer = new FrameWriter()
  writer.frame(frame)
  writer.flush()
  return writer.parts.length === 1 ? writer.parts[0]! : Buffer.concat(writer.parts)
}
