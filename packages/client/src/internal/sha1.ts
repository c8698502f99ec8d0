/**
 * SHA-1 of a UTF-8 string, as lowercase hex: the name Redis gives a cached
 * script. Synchronous and dependency-free so that `Script.make` works on any
 * platform the client runs on.
 */
const encoder = new TextEncoder()

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n))

export const sha1Hex = (input: string): string => {
  const bytes = encoder.encode(input)
  const bitLength = bytes.length * 8
  // Message + 0x80 + zero padding + 64-bit length, a multiple of 64 bytes.
  const total = Math.ceil((bytes.length + 9) / 64) * 64
  const block = new Uint8Array(total)
  block.set(bytes)
  block[bytes.length] = 0x80
  const view = new DataView(block.buffer)
  view.setUint32(total - 8, Math.floor(bitLength / 2 ** 32))
  view.setUint32(total - 4, bitLength >>> 0)

  let h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0
  const w = new Uint32Array(80)
  for (let offset = 0; offset < total; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4)
    for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 1)
    let a = h0, b = h1, c = h2, d = h3, e = h4
    for (let i = 0; i < 80; i++) {
      let f: number, k: number
      if (i < 20) {
        f = (b & c) | (~b & d)
        k = 0x5a827999
      } else if (i < 40) {
        f = b ^ c ^ d
        k = 0x6ed9eba1
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d)
        k = 0x8f1bbcdc
      } else {
        f = b ^ c ^ d
        k = 0xca62c1d6
      }
      const t = (rotl(a, 5) + f + e + k + w[i]!) >>> 0
      e = d
      d = c
      c = rotl(b, 30) >>> 0
      b = a
      a = t
    }
    h0 = (h0 + a) >>> 0
    h1 = (h1 + b) >>> 0
    h2 = (h2 + c) >>> 0
    h3 = (h3 + d) >>> 0
    h4 = (h4 + e) >>> 0
  }
  return [h0, h1, h2, h3, h4].map((h) => h.toString(16).padStart(8, "0")).join("")
}
