/**
 * Pub/sub in a cluster. Channels and patterns go on one subscriber
 * connection to the master of slot 0: a PUBLISH on any node reaches every
 * node's subscribers. Shard channels live in slots: each goes on a
 * subscriber connection to the master of its slot, one connection per
 * master, and a subscription spanning several masters merges their streams.
 * Keyspace and keyevent notifications are local to each node: their
 * channels and patterns go to every master.
 */
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ClusterSlot from "../ClusterSlot.js"
import type { Subscribe } from "../Executor.js"
import type { Message, Targets } from "../PubSub.js"
import type { Resolved } from "../RedisConfig.js"
import { RedisConnectionError, type RedisError } from "../RedisError.js"
import type { Cluster } from "./cluster.js"
import type { Observer } from "./connectionStates.js"
import * as Subscriber from "./subscriber.js"

type Lazy = (binary: boolean) => Effect.Effect<Subscriber.Subscriber, RedisError>

/** Keyspace notifications: every node sends its own, for its own keys. */
const nodeLocal = (name: string): boolean => name.startsWith("__keyspace@") || name.startsWith("__keyevent@")

/** Shard channels grouped by the master serving them now: a slot of each group, and the group's channels. */
const byMaster = (
  cluster: Cluster,
  channels: ReadonlyArray<string>
): Effect.Effect<Map<string, { slot: number; channels: Array<string> }>, RedisError> =>
  Effect.suspend(() => {
    const groups = new Map<string, { slot: number; channels: Array<string> }>()
    for (const channel of channels) {
      const slot = ClusterSlot.slotOf(channel)
      const owner = cluster.map.ownerAddress(slot)
      if (owner === undefined) {
        return Effect.fail(
          new RedisConnectionError({
            reason: "Unavailable",
            message: `No reachable cluster master serves slot ${slot} of shard channel "${channel}"`,
            outcome: "not-sent"
          })
        )
      }
      const group = groups.get(owner)
      if (group === undefined) groups.set(owner, { slot, channels: [channel] })
      else group.channels.push(channel)
    }
    return Effect.succeed(groups)
  })

/** The cluster's `Subscribe`, its subscriber connections opened on first use and closed with `scope`. */
export const make = (
  config: Resolved,
  cluster: Cluster,
  observer: Observer
): Effect.Effect<Subscribe, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const main = yield* Subscriber.lazy(config, cluster.map.transportFor(0), observer)
    const shards = new Map<string, Lazy>()
    const lock = yield* Effect.makeSemaphore(1)
    // A shard channel's slot moved: the map is read again, so that subscribing again reaches its new owner.
    const shardMoved = () => {
      Effect.runFork(cluster.map.refreshLater())
    }
    // The connection for a master dials whoever serves `slot` now, so it follows a failover.
    const shardSubscriber = (owner: string, slot: number) =>
      lock.withPermits(1)(Effect.suspend(() => {
        const known = shards.get(owner)
        if (known !== undefined) return Effect.succeed(known)
        return Subscriber.lazy(config, cluster.map.transportFor(slot), observer, shardMoved).pipe(
          Effect.tap((lazy) => shards.set(owner, lazy)),
          Effect.provideService(Scope.Scope, scope)
        )
      }))

    /** Subscribes on the master at `owner` (serving `slot`). */
    const onMaster = (owner: string, slot: number, binary: boolean, targets: Targets) =>
      Effect.flatMap(
        shardSubscriber(owner, slot),
        (lazy) => Effect.flatMap(lazy(binary), (subscriber) => subscriber.subscribe(targets))
      )

    return (targets: Targets, binary: boolean) =>
      Effect.gen(function*() {
        const { channels = [], patterns = [], shardChannels = [], ...options } = targets
        const local = { channels: channels.filter(nodeLocal), patterns: patterns.filter(nodeLocal) }
        const global = {
          channels: channels.filter((name) => !nodeLocal(name)),
          patterns: patterns.filter((name) => !nodeLocal(name))
        }
        const parts: Array<Effect.Effect<Stream.Stream<Message<unknown>, RedisError>, RedisError, Scope.Scope>> = []
        if (
          global.channels.length + global.patterns.length > 0 ||
          channels.length + patterns.length + shardChannels.length === 0
        ) {
          parts.push(Effect.flatMap(main(binary), (subscriber) => subscriber.subscribe({ ...global, ...options })))
        }
        if (local.channels.length + local.patterns.length > 0) {
          for (const { address, slot } of cluster.map.masterSlots()) {
            parts.push(onMaster(address, slot, binary, { ...local, ...options }))
          }
        }
        for (const [owner, group] of yield* byMaster(cluster, shardChannels)) {
          parts.push(onMaster(owner, group.slot, binary, { shardChannels: group.channels, ...options }))
        }
        const streams = yield* Effect.all(parts, { concurrency: "unbounded" })
        return streams.length === 1 ? streams[0]! : Stream.mergeAll(streams, { concurrency: "unbounded" })
      })
  })
