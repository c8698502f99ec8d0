/**
 * `keyPrefix`: one decoration of the executor under the views that puts a
 * namespace in front of every key a command names, and takes it off the
 * key names replies carry. Built only when the option is set.
 *
 * - Keys: the positions the command's spec declares (`Command.keyIndices`);
 *   for `raw`, the positions the server's key specifications give
 *   (`commandKeys.ts`, `COMMAND INFO` once per name). Script and function
 *   calls are covered by their specs (the keys after `numkeys`).
 * - Key patterns: SCAN MATCH (added as `prefix*` when absent), KEYS, and
 *   SORT / SORT_RO BY and GET patterns (`GET #` stays); the key of
 *   CLUSTER KEYSLOT.
 * - Key names in replies, prefix removed: SCAN, KEYS, RANDOMKEY, the key
 *   of BLPOP, BRPOP, BZPOPMIN, BZPOPMAX, LMPOP, BLMPOP, ZMPOP, BZMPOP, and
 *   the stream names of XREAD and XREADGROUP (in pipelines and
 *   transactions too, where EXEC's reply is rewritten item by item).
 *
 * It sits above client-side caching and cluster routing, so both see the
 * full key names the server uses (slots, invalidations).
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import { RespError, RespMap, RespSet } from "@effect-redis/resp/RespValue"
import * as Effect from "effect/Effect"
import * as Command from "../Command.js"
import type { Executor } from "../Executor.js"
import { RedisArgumentError, RedisConnectionError, type RedisError } from "../RedisError.js"
import type { KeyFinder } from "./commandKeys.js"
import { failedBatch } from "./placement.js"

/** The glob pattern matching `text` literally: `*`, `?`, `[`, `]` and `\` escaped. */
export const globLiteral = (text: string): string => text.replace(/[*?[\]\\]/g, "\\$&")

const encoder = new TextEncoder()

/** What a command's name says beyond its key positions: key patterns among its arguments, key names in its reply. */
interface Rule {
  readonly args?: (args: Array<Command.RedisArg>, prefix: KeyPrefix) => void
  readonly reply?: (reply: RespValue, prefix: KeyPrefix) => RespValue
}

const upper = (arg: Command.RedisArg | undefined): string =>
  typeof arg === "string"
    ? arg.toUpperCase()
    : arg instanceof Uint8Array
    ? new TextDecoder().decode(arg).toUpperCase()
    : ""

/** Every element of an array (or RESP3 set) reply is a key. */
const allNames = (reply: RespValue, prefix: KeyPrefix): RespValue =>
  Array.isArray(reply)
    ? reply.map(prefix.strip)
    : reply instanceof RespSet
    ? new RespSet(reply.items.map(prefix.strip))
    : reply

/** The first element of the reply is the key it came from (`null`: nothing popped). */
const firstName = (reply: RespValue, prefix: KeyPrefix): RespValue =>
  Array.isArray(reply) && reply.length > 0 ? [prefix.strip(reply[0]!), ...reply.slice(1)] : reply

const popped: Rule = { reply: firstName }

/** SCAN cursor [MATCH pattern] [COUNT n] [TYPE t]: the options come in pairs after the cursor. */
const scan: Rule = {
  args: (args, prefix) => {
    for (let i = 2; i + 1 < args.length; i += 2) {
      if (upper(args[i]) === "MATCH") {
        args[i + 1] = prefix.pattern(args[i + 1]!)
        return
      }
    }
    args.push("MATCH", prefix.pattern("*"))
  },
  reply: (reply, prefix) =>
    Array.isArray(reply) && reply.length === 2 ? [reply[0]!, allNames(reply[1]!, prefix)] : reply
}

/** SORT key [BY pattern] [LIMIT offset count] [GET pattern…] [ASC|DESC] [ALPHA] [STORE destination]. */
const sort: Rule = {
  args: (args, prefix) => {
    for (let i = 2; i < args.length;) {
      const token = upper(args[i])
      if ((token === "BY" || token === "GET") && i + 1 < args.length) {
        if (!(token === "GET" && args[i + 1] === "#")) args[i + 1] = prefix.pattern(args[i + 1]!)
        i += 2
      } else {
        i += token === "LIMIT" ? 3 : token === "STORE" ? 2 : 1
      }
    }
  }
}

