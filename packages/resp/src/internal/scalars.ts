/**
 * Byte-level checks of the RESP3 number lines, linear in their length, so
 * that the decoder converts only what it has validated.
 */

const PLUS = 43
const MINUS = 45
const DOT = 46

const isDigit = (c: number): boolean => c >= 48 && c <= 57

// The three letters at `p`, ASCII case folded, against a lowercase word.
const isWord = (bytes: Uint8Array, p: number, word: string): boolean =>
  (bytes[p]! | 0x20) === word.charCodeAt(0) && (bytes[p + 1]! | 0x20) === word.charCodeAt(1) &&
  (bytes[p + 2]! | 0x20) === word.charCodeAt(2)

/**
 * Reads a RESP3 double between `start` and `end`: `inf` or `nan` with an
 * optional sign, in any case (a server's C library may print `-nan`), or a
 * decimal with an optional fraction and exponent, which `ascii` turns into
 * the text `Number` converts. `undefined` when it is neither.
 *
 * @internal
 */
export const readDouble = (
  bytes: Uint8Array,
  start: number,
  end: number,
  ascii: (bytes: Uint8Array, start: number, end: number) => string
): number | undefined => {
  let p = start
  const sign = bytes[p]
  if (sign === PLUS || sign === MINUS) p++
  if (end - p === 3) {
    if (isWord(bytes, p, "inf")) return sign === MINUS ? -Infinity : Infinity
    if (isWord(bytes, p, "nan")) return NaN
  }
  let digits = 0
  while (p < end && isDigit(bytes[p]!)) {
    p++
    digits++
  }
  if (p < end && bytes[p] === DOT) {
    p++
    while (p < end && isDigit(bytes[p]!)) {
      p++
      digits++
    }
  }
  if (digits === 0) return undefined
  if (p < end && (bytes[p]! | 0x20) === 101) {
    p++
    if (p < end && (bytes[p] === PLUS || bytes[p] === MINUS)) p++
    const exponent = p
    while (p < end && isDigit(bytes[p]!)) p++
    if (p === exponent) return undefined
  }
  return p === end ? Number(ascii(bytes, start, end)) : undefined
}

/**
 * Whether the bytes between `start` and `end` are a RESP3 big number: an
 * optional sign and at least one digit.
 *
 * @internal
 */
export const isBigNumber = (bytes: Uint8Array, start: number, end: number): boolean => {
  let p = start
  if (bytes[p] === PLUS || bytes[p] === MINUS) p++
  if (p === end) return false
  for (; p < end; p++) if (!isDigit(bytes[p]!)) return false
  return true
}
