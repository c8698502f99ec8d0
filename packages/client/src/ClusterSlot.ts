/**
 * Redis Cluster hash slots: which of the 16,384 slots a key belongs to.
 *
 * The slot is the CRC16 (XMODEM) of the key's bytes modulo 16,384. When the
 * key holds a hash tag, a `{…}` with at least one byte between the first `{`
 * and the next `}`, only the bytes inside the braces count, so keys sharing a
 * tag (`{user:1}:name`, `{user:1}:email`) share a slot and can go into one
 * multi-key command or transaction.
 *
 * ```ts
 * import { ClusterSlot } from "@effect-redis/client"
 *
 * ClusterSlot.slotOf("{user:1}:name") === ClusterSlot.slotOf("user:1") // true
 * ```
 *
 * @since 0.1.0
 */
import type { RedisKey } from "./Command.js"

/**
 * How many hash slots a cluster has.
 *
 * @since 0.1.0
 * @category constants
 */
export const SLOTS = 16384

const OPEN = 0x7b
const CLOSE = 0x7d

const table = (() => {
  const out = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    out[i] = crc
  }
  return out
})()

// One byte into the CRC.
const step = (crc: number, byte: number): number => ((crc << 8) & 0xffff) ^ table[((crc >> 8) ^ byte) & 0xff]!

const crc16 = (bytes: Uint8Array, start: number, end: number): number => {
  let crc = 0
  for (let i = start; i < end; i++) crc = step(crc, bytes[i]!)
  return crc
}

const encoder = new TextEncoder()

// The slot of a text key whose hashed part is ASCII, from its characters,
// with no encoding: `-1` when that part is not ASCII. The braces are found
// among characters where the encoded key would have them among bytes: the
// bytes of a multi-byte UTF-8 sequence are all 0x80 or above.
const asciiSlot = (key: string): number => {
  let start = 0
  let end = key.length
  const open = key.indexOf("{")
  if (open !== -1) {
    const close = key.indexOf("}", open + 1)
    if (close > open + 1) {
      start = open + 1
      end = close
    }
  }
  let crc = 0
  for (let i = start; i < end; i++) {
    const char = key.charCodeAt(i)
    if (char >= 0x80) return -1
    crc = step(crc, char)
  }
  return crc & (SLOTS - 1)
}

/**
 * The hash slot of a key. Text keys count as their UTF-8 bytes, as they are
 * sent.
 *
 * @since 0.1.0
 * @category slots
 */
export const slotOf = (key: RedisKey): number => {
  if (typeof key === "string") {
    const slot = asciiSlot(key)
    if (slot !== -1) return slot
  }
  const bytes = typeof key === "string" ? encoder.encode(key) : key
  let start = 0
  let end = bytes.length
  const open = bytes.indexOf(OPEN)
  if (open !== -1) {
    const close = bytes.indexOf(CLOSE, open + 1)
    if (close > open + 1) {
      start = open + 1
      end = close
    }
  }
  return crc16(bytes, start, end) & (SLOTS - 1)
}
