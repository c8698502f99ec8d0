import { NodeResp } from "@effect-redis/node"
import {
  RespDecoder,
  type RespDecoderOptions,
  type RespDecoderPlatform,
  type RespProtocolError,
  standardPlatform
} from "@effect-redis/resp/RespDecoder"
import type { RespValue } from "@effect-redis/resp/RespValue"

/** Every decoder platform: each codec suite runs once per platform. */
export const platforms: ReadonlyArray<readonly [name: string, platform: RespDecoderPlatform]> = [
  ["standard", standardPlatform],
  ["Node", NodeResp.decoderPlatform]
]

export interface Decoded {
  readonly values: Array<RespValue>
  readonly error: RespProtocolError | undefined
  readonly partial: boolean
}

/** Feeds `bytes` split at `cuts` (sorted offsets) to a fresh decoder. */
export const decode = (
  bytes: Uint8Array | string,
  options: { readonly binary?: boolean; readonly cuts?: ReadonlyArray<number> } & RespDecoderOptions = {}
): Decoded => {
  const input = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes
  const decoder = new RespDecoder(options)
  decoder.binary = options.binary ?? false
  const values: Array<RespValue> = []
  let error: RespProtocolError | undefined
  let from = 0
  for (const cut of [...(options.cuts ?? []), input.length]) {
    // A fresh copy per chunk, overwritten after the feed unless the decoder
    // was promised otherwise, proves values never view the caller's chunk.
    const chunk = Buffer.from(input.subarray(from, cut))
    error = decoder.feed(chunk, (value) => values.push(value))
    if (options.immutableChunks !== true) chunk.fill(0x21)
    from = cut
    if (error !== undefined) break
  }
  return { values, error, partial: decoder.hasPartial }
}

/** Every chunking of `bytes` into pieces of `size` bytes. */
export const everySize = (length: number): ReadonlyArray<ReadonlyArray<number>> => {
  const out: Array<Array<number>> = [[]]
  for (let size = 1; size < Math.min(length, 12); size++) {
    const cuts: Array<number> = []
    for (let i = size; i < length; i += size) cuts.push(i)
    out.push(cuts)
  }
  return out
}

/** Sorted, distinct cut points inside a buffer of `length` bytes, from arbitrary numbers. */
export const cutsFor = (length: number, raw: ReadonlyArray<number>): Array<number> =>
  [...new Set(raw.map((n) => length === 0 ? 0 : n % length))].filter((n) => n > 0).sort((a, b) => a - b)
