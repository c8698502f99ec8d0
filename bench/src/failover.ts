/**
 * `pnpm --filter @effect-redis/bench failover`: effect-redis through
 * failovers and a resharding, against real servers started here, with the
 * times the high-availability work aims at. Every round starts its own
 * topology.
 *
 * - `sentinel`: a master, its replica and three sentinels (quorum 2,
 *   down-after 1 s); the client knows all three. One sentinel is killed
 *   (or SIGSTOPped), then the master is SIGKILLed (or `SENTINEL FAILOVER`
 *   runs through the second sentinel, the former master staying up).
 *   Measured: from the first `+switch-master` the bench hears to the first
 *   write acknowledged by the new master, and how many writes acknowledged
 *   after that `+switch-master` the new master lacks.
 * - `cluster`: three masters with a replica each (node timeout 1 s); each
 *   master in turn (slot 1's, slot 0's, the last one's) is SIGKILLed while
 *   writers hit its slots. Measured: from the replica's promotion (its
 *   ROLE, polled every 5 ms) to the first write acknowledged in those
 *   slots, and the errors the writers saw (besides the writes in flight at
 *   the kill, which fail as `may-have-executed`).
 * - `reshard`: 1,000 keys (100 hash tags of 10) move to the next master,
 *   ten keys per MIGRATE as redis-cli does, while eight workers send
 *   INCRBYs, pipelines and transactions at them (half at the tag being
 *   moved). Measured: the time it takes, the operations acknowledged, the
 *   errors surfaced, and the keys whose value is below (lost) or above
 *   (applied twice) what was acknowledged.
 *
 * `BENCH_FAILOVER` picks scenarios (comma-separated; default all),
 * `BENCH_FAILOVER_ROUNDS` the rounds of each (default 3).
 *
 * @since 0.2.0
 */
import { ClusterSlot, Commands, Redis, type RedisConfig, type RedisError } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import { RespMap, type RespValue } from "@effect-redis/resp/RespValue"
import * as RedisCluster from "@effect-redis/testing/RedisCluster"
import * as RedisSentinel from "@effect-redis/testing/RedisSentinel"
import * as RedisServer from "@effect-redis/testing/RedisServer"
import { Config, Effect, Either, Fiber, Option, Schedule, Stream } from "effect"

const { commands } = Commands

const connect = (options: RedisConfig.Options) => Redis.make(options).pipe(Effect.provide(NodeTransport.layer))

const clock = () => performance.now()

/** Repeats `effect` every `millis` until `done` holds, for at most a minute. */
const until = <A, E>(effect: Effect.Effect<A, E>, done: (a: A) => boolean, millis = 5) =>
  Effect.repeat(Effect.orElseSucceed(Effect.map(effect, done), () => false), {
    schedule: Schedule.spaced(millis).pipe(Schedule.upTo("60 seconds")),
    until: (ok) => ok
  })

/** The fields of each record of a sentinel's reply (a RESP3 map or a RESP2 flat list). */
const records = (reply: RespValue): Array<Record<string, string>> =>
  (Array.isArray(reply) ? reply : []).map((item) => {
    const flat = item instanceof RespMap ? item.entries : Array.isArray(item) ? item : []
    const out: Record<string, string> = {}
    for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1])
    return out
  })

/** Writes acknowledged, in order, with the moment of their acknowledgement. */
class Acks {
  readonly keys: Array<string> = []
  readonly at: Array<number> = []
  errors = 0
  add(key: string): void {
    this.keys.push(key)
    this.at.push(clock())
  }
  /** The first acknowledgement after `time`, as an index. */
  firstAfter(time: number): number {
    return this.at.findIndex((at) => at > time)
  }
}

/** Writes in flight when a server dies fail this way: written, no answer. */
const inFlight = (error: RedisError.RedisError): boolean =>
  error._tag === "RedisConnectionError" && error.reason === "Lost"

