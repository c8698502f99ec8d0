/**
 * Bitmap commands: single bits, bit counts and searches, bitwise
 * operations between strings, and BITFIELD integers.
 *
 * @since 0.1.0
 */
import type { Option } from "effect"
import * as Command from "../Command.js"
import type { OneOrMany, RedisArg, RedisKey } from "../Command.js"
import { noneGiven, pushAll, sizeOf } from "../internal/args.js"
import * as Declare from "../internal/declare.js"
import * as D from "../ReplyDecoder.js"

/**
 * A bit range for BITCOUNT and BITPOS: byte offsets by default, bit offsets
 * with `unit: "BIT"` (Redis 7.0+); both ends inclusive, negative counts from
 * the end.
 *
 * @since 0.1.0
 * @category models
 */
export interface BitRange {
  readonly start: number
  readonly end: number
  readonly unit?: "BYTE" | "BIT"
}

/**
 * A BITFIELD integer type: signed (`i1`…`i64`) or unsigned (`u1`…`u63`).
 *
 * @since 0.1.0
 * @category models
 */
export type BitfieldEncoding = `i${number}` | `u${number}`

/**
 * A BITFIELD offset: in bits, or with `#` in multiples of the type width.
 *
 * @since 0.1.0
 * @category models
 */
export type BitfieldOffset = number | `#${number}`

/**
 * A BITFIELD read.
 *
 * @since 0.1.0
 * @category models
 */
export interface BitfieldGet {
  readonly op: "get"
  readonly encoding: BitfieldEncoding
  readonly offset: BitfieldOffset
}

/**
 * One BITFIELD operation. `overflow` changes how the `set` and `incrby`
 * after it handle overflows (default `WRAP`) and has no reply entry.
 *
 * @since 0.1.0
 * @category models
 */
export type BitfieldOperation =
  | BitfieldGet
  | {
    readonly op: "set"
    readonly encoding: BitfieldEncoding
    readonly offset: BitfieldOffset
    readonly value: number | bigint
  }
  | {
    readonly op: "incrby"
    readonly encoding: BitfieldEncoding
    readonly offset: BitfieldOffset
    readonly increment: number | bigint
  }
  | { readonly op: "overflow"; readonly behavior: "WRAP" | "SAT" | "FAIL" }

const rangeArgs = (args: Array<RedisArg>, range: BitRange | undefined): Array<RedisArg> => {
  if (range !== undefined) {
    args.push(range.start, range.end)
    if (range.unit !== undefined) args.push(range.unit)
  }
  return args
}

const bitfieldArgs = (args: Array<RedisArg>, operations: ReadonlyArray<BitfieldOperation>): Array<RedisArg> => {
  for (const operation of operations) {
    switch (operation.op) {
      case "get":
        args.push("GET", operation.encoding, operation.offset)
        break
      case "set":
        args.push("SET", operation.encoding, operation.offset, operation.value)
        break
      case "incrby":
        args.push("INCRBY", operation.encoding, operation.offset, operation.increment)
        break
      case "overflow":
        args.push("OVERFLOW", operation.behavior)
        break
    }
  }
  return args
}

const integers = D.withExact(D.array(D.integer), D.array(D.bigint))
const optionalIntegers = D.withExact(D.array(D.optional(D.integer)), D.array(D.optional(D.bigint)))

const declare = Declare.family()
const BITCOUNT = declare("BITCOUNT", Command.reads)
const BITFIELD = declare("BITFIELD", Command.writes)
const BITFIELD_RO = declare("BITFIELD_RO", Command.reads)
const BITOP = declare("BITOP", { flags: Command.Flags.write, keys: { first: 2, last: -1, step: 1 } })
const BITPOS = declare("BITPOS", Command.reads)
const GETBIT = declare("GETBIT", Command.reads)
const SETBIT = declare("SETBIT", Command.writes)

/**
 * The bitmap commands, one method each on the `Redis` service.
 *
 * Where the server needs at least one value (a key, a member, a pair…), an
 * empty list is refused before sending: the call fails with
 * `RedisArgumentError` (outcome `not-sent`) naming the argument.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands = {
  /**
   * BITCOUNT: the number of set bits in the string, or in a range of it.
   *
   * @returns 0 when the key does not exist.
   */
  bitcount: (key: RedisKey, range?: BitRange): Command.Command<number> =>
    Command.make(BITCOUNT, rangeArgs([BITCOUNT.command, key], range), D.integer),
  /**
   * BITFIELD: reads, writes and increments integers of any width at any
   * bit offset, in one atomic call.
   *
   * @returns one entry per `get`, `set` (the old value) and `incrby` (the
   * new value); `None` for a `set`/`incrby` that the `FAIL` overflow
   * behaviour refused. A value beyond ±(2^53 - 1) fails with
   * `RedisDecodeError`: read 64-bit fields through `Command.exact`.
   */
  bitfield: (
    key: RedisKey,
    operations: ReadonlyArray<BitfieldOperation>
  ): Command.Command<Array<Option.Option<number>>> =>
    Command.make(BITFIELD, bitfieldArgs([BITFIELD.command, key], operations), optionalIntegers),
  /**
   * BITFIELD_RO: the read-only BITFIELD (only `get`), allowed on replicas.
   *
   * @returns one value per read.
   */
  bitfieldRo: (key: RedisKey, reads: ReadonlyArray<BitfieldGet>): Command.Command<Array<number>> =>
    Command.make(BITFIELD_RO, bitfieldArgs([BITFIELD_RO.command, key], reads), integers),
  /**
   * BITOP: stores at `destination` the bitwise AND, OR, XOR of the strings
   * at `keys`, or NOT of the single one. Shorter strings are padded with
   * zero bytes.
   *
   * @returns the length of the stored string.
   */
  bitop: (
    operation: "AND" | "OR" | "XOR" | "NOT",
    destination: RedisKey,
    keys: OneOrMany<RedisKey>
  ): Command.Command<number> =>
    sizeOf(keys) === 0
      ? noneGiven(BITOP, "source key")
      : Command.make(BITOP, pushAll([BITOP.command, operation, destination], keys), D.integer),
  /**
   * BITPOS: the position of the first bit set to `bit`, optionally within a
   * range (`end` may be omitted to search to the end of the string).
   *
   * @returns the bit position from the start of the string; -1 when not
   * found, except that a search for 0 without `end` in a string of ones
   * answers the first bit past its end.
   */
  bitpos: (
    key: RedisKey,
    bit: 0 | 1,
    range?: { readonly start: number; readonly end?: number; readonly unit?: "BYTE" | "BIT" }
  ): Command.Command<number> => {
    const args: Array<RedisArg> = [BITPOS.command, key, bit]
    if (range !== undefined) {
      args.push(range.start)
      if (range.end !== undefined) args.push(range.end)
      if (range.unit !== undefined) args.push(range.unit)
    }
    return Command.make(BITPOS, args, D.integer)
  },
  /**
   * GETBIT: the bit at `offset`.
   *
   * @returns 0 or 1 (0 past the end or for a missing key).
   */
  getbit: (key: RedisKey, offset: number): Command.Command<number> =>
    Command.make(GETBIT, [GETBIT.command, key, offset], D.integer),
  /**
   * SETBIT: sets the bit at `offset`, growing the string as needed.
   *
   * @returns the previous bit.
   */
  setbit: (key: RedisKey, offset: number, value: 0 | 1): Command.Command<number> =>
    Command.make(SETBIT, [SETBIT.command, key, offset, value], D.integer)
} as const

/**
 * Every spec of the bitmap family.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