/** XREAD and XREADGROUP: stream name → entries, a map in RESP3 and pairs in RESP2. */
const streams: Rule = {
  reply: (reply, prefix) =>
    reply instanceof RespMap
      ? new RespMap(reply.entries.map((item, i) => i % 2 === 0 ? prefix.strip(item) : item))
      : Array.isArray(reply)
      ? reply.map((pair) => firstName(pair, prefix))
      : reply
}

const rules: ReadonlyMap<string, Rule> = new Map(Object.entries(
  {
    SCAN: scan,
    KEYS: {
      args: (args, prefix) => {
        if (args.length > 1) args[1] = prefix.pattern(args[1]!)
      },
      reply: allNames
    },
    RANDOMKEY: { reply: (reply, prefix) => prefix.strip(reply) },
    SORT: sort,
    SORT_RO: sort,
    BLPOP: popped,
    BRPOP: popped,
    BZPOPMIN: popped,
    BZPOPMAX: popped,
    LMPOP: popped,
    BLMPOP: popped,
    ZMPOP: popped,
    BZMPOP: popped,
    XREAD: streams,
    XREADGROUP: streams,
    // The slot a key of ours lives in is that of its full name.
    "CLUSTER KEYSLOT": {
      args: (args, prefix) => {
        if (args.length > 2) args[2] = prefix.key(args[2]!)
      }
    }
  } satisfies Record<string, Rule>
))

const isRaw = (command: Command.Command<unknown>): boolean => (command.spec.flags & Command.Flags.raw) !== 0

/** A copy of `command` with other arguments and decoder, blocking time kept. */
const rebuilt = <A>(
  command: Command.Command<A>,
  args: ReadonlyArray<Command.RedisArg>,
  decode: (reply: RespValue) => A
): Command.Command<A> =>
  command.blockMillis === undefined
    ? Command.make(command.spec, args, decode)
    : Command.makeBlocking(command.spec, args, decode, command.blockMillis)

/** The lookup of a raw call's keys failed: the call itself was not sent. */
const lookupFailed = (name: string, error: RedisError): RedisError =>
  "outcome" in error && error.outcome === "may-have-executed"
    ? new RedisConnectionError({
      reason: "Unavailable",
      message: `keyPrefix: could not learn where the keys of ${name} are (COMMAND INFO failed: ${error.message}); ` +
        `${name} was not sent`,
      command: name,
      outcome: "not-sent",
      cause: error
    })
    : error

export class KeyPrefix {
  private readonly bytes: Uint8Array
  private readonly glob: string
  private readonly globBytes: Uint8Array

  constructor(readonly text: string, private readonly finder: KeyFinder) {
    this.bytes = encoder.encode(text)
    this.glob = globLiteral(text)
    this.globBytes = encoder.encode(this.glob)
  }

  /** A key with the prefix in front, in the key's own form (text or bytes). */
  readonly key = (key: Command.RedisArg): Command.RedisArg => this.before(this.text, this.bytes, key)

  /** A glob pattern restricted to prefixed keys: the prefix, taken literally, in front. */
  readonly pattern = (pattern: Command.RedisArg): Command.RedisArg => this.before(this.glob, this.globBytes, pattern)

  /** A key name from a reply without the prefix; anything else as it is. */
  readonly strip = (value: RespValue): RespValue => {
    if (typeof value === "string") return value.startsWith(this.text) ? value.slice(this.text.length) : value
    if (!(value instanceof Uint8Array) || value.length < this.bytes.length) return value
    for (let i = 0; i < this.bytes.length; i++) if (value[i] !== this.bytes[i]) return value
    return value.subarray(this.bytes.length)
  }

