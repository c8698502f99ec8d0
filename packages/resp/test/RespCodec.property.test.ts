import { RespProtocolError } from "@effect-redis/resp/RespDecoder"
import { type Argument, encodeCommand, encodeFrame, RespCommandWriter } from "@effect-redis/resp/RespEncoder"
import * as RespFrame from "@effect-redis/resp/RespFrame"
import type { RespValue } from "@effect-redis/resp/RespValue"
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { decode } from "./utils.js"

const text = fc.string({ unit: "grapheme", maxLength: 20 })
const line = text.filter((s) => !s.includes("\r") && !s.includes("\n"))
const blob = fc.oneof(text, fc.uint8Array({ maxLength: 40 }))
const int64 = fc.oneof(
  fc.integer(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n, -(2n ** 53n))
)

const { frame } = fc.letrec<{ frame: RespFrame.RespFrame }>((tie) => {
  const child = tie("frame")
  const items = fc.array(child, { maxLength: 4 })
  const pairs = fc.array(fc.tuple(child, child), { maxLength: 3 })
  return {
    frame: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      line.map(RespFrame.SimpleString),
      line.map(RespFrame.SimpleError),
      int64.map(RespFrame.Integer),
      blob.map(RespFrame.BulkString),
      fc.constantFrom(undefined, "bulk" as const, "array" as const).map(RespFrame.Null),
      fc.double().map(RespFrame.Double),
      fc.boolean().map(RespFrame.Boolean),
      fc.bigInt().map(RespFrame.BigNumber),
      fc.tuple(fc.constantFrom("txt", "mkd"), blob).map(([format, t]) => RespFrame.VerbatimString(format, t)),
      text.map(RespFrame.BlobError),
      fc.array(blob, { maxLength: 4 }).map(RespFrame.StreamedString),
      items.map(RespFrame.Array),
      items.map(RespFrame.Set),
      items.map(RespFrame.Push),
      pairs.map(RespFrame.Map),
      fc.tuple(pairs, child).map(([attributes, value]) => RespFrame.Attribute(attributes, value)),
      fc.tuple(fc.constantFrom("array" as const, "set" as const), items).map(([kind, xs]) =>
        RespFrame.StreamedAggregate(kind, xs)
      ),
      pairs.map((ps) => RespFrame.StreamedAggregate("map", ps.flat()))
    )
  }
})

// Sorted, distinct cut points inside a buffer of `length` bytes.
const cutsFor = (length: number, raw: ReadonlyArray<number>): Array<number> =>
  [...new Set(raw.map((n) => length === 0 ? 0 : n % length))].filter((n) => n > 0).sort((a, b) => a - b)

describe("RESP codec properties", () => {
  it("decodes encoded frames to their values under any chunk split, in text and binary mode", () => {
    fc.assert(
      fc.property(
        fc.array(frame, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.boolean(),
        (frames, raw, binary) => {
          const input = Buffer.concat(frames.map(encodeFrame))
          const result = decode(input, { binary, cuts: cutsFor(input.length, raw) })
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
      fc.property(frame, fc.boolean(), (f, binary) => {
        const input = encodeFrame(f)
        const cuts = Array.from({ length: Math.max(0, input.length - 1) }, (_, i) => i + 1)
        const result = decode(input, { binary, cuts })
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
        (input, raw, binary) => {
          const result = decode(input, { binary, cuts: cutsFor(input.length, raw), maxDepth: 8 })
          if (result.error !== undefined) {
            assert.instanceOf(result.error, RespProtocolError)
            assert.isAtLeast(result.error.offset, 0)
            assert.isBelow(result.error.offset, input.length)
          }
        }
      ),
      { numRuns: 3000 }
    )
  })

  const argument: fc.Arbitrary<Argument> = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.bigInt(),
    fc.uint8Array({ maxLength: 30 })
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
