/**
 * The values the decoder produces: what a client sees of a RESP2 or RESP3
 * reply.
 *
 * The common reply types are plain JavaScript values so that decoding a
 * reply allocates nothing beyond the value itself:
 *
 * | RESP type                          | value                                   |
 * | ---------------------------------- | --------------------------------------- |
 * | simple string `+`                  | `string`                                |
 * | bulk string `$` (and streamed `$?`)| `string`, or `Uint8Array` in binary mode|
 * | integer `:`                        | `number`, `bigint` outside the safe range|
 * | double `,` (incl. `inf`, `nan`)    | {@link RespDouble}                      |
 * | big number `(`                     | `bigint`                                |
 * | boolean `#`                        | `boolean`                               |
 * | null `_`, RESP2 `$-1` and `*-1`    | `null`                                  |
 * | array `*` (and streamed `*?`)      | `Array<RespValue>`                      |
 * | simple error `-`, blob error `!`   | {@link RespError}                       |
 * | map `%`                            | {@link RespMap}                         |
 * | set `~`                            | {@link RespSet}                         |
 * | push `>`                           | {@link RespPush}                        |
 * | verbatim string `=`                | {@link RespVerbatim}                    |
 * | attribute `|` + the value it precedes | {@link RespAttributed}              |
 *
 * Integers and doubles stay apart: `:10` is `10`, `,10` is a `RespDouble`
 * of `10`. Integers are by far the more frequent reply, so they keep the
 * allocation-free representation.
 *
 * A string the decoder cannot make text of (in text mode, one longer than
 * the engine's longest string) is a {@link RespTextTooLong} in its place.
 *
 * The exact wire type of every value (simple or bulk string, streamed or
 * not) is kept by {@link RespFrame}, the model the encoder writes from.
 *
 * @since 0.1.0
 */

/**
 * Any decoded RESP value.
 *
 * @since 0.1.0
 * @category models
 */
export type RespValue =
  | string
  | Uint8Array
  | number
  | bigint
  | boolean
  | null
  | RespError
  | RespMap
  | RespSet
  | RespPush
  | RespVerbatim
  | RespAttributed
  | RespDouble
  | RespTextTooLong
  | Array<RespValue>

/**
 * An error reply: a simple error (`-ERR message`) or a RESP3 blob error
 * (`!len`). The first word of the message is split out as `code`
 * (`ERR`, `WRONGTYPE`, `NOAUTH`, …).
 *
 * It is a value, not a thrown exception, and captures no stack trace.
 *
 * @since 0.1.0
 * @category models
 */
export class RespError {
  /**
   * The error code: the first word of the message when it is all capitals
   * (as Redis sends it), otherwise `"ERR"`.
   *
   * @since 0.1.0
   */
  readonly code: string
  constructor(
    /** The whole message as the server sent it, code included. */
    readonly message: string,
    /** `true` for a RESP3 blob error (`!`), `false` for a simple error (`-`). */
    readonly blob: boolean = false
  ) {
    this.code = errorCode(message)
  }
}

const errorCode = (message: string): string => {
  const space = message.indexOf(" ")
  const word = space === -1 ? message : message.slice(0, space)
  return word.length > 0 && /^[A-Z][A-Z_-]*$/.test(word) ? word : "ERR"
}

/**
 * A RESP3 map. The entries are kept flat, key then value, in the order the
 * server sent them: the same layout a RESP2 server uses for the same reply
 * as a plain array, so decoders of command replies handle both protocols
 * with one loop.
 *
 * @since 0.1.0
 * @category models
 */
export class RespMap {
  constructor(
    /** Keys at even indices, values at odd indices. */
    readonly entries: Array<RespValue>
  ) {}
  /**
   * The number of key/value pairs.
   *
   * @since 0.1.0
   */
  get size(): number {
    return this.entries.length >>> 1
  }
}

/**
 * A RESP3 set, in the order the server sent its members.
 *
 * @since 0.1.0
 * @category models
 */
export class RespSet {
  constructor(readonly items: Array<RespValue>) {}
}

/**
 * A RESP3 push frame: out-of-band data such as pub/sub messages and
 * client-side caching invalidations. The first item is the kind
 * (`"message"`, `"invalidate"`, …).
 *
 * @since 0.1.0
 * @category models
 */
export class RespPush {
  constructor(readonly items: Array<RespValue>) {}
}

/**
 * A RESP3 verbatim string: text with a three-letter format (`txt`, `mkd`).
 *
 * @since 0.1.0
 * @category models
 */
export class RespVerbatim {
  constructor(
    readonly format: string,
    /** The text (a `Uint8Array` in binary mode). */
    readonly value: string | Uint8Array
  ) {}
}

/**
 * A value preceded by a RESP3 attribute (`|`): the attribute map is
 * attached to the value it describes.
 *
 * @since 0.1.0
 * @category models
 */
export class RespAttributed {
  constructor(
    readonly attributes: RespMap,
    readonly value: RespValue
  ) {}
}

/**
 * A RESP3 double (`,1.5`, `,inf`, `,-inf`, `,nan`): a wrapper, so that a
 * double with an integral value is not mistaken for an integer reply.
 *
 * @since 0.2.0
 * @category models
 */
export class RespDouble {
  constructor(readonly value: number) {}
}

/**
 * Stands in for a bulk string, verbatim string, streamed string or blob
 * error that, in text mode, is longer than the longest string the
 * JavaScript engine can hold (536,870,888 UTF-16 units in V8). The decoder
 * skipped its bytes and kept the connection in step; decode in binary mode
 * to get them.
 *
 * @since 0.2.0
 * @category models
 */
export class RespTextTooLong {
  constructor(
    /** The length of the payload, in bytes. */
    readonly byteLength: number
  ) {}
}

/**
 * Strips attributes from a value, keeping the value they were attached to.
 *
 * @since 0.1.0
 * @category utils
 */
export const withoutAttributes = (value: RespValue): RespValue => {
  while (value instanceof RespAttributed) value = value.value
  return value
}
