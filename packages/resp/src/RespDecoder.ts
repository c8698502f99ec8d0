/**
 * The incremental RESP2/RESP3 decoder: bytes in, {@link RespValue}s out.
 *
 * Feed it socket chunks of any size, down to single bytes. It keeps only the
 * unfinished value (a stack of partly built aggregates, and at most one
 * partly received line or bulk payload) and resumes where it stopped, so a
 * reply split across many chunks costs the same as one in a single chunk.
 *
 * ```ts
 * import { RespDecoder, type RespValue } from "@effect-redis/resp"
 * import * as Net from "node:net"
 *
 * const socket = Net.connect({ host: "127.0.0.1", port: 6379 })
 * const replies: Array<RespValue.RespValue> = []
 * const decoder = new RespDecoder.RespDecoder()
 * socket.on("data", (chunk: Buffer) => {
 *   const error = decoder.feed(chunk, (value) => replies.push(value))
 *   if (error) socket.destroy() // the stream cannot be trusted any more
 * })
 * ```
 *
 * @since 0.1.0
 */
import { Decoder, defaults } from "./internal/decoder.js"
import { RespProtocolError } from "./internal/protocolError.js"
import type { RespValue } from "./RespValue.js"

export {
  /**
   * The input is not valid RESP, or exceeds a limit of
   * {@link RespDecoderOptions}.
   *
   * `offset` is the position, counted in bytes fed since the decoder was made
   * or last reset, of the byte where the input went wrong:
   *
   * - an unknown type byte, a `.` outside a streamed aggregate or a frame
   *   other than `;` inside a streamed string: that byte;
   * - a header line that does not parse (bad length or integer, bad double,
   *   boolean, null or big number, a verbatim string without a format), or
   *   that breaks a limit (nesting, length, element count): the type byte
   *   that starts the element;
   * - a CR not followed by LF: the byte after the CR;
   * - a payload not followed by CRLF: the first byte where the CRLF should be.
   *
   * @since 0.1.0
   * @category errors
   */
  RespProtocolError
}

/**
 * Limits that bound what a malicious or broken peer can make the decoder
 * allocate.
 *
 * @since 0.1.0
 * @category models
 */
export interface RespDecoderOptions {
  /**
   * The largest bulk string, verbatim string, blob error or streamed string
   * accepted, in bytes, and the longest line (simple string or error).
   * Default 512 MiB, Redis' own `proto-max-bulk-len`.
   */
  readonly maxBulkLength?: number | undefined
  /**
   * How many aggregates (arrays, maps, sets, pushes, attributes) may be open
   * inside each other. Default 64: Redis' deepest replies nest a handful of
   * levels, and the limit keeps hostile input from building deep chains.
   */
  readonly maxDepth?: number | undefined
  /**
   * The most elements an aggregate may declare or, when streamed, receive
   * (a map's pairs count twice). Default 2^32 - 1, the longest JavaScript
   * array. Memory follows the elements that actually arrive, never the
   * declared length.
   */
  readonly maxAggregateLength?: number | undefined
}

/**
 * The default {@link RespDecoderOptions}.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultOptions: {
  readonly maxBulkLength: number
  readonly maxDepth: number
  readonly maxAggregateLength: number
} = defaults

/**
 * An incremental RESP decoder.
 *
 * Values: simple strings are `string`; bulk strings `string` (UTF-8, invalid
 * sequences replaced by U+FFFD) or, when {@link binary} is set, `Uint8Array`
 * (Node `Buffer`s that are copies, never views into the fed chunk, so the
 * caller may reuse its buffers); errors are `RespError` values; integers
 * `number`, or `bigint` outside the safe range; RESP2 `$-1`, `*-1` and RESP3
 * `_` are `null`. Attributes are attached to the value they precede as
 * `RespAttributed`.
 *
 * Memory: values decoded from one chunk share memory, which saves an
 * allocation and a call into Buffer per value. Binary values within one
 * chunk are views into one private copy of it, at most 64 KiB (or the
 * value's own size when larger): one copy per chunk instead of one per value,
 * still safe when the caller reuses its buffer. Strings of 13 characters or
 * more from an ASCII chunk of 1 KiB or more are cut from a shared Latin-1
 * string of at most 1 KiB. So a value kept for long holds at most 64 KiB
 * (binary) or 1 KiB (text) alive; copy it (`Buffer.from(bytes)`) if you keep
 * many small binary values.
 *
 * Binary values are Buffers to `Buffer.isBuffer`, `instanceof Buffer` and
 * every Buffer method, but those cut from a chunk are made by a private
 * subclass (it builds them at less than half the cost of `subarray`), so
 * `node:assert`'s `deepStrictEqual`, which compares prototypes, tells them
 * from `Buffer.from(...)`: compare bytes with `equals`.
 *
 * @since 0.1.0
 * @category decoding
 */
export interface RespDecoder {
  /**
   * Whether bulk strings, verbatim strings and streamed strings decode to
   * bytes (`true`) or text (`false`, the default). Read when each payload
   * starts, so flipping it inside `onValue` applies to the next value of the
   * same `feed`.
   */
  binary: boolean
  /**
   * Decodes a chunk, calling `onValue` once per complete top-level value in
   * order (pushes included). Returns a {@link RespProtocolError} when the
   * input is malformed; the decoder then stays failed, returning the same
   * error, until {@link reset}. `onValue` must not throw: an exception
   * propagates to the caller and leaves the decoder failed.
   */
  feed(chunk: Uint8Array, onValue: (value: RespValue) => void): RespProtocolError | undefined
  /** Drops any partial value and error and restarts offsets at 0; `binary` is kept. */
  reset(): void
  /** Whether a value has started but not finished. */
  readonly hasPartial: boolean
}

/**
 * Creates a decoder.
 *
 * @since 0.1.0
 * @category constructors
 */
export const RespDecoder: new(options?: RespDecoderOptions) => RespDecoder = Decoder
