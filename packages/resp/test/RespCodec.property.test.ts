import { NodeResp } from "@effect-redis/node"
import { RespProtocolError, standardPlatform } from "@effect-redis/resp/RespDecoder"
import { type Argument, encodeCommand, encodeFrame, RespCommandWriter } from "@effect-redis/resp/RespEncoder"
import * as RespFrame from "@effect-redis/resp/RespFrame"
import type { RespValue } from "@effect-redis/resp/RespValue"
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { frame } from "./arbitraries.js"
import { cutsFor, decode, platforms } from "./utils.js"

describe("RESP codec properties", () => {
  it("decodes encoded frames to their values under any chunk split, in text and binary mode, on every platform, copying chunks or not", () => {
    fc.assert(
      fc.property(
        fc.array(frame, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.boolean(),
        fc.constantFrom(...platforms),
        fc.boolean(),
        (frames, raw, binary, [, platform], immutableChunks) => {
          const input = Buffer.concat(frames.map(encodeFrame))
          const result = decode(input, { binary, cuts: cutsFor(input.length, raw), platform, immutableChunks })
          assert.isUndefined(result.error, result.error?.message)
          assert.deepStrictEqual(result.values, frames.map((f) => RespFrame.toValue(f, binary)))
          assert.isFalse(result.partial)
        }
      ),
      { numRuns: 1500 }
    )
  })

  it("decodes every single-byte split of encoded frames", () => {
    fc.assert(
      fc.property(frame, fc.boolean(), fc.constantFrom(...platforms), (f, binary, [, platform]) => {
        const input = encodeFrame(f)
        const cuts = Array.from({ length: Math.max(0, input.length - 1) }, (_, i) => i + 1)
        const result = decode(input, { binary, cuts, platform })
        assert.isUndefined(result.error, result.error?.message)
        assert.deepStrictEqual(result.values, [RespFrame.toValue(f, binary)])
      }),
      { numRuns: 300 }
    )
  })

  const token = fc.oneof(
    fc.constantFrom(
      "*",
      "$",
      "%",
      "~",
      ">",
      "|",
      ":",
      "+",
      "-",
      "_",
      "#",
      ",",
      "(",
      "=",
      "!",
      ";",
      ".",
      "?",
      "-1",
      "0",
      "1",
      "2",
      "3",
      "t",
      "inf",
      "txt:",
      "\r\n",
      "\r",
      "\n"
    ),
    fc.string({ maxLength: 3 })
  )

  it("gives values or a protocol error, never throws, for arbitrary bytes", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.array(token, { maxLength: 60 }).map((ts) => Buffer.from(ts.join(""), "latin1"))
        ),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        fc.constantFrom(...platforms),
        (input, raw, binary, [, platform]) => {
          const result = decode(input, { binary, cuts: cutsFor(input.length, raw), maxDepth: 8, platform })
          if (result.error !== undefined) {
            assert.instanceOf(result.error, RespProtocolError)
            assert.notMatch(result.error.message, /could not be decoded/)
            assert.isAtLeast(result.error.offset, 0)
            assert.isBelow(result.error.offset, input.length)
          }
        }
      ),
      { numRuns: 3000 }
    )
  })

  it("decodes the same text and bytes on every platform, valid UTF-8 or not", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 40 }),
            fc.uint8Array({ minLength: 1100, maxLength: 3000 }),
            fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => new Uint8Array(Buffer.from(s)))
          ),
          { minLength: 1, maxLength: 6 }
        ),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        (payloads, raw, binary) => {
          const input = Buffer.concat(payloads.map((p) => encodeFrame(RespFrame.BulkString(p))))
          const cuts = cutsFor(input.length, raw)
          const a = decode(input, { binary, cuts, platform: standardPlatform })
          const b = decode(input, { binary, cuts, platform: NodeResp.decoderPlatform })
          assert.isUndefined(a.error)
          assert.isUndefined(b.error)
          if (binary) {
            assert.deepStrictEqual(a.values.map((v) => Array.from(v as Uint8Array)), payloads.map((p) => Array.from(p)))
            assert.deepStrictEqual(b.values.map((v) => Array.from(v as Uint8Array)), payloads.map((p) => Array.from(p)))
          } else {
            assert.deepStrictEqual(a.values, b.values)
            assert.deepStrictEqual(a.values, payloads.map((p) => Buffer.from(p).toString("utf8")))
          }
        }
      ),
      { numRuns: 500 }
    )
  })

  it("tells ASCII chunks from others wherever the one high byte sits", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1024, maxLength: 3000 }).map((bytes) => bytes.map((b) => b & 0x7f)),
        fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff }))),
        fc.nat(7),
        fc.constantFrom(...platforms),
        (ascii, high, shift, [, platform]) => {
          const payload = Buffer.from(ascii)
          if (high !== null) payload[high[0] % payload.length] = high[1]
          // Nulls of three bytes before it move the payload across word boundaries.
          const input = Buffer.concat([Buffer.from("_\r\n".repeat(shift)), encodeFrame(RespFrame.BulkString(payload))])
          const result = decode(input, { platform })
          assert.deepStrictEqual(result.values.at(-1), payload.toString("utf8"))
        }
      ),
      { numRuns: 300 }
    )
  })

  const argument: fc.Arbitrary<Argument> = fc.oneof(
    { arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }), weight: 4 },
    // Past the writer's short-string path, ASCII or not, lone surrogates included.
    { arbitrary: fc.string({ unit: "binary-ascii", minLength: 60, maxLength: 300 }), weight: 1 },
    {
      arbitrary: fc.string({
        unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
        maxLength: 200
      }),
      weight: 1
    },
    { arbitrary: fc.integer(), weight: 4 },
    { arbitrary: fc.maxSafeNat(), weight: 1 },
    { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 4 },
    { arbitrary: fc.bigInt(), weight: 4 },
    { arbitrary: fc.uint8Array({ maxLength: 30 }), weight: 4 },
    // Larger than the writer's first slab, so that batches move to a larger one.
    {
      arbitrary: fc.integer({ min: 60_000, max: 140_000 }).map((size) => new Uint8Array(size).fill(size & 255)),
      weight: 1
    }
  )

  const expectedBytes = (arg: Argument): Buffer =>
    arg instanceof Uint8Array
      ? Buffer.from(arg)
      : Buffer.from(
        // JavaScript's shortest round-trip form, except that integers past
        // 1e21 are spelled out instead of switching to exponent notation.
        typeof arg === "number" && Math.abs(arg) >= 1e21 ? BigInt(arg).toString() : String(arg),
        "utf8"
      )

  it("encodes commands that decode back to their arguments", () => {
    fc.assert(
      fc.property(fc.array(argument, { minLength: 1, maxLength: 8 }), (args) => {
        const encoded = encodeCommand(args)
        assert.isTrue(Either.isRight(encoded))
        const result = decode(Either.getOrThrow(encoded), { binary: true })
        assert.deepStrictEqual(result.values, [args.map(expectedBytes)])
      })
    )
  })

  it("batches commands in RespCommandWriter and skips rejected ones", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.array(argument, { minLength: 1, maxLength: 6 }), fc.option(fc.nat(5), { freq: 4 })),
          { maxLength: 12 }
        ),
        fc.nat(3),
        (commands, takeEvery) => {
          const writer = new RespCommandWriter()
          const accepted: Array<RespValue> = []
          const batches: Array<Uint8Array> = []
          commands.forEach(([args, poison], i) => {
            const withPoison = poison === null ? args : [...args.slice(0, poison), NaN, ...args.slice(poison)]
            const before = writer.pending
            const error = writer.write(withPoison)
            if (poison === null) {
              assert.isUndefined(error)
              accepted.push(args.map(expectedBytes))
              assert.strictEqual(writer.pending, before + 1)
            } else {
              assert.strictEqual(error?._tag, "RespEncodeError")
              assert.strictEqual(error?.argumentIndex, Math.min(poison, args.length))
              assert.strictEqual(writer.pending, before)
            }
            if (takeEvery > 0 && i % takeEvery === 0) batches.push(writer.take())
          })
          batches.push(writer.take())
          assert.strictEqual(writer.pending, 0)
          const result = decode(Buffer.concat(batches), { binary: true })
          assert.deepStrictEqual(result.values, accepted)
        }
      )
    )
  })
})
