import { RespDecoder } from "@effect-redis/resp/RespDecoder"
import type { RespDecoderPlatform } from "@effect-redis/resp/RespDecoder"
import {
  RespAttributed,
  RespDouble,
  RespError,
  RespMap,
  RespPush,
  RespSet,
  type RespValue,
  RespVerbatim
} from "@effect-redis/resp/RespValue"
import { assert, describe, it } from "@effect/vitest"
import { decode, everySize, platforms } from "./utils.js"

const bytes = (s: string): Buffer => Buffer.from(s, "latin1")

const suite = (platform: RespDecoderPlatform) => {
  // Decodes `input` under every small chunk size and checks the same values
  // come out each time.
  const expectValues = (input: string | Buffer, expected: ReadonlyArray<RespValue>, binary = false) => {
    const data = typeof input === "string" ? bytes(input) : input
    for (const cuts of everySize(data.length)) {
      const result = decode(data, { binary, cuts, platform })
      assert.isUndefined(result.error, `cuts ${cuts.join(",")}: ${result.error?.message}`)
      assert.deepStrictEqual(result.values, [...expected], `cuts ${cuts.join(",")}`)
      assert.isFalse(result.partial)
    }
  }

  const expectError = (input: string | Buffer, offset: number, options: Parameters<typeof decode>[1] = {}) => {
    const data = typeof input === "string" ? bytes(input) : input
    for (const cuts of everySize(data.length)) {
      const result = decode(data, { ...options, cuts, platform })
      assert.isDefined(result.error, `cuts ${cuts.join(",")}: expected an error`)
      assert.strictEqual(result.error._tag, "RespProtocolError")
      assert.strictEqual(result.error.offset, offset, `cuts ${cuts.join(",")}: ${result.error.message}`)
    }
  }

  describe("RespDecoder", () => {
    describe("scalars", () => {
      it("decodes simple strings, errors and integers", () => {
        expectValues("+OK\r\n+\r\n-ERR unknown command\r\n-oops\r\n:0\r\n:-42\r\n:+7\r\n", [
          "OK",
          "",
          new RespError("ERR unknown command"),
          new RespError("oops"),
          0,
          -42,
          7
        ])
      })

      it("keeps integers in the safe range as numbers and the rest of int64 as bigints", () => {
        expectValues(
          ":9007199254740991\r\n:-9007199254740991\r\n:9007199254740992\r\n:9223372036854775807\r\n:-9223372036854775808\r\n:-0\r\n:0000000000000000001\r\n",
          [
            9007199254740991,
            -9007199254740991,
            9007199254740992n,
            9223372036854775807n,
            -9223372036854775808n,
            0,
            1
          ]
        )
      })

      it("rejects integers outside the signed 64-bit range", () => {
        expectError("+OK\r\n:9223372036854775808\r\n", 5)
        expectError(":-9223372036854775809\r\n", 0)
      })

      it("decodes bulk strings as text or bytes", () => {
        expectValues("$3\r\nfoo\r\n$0\r\n\r\n$-1\r\n", ["foo", "", null])
        expectValues("$3\r\nfoo\r\n$0\r\n\r\n$-1\r\n", [Buffer.from("foo"), Buffer.alloc(0), null], true)
      })

      it("keeps CRLF and invalid UTF-8 inside bulk payloads", () => {
        const payload = Buffer.from([0x61, 0x0d, 0x0a, 0xff, 0xfe, 0x0d, 0x0a, 0x62])
        const input = Buffer.concat([bytes("$8\r\n"), payload, bytes("\r\n")])
        expectValues(input, [payload], true)
        expectValues(input, ["a\r\n\ufffd\ufffd\r\nb"])
      })

      it("decodes a multi-byte UTF-8 character split across chunks", () => {
        const input = Buffer.from("$8\r\n€a😀\r\n+é\r\n", "utf8")
        expectValues(input, ["€a😀", "é"])
      })

      it("decodes RESP3 scalars", () => {
        expectValues(
          "_\r\n#t\r\n#f\r\n,1.5\r\n,-0.25\r\n,10\r\n,1e+300\r\n,inf\r\n,-inf\r\n,nan\r\n(3492890328409238509324850943850943825024385\r\n(-1\r\n",
          [
            null,
            true,
            false,
            new RespDouble(1.5),
            new RespDouble(-0.25),
            new RespDouble(10),
            new RespDouble(1e300),
            new RespDouble(Infinity),
            new RespDouble(-Infinity),
            new RespDouble(NaN),
            3492890328409238509324850943850943825024385n,
            -1n
          ]
        )
      })

      it("decodes verbatim strings and blob errors", () => {
        expectValues("=15\r\ntxt:Some string\r\n=4\r\nmkd:\r\n!21\r\nSYNTAX invalid syntax\r\n", [
          new RespVerbatim("txt", "Some string"),
          new RespVerbatim("mkd", ""),
          new RespError("SYNTAX invalid syntax", true)
        ])
        expectValues("=15\r\ntxt:Some string\r\n", [new RespVerbatim("txt", Buffer.from("Some string"))], true)
      })
    })

    describe("aggregates", () => {
      it("decodes arrays, maps, sets and pushes, empty and null ones included", () => {
        expectValues(
          "*2\r\n$1\r\na\r\n*1\r\n:1\r\n*0\r\n*-1\r\n%1\r\n+k\r\n:2\r\n%0\r\n~2\r\n+x\r\n+y\r\n~0\r\n>2\r\n+message\r\n$2\r\nhi\r\n>0\r\n",
          [
            ["a", [1]],
            [],
            null,
            new RespMap(["k", 2]),
            new RespMap([]),
            new RespSet(["x", "y"]),
            new RespSet([]),
            new RespPush(["message", "hi"]),
            new RespPush([])
          ]
        )
      })

      it("attaches attributes to the value they precede, at any depth", () => {
        expectValues("|1\r\n+ttl\r\n:3\r\n+v\r\n*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n|0\r\n|1\r\n+x\r\n+y\r\n_\r\n", [
          new RespAttributed(new RespMap(["ttl", 3]), "v"),
          [new RespAttributed(new RespMap(["a", "b"]), 1), 2],
          new RespAttributed(new RespMap([]), new RespAttributed(new RespMap(["x", "y"]), null))
        ])
      })

      it("decodes streamed strings and aggregates", () => {
        expectValues("$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;2\r\nld\r\n;0\r\n$?\r\n;0\r\n", ["Hello world", ""])
        expectValues("$?\r\n;2\r\n\xe2\x82\r\n;1\r\n\xac\r\n;0\r\n", [Buffer.from("€")], true)
        expectValues("$?\r\n;2\r\n\xe2\x82\r\n;1\r\n\xac\r\n;0\r\n", ["€"])
        expectValues("*?\r\n:1\r\n*?\r\n.\r\n~?\r\n+a\r\n.\r\n.\r\n%?\r\n+k\r\n:1\r\n.\r\n", [
          [1, [], new RespSet(["a"])],
          new RespMap(["k", 1])
        ])
      })

      it("nests up to the depth limit and fails beyond it", () => {
        const nested = (levels: number) => "*1\r\n".repeat(levels) + ":1\r\n"
        let expected: RespValue = 1
        for (let i = 0; i < 5; i++) expected = [expected]
        expectValues(nested(5), [expected])
        expectError(nested(6), 5 * 4, { maxDepth: 5 })
        expectError(nested(4), 3 * 4, { maxDepth: 3 })
      })

      it("counts attributes waiting for their value toward the depth limit", () => {
        // Two nested arrays and two pending attributes make four levels.
        expectError("*1\r\n*1\r\n|0\r\n|0\r\n:1\r\n", 12, { maxDepth: 3 })
        expectError("|0\r\n|0\r\n|0\r\n+v\r\n", 8, { maxDepth: 2 })
        const result = decode("|0\r\n|0\r\n+v\r\n", { maxDepth: 2, platform })
        assert.deepStrictEqual(result.values, [
          new RespAttributed(new RespMap([]), new RespAttributed(new RespMap([]), "v"))
        ])
      })

      it("refuses a declared aggregate length over the limit at its header", () => {
        expectError("*4294967295\r\n:1\r\n", 0)
        expectError("*5\r\n", 0, { maxAggregateLength: 4 })
        expectError("%3\r\n", 0, { maxAggregateLength: 5 })
        expectError("*?\r\n:1\r\n:2\r\n:3\r\n", 12, { maxAggregateLength: 2 })
      })

      it("grows aggregates as elements arrive instead of trusting the declared length", () => {
        // The most one reply may declare by default (maxReplyElements).
        const result = decode("*16777216\r\n:1\r\n", { platform })
        assert.isUndefined(result.error)
        assert.isTrue(result.partial)
      })
    })

    describe("streaming", () => {
      it("switches to binary for the next value when onValue flips the flag", () => {
        const decoder = new RespDecoder({ platform })
        const values: Array<RespValue> = []
        decoder.feed(bytes("$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"), (value) => {
          values.push(value)
          decoder.binary = !decoder.binary
        })
        assert.deepStrictEqual(values, ["a", Buffer.from("b"), "c"])
      })

      it("assembles a bulk string across many chunks into one value", () => {
        const payload = Buffer.alloc(300_000, 0x61)
        payload[150_000] = 0x62
        const input = Buffer.concat([bytes("+a\r\n$300000\r\n"), payload, bytes("\r\n:1\r\n")])
        const cuts = [5, 10, 70_000, 140_000, 210_000, 300_012, 300_013]
        const text = decode(input, { cuts, platform })
        assert.deepStrictEqual(text.values, ["a", payload.toString("latin1"), 1])
        const binary = decode(input, { cuts, binary: true, platform })
        assert.deepStrictEqual(binary.values, ["a", payload, 1])
      })

      it("decodes many short values from one large chunk, ASCII or not", () => {
        for (const word of ["hi", "h\u00e9", "a-longer-value-than-13"]) {
          const reply = Buffer.from(`+${word}\r\n$${Buffer.byteLength(word)}\r\n${word}\r\n`, "utf8")
          const input = Buffer.concat(Array.from({ length: 5000 }, () => reply))
          const text = decode(input, { platform })
          assert.strictEqual(text.values.length, 10000)
          assert.isTrue(text.values.every((v) => v === word))
          const binary = decode(input, { binary: true, platform })
          const bytes = Buffer.from(word, "utf8")
          assert.isTrue(binary.values.every((v, i) => i % 2 === 0 ? v === word : bytes.equals(v as Buffer)))
        }
      })

      it("reports partial values", () => {
        const decoder = new RespDecoder({ platform })
        assert.isFalse(decoder.hasPartial)
        decoder.feed(bytes("*2\r\n:1"), () => {})
        assert.isTrue(decoder.hasPartial)
        decoder.feed(bytes("\r\n:2\r\n"), () => {})
        assert.isFalse(decoder.hasPartial)
        decoder.feed(bytes("|1\r\n+a\r\n+b\r\n"), () => {})
        assert.isTrue(decoder.hasPartial)
        decoder.reset()
        assert.isFalse(decoder.hasPartial)
      })

      it("stays failed until reset, then counts offsets from zero", () => {
        const decoder = new RespDecoder({ platform })
        const values: Array<RespValue> = []
        const first = decoder.feed(bytes("+OK\r\n?"), (v) => values.push(v))
        assert.strictEqual(first?.offset, 5)
        assert.strictEqual(decoder.feed(bytes("+OK\r\n"), (v) => values.push(v)), first)
        decoder.reset()
        assert.strictEqual(decoder.feed(bytes(":1\r\n@"), (v) => values.push(v))?.offset, 4)
        assert.deepStrictEqual(values, ["OK", 1])
      })
    })

    describe("malformed input", () => {
      it("rejects an unknown type byte at its offset", () => {
        expectError("+OK\r\nx", 5)
        expectError("*2\r\n:1\r\n\x00", 8)
      })

      it("rejects bad and negative lengths at the header", () => {
        expectError("$abc\r\n", 0)
        expectError(":1\r\n$-2\r\n", 4)
        expectError("$\r\n", 0)
        expectError("*-1x\r\n", 0)
        expectError("%-1\r\n", 0)
        expectError("=-1\r\n", 0)
        expectError("~?x\r\n", 0)
        expectError(">?\r\n", 0)
        expectError("$99999999999999999999\r\n", 0)
      })

      it("rejects a CR without LF and a payload without CRLF", () => {
        expectError("+OK\rX", 4)
        expectError("$3\r\nfooXY", 7)
        expectError("$3\r\nfoo\rY", 8)
        expectError(":1\r\n$1\r\nab\r\n", 9)
        expectError("*1\r\n.\rx", 6)
      })

      it("rejects non-numeric integers, bad doubles, booleans, nulls and big numbers", () => {
        expectError(":12a\r\n", 0)
        expectError(":\r\n", 0)
        expectError(":-\r\n", 0)
        expectError("+a\r\n,1.5.2\r\n", 4)
        expectError(",\r\n", 0)
        expectError(", 1\r\n", 0)
        expectError(",Infinity\r\n", 0)
        expectError("#x\r\n", 0)
        expectError("#tt\r\n", 0)
        expectError("_x\r\n", 0)
        expectError("(12x\r\n", 0)
        expectError("(\r\n", 0)
      })

      it("rejects verbatim strings without a format", () => {
        expectError("=3\r\ntxt\r\n", 0)
        expectError("+a\r\n=5\r\ntxt-a\r\n", 4)
      })

      it("rejects misplaced stream markers", () => {
        expectError(".\r\n", 0)
        expectError("*1\r\n.\r\n", 4)
        expectError(";1\r\na\r\n", 0)
        expectError("$?\r\n;1\r\na\r\n+b\r\n", 11)
        expectError("%?\r\n+k\r\n.\r\n", 8)
      })

      it("enforces the bulk length limit before allocating", () => {
        expectError("$11\r\n", 0, { maxBulkLength: 10 })
        expectError("$?\r\n;6\r\naaaaaa\r\n;5\r\n", 16, { maxBulkLength: 10 })
      })

      it("enforces the line limit on every kind of line", () => {
        const long = "a".repeat(65)
        const digits = "1".repeat(65)
        for (const line of [`+${long}`, `-${long}`, `,${digits}`, `(${digits}`, `$${"0".repeat(64)}1`]) {
          expectError(`+OK\r\n${line}\r\n`, 5, { maxLineLength: 64 })
          // Without its end the line fails as soon as it is too long.
          expectError(`+OK\r\n${line}`, 5, { maxLineLength: 64 })
        }
        expectValues(`+${"a".repeat(64)}\r\n`, ["a".repeat(64)])
      })
    })
  })
}

for (const [name, platform] of platforms) describe(`with the ${name} platform`, () => suite(platform))
