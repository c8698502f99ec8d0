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

/**
 * Accumulates commands into one batch: the write buffer of an
 * auto-pipelining connection.
 *
 * While every argument is a string or a number the batch is kept as one
 * JavaScript string and converted to bytes once, in {@link take}; a
 * `Uint8Array` argument switches the batch to a list of parts joined into one
 * buffer by `take`. Byte arrays are not copied when written: they must not be
 * changed before the next `take`.
 *
 * @since 0.1.0
 * @category encoding
 */
export class RespCommandWriter {
  // The batch is `parts` (finished pieces) followed by `text` (the piece being
  // built); `bytes` counts the UTF-8 length of both so `take` allocates once.
  private text = ""
  private parts: Array<string | Uint8Array> = []
  private bytes = 0
  private count = 0
  // Whether `text` is pure ASCII, which converts faster than UTF-8.
  private ascii = true

  /**
   * Appends one command. An unencodable argument gives a
   * {@link RespEncodeError} and leaves the batch unchanged.
   *
   * @since 0.1.0
   */
  write(args: ReadonlyArray<Argument>): RespEncodeError | undefined {
    const n = args.length
    let text = "*" + n + CRLF
    let bytes = text.length
    let ascii = true
    let binaryAt = -1
    for (let i = 0; i < n; i++) {
      const arg = args[i]
      if (typeof arg === "string") {
        const len = Buffer.byteLength(arg, "utf8")
        if (len !== arg.length) ascii = false
        const head = "$" + len + CRLF
        text += head + arg + CRLF
        bytes += head.length + len + 2
      } else if (typeof arg === "number") {
        if (!Number.isFinite(arg)) return badArgument(arg, i)
        const s = numberText(arg)
        const head = "$" + s.length + CRLF
        text += head + s + CRLF
        bytes += head.length + s.length + 2
      } else if (typeof arg === "bigint") {
        const s = arg.toString()
        const head = "$" + s.length + CRLF
        text += head + s + CRLF
        bytes += head.length + s.length + 2
      } else if (arg instanceof Uint8Array) {
        binaryAt = i
        break
      } else {
        return badArgument(arg, i)
      }
    }
    if (binaryAt !== -1) return this.writeParts(args, binaryAt, text, bytes, ascii)
    this.text += text
    this.bytes += bytes
    if (!ascii) this.ascii = false
    this.count++
    return undefined
  }

  /**
   * The slow path for a command with byte-array arguments: the arguments
   * before `from` are already in `text`.
   *
   * @internal
   */
  private writeParts(
    args: ReadonlyArray<Argument>,
    from: number,
    text: string,
    bytes: number,
    ascii: boolean
  ): RespEncodeError | undefined {
    const parts: Array<string | Uint8Array> = []
    for (let i = from; i < args.length; i++) {
      const arg = args[i]
      let s: string
      if (arg instanceof Uint8Array) {
        const head = "$" + arg.length + CRLF
        parts.push(text + head, arg)
        bytes += head.length + arg.length + 2
        text = CRLF
        continue
      } else if (typeof arg === "string") {
        s = arg
      } else if (typeof arg === "number") {
        if (!Number.isFinite(arg)) return badArgument(arg, i)
        s = numberText(arg)
      } else if (typeof arg === "bigint") {
        s = arg.toString()
      } else {
        return badArgument(arg, i)
      }
      const len = Buffer.byteLength(s, "utf8")
      if (len !== s.length) ascii = false
      const head = "$" + len + CRLF
      text += head + s + CRLF
      bytes += head.length + len + 2
    }
    if (this.text.length > 0) this.parts.push(this.text)
    for (const part of parts) this.parts.push(part)
    this.text = text
    this.bytes += bytes
    if (!ascii) this.ascii = false
    this.count++
    return undefined
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
   * (empty when nothing was written), and an empty batch.
   *
   * @since 0.1.0
   */
  take(): Uint8Array {
    const text = this.text
    const parts = this.parts
    const bytes = this.bytes
    const ascii = this.ascii
    this.text = ""
    this.bytes = 0
    this.count = 0
    this.ascii = true
    if (parts.length === 0) return Buffer.from(text, ascii ? "latin1" : "utf8")
    this.parts = []
    const out = Buffer.allocUnsafe(bytes)
    let offset = 0
    for (const part of parts) {
      if (typeof part === "string") {
        offset += out.write(part, offset, "utf8")
      } else {
        out.set(part, offset)
        offset += part.length
      }
    }
    out.write(text, offset, "utf8")
    return out
  }
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