/** `workers` loops writing `key()` until `running()` turns false. */
const writers = (
  redis: Redis.Redis,
  workers: number,
  key: () => string,
  acks: Acks,
  running: () => boolean
) =>
  Effect.fork(Effect.forEach(Array.from({ length: workers }), () =>
    Effect.whileLoop({
      while: running,
      body: () => {
        const name = key()
        return redis.set(name, "1").pipe(
          Effect.map(() => acks.add(name)),
          Effect.catchAll((error) =>
            Effect.sync(() => {
              if (!inFlight(error)) acks.errors++
            })
          )
        )
      },
      step: () => undefined
    }), { concurrency: "unbounded", discard: true }))

// -----------------------------------------------------------------------------
// Sentinel

interface SentinelVariant {
  readonly name: string
  readonly out: (sentinel: RedisSentinel.RedisSentinel) => Effect.Effect<void>
  readonly failover: "kill" | "command"
}

const sentinelVariants: ReadonlyArray<SentinelVariant> = [
  { name: "master SIGKILLed, a sentinel killed", out: (s) => s.kill, failover: "kill" },
  { name: "master SIGKILLed, a sentinel stopped", out: (s) => s.pause, failover: "kill" },
  { name: "SENTINEL FAILOVER, a sentinel killed", out: (s) => s.kill, failover: "command" }
]

const sentinelRound = (variant: SentinelVariant) =>
  Effect.scoped(Effect.gen(function*() {
    const master = yield* RedisServer.make({ args: ["--repl-diskless-sync-delay", "0"] })
    const replica = yield* RedisServer.make({ args: ["--replicaof", master.host, String(master.port)] })
    const toReplica = yield* connect({ url: replica.url })
    yield* until(toReplica.role(), (role) => role.role === "slave" && role.state === "connected", 50)
    const sentinels = yield* Effect.forEach([0, 1, 2], () => RedisSentinel.make({ master, quorum: 2 }))
    const admins = yield* Effect.forEach(sentinels, (at) => connect({ host: at.host, port: at.port }))
    for (const admin of admins) {
      yield* until(admin.raw(["SENTINEL", "SENTINELS", "mymaster"]), (peers) => records(peers).length === 2, 50)
      yield* until(
        admin.raw(["SENTINEL", "REPLICAS", "mymaster"]),
        (list) => records(list)[0]?.["master-link-status"] === "ok",
        50
      )
    }
    const redis = yield* connect({
      sentinel: { name: "mymaster", sentinels },
      connectTimeout: "1 second"
    })
    // The bench hears the switch from the sentinels that stay up.
    let switchedAt: number | undefined
    for (const admin of admins.slice(1)) {
      const events = yield* admin.subscription({ channels: ["+switch-master"] })
      yield* Effect.forkScoped(Stream.runForEach(events, () =>
        Effect.sync(() => {
          switchedAt ??= clock()
        })))
    }
    const acks = new Acks()
    let seq = 0
    let running = true
    const load = yield* writers(redis, 8, () => `w:${seq++}`, acks, () => running)
    yield* Effect.sleep("300 millis")
    yield* variant.out(sentinels[0]!)
    const triggeredAt = clock()
    if (variant.failover === "kill") yield* master.kill
    else yield* admins[1]!.raw(["SENTINEL", "FAILOVER", "mymaster"])
    yield* until(Effect.sync(() => switchedAt), (at) => at !== undefined, 10)
    yield* until(Effect.sync(() => acks.firstAfter(switchedAt! + 500)), (index) => index !== -1, 10)
    running = false
    yield* Fiber.join(load)
    // What the new master holds of the writes acknowledged after the switch.
    const promoted = yield* connect({ url: replica.url })
    const after = acks.firstAfter(switchedAt!)
    const keys = acks.keys.slice(after)
    const held = (yield* promoted.pipeline(keys.map((key) => commands.exists([key])))).map((exists) =>
      Either.getOrElse(exists, () => 0) === 1
    )
    // The first write on the new master: after the kill its former master answers nothing.
    const first = variant.failover === "kill"
      ? acks.firstAfter(triggeredAt + 50)
      : after + held.findIndex((present) => present)
    return {
      fromSwitchMillis: acks.at[first]! - switchedAt!,
      lost: held.filter((present) => !present).length,
      acknowledgedAfter: keys.length,
      errors: acks.errors
    }
  }))

// -----------------------------------------------------------------------------
// Cluster

