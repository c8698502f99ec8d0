import { Command, Commands, Redis } from "@effect-redis/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { testLayer } from "../utils.js"

const places = [
  { longitude: 13.361389, latitude: 38.115556, member: "Palermo" },
  { longitude: 15.087269, latitude: 37.502669, member: "Catania" },
  { longitude: 12.758489, latitude: 38.788135, member: "edge1" }
]

const close = (actual: number, expected: number, tolerance: number) =>
  assert.isTrue(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`)

for (const protocol of [2, 3] as const) {
  it.layer(testLayer({ protocol }), { timeout: 30_000 })(`geo (RESP${protocol})`, (it) => {
    const k = (name: string) => `geo:${protocol}:${name}`

    it.effect("GEOADD, GEOPOS, GEODIST and GEOHASH describe members", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        assert.strictEqual(yield* redis.geoadd(k("g"), places), 3)
        assert.strictEqual(
          yield* redis.geoadd(k("g"), [{ longitude: 13, latitude: 38, member: "edge1" }], { nx: true }),
          0
        )
        assert.strictEqual(
          yield* redis.geoadd(k("g"), [{ longitude: 13, latitude: 38, member: "edge1" }], { xx: true, ch: true }),
          1
        )
        const [palermo, none] = yield* redis.geopos(k("g"), ["Palermo", "none"])
        assert.isTrue(Option.isSome(palermo!))
        close(Option.getOrThrow(palermo!).longitude, 13.361389, 1e-5)
        close(Option.getOrThrow(palermo!).latitude, 38.115556, 1e-5)
        assert.deepStrictEqual(none, Option.none())
        const km = yield* redis.geodist(k("g"), "Palermo", "Catania", "km")
        close(Option.getOrThrow(km), 166.2742, 1e-3)
        close(Option.getOrThrow(yield* redis.geodist(k("g"), "Palermo", "Catania")), 166274.15, 1)
        assert.deepStrictEqual(yield* redis.geodist(k("g"), "Palermo", "none"), Option.none())
        assert.deepStrictEqual(
          yield* redis.geohash(k("g"), ["Palermo", "none"]),
          [Option.some("sqc8b49rny0"), Option.none()]
        )
      }))

    it.effect("GEOSEARCH finds members by radius or box, with details", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.geoadd(k("s"), places)
        assert.deepStrictEqual(
          yield* redis.geosearch(k("s"), { longitude: 15, latitude: 37 }, { radius: 200, unit: "km" }, {
            order: "ASC"
          }),
          ["Catania", "Palermo"]
        )
        assert.deepStrictEqual(
          yield* redis.geosearch(k("s"), { member: "Palermo" }, { width: 400, height: 400, unit: "km" }, {
            order: "DESC",
            count: 2
          }),
          ["Catania", "edge1"]
        )
        const [catania] = yield* redis.geosearchWithDetails(
          k("s"),
          { longitude: 15, latitude: 37 },
          { radius: 100, unit: "km" },
          { count: 1, any: true }
        )
        assert.strictEqual(catania!.member, "Catania")
        close(catania!.distance, 56.4413, 1e-3)
        assert.strictEqual(catania!.hash, 3479447370796909)
        close(catania!.coordinates.longitude, 15.087269, 1e-5)
        close(catania!.coordinates.latitude, 37.502669, 1e-5)
      }))

    it.effect("GEOSEARCHSTORE stores positions or distances", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.geoadd(k("{st}src"), places)
        assert.strictEqual(
          yield* redis.geosearchstore(k("{st}dst"), k("{st}src"), { longitude: 15, latitude: 37 }, {
            radius: 200,
            unit: "km"
          }),
          2
        )
        assert.strictEqual(yield* redis.zcard(k("{st}dst")), 2)
        assert.strictEqual(
          yield* redis.geosearchstore(
            k("{st}dist"),
            k("{st}src"),
            { longitude: 15, latitude: 37 },
            { radius: 200, unit: "km" },
            { storedist: true, order: "ASC", count: 1 }
          ),
          1
        )
        close(Option.getOrThrow(yield* redis.zscore(k("{st}dist"), "Catania")), 56.4413, 1e-3)
      }))

    it.effect("the binary view returns members as bytes", () =>
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        yield* redis.geoadd(k("bin"), places)
        const found = yield* redis.binary.geosearch(k("bin"), { member: "Catania" }, { radius: 1, unit: "km" })
        assert.deepStrictEqual(found, [new TextEncoder().encode("Catania")])
      }))
  })
}

describe("geo definitions", () => {
  const commands = Commands.commands
  const keysOf = (command: Command.Command<unknown>) => Command.keyIndices(command).map((i) => command.args[i])

  it("point cluster routing at their keys", () => {
    assert.deepStrictEqual(
      keysOf(commands.geosearchstore("d", "s", { member: "m" }, { radius: 1, unit: "km" })),
      ["d", "s"]
    )
  })
})
