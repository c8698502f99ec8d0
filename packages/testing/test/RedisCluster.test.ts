import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Net from "node:net"
import { command } from "../src/internal/command.js"
import { firstReplyLine } from "../src/internal/process.js"
import * as RedisCluster from "../src/RedisCluster.js"

const field = (info: string, name: string) => info.match(new RegExp(`^${name}:(.*)\r$`, "m"))?.[1]

describe("RedisCluster", () => {
  it.scoped("forms a cluster of three masters that serve every slot exactly once", () =>
    Effect.gen(function*() {
      const cluster = yield* RedisCluster.make()
      assert.strictEqual(cluster.masters.length, 3)
      assert.deepStrictEqual(cluster.replicas, [])
      assert.deepStrictEqual(cluster.nodes, cluster.masters)
      assert.deepStrictEqual(cluster.seeds, cluster.masters.map(({ port }) => ({ host: "127.0.0.1", port })))
      for (const node of cluster.nodes) {
        const info = String(yield* command(node.port, ["CLUSTER", "INFO"], undefined))
        assert.strictEqual(field(info, "cluster_state"), "ok")
        assert.strictEqual(String(yield* command(node.port, ["CLUSTER", "MYID"], undefined)), node.id)
      }
      const ranges = cluster.masters.map((master) => master.slots).sort(([a], [b]) => a - b)
      assert.strictEqual(ranges[0]![0], 0)
      assert.strictEqual(ranges.at(-1)![1], 16383)
      for (let i = 1; i < ranges.length; i++) assert.strictEqual(ranges[i]![0], ranges[i - 1]![1] + 1)
      // The cluster's own view agrees: each range served by its master.
      const slots = (yield* command(cluster.masters[0]!.port, ["CLUSTER", "SLOTS"], undefined)) as Array<
        [number, number, [string, number, string]]
      >
      assert.sameDeepMembers(
        slots.map(([start, end, [, port, id]]) => ({ start, end, port, id })),
        cluster.masters.map(({ id, port, slots: [start, end] }) => ({ start, end, port, id }))
      )
    }))

  it.scoped("gives each master its replicas, with a password on every node", () =>
    Effect.gen(function*() {
      const password = "cluster-secret"
      const cluster = yield* RedisCluster.make({ replicasPerMaster: 1, password })
      assert.strictEqual(cluster.nodes.length, 6)
      assert.sameMembers(
        cluster.replicas.map((replica) => replica.masterId),
        cluster.masters.map((master) => master.id)
      )
      for (const replica of cluster.replicas) {
        const master = cluster.masters.find((master) => master.id === replica.masterId)!
        const info = String(yield* command(replica.port, ["INFO", "replication"], password))
        assert.strictEqual(field(info, "role"), "slave")
        assert.strictEqual(field(info, "master_port"), String(master.port))
        assert.strictEqual(field(info, "master_link_status"), "up")
      }
      assert.deepStrictEqual(cluster.seeds.map(({ port }) => port), cluster.masters.map(({ port }) => port))
    }))

  it.effect("stops every node when the scope closes", () =>
    Effect.gen(function*() {
      const nodes = yield* Effect.scoped(
        Effect.map(RedisCluster.make({ masters: 1, replicasPerMaster: 1 }), (cluster) => cluster.nodes)
      )
      for (const node of nodes) {
        assert.deepStrictEqual(
          yield* firstReplyLine(() => Net.connect({ host: "127.0.0.1", port: node.port })),
          Option.none()
        )
      }
    }))

  it.effect("fails with what is still missing when the cluster does not form in time", () =>
    Effect.gen(function*() {
      // A fresh master reports cluster_state:fail for its first two seconds.
      const error = yield* Effect.flip(Effect.scoped(RedisCluster.make({ masters: 1, startTimeout: "1500 millis" })))
      assert.include(error.message, "The cluster did not form within 1s 500ms. Still missing: port ")
      assert.include(error.message, "cluster_state:fail")
    }))

  it.effect("rejects a cluster without masters", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(RedisCluster.make({ masters: 0 })))
      assert.include(error.message, "at least 1 master")
    }))
})
