import { Command, Commands, Redis, ReplyDecoder as D } from "@effect-redis/client"
import type { RespValue } from "@effect-redis/resp/RespValue"
import { assert, it } from "@effect/vitest"
import { Effect } from "effect"
import { testLayer } from "./utils.js"

/**
 * Commands the client covers without a typed definition, because it issues
 * them itself or exposes them through another API. They count as covered.
 */
const handledByClient: Record<string, string> = {
  "HELLO": "connection handshake (protocol option)",
  "AUTH": "connection handshake (username/password options)",
  "SELECT": "connection handshake (db option)",
  "CLIENT SETNAME": "connection handshake (clientName option)",
  "RESET": "connection state: never sent on the shared connection",
  "QUIT": "closing the scope closes the connection",
  "MULTI": "redis.transaction",
  "EXEC": "redis.transaction",
  "DISCARD": "redis.transaction",
  "WATCH": "redis.transaction on a reserved connection",
  "UNWATCH": "redis.transaction on a reserved connection",
  "SUBSCRIBE": "pub/sub Streams",
  "UNSUBSCRIBE": "pub/sub Streams",
  "PSUBSCRIBE": "pub/sub Streams",
  "PUNSUBSCRIBE": "pub/sub Streams",
  "SSUBSCRIBE": "pub/sub Streams",
  "SUNSUBSCRIBE": "pub/sub Streams",
  "CLIENT TRACKING": "client-side caching",
  "CLIENT CACHING": "client-side caching",
  "CLIENT REPLY": "connection state: would desynchronise the reply stream",
  "ASKING": "cluster redirection handling",
  "READONLY": "cluster replica reads",
  "READWRITE": "cluster replica reads"
}

/**
 * Commands left out of the count: not meant for applications.
 */
const excluded = (name: string): string | undefined => {
  if (name.endsWith(" HELP")) return "HELP subcommands print usage for humans"
  if (name === "RESTORE-ASKING") return "internal to cluster slot migration"
  if (name === "SCRIPT DEBUG") return "interactive Lua debugger (redis-cli --ldb)"
  return undefined
}

// COMMAND replies one entry per command: [name, arity, flags, first, last,
// step, acl categories, tips, key specs, subcommands], subcommands alike.
// A container (XGROUP, CLIENT…) counts through its subcommands only.
const commandEntries = D.array(D.items)

const leafCommands = (reply: RespValue): Array<{ readonly name: string; readonly admin: boolean }> => {
  const out: Array<{ readonly name: string; readonly admin: boolean }> = []
  const visit = (entry: Array<RespValue>) => {
    const subcommands = entry.length > 9 ? commandEntries(entry[9]!) : []
    if (subcommands.length > 0) {
      for (const sub of subcommands) visit(sub)
    } else {
      const name = D.text(entry[0]!).toUpperCase().replace("|", " ")
      const flags: ReadonlyArray<string> = D.array(D.text)(entry[2]!)
      out.push({ name, admin: flags.includes("admin") })
    }
  }
  for (const entry of commandEntries(reply)) visit(entry)
  return out
}

it.layer(testLayer({ protocol: 3 }), { timeout: 30_000 })("command coverage", (it) => {
  it.effect("typed definitions cover at least 90% of the non-admin commands of the server", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.Redis
      const info = yield* redis.info("server")
      const leaves = leafCommands(yield* redis.raw(["COMMAND"]))
      const all = leaves.filter((c) => !c.admin).map((c) => c.name)
      const typed = new Set(Commands.specs.map((spec) => spec.name.toUpperCase()))
      const counted = all.filter((name) => excluded(name) === undefined).sort()
      const covered = counted.filter((name) => typed.has(name) || name in handledByClient)
      const missing = counted.filter((name) => !covered.includes(name))
      const share = covered.length / counted.length
      // A typed name the server does not know is a typo or a command of
      // another version: it covers nothing.
      const known = new Set(leaves.map((c) => c.name))
      const unknown = [...typed].filter((name) => !known.has(name))
      console.log(
        `redis ${info["server"]!["redis_version"]}: ${covered.length}/${counted.length} non-admin commands covered ` +
          `(${(share * 100).toFixed(1)}%); ${Object.keys(handledByClient).length} of them handled by the client, ` +
          `${all.length - counted.length} excluded\nmissing: ${missing.join(", ") || "none"}`
      )
      assert.deepStrictEqual(unknown, [], "typed specs with names the server does not know")
      assert.isAtLeast(share, 0.9, `missing: ${missing.join(", ")}`)
    }))
})

/**
 * Where a declaration departs from the server's `COMMAND INFO` on purpose.
 * Every other flag and key position must match it.
 */
const departures: Record<string, string> = {
  "EVAL write": "a script may write, so it goes to the master (the server flags neither read nor write)",
  "EVALSHA write": "a script may write, so it goes to the master (the server flags neither read nor write)",
  "FCALL write": "a function may write, so it goes to the master (the server flags neither read nor write)",
  "WAIT blocking": "it holds the connection up to its timeout (the server does not flag it)",
  "PUBSUB SHARDNUMSUB keys": "shard channels route like keys, to their slot's node (the server lists no key)"
}