/** Keys of the slots a master was formed with. */
const keysOf = (master: RedisCluster.Master, count: number): Array<string> => {
  const keys: Array<string> = []
  for (let i = 0; keys.length < count; i++) {
    const slot = ClusterSlot.slotOf(`k${i}`)
    if (master.slots[0] <= slot && slot <= master.slots[1]) keys.push(`k${i}`)
  }
  return keys
}

const clusterRound = Effect.scoped(Effect.gen(function*() {
  const cluster = yield* RedisCluster.make({ replicasPerMaster: 1 })
  const redis = yield* connect({ cluster: { nodes: cluster.seeds } })
  const results: Array<{ master: string; fromPromotionMillis: number; errors: number }> = []
  for (const index of [1, 0, 2]) {
    const master = cluster.masters[index]!
    const replica = cluster.replicas.find((node) => node.masterId === master.id)!
    const toReplica = yield* connect({ url: replica.url })
    const keys = keysOf(master, 20)
    const acks = new Acks()
    let running = true
    const load = yield* writers(redis, 8, () => keys[Math.floor(Math.random() * keys.length)]!, acks, () => running)
    yield* Effect.sleep("300 millis")
    const killedAt = clock()
    yield* master.kill
    yield* until(toReplica.role(), (role) => role.role === "master")
    const promotedAt = clock()
    yield* until(Effect.sync(() => acks.firstAfter(killedAt + 50)), (at) => at !== -1, 10)
    running = false
    yield* Fiber.join(load)
    results.push({
      master: `${master.slots[0]}-${master.slots[1]}`,
      fromPromotionMillis: acks.at[acks.firstAfter(killedAt + 50)]! - promotedAt,
      errors: acks.errors
    })
  }
  return results
}))

// -----------------------------------------------------------------------------
// Resharding

const reshardRound = Effect.scoped(Effect.gen(function*() {
  const cluster = yield* RedisCluster.make()
  const redis = yield* connect({ cluster: { nodes: cluster.seeds } })
  const direct = yield* Effect.forEach(cluster.masters, (node) => connect({ url: node.url }))
  const tags = Array.from({ length: 100 }, (_, i) => `{m${i}}`)
  const members = (tag: string) => Array.from({ length: 10 }, (_, i) => `${tag}${i}`)
  const expected = new Map<string, number>(tags.flatMap(members).map((key) => [key, 0]))
  const errors: Array<string> = []
  let operations = 0
  let current = tags[0]!
  const anyTag = () => Math.random() < 0.5 ? current : tags[Math.floor(Math.random() * tags.length)]!
  const anyKey = () => members(anyTag())[Math.floor(Math.random() * 10)]!
  /** Counts what was acknowledged, and keeps what was not. */
  const settle = (key: string, by: number, result: Either.Either<unknown, RedisError.RedisError>) => {
    if (Either.isLeft(result)) return void errors.push(result.left.message)
    operations++
    expected.set(key, expected.get(key)! + by)
  }
  const operation = Effect.gen(function*() {
    const kind = Math.random()
    const by = 1 + Math.floor(Math.random() * 9)
    if (kind < 0.4) {
      const key = anyKey()
      settle(key, by, yield* Effect.either(redis.incrby(key, by)))
      return
    }
    const keys = kind < 0.7 ? [anyKey(), anyKey(), anyKey()] : members(anyTag()).slice(0, 3)
    const batch = keys.map((key) => commands.incrby(key, by))
    if (kind < 0.7) {
      const results = yield* redis.pipeline([commands.mget(members(anyTag())), ...batch])
      if (Either.isLeft(results[0])) errors.push(results[0].left.message)
      results.slice(1).forEach((result, i) => settle(keys[i]!, by, result))
      return
    }
    const applied = yield* Effect.either(redis.transaction(batch))
    if (Either.isLeft(applied)) return void errors.push(applied.left.message)
    applied.right.forEach((result, i) => settle(keys[i]!, by, result))
  })
  let running = true
  const load = yield* Effect.fork(
    Effect.forEach(Array.from({ length: 8 }), () =>
      Effect.whileLoop({
        while: () => running,
        body: () => operation,
        step: () => undefined
      }), {
      concurrency: "unbounded",
      discard: true
    })
  )
  yield* Effect.sleep("300 millis")
  const started = clock()
  for (const tag of tags) {
    current = tag
    const slot = ClusterSlot.slotOf(tag)
    const ranges = yield* direct[0]!.clusterSlots()
    const owner = ranges.find((range) => range.start <= slot && slot <= range.end)!.master.port
    const from = cluster.masters.findIndex((node) => node.port === owner)
    const to = (from + 1) % cluster.masters.length
    yield* direct[to]!.raw(["CLUSTER", "SETSLOT", slot, "IMPORTING", cluster.masters[from]!.id])
    yield* direct[from]!.raw(["CLUSTER", "SETSLOT", slot, "MIGRATING", cluster.masters[to]!.id])
    const inSlot = (yield* direct[from]!.raw(["CLUSTER", "GETKEYSINSLOT", slot, 1000])) as Array<string>
    for (let i = 0; i < inSlot.length; i += 10) {
      const target = cluster.masters[to]!
      yield* direct[from]!.raw(["MIGRATE", target.host, target.port, "", 0, 5000, "KEYS", ...inSlot.slice(i, i + 10)])
    }
    for (const node of [direct[to]!, ...direct.filter((_, i) => i !== to)]) {
      yield* node.raw(["CLUSTER", "SETSLOT", slot, "NODE", cluster.masters[to]!.id])
    }
  }
  const millis = clock() - started
  running = false
  yield* Fiber.join(load)
  const keys = [...expected.keys()]
  const stored = yield* redis.pipeline(keys.map((key) => commands.get(key)))
  let lost = 0
  let twice = 0
  stored.forEach((value, i) => {
    const held = Number(Option.getOrElse(Either.getOrElse(value, () => Option.none()), () => "0"))
    const acknowledged = expected.get(keys[i]!)!
    if (held < acknowledged) lost++
    if (held > acknowledged) twice++
  })
  return { millis, operations, errors: errors.length, lost, twice }
}))

