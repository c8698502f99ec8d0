import { Commands, Redis, ReplyDecoder as D } from "@effect-redis/client"
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
