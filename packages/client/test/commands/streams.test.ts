import { Redis } from "@effect-redis/client"
import { assert, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import { testLayer } from "../utils.js"

const some = <A>(option: Option.Option<A>): A => {
  assert.isTrue(Option.isSome(option), "expected some")
  return Option.getOrThrow(option)
}

for (const protocol of [2, 3] as const) {
  const key = (name: string) => `streams:${protocol}:${name}`

  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`streams (RESP${protocol})`, (it) => {
    it.effect("XADD appends entries that XRANGE and XREVRANGE read back with COUNT", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const k = key("range")
        const id1 = some(yield* redis.xadd(k, "*", { a: "1", b: "two" }))
        const id2 = some(yield* redis.xadd(k, "*", [["a", 3], ["a", "again"]]))
        const id3 = some(yield* redis.xadd(k, "5000000000000-1", { c: "x" }))
        assert.strictEqual(id3, "5000000000000-1")
        const all = yield* redis.xrange(k, "-", "+")
        assert.deepStrictEqual(all.map((e) => e.id), [id1, id2, id3])
        assert.deepStrictEqual(all[0]!.fields, { a: "1", b: "two" })
        const first = yield* redis.xrange(k, "-", "+", { count: 1 })
        assert.deepStrictEqual(first.map((e) => e.id), [id1])
        const newest = yield* redis.xrevrange(k, "+", "-", { count: 2 })
        assert.deepStrictEqual(newest.map((e) => e.id), [id3, id2])
        assert.strictEqual(yield* redis.xlen(k), 3)
        assert.deepStrictEqual(yield* redis.xrange(key("range-missing"), "-", "+"), [])
      }))

    it.effect("XADD NOMKSTREAM on a missing stream is none and creates nothing", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const k = key("nomkstream")
        assert.isTrue(Option.isNone(yield* redis.xadd(k, "*", { f: "v" }, { nomkstream: true })))
        assert.strictEqual(yield* redis.xlen(k), 0)
      }))

    it.effect("XADD trims with MAXLEN and MINID, XTRIM and XDEL remove entries", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const k = key("trim")
        for (let i = 1; i <= 5; i++) yield* redis.xadd(k, `${i}-0`, { i })
        yield* redis.xadd(k, "6-0", { i: 6 }, { maxlen: { threshold: 4 } })
        assert.deepStrictEqual((yield* redis.xrange(k, "-", "+")).map((e) => e.id), ["3-0", "4-0", "5-0", "6-0"])
        yield* redis.xadd(k, "7-0", { i: 7 }, { minid: { threshold: "5-0" } })
        assert.deepStrictEqual((yield* redis.xrange(k, "-", "+")).map((e) => e.id), ["5-0", "6-0", "7-0"])
        // Approximate trimming only evicts whole nodes: a tiny stream keeps everything.
        yield* redis.xadd(k, "8-0", { i: 8 }, { maxlen: { threshold: 1, approximate: true, limit: 10 } })
        assert.strictEqual(yield* redis.xlen(k), 4)
        assert.strictEqual(yield* redis.xtrim(k, { maxlen: { threshold: 2 } }), 2)
        assert.strictEqual(yield* redis.xtrim(k, { minid: { threshold: "8-0" } }), 1)
        assert.strictEqual(yield* redis.xdel(k, ["8-0", "9-0"]), 1)
        assert.strictEqual(yield* redis.xlen(k), 0)
      }))

    it.effect("XREAD returns the new entries per stream, none when there are none", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const a = key("read-a")
        const b = key("read-b")
        yield* redis.xadd(a, "1-0", { n: "a1" })
        yield* redis.xadd(a, "2-0", { n: "a2" })
        yield* redis.xadd(b, "1-0", { n: "b1" })
        const read = some(yield* redis.xread({ [a]: "1-0", [b]: "0-0" }))
        assert.deepStrictEqual(read, {
          [a]: [{ id: "2-0", fields: { n: "a2" } }],
          [b]: [{ id: "1-0", fields: { n: "b1" } }]
        })
        const counted = some(yield* redis.xread([[a, "0-0"]], { count: 1 }))
        assert.deepStrictEqual(counted[a]!.map((e) => e.id), ["1-0"])
        assert.isTrue(Option.isNone(yield* redis.xread({ [a]: "2-0", [b]: "1-0" })))
      }))

    it.effect("XREAD BLOCK is none on timeout and wakes up for a new entry", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const k = key("block")
        assert.isTrue(Option.isNone(yield* redis.xreadBlock({ [k]: "$" }, 50)))
        const id = some(yield* redis.xadd(k, "*", { n: 1 }))
        // Reading after a known id returns the next entry whether it is added
        // before or while the read blocks.
        const reader = yield* Effect.fork(redis.xreadBlock({ [k]: id }, 10_000))
        const next = some(yield* redis.xadd(k, "*", { n: 2 }))
        const read = some(yield* Fiber.join(reader))
        assert.deepStrictEqual(read[k]!.map((e) => e.id), [next])
      }))

    it.effect("consumer groups deliver, track pending entries and acknowledge", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const k = key("group")
        yield* redis.xgroupCreate(k, "g", "$", { mkstream: true })
        const error = yield* Effect.flip(redis.xgroupCreate(k, "g", "$"))
        assert.strictEqual(error._tag, "RedisReplyError")
        assert.strictEqual(error._tag === "RedisReplyError" ? error.code : "", "BUSYGROUP")
        assert.isTrue(yield* redis.xgroupCreateconsumer(k, "g", "c1"))
        assert.isFalse(yield* redis.xgroupCreateconsumer(k, "g", "c1"))
        const id1 = some(yield* redis.xadd(k, "*", { n: 1 }))
        const id2 = some(yield* redis.xadd(k, "*", { n: 2 }))
        const read = some(yield* redis.xreadgroup("g", "c1", { [k]: ">" }, { count: 1 }))
        assert.deepStrictEqual(read[k], [{ id: id1, fields: { n: "1" } }])
        const rest = some(yield* redis.xreadgroup("g", "c2", [[k, ">"]]))
        assert.deepStrictEqual(rest[k]!.map((e) => e.id), [id2])
        assert.isTrue(Option.isNone(yield* redis.xreadgroup("g", "c2", { [k]: ">" })))

        const summary = yield* redis.xpending(k, "g")
        assert.strictEqual(summary.count, 2)
        assert.deepStrictEqual(summary.first, Option.some(id1))
        assert.deepStrictEqual(summary.last, Option.some(id2))
        assert.deepStrictEqual(summary.consumers, [{ name: "c1", pending: 1 }, { name: "c2", pending: 1 }])
        const pending = yield* redis.xpendingExtended(k, "g", "-", "+", 10, { consumer: "c2" })
        assert.strictEqual(pending.length, 1)
        assert.strictEqual(pending[0]!.id, id2)
        assert.strictEqual(pending[0]!.consumer, "c2")
        assert.strictEqual(pending[0]!.deliveries, 1)
        assert.isTrue(pending[0]!.idle >= 0)

        assert.strictEqual(yield* redis.xack(k, "g", [id1, id2, "0-1"]), 2)
        const empty = yield* redis.xpending(k, "g")
        assert.strictEqual(empty.count, 0)
        assert.isTrue(Option.isNone(empty.first))
        assert.deepStrictEqual(empty.consumers, [])
      }))

    it.effect("XCLAIM and XAUTOCLAIM move pending entries to another consumer", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const k = key("claim")
        yield* redis.xgroupCreate(k, "g", "0", { mkstream: true })
        const ids: Array<string> = []
        for (let i = 0; i < 4; i++) ids.push(some(yield* redis.xadd(k, "*", { n: i })))
        yield* redis.xreadgroup("g", "c1", { [k]: ">" })

        const claimed = yield* redis.xclaim(k, "g", "c2", 0, [ids[0]!], { retrycount: 5 })
        assert.deepStrictEqual(claimed, [{ id: ids[0]!, fields: { n: "0" } }])
        const justIds = yield* redis.xclaimJustid(k, "g", "c2", 0, [ids[1]!])
        assert.deepStrictEqual(justIds, [ids[1]!])
        const [entry0] = yield* redis.xpendingExtended(k, "g", ids[0]!, ids[0]!, 1)
        assert.strictEqual(entry0!.consumer, "c2")
        assert.strictEqual(entry0!.deliveries, 5)

        yield* redis.xdel(k, [ids[3]!])
        const auto = yield* redis.xautoclaim(k, "g", "c3", 0, "0-0", { count: 3 })
        assert.deepStrictEqual(auto.claimed.map((e) => e.id), [ids[0]!, ids[1]!, ids[2]!])
        assert.deepStrictEqual(auto.claimed[2]!.fields, { n: "2" })
        assert.strictEqual(auto.next, ids[3]!)
        assert.deepStrictEqual(auto.deleted, [])
        const autoIds = yield* redis.xautoclaimJustid(k, "g", "c4", 0, auto.next)
        assert.strictEqual(autoIds.next, "0-0")
        assert.deepStrictEqual(autoIds.claimed, [])
        assert.deepStrictEqual(autoIds.deleted, [ids[3]!])
      }))

    it.effect("XREADGROUP history reports an entry deleted while pending with no fields", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const k = key("history")
        yield* redis.xgroupCreate(k, "g", "0", { mkstream: true })
        const id1 = some(yield* redis.xadd(k, "*", { n: 1 }))
        const id2 = some(yield* redis.xadd(k, "*", { n: 2 }))
        yield* redis.xreadgroup("g", "c", { [k]: ">" })
        yield* redis.xdel(k, [id1])
        const history = some(yield* redis.xreadgroup("g", "c", { [k]: "0" }))
        assert.deepStrictEqual(history[k], [{ id: id1, fields: {} }, { id: id2, fields: { n: "2" } }])
      }))

    it.effect("XINFO describes the stream, its groups and their consumers", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const k = key("info")
        const id1 = some(yield* redis.xadd(k, "1-1", { a: "x" }))
        const id2 = some(yield* redis.xadd(k, "2-1", { b: "y" }))
        yield* redis.xgroupCreate(k, "g", "0")
        yield* redis.xreadgroup("g", "c", { [k]: ">" }, { count: 1 })

        const stream = yield* redis.xinfoStream(k)
        assert.strictEqual(stream.length, 2)
        assert.strictEqual(stream.lastGeneratedId, id2)
        assert.strictEqual(stream.entriesAdded, 2)
        assert.strictEqual(stream.groups, 1)
        assert.strictEqual(stream.maxDeletedEntryId, "0-0")
        assert.strictEqual(stream.recordedFirstEntryId, id1)
        assert.deepStrictEqual(stream.firstEntry, Option.some({ id: id1, fields: { a: "x" } }))
        assert.deepStrictEqual(stream.lastEntry, Option.some({ id: id2, fields: { b: "y" } }))

        const [group] = yield* redis.xinfoGroups(k)
        assert.strictEqual(group!.name, "g")
        assert.strictEqual(group!.consumers, 1)
        assert.strictEqual(group!.pending, 1)
        assert.strictEqual(group!.lastDeliveredId, id1)
        assert.deepStrictEqual(group!.entriesRead, Option.some(1))
        assert.deepStrictEqual(group!.lag, Option.some(1))

        const [consumer] = yield* redis.xinfoConsumers(k, "g")
        assert.strictEqual(consumer!.name, "c")
        assert.strictEqual(consumer!.pending, 1)
        assert.isTrue(consumer!.idle >= 0)

        const error = yield* Effect.flip(redis.xinfoStream(key("info-missing")))
        assert.strictEqual(error._tag, "RedisReplyError")
      }))

    it.effect("XGROUP SETID, DELCONSUMER and DESTROY manage a group", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const k = key("manage")
        yield* redis.xadd(k, "1-0", { n: 1 })
        yield* redis.xadd(k, "2-0", { n: 2 })
        yield* redis.xgroupCreate(k, "g", "$", { entriesRead: 2 })
        yield* redis.xgroupSetid(k, "g", "1-0", { entriesRead: 1 })
        const read = some(yield* redis.xreadgroup("g", "c", { [k]: ">" }))
        assert.deepStrictEqual(read[k]!.map((e) => e.id), ["2-0"])
        yield* redis.xgroupSetid(k, "g", "0")
        yield* redis.xreadgroup("g", "c", { [k]: ">" })
        assert.strictEqual(yield* redis.xgroupDelconsumer(k, "g", "c"), 2)
        assert.deepStrictEqual(yield* redis.xinfoConsumers(k, "g"), [])
        assert.isTrue(yield* redis.xgroupDestroy(k, "g"))
        assert.isFalse(yield* redis.xgroupDestroy(k, "g"))
      }))

    it.effect("XSETID moves the last generated id forward", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const k = key("setid")
        yield* redis.xadd(k, "1-0", { n: 1 })
        yield* redis.xsetid(k, "10-0", { entriesAdded: 5, maxDeletedId: "3-0" })
        const info = yield* redis.xinfoStream(k)
        assert.strictEqual(info.lastGeneratedId, "10-0")
        assert.strictEqual(info.entriesAdded, 5)
        assert.strictEqual(info.maxDeletedEntryId, "3-0")
        const error = yield* Effect.flip(redis.xsetid(k, "0-1"))
        assert.strictEqual(error._tag, "RedisReplyError")
      }))

    it.effect("the binary view returns field values as bytes", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const k = key("binary")
        const bytes = new Uint8Array([0, 255, 128, 10])
        const id = some(yield* redis.xadd(k, "*", { payload: bytes }))
        const [entry] = yield* redis.binary.xrange(k, "-", "+")
        assert.instanceOf(entry!.id, Uint8Array)
        assert.strictEqual(new TextDecoder().decode(entry!.id), id)
        const value = entry!.fields["payload"]
        assert.instanceOf(value, Uint8Array)
        assert.deepStrictEqual(Array.from(value), [0, 255, 128, 10])
        const read = some(yield* redis.binary.xread({ [k]: "0-0" }))
        assert.deepStrictEqual(Array.from(read[k]![0]!.fields["payload"]!), [0, 255, 128, 10])
      }))
  })
}
