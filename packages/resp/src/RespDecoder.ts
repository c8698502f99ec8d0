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
import { type Platform, standard } from "./internal/platform.js"
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
 * What the decoder needs from the JavaScript runtime to turn bytes into
 * strings and binary values. Every function receives buffers the decoder
 * got from `wrap` or `alloc`.
 *
 * {@link standardPlatform} works on every runtime with `TextDecoder`;
 * `@effect-redis/node` supplies `NodeResp.decoderPlatform`, which uses
 * Node's `Buffer` fast paths (and makes binary values `Buffer`s), and which
 * its transport hands to the client.
 *
 * Use one platform per process: the decoder's call sites specialise on the
 * platform they see, and decoders with two platforms in one process slow
 * each other down (by a third on text, measured on Node 20).
 *
 * @since 0.2.0
 * @category models
 */
export type RespDecoderPlatform = Platform

/**
 * The platform the decoder uses unless told otherwise: `TextDecoder` for
 * text, plain `Uint8Array` views for binary values, and V8's string limit
 * (the lowest of the major engines).
 *
 * @since 0.2.0
 * @category constructors
 */
export const standardPlatform: RespDecoderPlatform = standard

/**
 * Limits that bound what a malicious or broken peer can make the decoder
 * allocate, and the platform it decodes with. The defaults are above what
 * Redis sends.
 *
 * @since 0.1.0
 * @category models
 */
export interface RespDecoderOptions {
  /**
   * The largest bulk string, verbatim string, blob error or streamed string
   * accepted, in bytes; a longer one is a {@link RespProtocolError}.
   * Default 512 MiB, Redis' own `proto-max-bulk-len`. In text mode, a
   * payload within this limit but longer than the longest string the engine
   * can make is skipped and decodes to a `RespTextTooLong`.
   */
  readonly maxBulkLength?: number | undefined
  /**
   * How deep aggregates (arrays, maps, sets, pushes, attributes) may nest,
   * each attribute waiting for its value counting as a level. Default
   * 10,000: Redis 7 converts a Lua table of up to 7,995 nested arrays into a
   * reply. Decoding is iterative, so depth costs no stack.
   *
   * @since 0.1.0
   */
  readonly maxDepth?: number | undefined
  /**
   * The most elements an aggregate may declare or, when streamed, receive
   * (a map's pairs count twice). Default and maximum 2^26 (67,108,864):
   * V8 cannot grow one array much further without aborting the process.
   * Memory follows the elements that actually arrive, never the declared
   * length. {@link maxReplyElements} bounds all the aggregates of a reply
   * together, and so this one too.
   */
  readonly maxAggregateLength?: number | undefined
  /**
   * The most elements one top-level value may hold in all its aggregates
   * and streamed strings together: declared elements count at their
   * header (a map's pairs twice), streamed elements and string chunks as
   * they arrive; one more is a {@link RespProtocolError}. Default 2^24
   * (16,777,216): an LRANGE, HGETALL or KEYS of millions of entries
   * decodes, while a reply of tiny elements, which costs 8 to 60 bytes of
   * heap each whatever few bytes carried them, stays near 1 GB at worst.
   * Raise it for larger replies, lower it to bound a reply further.
   *
   * @since 0.3.0
   */
  readonly maxReplyElements?: number | undefined
  /**
   * The longest line, in bytes without its CRLF: simple strings, simple
   * errors, integers, doubles, big numbers and headers. Default 64 KiB (at
   * least 64). Redis' own status lines and errors are short (it quotes at
   * most 128 bytes of an argument in an error); only a script's
   * `redis.status_reply`, `redis.error_reply` or `error()`, or a module,
   * can send longer ones.
   *
   * @since 0.2.0
   */
  readonly maxLineLength?: number | undefined
  /**
   * How bytes become strings and binary values. Default
   * {@link standardPlatform}.
   *
   * @since 0.2.0
   */
  readonly platform?: RespDecoderPlatform | undefined
  /**
   * Whether the caller leaves every chunk unchanged once fed, as sockets do
   * (each `data` event is a fresh buffer). A payload that spans chunks is
   * then gathered from where its pieces arrived, with one copy at its end;
   * otherwise it is copied as it comes. Values never view a fed chunk
   * either way. Default `false`.
   *
   * @since 0.2.0
   */
  readonly immutableChunks?: boolean | undefined
}

/**
 * The default limits of {@link RespDecoderOptions}.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultOptions: {
  readonly maxBulkLength: number
  readonly maxDepth: number
  readonly maxAggregateLength: number
  readonly maxReplyElements: number
  readonly maxLineLength: number
} = defaults

/**
 * An incremental RESP decoder.
 *
 * Values: simple strings are `string`; bulk strings `string` (UTF-8, invalid
 * sequences replaced by U+FFFD) or, when {@link binary} is set, `Uint8Array`
 * (copies, never views into the fed chunk, so the caller may reuse its
 * buffers); errors are `RespError` values; integers `number`, or `bigint`
 * outside the safe range; doubles `RespDouble`; RESP2 `$-1`, `*-1` and
 * RESP3 `_` are `null`. Attributes are attached to the value they precede
 * as `RespAttributed`. In text mode a string longer than the engine's
 * longest string is skipped and stands as a `RespTextTooLong`.
 *
 * Memory: values decoded from one chunk share memory, which saves an
 * allocation and a call into the platform per value. Binary values within
 * one chunk are views into one private copy of it, at most 64 KiB (or the
 * value's own size when larger): one copy per chunk instead of one per
 * value, still safe when the caller reuses its buffer. Strings of 13
 * characters or more from an ASCII chunk of 1 KiB or more are cut from a
 * shared string of at most 1 KiB. So a value kept for long holds at most
 * 64 KiB (binary) or 1 KiB (text) alive; copy it (`Uint8Array.prototype.slice`)
 * if you keep many small binary values. What the decoder holds between
 * chunks is bounded by the bytes it received, never by a declared length,
 * and what one reply holds by `maxReplyElements`.
 *
 * With Node's platform (`NodeResp.decoderPlatform` from `@effect-redis/node`)
 * binary values are Buffers to `Buffer.isBuffer`, `instanceof Buffer` and
 * every Buffer method, but those cut from a chunk are made by a private
 * subclass (it builds them at less than half the cost of `subarray`), so
 * `node:assert`'s `deepStrictEqual`, which compares prototypes, tells them
 * from `Buffer.from(...)`: compare bytes with `equals`. With the standard
 * platform they are plain `Uint8Array`s.
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
   * input is malformed or breaks a limit, or when the engine refuses the
   * memory a payload needs; the decoder then stays failed, returning the
   * same error, until {@link reset}. The decoder itself never throws;
   * `onValue` must not either: its exception propagates to the caller and
   * leaves the decoder failed.
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
