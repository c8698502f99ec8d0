import { NodeResp } from "@effect-redis/node"
import { RespProtocolError, standardPlatform } from "@effect-redis/resp/RespDecoder"
import { encodeFrame } from "@effect-redis/resp/RespEncoder"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { frame } from "./arbitraries.js"
import { cutsFor, decode } from "./utils.js"

// Valid replies, broken in the ways a faulty or hostile server could break
// them: the decoder answers with values or a protocol error, never throws,
// and allocates no more than a bounded multiple of what it was fed.

// Headers and lines that claim much and deliver little.
const hostile = fc.constantFrom(
  "*2147483647\r\n",
  "*67108864\r\n",
  "%33554432\r\n",
  "$536870912\r\n",
  "$536870889\r\n",
  "=536870000\r\n",
  "$?\r\n;536870000\r\n",
  "*?\r\n",
  "|0\r\n".repeat(50),
  "*1\r\n".repeat(50),
  "|1\r\n+a\r\n+b\r\n.\r\n",
  ",-nan\r\n",
  `(${"9".repeat(2000)}`,
  `+${"a".repeat(2000)}`,
  `:${"0".repeat(100)}1\r\n`,
  `$${"0".repeat(100)}1\r\n`
)

type Mutation = (input: Buffer) => Buffer

const at = (input: Buffer, n: number): number => input.length === 0 ? 0 : n % (input.length + 1)

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([n, byte]): Mutation => (input) => {
    const out = Buffer.from(input)
    if (out.length > 0) out[n % out.length] = byte
    return out
  }),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([n, bytes]): Mutation => (input) =>
    Buffer.concat([input.subarray(0, at(input, n)), bytes, input.subarray(at(input, n))])
  ),
  fc.tuple(fc.nat(), fc.nat(40)).map(([n, length]): Mutation => (input) =>
    Buffer.concat([input.subarray(0, at(input, n)), input.subarray(at(input, n) + length)])
  ),
  fc.tuple(fc.nat(), fc.nat(), fc.nat(40)).map(([n, from, length]): Mutation => (input) => {
    const start = at(input, from)
    return Buffer.concat([
      input.subarray(0, at(input, n)),
      input.subarray(start, start + length),
      input.subarray(at(input, n))
    ])
  }),
  fc.tuple(fc.nat(), hostile).map(([n, text]): Mutation => (input) =>
    Buffer.concat([input.subarray(0, at(input, n)), Buffer.from(text, "latin1"), input.subarray(at(input, n))])
  ),
  fc.nat().map((n): Mutation => (input) => input.subarray(0, at(input, n)))
)

// What the decoder may allocate beyond a multiple of its input: the first
// reservation of one payload and one line at the default limit.
const ALLOWANCE = 64 * 1024 + 2 * (64 * 1024 + 2)

describe("RespDecoder fuzzing", () => {
  it("gives values or a protocol error for mutated replies, within a bounded multiple of its input", () => {
    fc.assert(
      fc.property(
        fc.array(frame, { minLength: 1, maxLength: 4 }),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (frames, mutations, raw, binary, node, immutableChunks) => {
          const input = mutations.reduce<Buffer>(
            (bytes, mutate) => mutate(bytes),
            Buffer.concat(frames.map(encodeFrame))
          )
          let allocated = 0
          const base = node ? NodeResp.decoderPlatform : standardPlatform
          const result = decode(input, {
            binary,
            immutableChunks,
            cuts: cutsFor(input.length, raw),
            platform: {
              ...base,
              alloc: (size) => {
                allocated += size
                return base.alloc(size)
              }
            }
          })
          if (result.error !== undefined) {
            assert.instanceOf(result.error, RespProtocolError)
            // A fault of the decoder itself would surface as this one.
            assert.notMatch(result.error.message, /could not be decoded/)
            assert.isAtLeast(result.error.offset, 0)
            assert.isAtMost(result.error.offset, input.length)
          }
          assert.isAtMost(allocated, 4 * input.length + ALLOWANCE)
        }
      ),
      { numRuns: 3000 }
    )
  })
})
