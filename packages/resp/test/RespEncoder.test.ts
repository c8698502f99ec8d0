import { encodeCommand, encodeFrame, RespCommandWriter } from "@effect-redis/resp/RespEncoder"
import * as RespFrame from "@effect-redis/resp/RespFrame"
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("latin1")

describe("RespEncoder", () => {
  it("encodes a command as an array of bulk strings", () => {
    const encoded = encodeCommand(["SET", "k€", 42, -0, 1.5, 1e21, 12n, new Uint8Array([0, 13, 10])])
    assert.strictEqual(
      text(Either.getOrThrow(encoded)),
      "*8\r\n$3\r\nSET\r\n$4\r\nk\xe2\x82\xac\r\n$2\r\n42\r\n$1\r\n0\r\n$3\r\n1.5\r\n$22\r\n1000000000000000000000\r\n$2\r\n12\r\n$3\r\n\x00\r\n\r\n"
    )
  })

  it("spells every safe integer exactly, up to the last digits below 2^53", () => {
    const near = Array.from({ length: 64 }, (_, i) => Number.MAX_SAFE_INTEGER - i)
    for (const n of [0, 9, 10, 99, 100, 9007199254740969, ...near]) {
      const expected = String(n)
      assert.strictEqual(
        text(Either.getOrThrow(encodeCommand([n]))),
        `*1\r\n$${expected.length}\r\n${expected}\r\n`
      )
    }
  })

  it("returns a RespEncodeError for non-finite numbers and foreign values", () => {
    for (const [bad, index] of [[NaN, 1], [Infinity, 1], [-Infinity, 1]] as const) {
      const result = encodeCommand(["GET", bad])
      assert.isTrue(Either.isLeft(result))
      const error = Either.getLeft(result)
      assert.strictEqual(error._tag === "Some" ? error.value.argumentIndex : -1, index)
    }
    const writer = new RespCommandWriter()
    const untyped = [new Uint8Array([1]), undefined] as unknown as ReadonlyArray<string>
    assert.strictEqual(writer.write(untyped)?.argumentIndex, 1)
    assert.strictEqual(writer.pending, 0)
    assert.strictEqual(writer.take().length, 0)
  })

  it("writes every frame type exactly", () => {
    const frames = [
      RespFrame.SimpleString("OK"),
      RespFrame.SimpleError("ERR x"),
      RespFrame.Integer(-(2n ** 63n)),
      RespFrame.BulkString(new Uint8Array([97])),
      RespFrame.Null(),
      RespFrame.Null("bulk"),
      RespFrame.Null("array"),
      RespFrame.Array([]),
      RespFrame.Map([[RespFrame.SimpleString("k"), RespFrame.Boolean(true)]]),
      RespFrame.Set([RespFrame.Double(-Infinity)]),
      RespFrame.Attribute([], RespFrame.Double(NaN)),
      RespFrame.Push([RespFrame.Double(-0)]),
      RespFrame.BigNumber(-12345678901234567890n),
      RespFrame.VerbatimString("txt", "é"),
      RespFrame.BlobError("ERR\r\n"),
      RespFrame.StreamedString(["ab", new Uint8Array(0), "c"]),
      RespFrame.StreamedAggregate("map", [RespFrame.Integer(1), RespFrame.Double(Infinity)])
    ]
    assert.strictEqual(
      frames.map((f) => text(encodeFrame(f))).join(""),
      "+OK\r\n-ERR x\r\n:-9223372036854775808\r\n$1\r\na\r\n_\r\n$-1\r\n*-1\r\n*0\r\n%1\r\n+k\r\n#t\r\n~1\r\n,-inf\r\n|0\r\n,nan\r\n>1\r\n,-0\r\n(-12345678901234567890\r\n=6\r\ntxt:\xc3\xa9\r\n!5\r\nERR\r\n\r\n$?\r\n;2\r\nab\r\n;1\r\nc\r\n;0\r\n%?\r\n:1\r\n,inf\r\n.\r\n"
    )
  })

  it("batches commands until take and starts a new batch after it", () => {
    const writer = new RespCommandWriter()
    assert.strictEqual(writer.pending, 0)
    writer.write(["PING"])
    writer.write(["SET", new Uint8Array([120]), "é"])
    writer.write(["GET", "k"])
    assert.strictEqual(writer.pending, 3)
    assert.strictEqual(
      text(writer.take()),
      "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2\r\n\xc3\xa9\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
    )
    assert.strictEqual(writer.pending, 0)
    writer.write(["PING"])
    assert.strictEqual(text(writer.take()), "*1\r\n$4\r\nPING\r\n")
  })

  it("never writes again into a batch it handed out, through slabs that fill, grow and are let go", () => {
    const writer = new RespCommandWriter()
    const taken: Array<[Uint8Array, string]> = []
    const expected = (args: ReadonlyArray<string | Uint8Array>) =>
      `*${args.length}\r\n` +
      args.map((arg) => `$${arg.length}\r\n${typeof arg === "string" ? arg : text(arg)}\r\n`).join("")
    // Small batches past the first slab, one of 2 MiB (past the size a slab is kept at), then small ones again.
    const sizes = [...Array.from({ length: 300 }, (_, i) => i % 50), 2 * 1024 * 1024, 10, 5000, 3]
    sizes.forEach((size, i) => {
      const args = ["SET", `key:${i}`, new Uint8Array(size).fill(97 + (i % 26))]
      writer.write(args)
      if (i % 3 === 0) writer.write(["GET", `key:${i}`])
      taken.push([writer.take(), expected(args) + (i % 3 === 0 ? expected(["GET", `key:${i}`]) : "")])
    })
    for (const [batch, text_] of taken) assert.strictEqual(text(batch), text_)
  })
})
