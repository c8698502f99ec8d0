import { ClusterSlot, Redis, type RedisConfig } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import type { RedisCluster } from "@effect-redis/testing"
import { Effect } from "effect"
import { eventually } from "./utils.js"

/** A client with these options. */
export const connect = (options: RedisConfig.Options) => Redis.make(options).pipe(Effect.provide(NodeTransport.layer))

/** The index of the master whose slot range (as formed) holds `slot`. */
export const ownerIndex = (cluster: RedisCluster.RedisCluster, slot: number): number =>
  cluster.masters.findIndex((node) => node.slots[0] <= slot && slot <= node.slots[1])

/** The first of `count` generated keys that lands on the master at `index` (as formed). */
export const keyOn = (cluster: RedisCluster.RedisCluster, index: number, prefix: string): string =>
  Array.from({ length: 1000 }, (_, i) => `${prefix}${i}`).find((key) =>
    ownerIndex(cluster, ClusterSlot.slotOf(key)) === index
  )!

/**
 * Starts moving `slot` from one master to another, as `redis-cli --cluster
 * reshard` does: IMPORTING on the target, MIGRATING on the source, then
 * MIGRATE of `keys` (all the slot's keys when omitted), `batch` at a time.
 */
export const startMove = (
  cluster: RedisCluster.RedisCluster,
  direct: ReadonlyArray<Redis.Redis>,
  slot: number,
  from: number,
  to: number,
  options: { readonly keys?: ReadonlyArray<string>; readonly batch?: number } = {}
) =>
  Effect.gen(function*() {
    const source = direct[from]!
    const target = cluster.masters[to]!
    yield* direct[to]!.raw(["CLUSTER", "SETSLOT", slot, "IMPORTING", cluster.masters[from]!.id])
    yield* source.raw(["CLUSTER", "SETSLOT", slot, "MIGRATING", target.id])
    const keys = options.keys ?? (yield* source.raw(["CLUSTER", "GETKEYSINSLOT", slot, 1000])) as Array<string>
    const batch = options.batch ?? keys.length
    for (let i = 0; i < keys.length; i += batch) yield* migrate(source, target, keys.slice(i, i + batch))
  })

/** MIGRATEs keys from `source` to `target`. */
export const migrate = (source: Redis.Redis, target: RedisCluster.Master, keys: ReadonlyArray<string>) =>
  keys.length === 0
    ? Effect.void
    : Effect.asVoid(source.raw(["MIGRATE", target.host, target.port, "", 0, 5000, "KEYS", ...keys]))

/**
 * Ends a move: every master learns that `to` owns the slot, `to` first (as
 * redis-cli does), so that no node sends a command back to a source that
 * has already let go.
 *
 * `to` takes a new config epoch as it takes the slot, one above the
 * highest it knows of; if it has not yet heard of the source's latest one,
 * a heartbeat the source sent before it let go can carry a higher epoch
 * and hand the slot back in `to`'s view for good, each master then
 * redirecting the slot to the other (Redis' own race, not the client's).
 * So the move first waits until every master knows the same current
 * epoch, and afterwards until every master names `to`, telling one that
 * does not again, as `redis-cli --cluster fix` would.
 */
export const finishMove = (
  cluster: RedisCluster.RedisCluster,
  direct: ReadonlyArray<Redis.Redis>,
  slot: number,
  to: number
) =>
  Effect.gen(function*() {
    yield* eventually(
      Effect.forEach(direct, (node) => Effect.map(node.clusterInfo(), (info) => info["cluster_current_epoch"])),
      (epochs) => epochs.every((epoch) => epoch === epochs[0]),
      10
    )
    const owner = cluster.masters[to]!
    const assign = (node: Redis.Redis) => node.raw(["CLUSTER", "SETSLOT", slot, "NODE", owner.id])
    yield* Effect.forEach([direct[to]!, ...direct.filter((_, index) => index !== to)], assign, { discard: true })
    const agrees = (node: Redis.Redis) =>
      Effect.flatMap(ownerSeenBy(node, slot), (port) =>
        port === owner.port ? Effect.succeed(true) : Effect.as(assign(node), false))
    yield* eventually(Effect.forEach(direct, agrees), (agreed) =>
      agreed.every(Boolean), 10)
  })

/** The port of the master serving `slot` in `node`'s own view (CLUSTER SLOTS). */
const ownerSeenBy = (node: Redis.Redis, slot: number) =>
  Effect.map(
    node.clusterSlots(),
    (ranges) => ranges.find((range) => range.start <= slot && slot <= range.end)?.master.port
  )

/** The index of the master serving `slot` now, as the first master's CLUSTER SLOTS says. */
export const ownerNow = (cluster: RedisCluster.RedisCluster, direct: ReadonlyArray<Redis.Redis>, slot: number) =>
  Effect.map(direct[0]!.clusterSlots(), (ranges) => {
    const range = ranges.find((candidate) => candidate.start <= slot && slot <= candidate.end)!
    return cluster.masters.findIndex((master) => master.port === range.master.port)
  })
