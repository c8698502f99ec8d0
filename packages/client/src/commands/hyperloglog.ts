/**
 * HyperLogLog commands: approximate distinct counts in 12 KiB per key.
 *
 * @since 0.1.0
 */
import * as Command from "../Command.js"
import type { OneOrMany, RedisArg, RedisKey } from "../Command.js"
import { noneGiven, pushAll, sizeOf } from "../internal/args.js"
import * as Declare from "../internal/declare.js"
import * as D from "../ReplyDecoder.js"

const declare = Declare.family()
const PFADD = declare("PFADD", Command.writes)
// PFCOUNT may rewrite the cached cardinality in the key, but COMMAND flags it read-only.
const PFCOUNT = declare("PFCOUNT", { flags: Command.Flags.readonly, keys: Command.allKeys })
const PFMERGE = declare("PFMERGE", { flags: Command.Flags.write, keys: Command.allKeys })

/**
 * The HyperLogLog commands, one method each on the `Redis` service.
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
   * PFADD: adds elements to the HyperLogLog at `key`, creating it if
   * missing (with no elements it only creates it).
   *
   * @returns `true` when the estimated cardinality changed (or the key was
   * created).
   */
  pfadd: (key: RedisKey, elements: OneOrMany<RedisArg>): Command.Command<boolean> =>
    Command.make(PFADD, pushAll([PFADD.command, key], elements), D.boolean),
  /**
   * PFCOUNT: the estimated number of distinct elements (standard error
   * 0.81%) of one HyperLogLog, or of the union of several (at least one).
   *
   * @returns the estimate; 0 for missing keys.
   */
  pfcount: (keys: OneOrMany<RedisKey>): Command.Command<number> =>
    sizeOf(keys) === 0 ? noneGiven(PFCOUNT, "key") : Command.make(PFCOUNT, pushAll([PFCOUNT.command], keys), D.integer),
  /**
   * PFMERGE: stores at `destination` the union of itself and the `sources`.
   */
  pfmerge: (destination: RedisKey, sources: OneOrMany<RedisKey>): Command.Command<void> =>
    Command.make(PFMERGE, pushAll([PFMERGE.command, destination], sources), D.ok)
} as const

/**
 * Every spec of the HyperLogLog family (PFDEBUG and PFSELFTEST are admin
 * commands and left out).
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
