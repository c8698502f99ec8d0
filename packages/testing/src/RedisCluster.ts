/**
 * A real Redis Cluster for tests: redis-server nodes started with
 * {@link RedisServer.make} in cluster mode, joined into one cluster with the
 * 16384 slots spread evenly over the masters, stopped and cleaned up when
 * the scope closes.
 *
 * ```ts
 * import { RedisCluster } from "@effect-redis/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const cluster = yield* RedisCluster.make({ replicasPerMaster: 1 })
 *   // connect a cluster client to cluster.seeds
 *   yield* cluster.masters[0]!.kill // its replica takes over within seconds
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Arr from "effect/Array"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { command } from "./internal/command.js"
import { withLiveClock } from "./internal/process.js"
import * as RedisServer from "./RedisServer.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How many masters share the slots. Default `3`. */
  readonly masters?: number | undefined
  /** How many replicas each master gets. Default `0`. */
  readonly replicasPerMaster?: number | undefined
  /** `requirepass` and `masterauth` of every node. */
  readonly password?: string | undefined
  /**
   * Extra arguments for every node, last so they win over the defaults,
   * e.g. `["--cluster-node-timeout", "5000"]`.
   */
  readonly args?: ReadonlyArray<string> | undefined
  /**
   * How long to wait for the nodes to start and the cluster to form.
   * Defaults to 20 seconds.
   */
  readonly startTimeout?: Duration.DurationInput | undefined
}

/**
 * A master: its server, its cluster node id and the slots it was given.
 *
 * @since 0.1.0
 * @category models
 */
export interface Master extends RedisServer.RedisServer {
  readonly id: string
  readonly role: "master"
  /** The first and last slot it serves, inclusive. */
  readonly slots: readonly [start: number, end: number]
}

/**
 * A replica: its server, its cluster node id and its master's id.
 *
 * @since 0.1.0
 * @category models
 */
export interface Replica extends RedisServer.RedisServer {
  readonly id: string
  readonly role: "replica"
  readonly masterId: string
}

/**
 * A cluster node. Its server handle controls the process (`kill`, `stop`,
 * `start`, `pause`…); a restarted node keeps its id and rejoins, as its
 * `nodes.conf` stays in its directory.
 *
 * @since 0.1.0
 * @category models
 */
export type Node = Master | Replica

/**
 * A formed cluster. Roles and slots are as formed: after a failover or a
 * resharding, ask the cluster.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisCluster {
  /** Every node: the masters, then the replicas. */
  readonly nodes: ReadonlyArray<Node>
  readonly masters: ReadonlyArray<Master>
  readonly replicas: ReadonlyArray<Replica>
  /** The masters' addresses: what a cluster client is given to start from. */
  readonly seeds: ReadonlyArray<{ readonly host: string; readonly port: number }>
}

const slotCount = 16384
const pollInterval = Duration.millis(50)

