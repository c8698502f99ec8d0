import { NodeResp } from "@effect-redis/node"
import { RespDecoder, type RespDecoderPlatform } from "@effect-redis/resp/RespDecoder"
import type { RespValue } from "@effect-redis/resp/RespValue"
import { assert, describe, it } from "@effect/vitest"
import { platforms } from "./utils.js"

// The decoder takes faster paths for chunks of 1 KiB and more (a shared
// Latin-1 window for short ASCII strings, Latin-1 slices for long ASCII
// ones, binary values over one private copy per chunk). These tests feed
// large chunks on purpose and check every path against the plain answer.

const bulk = (payload: Buffer): Buffer =>
  Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, Buffer.from("\r\n")])

const decodeAll = (
  chunks: ReadonlyArray<Buffer>,
  binary: boolean,
  platform: RespDecoderPlatform
): Array<RespValue> => {
  const decoder = new RespDecoder({ platform })
  decoder.binary = binary
  const values: Array<RespValue> = []
  for (const chunk of chunks) {
    const error = decoder.feed(chunk, (value) => values.push(value))
    assert.isUndefined(error)
    // The caller reuses its buffer: what was decoded must not change.
    chunk.fill(0x78)
  }
  return values
}

const sizes = [0, 1, 12, 13, 14, 1023, 1024, 1025, 3000]
const ascii = (n: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26))).join(""))
const nonAscii = (n: number) => {
  // "é" is two bytes: build n bytes of valid UTF-8 (plus one ASCII byte when n is odd).
  const text = "é".repeat(Math.floor(n / 2)) + (n % 2 === 1 ? "z" : "")
  return Buffer.from(text, "utf8")
}

const suite = (platform: RespDecoderPlatform) => {
  for (const [name, make] of [["ASCII", ascii], ["UTF-8", nonAscii]] as const) {
    it(`decodes ${name} bulk strings of every size in one large chunk, as text`, () => {
      const payloads = sizes.map(make)
      const stream = Buffer.concat([...payloads.map(bulk), ...payloads.map(bulk)])
      const values = decodeAll([Buffer.from(stream)], false, platform)
      assert.deepStrictEqual(values, [...payloads, ...payloads].map((p) => p.toString("utf8")))
    })

    it(`decodes ${name} bulk strings split at every 997 bytes, as text and as bytes`, () => {
      const payloads = sizes.map(make)
      const stream = Buffer.concat(payloads.map(bulk))
      const chunks: Array<Buffer> = []
      for (let i = 0; i < stream.length; i += 997) chunks.push(Buffer.from(stream.subarray(i, i + 997)))
      assert.deepStrictEqual(
        decodeAll(chunks.map((c) => Buffer.from(c)), false, platform),
        payloads.map((p) => p.toString("utf8"))
      )
      const binary = decodeAll(chunks, true, platform)
      assert.strictEqual(binary.length, payloads.length)
      binary.forEach((value, i) => {
        assert.instanceOf(value, Uint8Array)
        // Node's platform makes binary values Buffers.
        assert.strictEqual(Buffer.isBuffer(value), platform === NodeResp.decoderPlatform)
        assert.deepStrictEqual(Array.from(value as Uint8Array), Array.from(payloads[i]!))
      })
    })
  }

  it("keeps binary values intact after the caller overwrites a 64 KiB chunk", () => {
    const payloads = Array.from(
      { length: 200 },
      (_, i) => Buffer.from(Array.from({ length: 300 }, (_, j) => (i + j) % 256))
    )
    const stream = Buffer.concat(payloads.map(bulk))
    const values = decodeAll([stream], true, platform)
    values.forEach((value, i) => assert.isTrue(Buffer.compare(value as Buffer, payloads[i]!) === 0, `value ${i}`))
  })

  it("decodes ASCII payloads larger than one 64 KiB piece, whole and in chunks", () => {
    for (const size of [65_535, 65_536, 65_537, 200_000]) {
      const payload = ascii(size)
      const stream = bulk(payload)
      const whole = decodeAll([Buffer.from(stream)], false, platform)
      assert.strictEqual(whole[0], payload.toString("latin1"))
      const chunks: Array<Buffer> = []
      for (let i = 0; i < stream.length; i += 65_536) chunks.push(Buffer.from(stream.subarray(i, i + 65_536)))
      assert.strictEqual(decodeAll(chunks, false, platform)[0], payload.toString("latin1"))
    }
  })
}

for (const [name, platform] of platforms) {
  describe(`RespDecoder on large chunks, ${name} platform`, () => suite(platform))
}
