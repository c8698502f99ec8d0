/**
 * What the decoder needs from the runtime to make strings and binary values
 * of bytes, and the implementation every standard JavaScript runtime has.
 */

/** @internal */
export interface Platform {
  readonly wrap: (chunk: Uint8Array) => Uint8Array
  readonly alloc: (size: number) => Uint8Array
  readonly utf8: (bytes: Uint8Array, start: number, end: number) => string
  readonly ascii: (bytes: Uint8Array, start: number, end: number) => string
  readonly isAscii: (bytes: Uint8Array, start: number, end: number) => boolean
  readonly binary: (buffer: ArrayBuffer, offset: number, length: number) => Uint8Array
  readonly maxStringLength: number
}

// V8's longest string on 64-bit hosts: 2^29 - 24 UTF-16 units. SpiderMonkey
// (2^30 - 2) and JavaScriptCore (2^31 - 1) allow longer ones, so this bound
// holds on all three.
const V8_MAX_STRING_LENGTH = 2 ** 29 - 24

// Below this many bytes, building the string in JavaScript beats the call
// into the TextDecoder and the view it needs.
const SHORT = 16

// `ignoreBOM` keeps a leading U+FEFF, which is data here, as Buffer does.
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true })

const fromCodes = (bytes: Uint8Array, start: number, end: number): string => {
  let text = ""
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!)
  return text
}

/** @internal */
export const standard: Platform = {
  wrap: (chunk) => chunk,
  alloc: (size) => new Uint8Array(size),
  utf8: (bytes, start, end) => utf8Decoder.decode(bytes.subarray(start, end)),
  // ASCII is valid UTF-8 with the same meaning: one decoder serves both.
  ascii: (bytes, start, end) =>
    end - start < SHORT ? fromCodes(bytes, start, end) : utf8Decoder.decode(bytes.subarray(start, end)),
  isAscii: (bytes, start, end) => {
    for (let i = start; i < end; i++) if (bytes[i]! > 127) return false
    return true
  },
  binary: (buffer, offset, length) => new Uint8Array(buffer, offset, length),
  maxStringLength: V8_MAX_STRING_LENGTH
}
