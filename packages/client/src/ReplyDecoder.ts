/**
 * Reply decoders: functions from a decoded RESP value to the typed result of
 * a command. They accept the RESP2 and the RESP3 shape of the same reply
 * (a flat array or a map, a bulk string or a double) and throw a
 * {@link ReplyShapeError} on anything else, which the client reports as a
 * typed `RedisDecodeError`.
 *
 * In binary mode bulk strings arrive as `Uint8Array`; decoders pass them
 * through untouched, convert them only where they parse a number, and turn
 * map keys into strings. Where a decoder makes text of a bulk string itself
 * (names, statuses, INFO…), its result is {@link Text}, which the binary
 * view's types leave a string, as it is at runtime.
 *
 * @since 0.1.0
 */
import {
  RespDouble,
  RespMap,
  RespPush,
  RespSet,
  RespTextTooLong,
  type RespValue,
  RespVerbatim
} from "@effect-redis/resp/RespValue"
import type * as Brand from "effect/Brand"
import * as Option from "effect/Option"

/**
 * Thrown by a decoder when a reply does not have the expected shape.
 *
 * @since 0.1.0
 * @category errors
 */
export class ReplyShapeError {
  /**
   * @since 0.1.0
   */
  readonly _tag = "ReplyShapeError"
  constructor(
    readonly expected: string,
    readonly reply: RespValue
  ) {}
}

/**
 * Text the client decoded itself (with {@link text}): it stays a string in
 * the binary view too, where bulk strings passed through are `Uint8Array`s.
 * The brand exists only in the types, so that `Binary<Text>` is `Text`; a
 * `Text` goes wherever a `string` does. The reverse does not hold, so a
 * search with a plain string needs the list widened first:
 * `(names as ReadonlyArray<string>).includes("get")`.
 *
 * @since 0.1.0
 * @category models
 */
export type Text = string & Brand.Brand<"@effect-redis/client/Text">

/**
 * A reply decoder.
 *
 * @since 0.1.0
 * @category models
 */
export type Decoder<A> = (reply: RespValue) => A

const textDecoder = new TextDecoder()

const fail = (expected: string, reply: RespValue): never => {
  throw new ReplyShapeError(expected, reply)
}

/**
 * The reply as it came, except a reply that is one string too long for
 * text (a `RespTextTooLong`), which fails: read it with `redis.binary`.
 * Inside an aggregate such a string stays a `RespTextTooLong`.
 *
 * @since 0.1.0
 * @category decoders
 */
export const raw: Decoder<RespValue> = (reply) => reply instanceof RespTextTooLong ? fail("a reply", reply) : reply

/**
 * `OK` (or any simple status): decodes to `void`.
 *
 * @since 0.1.0
 * @category decoders
 */
export const ok: Decoder<void> = (reply) => {
  if (typeof reply !== "string") fail("a status reply", reply)
}

/**
 * A string, bulk or simple; in binary mode a bulk string stays a `Uint8Array`.
 *
 * @since 0.1.0
 * @category decoders
 */
export const bulk: Decoder<string> = (reply) => {
  if (typeof reply === "string" || reply instanceof Uint8Array) return reply as string
  if (reply instanceof RespVerbatim) return reply.value as string
  return fail("a string", reply)
}

/**
 * A string converted to text even in binary mode (names, types, statuses),
 * typed {@link Text} so the binary view's types keep it a string.
 *
 * @since 0.1.0
 * @category decoders
 */
export const text: Decoder<Text> = (reply) => {
  if (typeof reply === "string") return reply as Text
  if (reply instanceof Uint8Array) return textDecoder.decode(reply) as Text
  if (reply instanceof RespVerbatim) return text(reply.value)
  return fail("a string", reply)
}

const outOfRange = "an integer within ±(2^53 - 1) (for the exact value, run the command through Command.exact)"

/**
 * An integer as a JavaScript number (a RESP3 double with an integral value
 * is one too). An integer outside the safe range (±(2^53 - 1)) fails rather
 * than losing precision: `Command.exact` reads it as a `bigint`.
 *
 * @since 0.1.0
 * @category decoders
 */