  /** An executor whose commands and batches are prefixed (its masters too, for `scanStream`). */
  decorate(executor: Executor): Executor {
    return {
      ...(executor.masters && {
        masters: Effect.map(executor.masters, (masters) => masters.map((master) => this.decorate(master)))
      }),
      execute: (command, binary) =>
        isRaw(command)
          ? Effect.flatMap(
            this.rawKeys(command),
            (keys) => executor.execute(this.rewritten(command, keys, true), binary)
          )
          : executor.execute(this.rewritten(command, Command.keyIndices(command), true), binary),
      executeAll: (batch, binary) =>
        batch.some(isRaw)
          ? Effect.flatMap(
            Effect.either(Effect.forEach(batch, (command) =>
              isRaw(command) ? this.rawKeys(command) : Effect.succeed(Command.keyIndices(command)))),
            (keys) =>
              keys._tag === "Left"
                ? Effect.succeed(failedBatch(batch, keys.left))
                : executor.executeAll(this.batch(batch, keys.right), binary)
          )
          : Effect.suspend(() =>
            executor.executeAll(this.batch(batch, batch.map(Command.keyIndices)), binary)
          )
    }
  }

  /**
   * A batch prefixed: a command queued inside MULTI answers QUEUED, so its
   * reply is left alone, and EXEC's reply is rewritten item by item instead.
   */
  private batch(
    batch: ReadonlyArray<Command.Command<unknown>>,
    keys: ReadonlyArray<ReadonlyArray<number>>
  ): Array<Command.Command<unknown>> {
    const out = new Array<Command.Command<unknown>>(batch.length)
    let multi = -1
    for (let i = 0; i < batch.length; i++) {
      const command = batch[i]!
      const name = command.spec.name
      if (name === "EXEC" && multi >= 0) {
        out[i] = this.exec(command, batch.slice(multi + 1, i))
        multi = -1
      } else {
        out[i] = this.rewritten(command, keys[i]!, multi < 0)
        if (name === "MULTI") multi = i
        else if (name === "DISCARD") multi = -1
      }
    }
    return out
  }

  /** EXEC, with the key names of each queued command's reply stripped. */
  private exec(command: Command.Command<unknown>, queued: ReadonlyArray<Command.Command<unknown>>) {
    const rewrites = queued.map((queued) => rules.get(queued.spec.name)?.reply)
    if (rewrites.every((rewrite) => rewrite === undefined)) return command
    const strip = (item: RespValue, i: number) => {
      const rewrite = rewrites[i]
      return rewrite === undefined || item instanceof RespError ? item : rewrite(item, this)
    }
    return Command.make(
      command.spec,
      command.args,
      (reply) => command.decode(Array.isArray(reply) ? reply.map(strip) : reply)
    )
  }

  /** Where the keys of a raw call are, as the server's key specifications say. */
  private rawKeys(command: Command.Command<unknown>): Effect.Effect<ReadonlyArray<number>, RedisError> {
    const name = command.spec.name
    return this.finder.keyIndices(command.args).pipe(
      Effect.mapError((error) => lookupFailed(name, error)),
      Effect.flatMap((indices) =>
        indices === undefined
          ? Effect.fail(
            new RedisArgumentError({
              message: `keyPrefix: which arguments of ${name} are keys cannot be told (a key the server names ` +
                `also appears as another argument); use the typed command, or a client without keyPrefix`,
              command: name,
              outcome: "not-sent"
            })
          )
          // MIGRATE … "" … KEYS k…: the empty key says "the keys follow KEYS", it is not one.
          : Effect.succeed(name === "MIGRATE" ? indices.filter((i) => !(i === 3 && command.args[3] === "")) : indices)
      )
    )
  }

  /** A command with its keys and key patterns prefixed, and (`withReply`) the key names of its reply stripped. */
  private rewritten<A>(
    command: Command.Command<A>,
    indices: ReadonlyArray<number>,
    withReply: boolean
  ): Command.Command<A> {
    const rule = rules.get(command.spec.name)
    if ((indices.length === 0 && rule === undefined) || Command.refusalOf(command) !== undefined) return command
    const args = command.args.slice()
    for (const i of indices) args[i] = this.key(args[i]!)
    rule?.args?.(args, this)
    const reply = withReply ? rule?.reply : undefined
    const decode = command.decode
    return rebuilt(command, args, reply === undefined ? decode : (value) => decode(reply(value, this)))
  }

  private before(text: string, bytes: Uint8Array, arg: Command.RedisArg): Command.RedisArg {
    if (!(arg instanceof Uint8Array)) return `${text}${arg}`
    const out = new Uint8Array(bytes.length + arg.length)
    out.set(bytes)
    out.set(arg, bytes.length)
    return out
  }
}
