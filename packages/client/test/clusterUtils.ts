import { ClusterSlot, Redis, type RedisConfig } from "@effect-redis/client"
import { NodeTransport } from "@effect-redis/node"
import type { RedisCluster } from "@effect-redis/testing"
import { Effect } from "effect"

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
 */
export const finishMove = (
  cluster: RedisCluster.RedisCluster,
  direct: ReadonlyArray<Redis.Redis>,
  slot: number,
  to: number
) =>
  Effect.forEach(
    [direct[to]!, ...direct.filter((_, index) => index !== to)],
    (node) => node.raw(["CLUSTER", "SETSLOT", slot, "NODE", cluster.masters[to]!.id]),
    { discard: true }
  )

/** The index of the master serving `slot` now, as the first master's CLUSTER SLOTS says. */
export const ownerNow = (cluster: RedisCluster.RedisCluster, direct: ReadonlyArray<Redis.Redis>, slot: number) =>
  Effect.map(direct[0]!.clusterSlots(), (ranges) => {
    const range = ranges.find((candidate) => candidate.start <= slot && slot <= candidate.end)!
    return cluster.masters.findIndex((master) => master.port === range.master.port)
  })