export const integer: Decoder<number> = (reply) => {
  if (typeof reply === "number") return reply
  if (typeof reply === "bigint") return fail(outOfRange, reply)
  if (reply instanceof RespDouble && Number.isInteger(reply.value)) return reply.value
  if (typeof reply === "string" || reply instanceof Uint8Array) {
    const n = Number(text(reply))
    if (Number.isSafeInteger(n)) return n
    if (Number.isInteger(n)) return fail(outOfRange, reply)
  }
  return fail("an integer", reply)
}

/**
 * An integer kept exact over the whole signed 64-bit range.
 *
 * @since 0.1.0
 * @category decoders
 */
export const bigint: Decoder<bigint> = (reply) => {
  if (typeof reply === "bigint") return reply
  if (typeof reply === "number" && Number.isInteger(reply)) return BigInt(reply)
  if (typeof reply === "string" || reply instanceof Uint8Array) {
    try {
      return BigInt(text(reply))
    } catch {
      // fall through to the shape error
    }
  }
  return fail("an integer", reply)
}

/**
 * A decoder's result with its integers as `bigint`s: what {@link exact}
 * returns for it.
 *
 * @since 0.3.0
 * @category models
 */
export type Exact<A> = A extends number ? bigint
  : A extends Option.Option<infer X> ? Option.Option<Exact<X>>
  : A extends ReadonlyArray<infer X> ? Array<Exact<X>>
  : A

const exactTwins = new WeakMap<Decoder<unknown>, Decoder<unknown>>([[integer, bigint]])

/**
 * Declares `exactDecoder` the exact form of `decoder`: the same reply with
 * its integers as `bigint`s (see {@link exact}). {@link integer} is paired
 * with {@link bigint} already.
 *
 * @since 0.3.0
 * @category combinators
 */
export const withExact = <A>(decoder: Decoder<A>, exactDecoder: Decoder<Exact<A>>): Decoder<A> => {
  exactTwins.set(decoder, exactDecoder)
  return decoder
}

/**
 * The exact form of a decoder of integers (see {@link withExact}), or
 * `undefined` when it has none (its reply is not made of integers).
 *
 * @since 0.3.0
 * @category combinators
 */
export const exact = <A>(decoder: Decoder<A>): Decoder<Exact<A>> | undefined =>
  exactTwins.get(decoder) as Decoder<Exact<A>> | undefined

/**
 * A floating point number: a RESP3 double, or the decimal text RESP2 sends
 * (`inf`, `-inf` and `nan` included).
 *
 * @since 0.1.0
 * @category decoders
 */
export const double: Decoder<number> = (reply) => {
  if (reply instanceof RespDouble) return reply.value
  if (typeof reply === "number") return reply
  if (typeof reply === "string" || reply instanceof Uint8Array) {
    const s = text(reply)
    const n = parseDouble(s)
    if (!Number.isNaN(n) || /^[+-]?nan$/i.test(s)) return n
  }
  return fail("a number", reply)
}

/**
 * Parses a double the way Redis prints one.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseDouble = (s: string): number => {
  switch (s) {
    case "inf":
    case "+inf":
      return Infinity
    case "-inf":
      return -Infinity
    default:
      return s.trim() === "" ? NaN : Number(s)
  }
}

/**
 * An integer `1`/`0` or a RESP3 boolean, as a boolean.
 *
 * @since 0.1.0
 * @category decoders
 */
export const boolean: Decoder<boolean> = (reply) => {
  if (typeof reply === "boolean") return reply
  if (typeof reply === "number") return reply !== 0
  return fail("a boolean or 0/1", reply)
}

/**
 * `OK` as `true`, nil as `false` (SET NX, RENAMENX-like replies).
 *
 * @since 0.1.0
 * @category decoders
 */
export const okOrNil: Decoder<boolean> = (reply) => {
  if (reply === null) return false
  if (typeof reply === "string") return true
  return fail("OK or nil", reply)
}

/**
 * Nil as `Option.none()`, anything else through `decoder`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const optional = <A>(decoder: Decoder<A>): Decoder<Option.Option<A>> => (reply) =>
  reply === null ? Option.none() : Option.some(decoder(reply))

/**
 * The items of an array, set or push reply (nil counts as empty).
 *
 * @since 0.1.0
 * @category utils
 */
