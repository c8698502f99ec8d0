import type { Redis } from "@effect-redis/client"
import { ClusterSlot, Commands, type RedisError } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/testing"
import { assert, describe, layer } from "@effect/vitest"
import { Chunk, Context, Effect, Either, Fiber, Layer, Option, Stream } from "effect"
import * as Crypto from "node:crypto"
import { connect, finishMove, keyOn, migrate, ownerIndex, ownerNow, startMove } from "./clusterUtils.js"
import { eventually, monitors, refusals } from "./utils.js"

const { commands } = Commands

/** One cluster of three masters for the whole file, a client of it, and a direct client per master. */
class Env extends Context.Tag("ClusterHA/Env")<Env, {
  readonly cluster: RedisCluster.RedisCluster
  readonly redis: Redis.Redis
  readonly direct: ReadonlyArray<Redis.Redis>
}>() {}

const env = Layer.scoped(
  Env,
  Effect.gen(function*() {
    const cluster = yield* RedisCluster.make()
    const redis = yield* connect({ cluster: { nodes: cluster.seeds } })
    const direct = yield* Effect.forEach(cluster.masters, (node) => connect({ url: node.url }))
    return { cluster, redis, direct }
  })
)

/** Where a hash tag lives: its slot, the master that serves it, and the next master. */
const placeOf = (cluster: RedisCluster.RedisCluster, tag: string) => {
  const slot = ClusterSlot.slotOf(tag)
  const from = ownerIndex(cluster, slot)
  return { slot, from, to: (from + 1) % cluster.masters.length }
}

/** The sum over every master of `count`. */
const total = <E>(direct: ReadonlyArray<Redis.Redis>, count: (node: Redis.Redis) => Effect.Effect<number, E>) =>
  Effect.map(Effect.forEach(direct, count), (counts) => counts.reduce((a, b) => a + b, 0))

const tagOf = (error: RedisError.RedisError): string => error._tag

/**
 * For a fault on the third master: a client of the shared cluster that gives
 * up on a reply (or a master) after half a second, its connection to every
 * master open and ready.
 */
const faulty = Effect.gen(function*() {
  const { cluster, direct } = yield* Env
  const redis = yield* connect({ cluster: { nodes: cluster.seeds }, commandTimeout: "500 millis" })
  yield* Effect.forEach(cluster.masters, (_, index) => redis.get(keyOn(cluster, index, "warm:")), { discard: true })
  return { cluster, direct, redis, master: cluster.masters[2]! }
})

/** Whether the first two masters (those the faults spare) have `script` in their script cache. */
const cachedOnTheOthers = (direct: ReadonlyArray<Redis.Redis>, script: string) =>
  Effect.forEach(direct.slice(0, 2), (node) => node.scriptExists(sha1(script)))

/** Until every master says the cluster is whole again. */
const healthy = (direct: ReadonlyArray<Redis.Redis>) =>
  Effect.forEach(
    direct,
    (node) => eventually(node.clusterInfo(), (info) => info["cluster_state"] === "ok", 30),
    { discard: true }
  )

/** How many MOVED redirections the master has answered (INFO errorstats). */
const movedBy = (node: Redis.Redis) =>
  Effect.map(
    node.info("errorstats"),
    (info) => Number(/count=(\d+)/.exec(info["errorstats"]?.["errorstat_MOVED"] ?? "")?.[1] ?? 0)
  )

const sha1 = (text: string): string => Crypto.createHash("sha1").update(text).digest("hex")

