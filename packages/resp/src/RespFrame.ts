/**
 * The exact wire model of RESP2 and RESP3: one case per type the protocol
 * can put on the wire, streamed forms included.
 *
 * Where {@link RespValue} is what a client sees of a reply (a bulk string and
 * a simple string are both `string`), a `RespFrame` says exactly which bytes
 * are sent. The encoder writes frames (`RespEncoder.encodeFrame`), which is
 * what fake servers, the fault proxy and the codec tests need, and
 * {@link toValue} says which `RespValue` the decoder must produce for a frame.
 *
 * Frames are plain immutable objects tagged by `_tag`; build them with the
 * constructors of the same name.
 *
 * @since 0.1.0
 */
import * as RespValue from "./RespValue.js"

/**
 * Any RESP2 or RESP3 frame.
 *
 * @since 0.1.0
 * @category models
 */
export type RespFrame =
  | SimpleString
  | SimpleError
  | Integer
  | BulkString
  | Null
  | Array
  | Map
  | Set
  | Attribute
  | Push
  | Double
  | Boolean
  | BigNumber
  | VerbatimString
  | BlobError
  | StreamedString
  | StreamedAggregate

/**
 * A simple string `+OK`. It must not contain CR or LF.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimpleString {
  readonly _tag: "SimpleString"
  readonly value: string
}

/**
 * A simple error `-ERR message`. It must not contain CR or LF.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimpleError {
  readonly _tag: "SimpleError"
  readonly message: string
}

/**
 * An integer `:42`, a signed 64-bit value.
 *
 * @since 0.1.0
 * @category models
 */
export interface Integer {
  readonly _tag: "Integer"
  readonly value: number | bigint
}

/**
 * A bulk string `$3\r\nfoo`. A `string` is written as UTF-8.
 *
 * @since 0.1.0
 * @category models
 */
export interface BulkString {
  readonly _tag: "BulkString"
  readonly value: string | Uint8Array
}

/**
 * A null: the RESP3 null `_`, or with `resp2` set the RESP2 null bulk string
 * `$-1` or null array `*-1`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Null {
  readonly _tag: "Null"
  readonly resp2: "bulk" | "array" | undefined
}

/**
 * An array `*n`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Array {
  readonly _tag: "Array"
  readonly items: ReadonlyArray<RespFrame>
}

/**
 * A RESP3 map `%n`, as key/value pairs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Map {
  readonly _tag: "Map"
  readonly entries: ReadonlyArray<readonly [RespFrame, RespFrame]>
}

/**
 * A RESP3 set `~n`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Set {
  readonly _tag: "Set"
  readonly items: ReadonlyArray<RespFrame>
}

/**
 * A RESP3 attribute `|n` followed by the value it describes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attribute {
  readonly _tag: "Attribute"
  readonly attributes: ReadonlyArray<readonly [RespFrame, RespFrame]>
  readonly value: RespFrame
}

/**
 * A RESP3 push `>n`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Push {
  readonly _tag: "Push"
  readonly items: ReadonlyArray<RespFrame>
}

/**
 * A RESP3 double `,3.14`; infinities and NaN are written `inf`, `-inf`, `nan`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Double {
  readonly _tag: "Double"
  readonly value: number
}

/**
 * A RESP3 boolean `#t` / `#f`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Boolean {
  readonly _tag: "Boolean"
  readonly value: boolean
}

/**
 * A RESP3 big number `(3492890328409238509324850943850943825024385`.
 *
 * @since 0.1.0
 * @category models
 */
export interface BigNumber {
  readonly _tag: "BigNumber"
  readonly value: bigint
}

/**
 * A RESP3 verbatim string `=15\r\ntxt:Some string`. The format is exactly
 * three bytes (`txt`, `mkd`).
 *
 * @since 0.1.0
 * @category models
 */
export interface VerbatimString {
  readonly _tag: "VerbatimString"
  readonly format: string
  readonly text: string | Uint8Array
}

/**
 * A RESP3 blob error `!21\r\nSYNTAX invalid syntax`.
 *
 * @since 0.1.0
 * @category models
 */
export interface BlobError {
  readonly _tag: "BlobError"
  readonly message: string
}

/**
 * A RESP3 streamed string `$?` sent as `;len` chunks and ended by `;0`.
 * The encoder skips empty chunks, since an empty chunk is the terminator.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamedString {
  readonly _tag: "StreamedString"
  readonly chunks: ReadonlyArray<string | Uint8Array>
}

/**
 * A RESP3 streamed aggregate `*?`, `%?` or `~?`, ended by `.`. For a map the
 * items alternate key and value, as in {@link RespValue.RespMap}.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamedAggregate {
  readonly _tag: "StreamedAggregate"
  readonly kind: "array" | "map" | "set"
  readonly items: ReadonlyArray<RespFrame>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const SimpleString = (value: string): RespFrame => ({ _tag: "SimpleString", value })

/**
 * @since 0.1.0
 * @category constructors
 */
export const SimpleError = (message: string): RespFrame => ({ _tag: "SimpleError", message })

/**
 * @since 0.1.0
 * @category constructors
 */
export const Integer = (value: number | bigint): RespFrame => ({ _tag: "Integer", value })