export const items = (reply: RespValue): Array<RespValue> => {
  if (Array.isArray(reply)) return reply
  if (reply instanceof RespSet || reply instanceof RespPush) return reply.items
  if (reply === null) return []
  return fail("an array", reply)
}

/**
 * An array (or set) of values decoded by `decoder`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const array = <A>(decoder: Decoder<A>): Decoder<Array<A>> => (reply) => {
  const list = items(reply)
  const out = new Array<A>(list.length)
  for (let i = 0; i < list.length; i++) out[i] = decoder(list[i]!)
  return out
}

/**
 * The flat key/value list of a map reply: a RESP3 map, or the flat array
 * RESP2 sends for it. RESP3 arrays of pairs (`[[k, v], …]`) are flattened.
 *
 * @since 0.1.0
 * @category utils
 */
export const entries = (reply: RespValue): Array<RespValue> => {
  if (reply instanceof RespMap) return reply.entries
  const list = items(reply)
  if (list.length > 0 && Array.isArray(list[0])) {
    const flat: Array<RespValue> = []
    for (const pair of list) {
      const p = items(pair)
      flat.push(p[0]!, p[1]!)
    }
    return flat
  }
  if ((list.length & 1) === 1) fail("a map (even number of items)", reply)
  return list
}

/**
 * A map reply as a record with text keys.
 *
 * @since 0.1.0
 * @category combinators
 */
export const record = <A>(decoder: Decoder<A>): Decoder<Record<string, A>> => (reply) => {
  const flat = entries(reply)
  const out: Record<string, A> = {}
  for (let i = 0; i < flat.length; i += 2) out[text(flat[i]!)] = decoder(flat[i + 1]!)
  return out
}

/**
 * A map reply as a list of `[key, value]` pairs, in server order (WITHSCORES,
 * HRANDFIELD WITHVALUES…).
 *
 * @since 0.1.0
 * @category combinators
 */
export const pairs = <K, V>(key: Decoder<K>, value: Decoder<V>): Decoder<Array<readonly [K, V]>> => (reply) => {
  const flat = entries(reply)
  const out = new Array<readonly [K, V]>(flat.length >>> 1)
  for (let i = 0, j = 0; i < flat.length; i += 2, j++) out[j] = [key(flat[i]!), value(flat[i + 1]!)]
  return out
}

/**
 * A fixed-length array decoded position by position.
 *
 * @since 0.1.0
 * @category combinators
 */
export const tuple = <const D extends ReadonlyArray<Decoder<unknown>>>(
  ...decoders: D
): Decoder<{ -readonly [K in keyof D]: D[K] extends Decoder<infer A> ? A : never }> =>
(reply) => {
  const list = items(reply)
  if (list.length !== decoders.length) fail(`an array of ${decoders.length}`, reply)
  return decoders.map((d, i) => d(list[i]!)) as never
}

/**
 * Applies `f` to what `decoder` produced.
 *
 * @since 0.1.0
 * @category combinators
 */
export const map = <A, B>(decoder: Decoder<A>, f: (a: A) => B): Decoder<B> => (reply) => f(decoder(reply))

/**
 * A map reply (RESP3 map or RESP2 flat array) read as an object: each output
 * property names the wire field it comes from and its decoder. A field the
 * server did not send reaches its decoder as nil, so `optional(…)` makes it
 * `Option.none()` while a required decoder fails. Unknown fields are ignored,
 * which keeps replies of newer servers decodable.
 *
 * @since 0.1.0
 * @category combinators
 */
export const struct = <const S extends Record<string, readonly [wire: string, decoder: Decoder<unknown>]>>(
  shape: S
): Decoder<{ -readonly [K in keyof S]: S[K][1] extends Decoder<infer A> ? A : never }> => {
  const fields = Object.entries(shape)
  return (reply) => {
    const flat = entries(reply)
    const byWire = new Map<string, RespValue>()
    for (let i = 0; i < flat.length; i += 2) byWire.set(text(flat[i]!), flat[i + 1]!)
    const out: Record<string, unknown> = {}
    for (const [name, [wire, decoder]] of fields) out[name] = decoder(byWire.get(wire) ?? null)
    return out as never
  }
}
