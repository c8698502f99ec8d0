/**
 * Where the keys of an untyped command (`raw`) are, as the server
 * describes them: `COMMAND INFO <name>` is asked once per command name and
 * its key specifications kept, so that a cluster routes `raw` calls like
 * typed ones (only the first key matters for routing: the server checks
 * that the others share its slot) and `keyPrefix` finds every key.
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Effect from "effect/Effect"
import * as Command from "../Command.js"
import type { RedisError } from "../RedisError.js"
import * as ReplyDecoder from "../ReplyDecoder.js"

const COMMAND_INFO = Command.spec("COMMAND INFO", Command.keyless)
const COMMAND_GETKEYS = Command.spec("COMMAND GETKEYS", Command.keyless)

/**
 * Where a call's keys are, in the order of the command's key
 * specifications; `incomplete` when a specification only the server can
 * apply (`COMMAND GETKEYS`) may add more.
 */
interface Located {
  readonly indices: ReadonlyArray<number>
  readonly incomplete: boolean
}

type Locate = (args: ReadonlyArray<Command.RedisArg>) => Located

/** A key spec's `begin_search` and `find_keys`, as flat records. */
interface KeySpec {
  readonly begin: Record<string, RespValue>
  readonly find: Record<string, RespValue>
}

const argText = (arg: Command.RedisArg | undefined): string =>
  arg === undefined ? "" : arg instanceof Uint8Array ? new TextDecoder().decode(arg) : String(arg)

const recordOf = (reply: RespValue | undefined): Record<string, RespValue> =>
  reply === undefined || reply === null ? {} : ReplyDecoder.record(ReplyDecoder.raw)(reply)

const numberOf = (reply: RespValue | undefined): number => Number(reply ?? NaN)

/** Where the search for keys starts: an argument index, or after a keyword. */
const beginOf = (spec: KeySpec, args: ReadonlyArray<Command.RedisArg>): number | undefined | "ask" => {
  const search = recordOf(spec.begin["spec"])
  switch (ReplyDecoder.text(spec.begin["type"] ?? "")) {
    case "index":
      return numberOf(search["index"])
    case "keyword": {
      const keyword = ReplyDecoder.text(search["keyword"] ?? "").toUpperCase()
      const from = numberOf(search["startfrom"])
      const step = from < 0 ? -1 : 1
      for (let i = from < 0 ? args.length + from : from; i > 0 && i < args.length; i += step) {
        if (argText(args[i]).toUpperCase() === keyword) return i + 1
      }
      return undefined
    }
    default:
      return "ask"
  }
}

/** Every `step`-th index from `first` to `last`, within the arguments. */
const stepping = (first: number, last: number, step: number, length: number): Array<number> => {
  const out: Array<number> = []
  for (let i = first; i <= last && i < length; i += Math.max(step, 1)) out.push(i)
  return out
}

/** The keys of one spec, searching from `begin`. */
const keysOf = (spec: KeySpec, begin: number, args: ReadonlyArray<Command.RedisArg>): Array<number> | "ask" => {
  const find = recordOf(spec.find["spec"])
  const step = numberOf(find["keystep"])
  switch (ReplyDecoder.text(spec.find["type"] ?? "")) {
    case "range": {
      const lastKey = numberOf(find["lastkey"])
      const limit = numberOf(find["limit"])
      // `lastkey -1` with a limit: the keys are the first 1/limit of what follows (XREAD … STREAMS k… id…).
      const last = lastKey >= 0
        ? begin + lastKey
        : lastKey === -1 && limit > 1
        ? begin + Math.floor((args.length - begin) / limit) - 1
        : args.length + lastKey
      return stepping(begin, last, step, args.length)
    }
    case "keynum": {
      const count = Number(argText(args[begin + numberOf(find["keynumidx"])]))
      const first = begin + numberOf(find["firstkey"])
      return count > 0 ? stepping(first, first + (count - 1) * Math.max(step, 1), step, args.length) : []
    }
    default:
      return "ask"
  }
}

const keyless: Located = { indices: [], incomplete: false }

