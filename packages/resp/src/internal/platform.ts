/**
 * What the decoder needs from the runtime to make strings and binary values
 * of bytes, and the implementation every standard JavaScript runtime has.
 */

/**
 * Published as `RespDecoder.RespDecoderPlatform` (not internal, so that the
 * alias survives declaration builds). Every function receives buffers the
 * decoder got from `wrap` or `alloc`.
 */
export interface Platform {
  /** The fed chunk in the form the other functions take; called once per `feed`. */
  readonly wrap: (chunk: Uint8Array) => Uint8Array
  /** A buffer of `size` bytes; its content may be left uninitialised. */
  readonly alloc: (size: number) => Uint8Array
  /** UTF-8 text of `bytes[start..end)`, invalid sequences replaced by U+FFFD (as `TextDecoder` does). */
  readonly utf8: (bytes: Uint8Array, start: number, end: number) => string
  /** Text of `bytes[start..end)`, which the decoder has found to be ASCII. */
  readonly ascii: (bytes: Uint8Array, start: number, end: number) => string
  /** Whether every byte of `bytes[start..end)` is below 0x80. */
  readonly isAscii: (bytes: Uint8Array, start: number, end: number) => boolean
  /** A binary value over memory the decoder owns and never writes again. */
  readonly binary: (buffer: ArrayBuffer, offset: number, length: number) => Uint8Array
  /** The longest string the engine can make, in UTF-16 units. */
  readonly maxStringLength: number
}

// V8's longest string on 64-bit hosts: 2^29 - 24 UTF-16 units. SpiderMonkey
// (2^30 - 2) and JavaScriptCore (2^31 - 1) allow longer ones, so this bound
// holds on all three.
const V8_MAX_STRING_LENGTH = 2 ** 29 - 24

// Below this many bytes, building the string in JavaScript beats the call
// into the TextDecoder and the view it needs.
const SHORT = 32

// `ignoreBOM` keeps a leading U+FEFF, which is data here, as Buffer does.
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true })

// The text of ASCII bytes, or undefined at the first byte that is not.
const shortAscii = (bytes: Uint8Array, start: number, end: number): string | undefined => {
  let text = ""
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!
    if (byte > 127) return undefined
    text += String.fromCharCode(byte)
  }
  return text
}

const decode = (bytes: Uint8Array, start: number, end: number): string => utf8Decoder.decode(bytes.subarray(start, end))

// Four bytes at a time over the aligned middle: ASCII is every high bit clear.
const isAscii = (bytes: Uint8Array, start: number, end: number): boolean => {
  let i = start
  for (; i < end && ((bytes.byteOffset + i) & 3) !== 0; i++) if (bytes[i]! > 127) return false
  const words = (end - i) >>> 2
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words)
    let high = 0
    for (let w = 0; w < words; w++) high |= view[w]!
    if ((high & 0x80808080) !== 0) return false
    i += words * 4
  }
  for (; i < end; i++) if (bytes[i]! > 127) return false
  return true
}

/** @internal */
export const standard: Platform = {
  wrap: (chunk) => chunk,
  alloc: (size) => new Uint8Array(size),
  utf8: (bytes, start, end) =>
    (end - start < SHORT ? shortAscii(bytes, start, end) : undefined) ?? decode(bytes, start, end),
  ascii: (bytes, start, end) =>
    (end - start < SHORT ? shortAscii(bytes, start, end) : undefined) ?? decode(bytes, start, end),
  isAscii,
  binary: (buffer, offset, length) => new Uint8Array(buffer, offset, length),
  maxStringLength: V8_MAX_STRING_LENGTH
}
