import { Redis } from "@effect-redis/client"
import { RedisPersistedQueue } from "@effect-redis/experimental"
import * as PersistedQueue from "@effect/experimental/PersistedQueue"
import { assert, it, layer } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer, Schedule, Schema } from "effect"
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import { Endpoint, standalone, topologies } from "./topologies.js"

const queues = PersistedQueue.layer.pipe(Layer.provide(RedisPersistedQueue.layerStore({ pollInterval: "20 millis" })))

const queueOf = (name: string) => PersistedQueue.make({ name, schema: Schema.String }).pipe(Effect.provide(queues))

const keysOf = (name: string) => {
  const base = `persistedqueue:{${name}}`
  return {
    waiting: `${base}:waiting`,
    elements: `${base}:elements`,
    leases: `${base}:leases`,
    failed: `${base}:failed`
  }
}

/** Takes one element, keeping `f`'s outcome; the element and its metadata. */
const takeOne = (
  queue: PersistedQueue.PersistedQueue<string>,
  f: Effect.Effect<void, string> = Effect.void,
  options?: { readonly maxAttempts?: number }
) =>
  Effect.gen(function*() {
    let seen: { value: string; id: string; attempts: number } | undefined
    const exit = yield* Effect.exit(queue.take((value, meta) => {
      seen = { value, ...meta }
      return f
    }, options))
    return { ...seen!, exit }
  })

/** Forks a take that holds its element until `release` completes; resolves once it holds it. */
const holdOne = (queue: PersistedQueue.PersistedQueue<string>) =>
  Effect.gen(function*() {
    const taken = yield* Deferred.make<{ value: string; id: string; attempts: number }>()
    const release = yield* Deferred.make<void, string>()
    const fiber = yield* Effect.fork(
      queue.take((value, meta) => Effect.zipRight(Deferred.succeed(taken, { value, ...meta }), Deferred.await(release)))
    )
    return { element: yield* Deferred.await(taken), release, fiber }
  })

/** Ends the lease of `id` now, as if its taker had stopped renewing it long ago. */
const expireLease = (name: string, id: string) =>
  Effect.flatMap(Redis.Redis, (redis) => redis.zadd(keysOf(name).leases, [[0, id]]))

/** Retries `effect` every 20 ms until `done` holds of its result. */
const eventually = <A, E, R>(effect: Effect.Effect<A, E, R>, done: (a: A) => boolean) =>
  effect.pipe(
    Effect.filterOrFail(done, () => "not yet" as const),
    Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("10 seconds")))
  )

const fixture = Path.join(import.meta.dirname, "fixtures", "crashingConsumer.ts")

/** A consumer in another process that takes one element of `queue` and holds it until killed. */
const consumerProcess = (queue: string, lockExpiration: number) =>
  Effect.gen(function*() {
    const { options } = yield* Endpoint
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        ChildProcess.spawn(
          process.execPath,
          ["--import", "tsx", fixture, JSON.stringify({ redis: options, queue, lockExpiration })],
          { stdio: ["ignore", "pipe", "pipe"] }
        )
      ),
      (child) => Effect.sync(() => child.kill("SIGKILL"))
    )
    const exited = Effect.async<number | null>((resume) => {
      if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.succeed(child.exitCode))
      child.once("exit", (code) => resume(Effect.succeed(code)))
    })
    const taken = yield* Effect.async<string, Error>((resume) => {
      let output = ""
      child.stderr.on("data", (chunk) => output += String(chunk))
      child.stdout.on("data", (chunk) => {
        output += String(chunk)
        const match = /taken (\S+)/.exec(output)
        if (match !== null) resume(Effect.succeed(match[1]!))
      })
      child.once("exit", (code) => resume(Effect.fail(new Error(`The consumer exited (${code}): ${output}`))))
    })
    return { taken, kill: Effect.zipRight(Effect.sync(() => child.kill("SIGKILL")), exited) }
  })