/** A command's locator from its `COMMAND INFO` entry (subcommands chosen by the second argument). */
const locatorOf = (info: RespValue): Locate => {
  const fields = ReplyDecoder.items(info)
  const subcommands = ReplyDecoder.items(fields[9] ?? null)
  if (subcommands.length > 0) {
    const byName = new Map<string, Locate>(
      subcommands.map((sub) => [ReplyDecoder.text(ReplyDecoder.items(sub)[0]!), locatorOf(sub)])
    )
    return (args) => {
      const sub = byName.get(`${argText(args[0])}|${argText(args[1])}`.toLowerCase())
      return sub === undefined ? keyless : sub(args)
    }
  }
  const specs: Array<KeySpec> = ReplyDecoder.items(fields[8] ?? null).map((spec) => {
    const record = recordOf(spec)
    return { begin: recordOf(record["begin_search"]), find: recordOf(record["find_keys"]) }
  })
  if (specs.length === 0) return () => keyless
  return (args) => {
    const indices: Array<number> = []
    let incomplete = false
    for (const spec of specs) {
      const begin = beginOf(spec, args)
      const found = typeof begin === "number" ? keysOf(spec, begin, args) : begin === "ask" ? "ask" : []
      if (found === "ask") incomplete = true
      else indices.push(...found)
    }
    return { indices, incomplete }
  }
}

/**
 * The positions of `keys` (as the server lists them) among the arguments,
 * or `undefined` when a key's text also appears where it is not a key, so
 * that which occurrence is the key cannot be told.
 */
const positionsOf = (
  keys: ReadonlyArray<RespValue>,
  args: ReadonlyArray<Command.RedisArg>
): Array<number> | undefined => {
  const texts = args.map(argText)
  const wanted = new Map<string, number>()
  for (const key of keys) {
    const text = argText(key instanceof Uint8Array ? key : ReplyDecoder.text(key))
    wanted.set(text, (wanted.get(text) ?? 0) + 1)
  }
  const out: Array<number> = []
  for (let i = 1; i < texts.length; i++) if (wanted.has(texts[i]!)) out.push(i)
  return out.length === keys.length ? out : undefined
}

/**
 * The keys of untyped commands, learnt from the server through `run` (any
 * node will do) and kept per command name.
 */
export class KeyFinder {
  private readonly locators = new Map<string, Locate>()

  constructor(
    private readonly run: <A>(command: Command.Command<A>, binary: boolean) => Effect.Effect<A, RedisError>
  ) {}

  /** The first key of a call, if it has one. */
  firstKey(args: ReadonlyArray<Command.RedisArg>): Effect.Effect<Command.RedisArg | undefined, RedisError> {
    return Effect.flatMap(this.located(args), ({ incomplete, indices }) => {
      if (indices.length > 0) return Effect.succeed(args[indices[0]!])
      if (!incomplete) return Effect.succeed(undefined)
      return Effect.map(this.listed(args), (keys) => {
        const first = keys[0]
        return first instanceof Uint8Array ? first : undefined
      })
    })
  }

  /**
   * The indices of every key of a call, in argument order; `undefined`
   * when only the server knows some of them and their positions cannot be
   * told apart from equal non-key arguments.
   */
  keyIndices(args: ReadonlyArray<Command.RedisArg>): Effect.Effect<ReadonlyArray<number> | undefined, RedisError> {
    return Effect.flatMap(this.located(args), ({ incomplete, indices }) =>
      incomplete
        ? Effect.map(this.listed(args), (keys) => positionsOf(keys, args))
        : Effect.succeed([...new Set(indices)].sort((a, b) => a - b)))
  }

  private located(args: ReadonlyArray<Command.RedisArg>): Effect.Effect<Located, RedisError> {
    const name = argText(args[0]).toLowerCase()
    const known = this.locators.get(name)
    if (known !== undefined) return Effect.succeed(known(args))
    return Effect.map(
      this.run(Command.make(COMMAND_INFO, ["COMMAND", "INFO", name], ReplyDecoder.raw), false),
      (reply) => {
        const info = ReplyDecoder.items(reply)[0] ?? null
        // A command the server does not know has no keys: it fails there as it would anywhere.
        const locate = info === null ? () => keyless : locatorOf(info)
        this.locators.set(name, locate)
        return locate(args)
      }
    )
  }

  /** The keys the server finds in a call (`COMMAND GETKEYS`), as bytes. */
  private listed(args: ReadonlyArray<Command.RedisArg>): Effect.Effect<ReadonlyArray<RespValue>, RedisError> {
    return this.run(Command.make(COMMAND_GETKEYS, ["COMMAND", "GETKEYS", ...args], ReplyDecoder.raw), true).pipe(
      Effect.map(ReplyDecoder.items),
      // "The command has no key arguments": the server judges the call itself.
      Effect.catchTag("RedisReplyError", () => Effect.succeed([]))
    )
  }
}