// -----------------------------------------------------------------------------

const settings = Config.all({
  scenarios: Config.array(Config.string(), "BENCH_FAILOVER").pipe(
    Config.withDefault(["sentinel", "cluster", "reshard"])
  ),
  rounds: Config.integer("BENCH_FAILOVER_ROUNDS").pipe(Config.withDefault(3))
})

const round = (millis: number) => `${Math.round(millis)} ms`

const program = Effect.gen(function*() {
  const { rounds, scenarios } = yield* settings
  if (scenarios.includes("sentinel")) {
    console.log("\n## Sentinel\n")
    console.log(
      "| variant | round | first write on the new master after the first +switch-master | acknowledged after it | lost | other errors |"
    )
    console.log("| --- | --- | --- | --- | --- | --- |")
    for (const variant of sentinelVariants) {
      for (let i = 1; i <= rounds; i++) {
        const r = yield* sentinelRound(variant)
        console.log(
          `| ${variant.name} | ${i} | ${round(r.fromSwitchMillis)} | ${r.acknowledgedAfter} | ${r.lost} | ${r.errors} |`
        )
      }
    }
  }
  if (scenarios.includes("cluster")) {
    console.log("\n## Cluster, a master SIGKILLed under load\n")
    console.log("| round | master's slots | first write in its slots after the promotion | errors |")
    console.log("| --- | --- | --- | --- |")
    for (let i = 1; i <= rounds; i++) {
      for (const r of yield* clusterRound) {
        console.log(`| ${i} | ${r.master} | ${round(r.fromPromotionMillis)} | ${r.errors} |`)
      }
    }
  }
  if (scenarios.includes("reshard")) {
    console.log("\n## Resharding 1,000 keys under load\n")
    console.log("| round | took | operations acknowledged | errors surfaced | lost | applied twice |")
    console.log("| --- | --- | --- | --- | --- | --- |")
    for (let i = 1; i <= rounds; i++) {
      const r = yield* reshardRound
      console.log(`| ${i} | ${round(r.millis)} | ${r.operations} | ${r.errors} | ${r.lost} | ${r.twice} |`)
    }
  }
})

Effect.runPromise(program).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
