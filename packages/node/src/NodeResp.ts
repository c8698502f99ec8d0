/**
 * Node's fast paths for the RESP decoder of `@effect-redis/resp`: Buffer's
 * own string slicing, Node's ASCII check, and binary values that are
 * `Buffer`s. The Node transport hands this platform to the client; use it
 * directly when you decode RESP yourself on Node:
 *
 * ```ts
 * import { NodeResp } from "@effect-redis/node"
 * import { RespDecoder } from "@effect-redis/resp"
 *
 * const decoder = new RespDecoder.RespDecoder({ platform: NodeResp.decoderPlatform })
 * ```
 *
 * The tricks below lean on V8 and on undocumented (but long stable) Buffer
 * methods; the codec benchmark compares them with the standard platform, so
 * a Node release that makes them slower shows up there.
 *
 * @since 0.2.0
 */
import type { RespDecoderPlatform } from "@effect-redis/resp/RespDecoder"
import { Buffer, constants, isAscii } from "node:buffer"

// Buffer's undocumented slicing methods skip the encoding dispatch of
// `toString`; they matter for short strings.
interface FastBuffer extends Buffer {
  utf8Slice(start: number, end: number): string
  latin1Slice(start: number, end: number): string
}

// Binary values are Buffers made the way Node makes its own: instances of a
// Uint8Array subclass whose prototype inherits from Buffer.prototype, with
// `constructor` Buffer. Building one over the decoder's memory costs well
// under half of `subarray`, which reads `buffer` through a call into C++
// and clamps its arguments. The class is anonymous because tools that keep
// names (esbuild's keepNames, used by tsx and vitest) redefine `name` on a
// named class, and V8 then constructs its instances on a slow path.
const View = (() => class extends Uint8Array {})()
Object.setPrototypeOf(View.prototype, Buffer.prototype)
Object.defineProperty(View.prototype, "constructor", { value: Buffer, writable: true, configurable: true })

/**
 * The decoder platform for Node.js: strings through Buffer's `latin1Slice`
 * (for ASCII) and `utf8Slice`, `buffer.isAscii`, binary values that are
 * `Buffer`s, and Node's own string limit.
 *
 * @since 0.2.0
 * @category platforms
 */
export const decoderPlatform: RespDecoderPlatform = {
  wrap: (chunk) => Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
  alloc: (size) => Buffer.allocUnsafe(size),
  utf8: (bytes, start, end) => (bytes as FastBuffer).utf8Slice(start, end),
  ascii: (bytes, start, end) => (bytes as FastBuffer).latin1Slice(start, end),
  isAscii: (bytes, start, end) => isAscii(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end)),
  binary: (buffer, offset, length) => new View(buffer, offset, length),
  maxStringLength: constants.MAX_STRING_LENGTH
}