for (const [topology, redisLayer] of topologies) {
  layer(redisLayer, { timeout: 60_000, excludeTestServices: true })(`RedisPersistedQueue (${topology})`, (it) => {
    it.effect("takes elements in the order they were offered", () =>
      Effect.gen(function*() {
        const queue = yield* queueOf("pq-order")
        for (const value of ["a", "b", "c"]) yield* queue.offer(value)
        const taken = yield* Effect.forEach([1, 2, 3], () => takeOne(queue))
        assert.deepStrictEqual(taken.map(({ value }) => value), ["a", "b", "c"])
        assert.isTrue(taken.every(({ attempts, exit }) => attempts === 0 && Exit.isSuccess(exit)))
        const redis = yield* Redis.Redis
        const keys = keysOf("pq-order")
        assert.strictEqual(yield* redis.llen(keys.waiting), 0)
        assert.strictEqual(yield* redis.hlen(keys.elements), 0)
      }))

    it.effect("queues an id once, even after its element was done", () =>
      Effect.gen(function*() {
        const queue = yield* queueOf("pq-ids")
        assert.strictEqual(yield* queue.offer("first", { id: "job-1" }), "job-1")
        yield* queue.offer("again", { id: "job-1" })
        yield* queue.offer("other", { id: "job-2" })
        const first = yield* takeOne(queue)
        assert.deepStrictEqual([first.value, first.id], ["first", "job-1"])
        yield* queue.offer("after done", { id: "job-1" })
        const second = yield* takeOne(queue)
        assert.deepStrictEqual([second.value, second.id], ["other", "job-2"])
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.llen(keysOf("pq-ids").waiting), 0)
      }))

    it.effect("a failure or a defect puts the element back with one more attempt, and maxAttempts ends it", () =>
      Effect.gen(function*() {
        const queue = yield* queueOf("pq-attempts")
        yield* queue.offer("flaky", { id: "flaky" })
        const failed = yield* takeOne(queue, Effect.fail("boom"), { maxAttempts: 3 })
        assert.deepStrictEqual(failed.exit, Exit.fail("boom"))
        const died = yield* takeOne(queue, Effect.die("defect"), { maxAttempts: 3 })
        assert.isTrue(Exit.isFailure(died.exit))
        const last = yield* takeOne(queue, Effect.fail("boom again"), { maxAttempts: 3 })
        assert.deepStrictEqual([failed.attempts, died.attempts, last.attempts], [0, 1, 2])

        const redis = yield* Redis.Redis
        const keys = keysOf("pq-attempts")
        assert.strictEqual(yield* redis.llen(keys.waiting), 0)
        assert.strictEqual(yield* redis.hlen(keys.elements), 0)
        const [entry] = yield* redis.lrange(keys.failed, 0, -1)
        const parked = JSON.parse(entry!)
        assert.deepStrictEqual([parked.id, parked.element, parked.attempts], ["flaky", "flaky", 3])
        assert.include(parked.lastFailure, "boom again")
      }))

    it.effect("an interrupted take puts its element back as it was", () =>
      Effect.gen(function*() {
        const queue = yield* queueOf("pq-interrupt")
        yield* queue.offer("work", { id: "work" })
        const held = yield* holdOne(queue)
        yield* Fiber.interrupt(held.fiber)
        const again = yield* takeOne(queue)
        assert.deepStrictEqual([again.id, again.attempts], ["work", 0])
      }))

    it.effect("a take waits for an element offered after it started", () =>
      Effect.gen(function*() {
        const queue = yield* queueOf("pq-wait")
        const redis = yield* Redis.Redis
        const keys = keysOf("pq-wait")
        // A lease that ended, of an id the queue does not hold: the first poll drops it.
        yield* redis.zadd(keys.leases, [[0, "probe"]])
        const waiting = yield* Effect.fork(takeOne(queue))
        yield* eventually(redis.zcard(keys.leases), (leases) => leases === 0)
        yield* queue.offer("late")
        assert.strictEqual((yield* Fiber.join(waiting)).value, "late")
      }))

    it.scoped("the element of a consumer process that crashed is taken again once its lease has run out", () =>
      Effect.gen(function*() {
        const queue = yield* queueOf("pq-crash")
        yield* queue.offer("survives", { id: "survivor" })
        const consumer = yield* consumerProcess("pq-crash", 1_000)
        assert.strictEqual(consumer.taken, "survivor")
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.zcard(keysOf("pq-crash").leases), 1)
        // SIGKILL: no finalizer runs, the element stays leased to a process that is gone.
        yield* consumer.kill
        const recovered = yield* takeOne(queue)
        assert.deepStrictEqual([recovered.id, recovered.value, recovered.attempts], ["survivor", "survives", 0])
        assert.strictEqual(yield* redis.zcard(keysOf("pq-crash").leases), 0)
      }))

    it.effect("a take whose lease ran out cannot end its element's new take", () =>
      Effect.gen(function*() {
        const queue = yield* queueOf("pq-stale")
        yield* queue.offer("contended", { id: "contended" })
        const stale = yield* holdOne(queue)
        yield* expireLease("pq-stale", "contended")
        const current = yield* holdOne(queue)
        assert.strictEqual(current.element.id, "contended")
        // The stale take succeeds: the element stays with its new take, which then fails.
        yield* Deferred.succeed(stale.release, undefined)
        yield* Fiber.join(stale.fiber)
        yield* Deferred.fail(current.release, "failed")
        assert.deepStrictEqual(yield* Fiber.await(current.fiber), Exit.fail("failed"))
        const retried = yield* takeOne(queue)
        assert.deepStrictEqual([retried.id, retried.attempts], ["contended", 1])
      }))

    it.effect("a take whose lease ran out still finishes its element if nobody took it since", () =>
      Effect.gen(function*() {
        const queue = yield* queueOf("pq-stale-done")
        yield* queue.offer("first", { id: "first" })
        const stale = yield* holdOne(queue)
        yield* queue.offer("second", { id: "second" })
        yield* expireLease("pq-stale-done", "first")
        // This take puts "first" back behind "second", and takes "second".
        const other = yield* holdOne(queue)
        assert.strictEqual(other.element.id, "second")
        yield* Deferred.succeed(stale.release, undefined)
        yield* Fiber.join(stale.fiber)
        yield* Deferred.succeed(other.release, undefined)
        yield* Fiber.join(other.fiber)
        const redis = yield* Redis.Redis
        const keys = keysOf("pq-stale-done")
        assert.strictEqual(yield* redis.llen(keys.waiting), 0)
        assert.strictEqual(yield* redis.hlen(keys.elements), 0)
      }))
  })
}

it.layer(standalone)("RedisPersistedQueue options", (it) => {
  it.effect("lockRefreshInterval must be shorter than lockExpiration", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        RedisPersistedQueue.make({ lockExpiration: "10 seconds", lockRefreshInterval: "10 seconds" })
      )
      assert.strictEqual(error._tag, "RedisConfigError")
      assert.include(error.message, "must be shorter than lockExpiration")
    }))
})
