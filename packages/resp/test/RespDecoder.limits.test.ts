import { NodeResp } from "@effect-redis/node"
import { defaultOptions, RespDecoder, type RespDecoderPlatform } from "@effect-redis/resp/RespDecoder"
import {
  RespAttributed,
  RespDouble,
  RespError,
  RespMap,
  RespTextTooLong,
  type RespValue
} from "@effect-redis/resp/RespValue"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { cutsFor, decode, platforms } from "./utils.js"

// What real servers send at the edges, and what broken or hostile ones
// could: each input is fed whole, byte by byte and in random splits, on
// every platform, and must give the same outcome.

const bytes = (s: string): Buffer => Buffer.from(s, "latin1")

type Options = Parameters<typeof decode>[1]

const splits = (length: number): fc.Arbitrary<ReadonlyArray<number>> =>
  fc.oneof(
    fc.constant([]),
    fc.constant(Array.from({ length: Math.max(0, length - 1) }, (_, i) => i + 1)),
    fc.array(fc.nat(), { maxLength: 20 }).map((raw) => cutsFor(length, raw))
  )

/** Decodes `input` under every split and platform and checks `expected` values come out. */
const expectValues = (input: Buffer, expected: ReadonlyArray<RespValue>, options: Options = {}) =>
  fc.assert(
    fc.property(splits(input.length), fc.constantFrom(...platforms), (cuts, [, platform]) => {
      const result = decode(input, { ...options, cuts, platform })
      assert.isUndefined(result.error, result.error?.message)
      assert.deepStrictEqual(result.values, [...expected])
      assert.isFalse(result.partial)
    }),
    { numRuns: 60 }
  )

/** Decodes `input` under every split and platform and checks it fails at `offset` after `before` values. */
const expectError = (
  input: Buffer,
  offset: number,
  message: RegExp,
  options: Options = {},
  before: ReadonlyArray<RespValue> = []
) =>
  fc.assert(
    fc.property(splits(input.length), fc.constantFrom(...platforms), (cuts, [, platform]) => {
      const result = decode(input, { ...options, cuts, platform })
      assert.isDefined(result.error, "expected a protocol error")
      assert.match(result.error.message, message)
      assert.strictEqual(result.error.offset, offset, result.error.message)
      assert.deepStrictEqual(result.values, [...before])
    }),
    { numRuns: 60 }
  )

/** Node's platform, counting the bytes the decoder allocates. */
const counting = () => {
  const node = NodeResp.decoderPlatform
  const counter = { allocated: 0, platform: node }
  counter.platform = {
    ...node,
    alloc: (size) => {
      counter.allocated += size
      return node.alloc(size)
    }
  }
  return counter
}

/** A platform whose engine holds strings of at most `max` characters. */
const shortStrings = (max: number): RespDecoderPlatform => ({ ...NodeResp.decoderPlatform, maxStringLength: max })

