/**
 * Where the keys of an untyped command (`raw`) are, as the server
 * describes them: `COMMAND INFO <name>` is asked once per command name and
 * its key specifications kept, so that a cluster routes `raw` calls like
 * typed ones. Only the first key matters for routing (the server checks
 * that the others share its slot).
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Effect from "effect/Effect"
import * as Command from "../Command.js"
import type { RedisError } from "../RedisError.js"
import * as ReplyDecoder from "../ReplyDecoder.js"

const COMMAND_INFO = Command.spec("COMMAND INFO", Command.keyless)
const COMMAND_GETKEYS = Command.spec("COMMAND GETKEYS", Command.keyless)

/**
 * The index of a call's first key among its arguments; `undefined` when
 * it has none, `"ask"` when only the server can tell (`COMMAND GETKEYS`).
 */
type Locate = (args: ReadonlyArray<Command.RedisArg>) => number | undefined | "ask"

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

/** The first key of one spec, searching from `begin`. */
const firstOf = (spec: KeySpec, begin: number, args: ReadonlyArray<Command.RedisArg>): number | undefined | "ask" => {
  const find = recordOf(spec.find["spec"])
  switch (ReplyDecoder.text(spec.find["type"] ?? "")) {
    case "range": {
      const lastKey = numberOf(find["lastkey"])
      const last = lastKey >= 0 ? begin + lastKey : args.length + lastKey
      return begin < args.length && begin <= last ? begin : undefined
    }
    case "keynum": {
      const count = Number(argText(args[begin + numberOf(find["keynumidx"])]))
      const first = begin + numberOf(find["firstkey"])
      return count > 0 && first < args.length ? first : undefined
    }
    default:
      return "ask"
  }
}

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
      return sub === undefined ? undefined : sub(args)
    }
  }
  const specs: Array<KeySpec> = ReplyDecoder.items(fields[8] ?? null).map((spec) => {
    const record = recordOf(spec)
    return { begin: recordOf(record["begin_search"]), find: recordOf(record["find_keys"]) }
  })
  if (specs.length === 0) return () => undefined
  return (args) => {
    let unknown = false
    for (const spec of specs) {
      const begin = beginOf(spec, args)
      const first = typeof begin === "number" ? firstOf(spec, begin, args) : begin
      if (typeof first === "number") return first
      if (first === "ask") unknown = true
    }
    return unknown ? "ask" : undefined
  }
}

/**
 * The first keys of untyped commands, learnt from the server through
 * `run` (any node will do) and kept per command name.
 */
export class KeyFinder {
  private readonly locators = new Map<string, Locate>()

  constructor(
    private readonly run: <A>(command: Command.Command<A>, binary: boolean) => Effect.Effect<A, RedisError>
  ) {}

  /** The first key of a call, if it has one. */
  firstKey(args: ReadonlyArray<Command.RedisArg>): Effect.Effect<Command.RedisArg | undefined, RedisError> {
    const name = argText(args[0]).toLowerCase()
    const known = this.locators.get(name)
    if (known !== undefined) return this.keyAt(known, args)
    return Effect.flatMap(
      this.run(Command.make(COMMAND_INFO, ["COMMAND", "INFO", name], ReplyDecoder.raw), false),
      (reply) => {
        const info = ReplyDecoder.items(reply)[0] ?? null
        // A command the server does not know has no keys: it fails there as it would anywhere.
        const locate = info === null ? () => undefined : locatorOf(info)
        this.locators.set(name, locate)
        return this.keyAt(locate, args)
      }
    )
  }

  private keyAt(
    locate: Locate,
    args: ReadonlyArray<Command.RedisArg>
  ): Effect.Effect<Command.RedisArg | undefined, RedisError> {
    const at = locate(args)
    if (at !== "ask") return Effect.succeed(at === undefined ? undefined : args[at])
    // Keys the specs cannot place (module commands, keywords anywhere): the server lists them, as bytes.
    return this.run(Command.make(COMMAND_GETKEYS, ["COMMAND", "GETKEYS", ...args], ReplyDecoder.raw), true).pipe(
      Effect.map((keys) => {
        const first = ReplyDecoder.items(keys)[0]
        return first instanceof Uint8Array ? first : undefined
      }),
      // "The command has no key arguments": routed as keyless, and the server judges the call.
      Effect.catchTag("RedisReplyError", () => Effect.succeed(undefined))
    )
  }
}
