/**
 * Reply streams for the codec benchmarks, built deterministically so every
 * run and every decoder sees the same bytes.
 *
 * @since 0.1.0
 */

/**
 * A reply stream cut into socket-sized chunks.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fixture {
  readonly name: string
  readonly chunks: ReadonlyArray<Buffer>
  /** Top-level replies in the stream. */
  readonly replies: number
  readonly bytes: number
}

/**
 * Cuts a stream into chunks of `size` bytes, each a fresh buffer as a socket
 * would deliver it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const chunked = (name: string, stream: Buffer, replies: number, size = 64 * 1024): Fixture => {
  const chunks: Array<Buffer> = []
  for (let i = 0; i < stream.length; i += size) chunks.push(Buffer.from(stream.subarray(i, i + size)))
  return { name, chunks, replies, bytes: stream.length }
}

// A small linear congruential generator: reproducible without a dependency.
const random = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) >>> 0
  return seed / 4294967296
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-"

const text = (next: () => number, length: number): string => {
  let s = ""
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)]
  return s
}

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`

/**
 * The mixed stream: simple strings, integers, small bulk strings (some
 * missing), arrays of bulk strings and, once per block, a 100 KB bulk string
 * that crosses a 64 KB chunk boundary.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const mixed = (blocks = 4): Fixture => {
  const next = random(42)
  const parts: Array<string> = []
  let replies = 0
  for (let block = 0; block < blocks; block++) {
    for (let i = 0; i < 2000; i++) {
      const pick = next()
      if (pick < 0.25) parts.push("+OK\r\n")
      else if (pick < 0.45) parts.push(`:${Math.floor(next() * 1e9)}\r\n`)
      else if (pick < 0.5) parts.push("$-1\r\n")
      else if (pick < 0.85) parts.push(bulk(text(next, 8 + Math.floor(next() * 120))))
      else {
        const n = 1 + Math.floor(next() * 20)
        parts.push(`*${n}\r\n`)
        for (let j = 0; j < n; j++) parts.push(bulk(text(next, 4 + Math.floor(next() * 40))))
      }
      replies++
    }
    parts.push(bulk(text(next, 100 * 1024)))
    replies++
  }
  return chunked("mixed", Buffer.from(parts.join(""), "latin1"), replies)
}

/**
 * `count` bulk strings of `size` bytes each, in 64 KB chunks.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const largeBulks = (size: number, count: number): Fixture => {
  const payload = Buffer.alloc(size, "x")
  const head = Buffer.from(`$${size}\r\n`)
  const crlf = Buffer.from("\r\n")
  const parts: Array<Buffer> = []
  for (let i = 0; i < count; i++) parts.push(head, payload, crlf)
  const label = size >= 1024 * 1024 ? `${size / (1024 * 1024)} MB` : `${size / 1024} KB`
  return chunked(`bulk ${label} x${count}`, Buffer.concat(parts), count)
}