/**
 * @since 0.1.0
 * @category constructors
 */
export const BulkString = (value: string | Uint8Array): RespFrame => ({ _tag: "BulkString", value })

/**
 * The RESP3 null `_` by default; `Null("bulk")` is RESP2's `$-1` and
 * `Null("array")` RESP2's `*-1`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const Null = (resp2?: "bulk" | "array"): RespFrame => ({ _tag: "Null", resp2 })

/**
 * @since 0.1.0
 * @category constructors
 */
export const Array = (items: ReadonlyArray<RespFrame>): RespFrame => ({ _tag: "Array", items })

/**
 * @since 0.1.0
 * @category constructors
 */
export const Map = (entries: ReadonlyArray<readonly [RespFrame, RespFrame]>): RespFrame => ({ _tag: "Map", entries })

/**
 * @since 0.1.0
 * @category constructors
 */
export const Set = (items: ReadonlyArray<RespFrame>): RespFrame => ({ _tag: "Set", items })

/**
 * @since 0.1.0
 * @category constructors
 */
export const Attribute = (
  attributes: ReadonlyArray<readonly [RespFrame, RespFrame]>,
  value: RespFrame
): RespFrame => ({ _tag: "Attribute", attributes, value })

/**
 * @since 0.1.0
 * @category constructors
 */
export const Push = (items: ReadonlyArray<RespFrame>): RespFrame => ({ _tag: "Push", items })

/**
 * @since 0.1.0
 * @category constructors
 */
export const Double = (value: number): RespFrame => ({ _tag: "Double", value })

/**
 * @since 0.1.0
 * @category constructors
 */
export const Boolean = (value: boolean): RespFrame => ({ _tag: "Boolean", value })

/**
 * @since 0.1.0
 * @category constructors
 */
export const BigNumber = (value: bigint): RespFrame => ({ _tag: "BigNumber", value })

/**
 * @since 0.1.0
 * @category constructors
 */
export const VerbatimString = (format: string, text: string | Uint8Array): RespFrame => ({
  _tag: "VerbatimString",
  format,
  text
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const BlobError = (message: string): RespFrame => ({ _tag: "BlobError", message })

/**
 * @since 0.1.0
 * @category constructors
 */
export const StreamedString = (chunks: ReadonlyArray<string | Uint8Array>): RespFrame => ({
  _tag: "StreamedString",
  chunks
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const StreamedAggregate = (
  kind: "array" | "map" | "set",
  items: ReadonlyArray<RespFrame>
): RespFrame => ({ _tag: "StreamedAggregate", kind, items })

const toBytes = (value: string | Uint8Array): Buffer =>
  typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value)

const toText = (value: string | Uint8Array): string =>
  typeof value === "string"
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8")

const payload = (value: string | Uint8Array, binary: boolean): string | Uint8Array =>
  binary ? toBytes(value) : toText(value)

const flatten = (
  entries: ReadonlyArray<readonly [RespFrame, RespFrame]>,
  binary: boolean
): globalThis.Array<RespValue.RespValue> => {
  const out: globalThis.Array<RespValue.RespValue> = []
  for (const [key, value] of entries) out.push(toValue(key, binary), toValue(value, binary))
  return out
}

/**
 * The value the decoder produces for a frame, in text mode (`binary`
 * false: bulk payloads become UTF-8 strings, invalid sequences replaced by
 * U+FFFD) or binary mode (bulk payloads become `Buffer`s, a `Uint8Array`
 * subclass, as the decoder returns them).
 *
 * Integers outside the safe range stay `bigint`, others become `number`;
 * doubles become `RespDouble`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toValue = (frame: RespFrame, binary = false): RespValue.RespValue => {
  switch (frame._tag) {
    case "SimpleString":
      return frame.value
    case "SimpleError":
      return new RespValue.RespError(frame.message, false)
    case "Integer": {
      const value = frame.value
      if (typeof value === "number") return value
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value
    }
    case "BulkString":
      return payload(frame.value, binary)
    case "Null":
      return null
    case "Array":
      return frame.items.map((item) => toValue(item, binary))
    case "Map":
      return new RespValue.RespMap(flatten(frame.entries, binary))
    case "Set":
      return new RespValue.RespSet(frame.items.map((item) => toValue(item, binary)))
    case "Attribute":
      return new RespValue.RespAttributed(
        new RespValue.RespMap(flatten(frame.attributes, binary)),
        toValue(frame.value, binary)
      )
    case "Push":
      return new RespValue.RespPush(frame.items.map((item) => toValue(item, binary)))
    case "Double":
      return new RespValue.RespDouble(frame.value)
    case "Boolean":
    case "BigNumber":
      return frame.value
    case "VerbatimString":
      return new RespValue.RespVerbatim(frame.format, payload(frame.text, binary))
    case "BlobError":
      return new RespValue.RespError(frame.message, true)
    case "StreamedString":
      return payload(Buffer.concat(frame.chunks.map(toBytes)), binary)
    case "StreamedAggregate": {
      const items = frame.items.map((item) => toValue(item, binary))
      return frame.kind === "array"
        ? items
        : frame.kind === "map"
        ? new RespValue.RespMap(items)
        : new RespValue.RespSet(items)
    }
  }
}