describe("RespDecoder at the limits", () => {
  describe("doubles", () => {
    it("accepts every spelling of a double real servers send", () => {
      expectValues(
        bytes(
          ",-nan\r\n,nan\r\n,inf\r\n,-inf\r\n,+inf\r\n,NaN\r\n,-INF\r\n,1e+300\r\n,-1.5E-10\r\n,3.0000000000000001e-05\r\n"
        ),
        [NaN, NaN, Infinity, -Infinity, Infinity, NaN, -Infinity, 1e300, -1.5e-10, 3.0000000000000001e-05].map(
          (n) => new RespDouble(n)
        )
      )
      expectValues(bytes(",10\r\n,-0\r\n,.5\r\n,5.\r\n"), [10, -0, 0.5, 5].map((n) => new RespDouble(n)))
    })

    it("rejects what is not a double", () => {
      for (const text of ["infinity", "1e", "e5", ".", "1.2.3", "0x10", " 1", "1 ", "--1", "+-1", "nan1", "in", ""]) {
        expectError(bytes(`:1\r\n,${text}\r\n`), 4, /Invalid double/, {}, [1])
      }
    })

    it("keeps a double apart from an integer of the same value", () => {
      expectValues(bytes(":10\r\n,10\r\n"), [10, new RespDouble(10)])
    })
  })

  describe("nesting", () => {
    it("decodes arrays nested as deep as a Lua script can make them", () => {
      const depth = 7_995
      const input = bytes("*1\r\n".repeat(depth) + ":1\r\n")
      for (const [, platform] of platforms) {
        const result = decode(input, { platform, cuts: cutsFor(input.length, [7, 1000, 20_001]) })
        assert.isUndefined(result.error)
        let value = result.values[0]
        let levels = 0
        while (Array.isArray(value)) {
          value = value[0]
          levels++
        }
        assert.strictEqual(levels, depth)
        assert.strictEqual(value, 1)
      }
    })

    it("fails one level past the limit, at the header that crosses it", () => {
      const limit = defaultOptions.maxDepth
      const result = decode("*1\r\n".repeat(limit + 1) + ":1\r\n")
      assert.strictEqual(result.error?.offset, limit * 4)
      expectError(bytes("*1\r\n".repeat(4) + ":1\r\n"), 12, /nest deeper than the limit of 3/, { maxDepth: 3 })
    })

    it("stops a chain of attributes at the depth limit instead of building it", () => {
      const limit = defaultOptions.maxDepth
      const chain = Buffer.alloc(1_000_000 * 4)
      for (let i = 0; i < chain.length; i += 4) chain.write("|0\r\n", i, "latin1")
      const result = decode(chain)
      assert.strictEqual(result.error?.offset, limit * 4)
      expectError(bytes("|0\r\n|0\r\n|0\r\n:1\r\n"), 8, /nest deeper than the limit of 2/, { maxDepth: 2 })
    })
  })

  describe("bulk payloads", () => {
    it("reserves memory as payload bytes arrive, not as the header declares", () => {
      for (const binary of [false, true]) {
        const counter = counting()
        const decoders = Array.from({ length: 8 }, (_, i) => {
          const decoder = new RespDecoder({ platform: counter.platform, immutableChunks: i % 2 === 0 })
          decoder.binary = binary
          return decoder
        })
        for (const decoder of decoders) {
          assert.isUndefined(decoder.feed(bytes("$536870000\r\nabcdef"), () => {}))
          assert.isTrue(decoder.hasPartial)
        }
        assert.isAtMost(counter.allocated, 8 * 64 * 1024, `binary ${binary}`)
      }
    })

    // A 3 MB binary payload fed in 64 KiB chunks, checked once decoded;
    // `fed` is told how many bytes went in after every feed.
    const feedLargePayload = (decoder: RespDecoder, fed: (bytes: number) => void = () => {}): number => {
      decoder.binary = true
      const payload = Buffer.alloc(3_000_000, 7)
      const input = Buffer.concat([bytes(`$${payload.length}\r\n`), payload, bytes("\r\n")])
      const values: Array<RespValue> = []
      for (let at = 0; at < input.length; at += 65_536) {
        decoder.feed(input.subarray(at, at + 65_536), (value) => values.push(value))
        fed(at + 65_536)
      }
      assert.isTrue(payload.equals(values[0] as Buffer))
      return payload.length
    }

    it("grows a payload that spans chunks to no more than twice what arrived", () => {
      const counter = counting()
      feedLargePayload(new RespDecoder({ platform: counter.platform }), (fed) => {
        // Every buffer so far, the last one at most twice what arrived.
        assert.isAtMost(counter.allocated, 4 * Math.max(fed, 64 * 1024))
      })
    })

    it("gathers a payload from chunks that stay unchanged with one buffer of its size", () => {
      const counter = counting()
      const length = feedLargePayload(new RespDecoder({ platform: counter.platform, immutableChunks: true }))
      assert.strictEqual(counter.allocated, length + 2)
    })

    it("preallocates aggregates only as far as the bytes received could fill them", () => {
      // 150,000 headers each declaring 1,000 elements: trusted, they would
      // reserve 1.2 GB of array slots for 1 MB of input.
      const headers = bytes("*1000\r\n".repeat(150_000))
      // The reply's element budget would refuse them at the 16,777th header: lifted, to see the slots.
      const decoder = new RespDecoder({ maxDepth: 1_000_000, maxReplyElements: Number.MAX_SAFE_INTEGER })
      const before = process.memoryUsage().heapUsed
      assert.isUndefined(decoder.feed(headers, () => {}))
      assert.isBelow(process.memoryUsage().heapUsed - before, 64 * 1024 * 1024)
      assert.isTrue(decoder.hasPartial)
    })

    it("returns the engine's refusal to allocate as a protocol error instead of throwing", () => {
      const platform: RespDecoderPlatform = {
        ...NodeResp.decoderPlatform,
        alloc: () => {
          throw new RangeError("Array buffer allocation failed")
        }
      }
      const decoder = new RespDecoder({ platform })
      const error = decoder.feed(bytes("+OK\r\n$100000\r\nabc"), () => {})
      assert.match(error?.message ?? "", /Array buffer allocation failed/)
      assert.notMatch(error?.message ?? "", /callback/)
    })
  })

  describe("strings too long for text", () => {
    const platform = shortStrings(10)

    it("skips a bulk string longer than the longest string and keeps decoding", () => {
      const input = bytes(`$20\r\n${"x".repeat(20)}\r\n+OK\r\n$10\r\n${"y".repeat(10)}\r\n`)
      for (const cuts of [[], [1], [6], [24], [25], [26], [5, 10, 15, 20, 25]]) {
        const result = decode(input, { cuts, platform })
        assert.isUndefined(result.error)
        assert.deepStrictEqual(result.values, [new RespTextTooLong(20), "OK", "y".repeat(10)])
        assert.isFalse(result.partial)
      }
      const binary = decode(input, { platform, binary: true })
      assert.deepStrictEqual(binary.values.map((v) => Buffer.from(v as Uint8Array).toString()), [
        "x".repeat(20),
        "OK",
        "y".repeat(10)
      ])
    })

    it("stands in for streamed, verbatim and nested strings, and blob errors in either mode", () => {
      const input = bytes(
        `$?\r\n;6\r\naaaaaa\r\n;6\r\nbbbbbb\r\n;0\r\n=15\r\ntxt:${"v".repeat(11)}\r\n*2\r\n$11\r\n${
          "n".repeat(11)
        }\r\n:1\r\n` +
          `!11\r\n${"e".repeat(11)}\r\n:2\r\n`
      )
      fc.assert(
        fc.property(splits(input.length), (cuts) => {
          const result = decode(input, { cuts, platform })
          assert.isUndefined(result.error)
          assert.deepStrictEqual(result.values, [
            new RespTextTooLong(12),
            new RespTextTooLong(15),
            [new RespTextTooLong(11), 1],
            new RespTextTooLong(11),
            2
          ])
        }),
        { numRuns: 100 }
      )
      const binary = decode(bytes(`!11\r\n${"e".repeat(11)}\r\n`), { platform, binary: true })
      assert.deepStrictEqual(binary.values, [new RespTextTooLong(11)])
    })

    it("still checks the CRLF after a skipped payload", () => {
      const input = bytes(`:1\r\n$20\r\n${"x".repeat(20)}XY`)
      for (const cuts of [[], [10], [29], [30]]) {
        assert.strictEqual(decode(input, { cuts, platform }).error?.offset, 29)
      }
      assert.strictEqual(decode(bytes(`$20\r\n${"x".repeat(20)}\rY`), { platform }).error?.offset, 26)
    })

    it("passes over a payload longer than V8's longest string without holding it", () => {
      const length = 536_870_889
      const counter = counting()
      const decoder = new RespDecoder({ platform: counter.platform })
      const values: Array<RespValue> = []
      const zeros = Buffer.alloc(1024 * 1024)
      assert.isUndefined(decoder.feed(bytes(`$${length}\r\n`), (v) => values.push(v)))
      let left = length
      while (left > 0) {
        const chunk = left >= zeros.length ? zeros : zeros.subarray(0, left)
        assert.isUndefined(decoder.feed(chunk, (v) => values.push(v)))
        left -= chunk.length
      }
      assert.isUndefined(decoder.feed(bytes("\r\n+OK\r\n"), (v) => values.push(v)))
      assert.deepStrictEqual(values, [new RespTextTooLong(length), "OK"])
      assert.isBelow(counter.allocated, 1024 * 1024)
    })
  })

  describe("lines", () => {
    it("fails a line without end once it passes the line limit, holding no more than the limit", () => {
      const counter = counting()
      const decoder = new RespDecoder({ platform: counter.platform })
      const line = Buffer.alloc(64 * 1024, 0x61)
      let error = decoder.feed(bytes("+"), () => {})
      let fed = 1
      while (error === undefined && fed < 64 * 1024 * 1024) {
        error = decoder.feed(line, () => {})
        fed += line.length
      }
      assert.match(error?.message ?? "", /line is longer than the limit of 65536 bytes/)
      assert.strictEqual(error?.offset, 0)
      assert.isAtMost(fed, 2 * 64 * 1024 + 1)
      assert.isAtMost(counter.allocated, 2 * (64 * 1024 + 2))
    })

    it("bounds big numbers by the line limit, and reads those within it", () => {
      const digits = "9".repeat(1_000)
      expectValues(bytes(`(${digits}\r\n(-${digits}\r\n`), [BigInt(digits), -BigInt(digits)])
      // A million digits fail after the first 64 KiB, whatever the split.
      const million = bytes(`(${"7".repeat(1_000_000)}\r\n`)
      for (const cuts of [[], [1], [65_536], [30_000, 60_000, 90_000]]) {
        assert.match(decode(million, { cuts }).error?.message ?? "", /line is longer/)
      }
      expectError(bytes(`(${"7".repeat(65)}\r\n`), 0, /line is longer than the limit of 64/, { maxLineLength: 64 })
    })
  })

  describe("attributes", () => {
    it("rejects an attribute that ends a streamed aggregate, and leaves nothing behind after a reset", () => {
      for (const input of ["*?\r\n:1\r\n|1\r\n+a\r\n+b\r\n.\r\n", "%?\r\n+k\r\n:1\r\n|0\r\n.\r\n"]) {
        const offset = input.lastIndexOf(".")
        expectError(bytes(input), offset, /ended after an attribute/)
      }
      const decoder = new RespDecoder()
      const values: Array<RespValue> = []
      assert.isDefined(decoder.feed(bytes("*?\r\n:1\r\n|1\r\n+a\r\n+b\r\n.\r\n"), (v) => values.push(v)))
      decoder.reset()
      assert.isUndefined(decoder.feed(bytes(":5\r\n"), (v) => values.push(v)))
      assert.deepStrictEqual(values, [5])
      assert.isFalse(decoder.hasPartial)
    })

    it("still attaches an attribute inside a streamed aggregate to the element after it", () => {
      expectValues(bytes("*?\r\n|1\r\n+a\r\n+b\r\n:1\r\n.\r\n"), [[
        new RespAttributed(new RespMap(["a", "b"]), 1)
      ]])
    })
  })

  describe("aggregate lengths", () => {
    it("refuses a declared length over the limit before reading an element", () => {
      expectError(bytes("*2147483647\r\n:1\r\n:1\r\n"), 0, /2147483647 elements exceeds the limit of 67108864/)
      expectError(bytes("%33554433\r\n"), 0, /exceeds the limit/)
    })

    it("fails a streamed aggregate at the element past the limit", () => {
      expectError(bytes("-ERR x\r\n*?\r\n:1\r\n:1\r\n:1\r\n:1\r\n"), 24, /more than 3 elements/, {
        maxAggregateLength: 3
      }, [new RespError("ERR x")])
    })
  })

  describe("elements of one reply", () => {
    const tooMany = /more than 6 elements in all its aggregates \(the maxReplyElements limit\)/

    it("refuses a hostile header at once, by default, before any element arrives", () => {
      // 2^26 is within the per-aggregate limit; its tiny elements would cost
      // from 0.5 to 2.7 GB of heap.
      expectError(bytes("*67108864\r\n:1\r\n:1\r\n"), 0, /more than 16777216 elements in all its aggregates/)
      assert.strictEqual(defaultOptions.maxReplyElements, 2 ** 24)
    })

    it("counts the declared elements of nested aggregates together, failing at the header that crosses", () => {
      // 2 + 2 + 2 declared fit; with 3 + 2, the second inner header asks for 2 with 1 left.
      expectValues(bytes("*2\r\n*2\r\n:1\r\n:2\r\n*2\r\n:3\r\n:4\r\n"), [[[1, 2], [3, 4]]], { maxReplyElements: 6 })
      expectError(bytes("*3\r\n*2\r\n:1\r\n:2\r\n*2\r\n:3\r\n:4\r\n*2\r\n:5\r\n"), 16, tooMany, {
        maxReplyElements: 6
      })
      // A map's pairs count twice, attributes count with the value they describe.
      expectError(bytes("%4\r\n"), 0, tooMany, { maxReplyElements: 6 })
      expectError(bytes("|1\r\n+a\r\n+b\r\n*5\r\n"), 12, tooMany, { maxReplyElements: 6 })
    })

    it("counts streamed elements and streamed-string chunks as they arrive", () => {
      expectError(bytes("*?\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n.\r\n"), 28, tooMany, {
        maxReplyElements: 6
      })
      expectError(bytes("*2\r\n:0\r\n$?\r\n" + ";1\r\na\r\n".repeat(6)), 40, tooMany, { maxReplyElements: 6 })
    })

    it("gives every top-level value the whole budget again", () => {
      const reply = "*3\r\n:1\r\n:2\r\n:3\r\n"
      expectValues(bytes(reply.repeat(4)), Array.from({ length: 4 }, () => [1, 2, 3]), { maxReplyElements: 3 })
      const decoder = new RespDecoder({ maxReplyElements: 3 })
      assert.isDefined(decoder.feed(bytes("*2\r\n*2\r\n"), () => {}))
      decoder.reset()
      const values: Array<RespValue> = []
      assert.isUndefined(decoder.feed(bytes(reply), (value) => values.push(value)))
      assert.deepStrictEqual(values, [[1, 2, 3]])
    })
  })
})