/**
 * Starts a cluster and stops it when the scope closes.
 *
 * Every node is a {@link RedisServer.make} server with `cluster: true`,
 * `--cluster-node-timeout 1000` (a node is failed after one second of
 * silence, so tests see failovers quickly) and
 * `--repl-diskless-sync-delay 0` (replicas sync at once). The cluster is
 * formed without `redis-cli`: `CLUSTER ADDSLOTSRANGE` on each master,
 * `CLUSTER MEET` from every node to the first, `CLUSTER REPLICATE` on each
 * replica once it knows its master. `make` succeeds when every node reports
 * `cluster_state:ok`, knows every node and all slots assigned, and sees
 * every replica as a replica of its master, and when every replica's link
 * to its master is up. On timeout the error says what was still missing.
 *
 * Redis 7.0 or newer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<RedisCluster, RedisServer.RedisServerError, Scope.Scope> =>
  Effect.gen(function*() {
    const masterCount = options.masters ?? 3
    const replicasPerMaster = options.replicasPerMaster ?? 0
    if (
      !Number.isInteger(masterCount) || masterCount < 1 || !Number.isInteger(replicasPerMaster) || replicasPerMaster < 0
    ) {
      return yield* new RedisServer.RedisServerError({
        message: `A cluster needs at least 1 master and 0 or more replicas per master, as whole numbers; ` +
          `got masters: ${masterCount}, replicasPerMaster: ${replicasPerMaster}`
      })
    }
    const { password } = options
    const startTimeout = options.startTimeout ?? "20 seconds"
    const run = (server: RedisServer.RedisServer, ...args: ReadonlyArray<string>) =>
      Effect.map(command(server.port, args, password), String)
    const pollUntil = <E>(check: Effect.Effect<boolean, E>) =>
      Effect.repeat(check, { schedule: Schedule.spaced(pollInterval), until: (done) => done })
    let missing = "the nodes to answer PING"

    const form = Effect.gen(function*() {
      const servers = yield* Effect.forEach(
        Array.from({ length: masterCount * (1 + replicasPerMaster) }),
        () =>
          RedisServer.make({
            cluster: true,
            password,
            startTimeout,
            args: [
              "--cluster-node-timeout",
              "1000",
              "--repl-diskless-sync-delay",
              "0",
              ...(password === undefined ? [] : ["--masterauth", password]),
              ...(options.args ?? [])
            ]
          }),
        { concurrency: "unbounded" }
      )
      const identified = yield* Effect.forEach(
        servers,
        (server) => Effect.map(run(server, "CLUSTER", "MYID"), (id) => ({ ...server, id })),
        { concurrency: "unbounded" }
      )
      const masters = identified.slice(0, masterCount).map((server, i): Master => ({
        ...server,
        role: "master",
        slots: [Math.floor(i * slotCount / masterCount), Math.floor((i + 1) * slotCount / masterCount) - 1]
      }))
      // The replicas come in rounds of one per master, in the masters' order.
      const replicas = Arr.chunksOf(identified.slice(masterCount), masterCount).flatMap((round) =>
        Arr.zipWith(round, masters, (server, master): Replica => ({ ...server, role: "replica", masterId: master.id }))
      )
      const nodes: ReadonlyArray<Node> = [...masters, ...replicas]
      const [first, ...others] = nodes
      if (first === undefined) return yield* new RedisServer.RedisServerError({ message: "A cluster needs a node" })

      yield* Effect.forEach(
        masters,
        (master) => run(master, "CLUSTER", "ADDSLOTSRANGE", String(master.slots[0]), String(master.slots[1])),
        { concurrency: "unbounded" }
      )
      yield* Effect.forEach(
        others,
        (node) => run(node, "CLUSTER", "MEET", first.host, String(first.port), String(first.clusterPort)),
        { concurrency: "unbounded" }
      )
      missing = "the replicas to learn of their masters"
      yield* Effect.forEach(
        replicas,
        (replica) =>
          pollUntil(Effect.map(run(replica, "CLUSTER", "NODES"), (known) => known.includes(replica.masterId))).pipe(
            Effect.zipRight(run(replica, "CLUSTER", "REPLICATE", replica.masterId))
          ),
        { concurrency: "unbounded" }
      )

      const nodeGaps = (node: Node) =>
        Effect.gen(function*() {
          const info = yield* run(node, "CLUSTER", "INFO")
          const topology = yield* run(node, "CLUSTER", "NODES")
          const gaps: Array<string> = []
          const state = field(info, "cluster_state")
          if (state !== "ok") gaps.push(`cluster_state:${state}`)
          const known = Number(field(info, "cluster_known_nodes"))
          if (known !== nodes.length) gaps.push(`knows ${known} of ${nodes.length} nodes`)
          const assigned = Number(field(info, "cluster_slots_assigned"))
          if (assigned !== slotCount) gaps.push(`${assigned} of ${slotCount} slots assigned`)
          for (const replica of replicas) {
            if (!seesReplica(topology, replica)) gaps.push(`does not see port ${replica.port} as a replica yet`)
          }
          if (node.role === "replica") {
            const link = field(yield* run(node, "INFO", "replication"), "master_link_status")
            if (link !== "up") gaps.push(`master_link_status:${link}`)
          }
          return gaps.length === 0 ? [] : [`port ${node.port}: ${gaps.join(", ")}`]
        })
      yield* pollUntil(
        Effect.forEach(nodes, nodeGaps, { concurrency: "unbounded" }).pipe(
          Effect.map((gaps) => {
            missing = gaps.flat().join("; ")
            return missing === ""
          })
        )
      )
      return { nodes, masters, replicas, seeds: masters.map(({ host, port }) => ({ host, port })) }
    })

    return yield* form.pipe(
      Effect.timeoutFail({
        duration: startTimeout,
        onTimeout: () =>
          new RedisServer.RedisServerError({
            message: `The cluster did not form within ${Duration.format(startTimeout)}. Still missing: ${missing}`
          })
      }),
      withLiveClock
    )
  })

/** A `name:value` line of an INFO-style reply. */
const field = (info: string, name: string): string | undefined =>
  info.match(new RegExp(`^${name}:(.*)$`, "m"))?.[1]?.trim()

/** Whether a `CLUSTER NODES` reply lists `replica` as a replica of its master. */
const seesReplica = (topology: string, replica: Replica): boolean =>
  topology.split("\n").some((line) => {
    const [id, , flags, masterId] = line.split(" ")
    return id === replica.id && masterId === replica.masterId && flags?.split(",").includes("slave") === true
  })
