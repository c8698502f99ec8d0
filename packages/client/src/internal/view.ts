/**
 * Views: the typed methods, `execute`, `raw`, batches and SCAN streams of
 * an executor, in text or binary form.
 *
 * A view is one small object. Its methods live on a shared prototype as
 * getters that build the method on first use and keep it on the view, so a
 * view built for one `reserve` or `watch` costs one allocation, and a
 * destructured method (`const { get } = redis`) works like any other.
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Command from "../Command.js"
import { commands } from "../Commands.js"
import * as Keys from "../commands/keys.js"
import type { Executor } from "../Executor.js"
import type { RedisError } from "../RedisError.js"
import * as ReplyDecoder from "../ReplyDecoder.js"
import * as Declare from "./declare.js"
import * as Placement from "./placement.js"
import * as Script from "./script.js"
import * as Transaction from "./transaction.js"

// Declared like the typed commands, so that the specs read on every call share one shape of object.
const RAW = Declare.declare("RAW", { keys: undefined, flags: Command.Flags.raw })

const executorOf = Symbol("effect-redis/view/executor")
const binaryOf = Symbol("effect-redis/view/binary")

class View {
  readonly [executorOf]: Executor
  readonly [binaryOf]: boolean
  constructor(executor: Executor, binary: boolean) {
    this[executorOf] = executor
    this[binaryOf] = binary
  }
}

/** The text view also has `binary`, the same executor with bulk strings as bytes. */
class TextView extends View {
  constructor(executor: Executor) {
    super(executor, false)
  }
}

/** Adds a method to every view: built by `make` on first access, then kept on the view. */
const defineMethod = (
  target: object,
  name: string,
  make: (executor: Executor, binary: boolean, view: View) => unknown
): void => {
  Object.defineProperty(target, name, {
    configurable: true,
    get(this: View) {
      const method = make(this[executorOf], this[binaryOf], this)
      Object.defineProperty(this, name, { value: method, writable: true, configurable: true, enumerable: true })
      return method
    }
  })
}

/** Follows a SCAN-family cursor from 0 until the server returns 0, one chunk per page. */
const scanning = <A>(page: (cursor: bigint) => Effect.Effect<Keys.ScanPage<A>, RedisError>) =>
  Stream.paginateChunkEffect(
    0n,
    (cursor) =>
      Effect.map(
        page(cursor),
        ([next, items]) => [Chunk.unsafeFromArray(items), next === 0n ? Option.none() : Option.some(next)] as const
      )
  )

for (const name of Object.keys(commands)) {
  const define = (commands as Record<string, (...args: Array<unknown>) => Command.Command<unknown>>)[name]!
  defineMethod(
    View.prototype,
    name,
    (executor, binary) => (...args: Array<unknown>) => executor.execute(define(...args), binary)
  )
}

defineMethod(
  View.prototype,
  "execute",
  (executor, binary) => (command: Command.Command<unknown>) => Script.execute(executor, command, binary)
)

/** An untyped call: flagged by what its name says it does to the connection. */
const rawCommand = (args: ReadonlyArray<Command.RedisArg>): Command.Command<RespValue> => {
  const spec = {
    ...RAW,
    name: String(args[0] ?? "RAW").toUpperCase(),
    flags: RAW.flags | Placement.rawFlags(args)
  }
  const refused = Placement.refusedEverywhere(args)
  if (refused !== undefined) return Command.invalid(spec, refused)
  return (spec.flags & Command.Flags.blocking) === 0
    ? Command.make(spec, args, ReplyDecoder.raw)
    : Command.makeBlocking(spec, args, ReplyDecoder.raw, Placement.rawBlockMillis(args))
}

defineMethod(
  View.prototype,
  "raw",
  (executor, binary) => (args: ReadonlyArray<Command.RedisArg>) => executor.execute(rawCommand(args), binary)
)

type Batch = ReadonlyArray<Command.Command<unknown>> | ((r: typeof commands) => ReadonlyArray<Command.Command<unknown>>)

/** The commands of a batch: given as values, or built with the shared command table. */
const built = (batch: Batch): ReadonlyArray<Command.Command<unknown>> =>
  typeof batch === "function" ? batch(commands) : batch

defineMethod(
  View.prototype,
  "pipeline",
  (executor, binary) => (batch: Batch) =>
    Effect.map(Script.withScriptsLoaded(executor.executeAll, built(batch), binary), Transaction.toEithers)
)

defineMethod(
  View.prototype,
  "transaction",
  (executor, binary) => (batch: Batch) => Transaction.run(executor.executeAll, built(batch), binary)
)

defineMethod(View.prototype, "scanStream", (executor, binary) => (options?: Keys.ScanOptions) => {
  const scan = (on: Executor) => scanning((cursor) => on.execute(Keys.commands.scan(cursor, options), binary))
  return executor.masters === undefined
    ? scan(executor)
    : Stream.flatMap(Stream.fromIterableEffect(executor.masters), scan)
})

defineMethod(
  View.prototype,
  "sscanStream",
  (executor, binary) => (key: Command.RedisKey, options?: Keys.CollectionScanOptions) =>
    scanning((cursor) => executor.execute(Keys.commands.sscan(key, cursor, options), binary))
)

defineMethod(
  View.prototype,
  "hscanStream",
  (executor, binary) => (key: Command.RedisKey, options?: Keys.CollectionScanOptions) =>
    scanning((cursor) => executor.execute(Keys.commands.hscan(key, cursor, options), binary))
)

defineMethod(
  View.prototype,
  "zscanStream",
  (executor, binary) => (key: Command.RedisKey, options?: Keys.CollectionScanOptions) =>
    scanning((cursor) => executor.execute(Keys.commands.zscan(key, cursor, options), binary))
)

defineMethod(TextView.prototype, "binary", (executor) => new View(executor, true))

/**
 * The commands and batches of an executor: a text view whose `binary` is
 * the binary view. Untyped here; `Redis.ts` gives it its public type.
 */
export const makeClient = (executor: Executor): object => new TextView(executor)

/** Adds (or replaces) a member of one view. */
export const extend = (view: object, members: Record<string, unknown>): void => {
  for (const name of Object.keys(members)) {
    Object.defineProperty(view, name, { value: members[name], writable: true, configurable: true, enumerable: true })
  }
}