/** A call of each command whose keys follow a count or a keyword: its key positions depend on the call. */
const samples = (c: typeof Commands.commands) => [
  c.blmpop(1, ["a", "b"], "LEFT", { count: 2 }),
  c.lmpop(["a", "b"], "RIGHT"),
  c.sintercard(["a", "b"], { limit: 3 }),
  c.bzmpop(1, ["a", "b"], "MIN"),
  c.zdiff(["a", "b"]),
  c.zdiffstore("d", ["a", "b"]),
  c.zinter(["a", "b"], { weights: [1, 2] }),
  c.zintercard(["a", "b"]),
  c.zinterstore("d", ["a", "b"], { aggregate: "MAX" }),
  c.zmpop(["a", "b"], "MAX", { count: 2 }),
  c.zunion(["a", "b"]),
  c.zunionstore("d", ["a", "b"]),
  c.eval("return 1", ["a", "b"], ["x", "a"]),
  c.evalsha("0".repeat(40), ["a", "b"], ["x"]),
  c.evalRo("return 1", ["a", "b"], ["x"]),
  c.evalshaRo("0".repeat(40), ["a", "b"], ["x"]),
  c.fcall("f", ["a", "b"], ["x"]),
  c.fcallRo("f", ["a", "b"], ["x"]),
  c.migrate("127.0.0.1", 1, ["a", "b"], 0, 100, { copy: true, replace: true }),
  c.sortStore("a", "d", { by: "w_*", get: ["#"], limit: { offset: 0, count: 2 } }),
  c.xread({ a: "0", b: "$" }, { count: 2 }),
  c.xreadBlock({ a: "0", b: "$" }, 100, { count: 2 }),
  c.xreadgroup("STREAMS", "COUNT", { a: ">", b: ">" }, { count: 2, noack: true }),
  c.xreadgroupBlock("g", "BLOCK", { a: ">", b: ">" }, 100)
]

const text = (value: RespValue | Command.RedisArg | undefined): string =>
  value instanceof Uint8Array ? new TextDecoder().decode(value) : String(value)

it.layer(testLayer({ protocol: 3 }), { timeout: 30_000 })("command declarations", (it) => {
  it.effect("every declared flag and key position agrees with the server's COMMAND INFO and COMMAND GETKEYS", () =>
    Effect.gen(function*() {
      const redis = yield* Redis.Redis
      const problems: Array<string> = []
      const names = new Set(Commands.specs.map((spec) => spec.name))
      const blockingNames = new Set(
        Commands.specs.filter((spec) => (spec.flags & Command.Flags.blocking) !== 0).map((spec) => spec.name)
      )
      for (const spec of Commands.specs) {
        const [info] = D.array(D.items)(
          yield* redis.raw(["COMMAND", "INFO", spec.name.toLowerCase().replace(" ", "|")])
        )
        if (info === undefined) {
          problems.push(`${spec.name}: unknown to the server`)
          continue
        }
        const serverFlags = new Set<string>(D.array(D.text)(info[2]!))
        const has = (flag: number) => (spec.flags & flag) !== 0
        const expect = (what: string, ours: unknown, theirs: unknown) => {
          if (ours !== theirs && departures[`${spec.name} ${what}`] === undefined) {
            problems.push(`${spec.name}: ${what} declared ${ours}, server ${theirs}`)
          }
        }
        expect("readonly", has(Command.Flags.readonly), serverFlags.has("readonly"))
        expect("write", has(Command.Flags.write), serverFlags.has("write"))
        // XREAD may block, but only its BLOCK variant is declared blocking: the other never holds the connection.
        expect("blocking", blockingNames.has(spec.name), serverFlags.has("blocking"))
        const keySpecs = D.array(D.raw)(info[8]!)
        if (spec.keys === undefined) {
          expect("keys", false, keySpecs.length > 0)
        } else if (typeof spec.keys !== "function") {
          const { first, last, step } = spec.keys
          expect("keys", `${first},${last},${step}`, [info[3], info[4], info[5]].map(Number).join(","))
        }
      }
      // Key positions that depend on the call: the server names the keys of a sample call.
      const sampled = samples(Commands.commands)
      const unsampled = Commands.specs.filter((spec) =>
        typeof spec.keys === "function" && !sampled.some((command) => command.spec === spec)
      )
      for (const spec of unsampled) {
        problems.push(`${spec.name}: keys depend on the call, and no sample call checks them`)
      }
      for (const command of sampled) {
        const ours = Command.keyIndices(command).map((i) => text(command.args[i]))
        const theirs = D.array(D.raw)(yield* redis.raw(["COMMAND", "GETKEYS", ...command.args])).map(text)
        if (ours.join(" ") !== theirs.join(" ")) {
          problems.push(
            `${command.spec.name}: keys of ${command.args.map(text).join(" ")} declared [${ours}], server [${theirs}]`
          )
        }
      }
      assert.deepStrictEqual(problems, [], `declarations that disagree with the server (${names.size} names checked)`)
    }))
})