describe("Redis Cluster under change", () => {
  layer(env, { timeout: 90_000, excludeTestServices: true })("a cluster shared by the tests", (it) => {
    it.effect("retries TRYAGAIN in pipelines and transactions until the migration is done", () =>
      Effect.gen(function*() {
        const { cluster, direct, redis } = yield* Env
        const a = "{t3}a"
        const b = "{t3}b"
        const { from, slot, to } = placeOf(cluster, "t3")
        yield* redis.mset({ [a]: "A", [b]: "B" })
        // Half-way: `a` moved, `b` not yet; a command naming both is refused with TRYAGAIN.
        yield* startMove(cluster, direct, slot, from, to, { keys: [a] })
        const before = yield* refusals(direct[from]!, "TRYAGAIN")
        const batch = [commands.mget([a, b]), commands.get(b)] as const
        const pipelined = yield* Effect.fork(redis.pipeline(batch))
        const transacted = yield* Effect.fork(redis.transaction(batch))
        yield* eventually(refusals(direct[from]!, "TRYAGAIN"), (count) => count >= before + 3, 10)
        yield* migrate(direct[from]!, cluster.masters[to]!, [b])
        yield* finishMove(cluster, direct, slot, to)
        const expected = [Either.right([Option.some("A"), Option.some("B")]), Either.right(Option.some("B"))]
        assert.deepStrictEqual<ReadonlyArray<unknown>>(yield* Fiber.join(pipelined), expected)
        assert.deepStrictEqual<ReadonlyArray<unknown>>(yield* Fiber.join(transacted), expected)
      }))

    it.effect("sends a transaction whose slot is migrating to the importing node, after ASKING", () =>
      Effect.gen(function*() {
        const { cluster, direct, redis } = yield* Env
        const key = "{t8}foo"
        const { from, slot, to } = placeOf(cluster, "t8")
        yield* redis.set(key, "old")
        // The key has moved, the slot not: its old master answers ASK.
        yield* startMove(cluster, direct, slot, from, to)
        const asked = yield* refusals(direct[from]!, "ASK")
        const results = yield* redis.transaction([commands.get(key), commands.set(key, "v")])
        assert.deepStrictEqual(results, [Either.right(Option.some("old")), Either.right(true)])
        assert.isAbove(yield* refusals(direct[from]!, "ASK"), asked)
        yield* finishMove(cluster, direct, slot, to)
        assert.deepStrictEqual(yield* direct[to]!.get(key), Option.some("v"))
      }))

    it.effect("raw finds its keys from the server's key specs and goes straight to their master", () =>
      Effect.gen(function*() {
        const { cluster, direct, redis } = yield* Env
        const moved = yield* total(direct, (node) => refusals(node, "MOVED"))
        for (const index of cluster.masters.keys()) {
          const key = keyOn(cluster, index, "raw:")
          const stream = keyOn(cluster, index, "rawstream:")
          yield* redis.raw(["SET", key, "v"])
          assert.strictEqual(yield* redis.raw(["GET", key]), "v")
          assert.strictEqual(yield* redis.raw(["OBJECT", "ENCODING", key]), "embstr")
          assert.strictEqual(yield* redis.raw(["EVAL", "return redis.call('GET', KEYS[1])", 1, key]), "v")
          yield* redis.raw(["XADD", stream, "*", "field", "value"])
          const read = yield* redis.raw(["XREAD", "COUNT", 1, "STREAMS", stream, "0"])
          assert.isNotNull(read)
          assert.deepStrictEqual(yield* direct[index]!.get(key), Option.some("v"))
        }
        assert.strictEqual(yield* total(direct, (node) => refusals(node, "MOVED")), moved, "no command met MOVED")
      }))

    it.effect("runs KEYS, DBSIZE, SCRIPT LOAD, FUNCTION LOAD and FLUSHALL on every master; refuses SCAN and WAIT", () =>
      Effect.gen(function*() {
        const { cluster, direct, redis } = yield* Env
        const keys = cluster.masters.map((_, index) => keyOn(cluster, index, "fan:"))
        yield* Effect.forEach(keys, (key) => redis.set(key, "1"), { discard: true })
        assert.deepStrictEqual([...yield* redis.keys("fan:*")].sort(), [...keys].sort())
        assert.deepStrictEqual(
          yield* redis.raw(["KEYS", "fan:*"]).pipe(Effect.map((found) => (found as Array<string>).length)),
          3
        )
        const size = yield* total(direct, (node) => node.dbsize())
        assert.strictEqual(yield* redis.dbsize(), size)
        assert.strictEqual(yield* redis.raw(["DBSIZE"]), size)
        const sha = yield* redis.scriptLoad("return 'fanned'")
        for (const node of direct) assert.deepStrictEqual(yield* node.scriptExists(sha), [true])
        assert.deepStrictEqual(yield* redis.scriptExists(sha), [true])
        const library = "#!lua name=fanlib\nredis.register_function('fanned', function() return 1 end)"
        assert.strictEqual(yield* redis.functionLoad(library, { replace: true }), "fanlib")
        for (const node of direct) assert.strictEqual((yield* node.functionList({ libraryname: "fanlib" })).length, 1)
        yield* redis.raw(["FUNCTION", "DELETE", "fanlib"])
        for (const node of direct) assert.strictEqual((yield* node.functionList({ libraryname: "fanlib" })).length, 0)
        yield* redis.flushall()
        assert.strictEqual(yield* total(direct, (node) => node.dbsize()), 0)
        const scan = yield* Effect.flip(redis.raw(["SCAN", 0]))
        assert.strictEqual(tagOf(scan), "RedisArgumentError")
        assert.include(scan.message, "scanStream")
        const wait = yield* Effect.flip(redis.wait(1, 10))
        assert.strictEqual(tagOf(wait), "RedisArgumentError")
      }))

    it.scoped("fails with a recognisable error when the redirections exceed maxRedirects", () =>
      Effect.gen(function*() {
        const { cluster, direct } = yield* Env
        const strict = yield* connect({ cluster: { nodes: cluster.seeds, maxRedirects: 0 } })
        const key = "{t10}key"
        const { from, slot, to } = placeOf(cluster, "t10")
        yield* strict.set(key, "v")
        yield* startMove(cluster, direct, slot, from, to)
        yield* finishMove(cluster, direct, slot, to)
        const error = yield* Effect.flip(strict.get(key))
        assert.strictEqual(error._tag, "RedisClusterError")
        if (error._tag === "RedisClusterError") {
          assert.strictEqual(error.reason, "TooManyRedirections")
          assert.strictEqual(error.slot, slot)
          assert.deepStrictEqual(error.nodes, [`${cluster.masters[from]!.host}:${cluster.masters[from]!.port}`])
          assert.include(error.message, `slot ${slot}`)
        }
      }))

    it.effect("rides out two masters that send a slot to each other, until the cluster settles", () =>
      Effect.gen(function*() {
        const { cluster, direct, redis } = yield* Env
        const key = "split:{s7}"
        const slot = ClusterSlot.slotOf(key)
        const owner = yield* ownerNow(cluster, direct, slot)
        const other = (owner + 1) % cluster.masters.length
        const assign = (index: number) =>
          direct[owner]!.raw(["CLUSTER", "SETSLOT", slot, "NODE", cluster.masters[index]!.id])
        // The owner lets go of the (empty) slot for the other master, which still believes the owner has it:
        // each redirects the command to the other, as two masters do when a move's heartbeats cross.
        yield* redis.del(key)
        const before = yield* movedBy(direct[other]!)
        yield* Effect.ensuring(
          Effect.gen(function*() {
            yield* assign(other)
            const get = yield* Effect.fork(redis.get(key))
            yield* eventually(movedBy(direct[other]!), (moved) => moved >= before + 2, 10)
            // The operator repairs the slot while the command still goes back and forth.
            yield* assign(owner)
            assert.deepStrictEqual(yield* Fiber.join(get), Option.none())
          }),
          Effect.orDie(assign(owner))
        )
      }))

    it.effect("reshards 1,000 keys under load, pipelines and transactions mixed in: no error, nothing lost or applied twice", () =>
      Effect.gen(function*() {
        const { cluster, direct, redis } = yield* Env
        const tags = Array.from({ length: 100 }, (_, i) => `r${i}`)
        const keysOf = (tag: string) => Array.from({ length: 10 }, (_, i) => `{${tag}}:${i}`)
        const keys = tags.flatMap(keysOf)
        const acknowledged = new Map<string, number>(keys.map((key) => [key, 0]))
        const errors: Array<string> = []
        const count = (key: string) => acknowledged.set(key, acknowledged.get(key)! + 1)
        const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(Math.random() * items.length)]!
        // Half the load goes to the tag being moved, so that it meets ASK and TRYAGAIN.
        let moving = tags[0]!
        const pickTag = () => Math.random() < 0.5 ? moving : pick(tags)
        const pickKey = () => pick(keysOf(pickTag()))
        const step = Effect.gen(function*() {
          const choice = Math.random()
          if (choice < 0.4) {
            const key = pickKey()
            yield* redis.incr(key)
            count(key)
          } else if (choice < 0.7) {
            // Increments, and a read of a whole tag (TRYAGAIN while its slot is half-moved).
            const batch = Array.from({ length: 4 }, pickKey)
            const [read, ...results] = yield* redis.pipeline([
              commands.mget(keysOf(pickTag())),
              ...batch.map((key) => commands.incr(key))
            ])
            if (Either.isLeft(read)) errors.push(`pipeline: ${read.left.message}`)
            results.forEach((result, i) =>
              Either.isRight(result) ? count(batch[i]!) : errors.push(`pipeline: ${result.left.message}`)
            )
          } else {
            const batch = keysOf(pickTag()).slice(0, 3)
            const results = yield* redis.transaction(batch.map((key) => commands.incr(key)))
            results.forEach((result, i) =>
              Either.isRight(result) ? count(batch[i]!) : errors.push(`transaction: ${result.left.message}`)
            )
          }
        }).pipe(Effect.catchAll((error) => Effect.sync(() => errors.push(error.message))))
        let resharding = true
        const load = yield* Effect.fork(
          Effect.forEach(Array.from({ length: 8 }), () =>
            Effect.whileLoop({
              while: () => resharding,
              body: () => step,
              step: () => undefined
            }), { concurrency: "unbounded", discard: true })
        )
        // Every slot holding the keys goes to the next master, keys and all, as redis-cli --cluster reshard does.
        for (const tag of tags) {
          moving = tag
          const slot = ClusterSlot.slotOf(tag)
          const from = yield* ownerNow(cluster, direct, slot)
          const to = (from + 1) % cluster.masters.length
          // Three keys at a time, as redis-cli moves them: a slot is half-moved for a while.
          yield* startMove(cluster, direct, slot, from, to, { batch: 3 })
          yield* finishMove(cluster, direct, slot, to)
        }
        resharding = false
        yield* Fiber.join(load)
        assert.deepStrictEqual(errors, [])
        const stored = yield* redis.pipeline(keys.map((key) => commands.get(key)))
        const mismatches = keys.filter((key, i) => {
          const value = stored[i]!
          return Either.isLeft(value) || Number(Option.getOrElse(value.right, () => "0")) !== acknowledged.get(key)
        })
        assert.deepStrictEqual(mismatches, [])
        assert.isAbove([...acknowledged.values()].reduce((a, b) => a + b, 0), 1000)
      }))

    it.effect("a master restarted on its address answers CLUSTERDOWN for a while: asked again until it serves", () =>
      Effect.gen(function*() {
        const { cluster, redis } = yield* Env
        const index = 2
        const key = keyOn(cluster, index, "restart:")
        const master = cluster.masters[index]!
        yield* master.stop
        yield* master.start
        yield* redis.set(key, "after restart")
        assert.deepStrictEqual(yield* redis.get(key), Option.some("after restart"))
      }))

    it.scoped("a master out of reach when the client reads the map: fan-out commands and SCAN walks wait for it, not leave it out", () =>
      Effect.gen(function*() {
        const { cluster, direct } = yield* Env
        const hung = cluster.masters[2]!
        yield* hung.pause
        const outcome = yield* Effect.gen(function*() {
          // This client reads the map while the master cannot answer: its slots are listed, its node not reached.
          const redis = yield* connect({
            cluster: { nodes: cluster.seeds },
            connectTimeout: "300 millis",
            commandTimeout: "500 millis"
          })
          return {
            dbsize: yield* Effect.flip(redis.dbsize()),
            scan: yield* Effect.flip(Stream.runCount(redis.scanStream()))
          }
        }).pipe(Effect.ensuring(hung.resume))
        for (const error of [outcome.dbsize, outcome.scan]) {
          assert.strictEqual(error._tag === "RedisConnectionError" && error.reason, "Unavailable", error.message)
          assert.strictEqual(error._tag === "RedisConnectionError" && error.outcome, "not-sent")
        }
        yield* healthy(direct)
      }))

    it.scoped("a fan-out command a hung master does not answer: PartlyApplied, applied on the masters that answered", () =>
      Effect.gen(function*() {
        const { direct, master: hung, redis } = yield* faulty
        const script = "return 'partly applied'"
        yield* hung.pause
        const error = yield* Effect.flip(redis.scriptLoad(script)).pipe(Effect.ensuring(hung.resume))
        assert.strictEqual(error._tag, "RedisClusterError")
        if (error._tag === "RedisClusterError") {
          assert.strictEqual(error.reason, "PartlyApplied")
          assert.strictEqual(error.outcome, "may-have-executed")
          assert.strictEqual(error.command, "SCRIPT LOAD")
          assert.deepStrictEqual(error.nodes, [`${hung.host}:${hung.port}`])
          assert.include(error.message, "ran on 2 of 3 masters")
          const cause = error.cause as RedisError.RedisTimeoutError
          assert.strictEqual(cause._tag, "RedisTimeoutError")
          assert.strictEqual(cause.outcome, "may-have-executed")
        }
        assert.deepStrictEqual(yield* cachedOnTheOthers(direct, script), [[true], [true]])
        yield* healthy(direct)
      }))

    it.scoped("a fan-out command waits for a master that is down and, when it stays down, sends nothing (not-sent)", () =>
      Effect.gen(function*() {
        const { cluster, direct, master: down, redis } = yield* faulty
        const script = "return 'never sent'"
        yield* down.stop
        // The client has seen the master go: a command for one of its slots waits for it, then is not sent.
        yield* eventually(
          Effect.flip(redis.get(keyOn(cluster, 2, "down:"))),
          (error) => error._tag === "RedisConnectionError" && error.reason === "Unavailable",
          20
        )
        const error = yield* Effect.flip(redis.scriptLoad(script))
        assert.strictEqual(error._tag, "RedisConnectionError")
        if (error._tag === "RedisConnectionError") {
          assert.strictEqual(error.reason, "Unavailable")
          assert.strictEqual(error.outcome, "not-sent")
          assert.include(error.message, `${down.host}:${down.port}`)
        }
        assert.deepStrictEqual(yield* cachedOnTheOthers(direct, script), [[false], [false]])
        yield* down.start
        yield* healthy(direct)
      }))

    it.scoped("MONITOR watches every master: commands on each, and a fan-out's copies, in one stream", () =>
      Effect.gen(function*() {
        const { cluster, direct, redis } = yield* Env
        const keys = cluster.masters.map((_, index) => keyOn(cluster, index, "watched:"))
        const events = yield* redis.monitor()
        for (const node of direct) assert.strictEqual((yield* monitors(node)).length, 1)
        const seen = yield* Effect.fork(Stream.runCollect(Stream.take(
          Stream.filter(events, (event) => event.args[0] === "DBSIZE" || keys.includes(String(event.args[1]))),
          keys.length + cluster.masters.length
        )))
        yield* Effect.forEach(keys, (key) => redis.set(key, "seen"), { discard: true })
        yield* redis.dbsize()
        const collected = Chunk.toReadonlyArray(yield* Fiber.join(seen))
        const sets = collected.filter((event) => event.args[0] === "SET")
        assert.deepStrictEqual(sets.map((event) => event.args[1]).sort(), [...keys].sort())
        assert.strictEqual(collected.filter((event) => event.args[0] === "DBSIZE").length, cluster.masters.length)
        assert.isTrue(collected.every((event) => !event.gap && event.dropped === 0))
      }))
  })
})
