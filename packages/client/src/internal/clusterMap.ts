/**
 * The slot map of a cluster: which master (and, for replica reads, which
 * replicas) serves each of the 16,384 slots, a connection and a pool per
 * node, and the reading of `CLUSTER SLOTS` that keeps it current:
 * every `refreshInterval`, when asked (MOVED, CLUSTERDOWN, an unreachable
 * node), and on a short backoff for as long as a master is unreachable or
 * a slot unserved, which is how a failover shows. Commands for a master
 * that cannot be reached wait here ({@link SlotMap.served}) until it is
 * back or the map names another.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as ClusterSlot from "../ClusterSlot.js"
import * as Command from "../Command.js"
import * as ClusterCommands from "../commands/cluster.js"
import type { Resolved, ResolvedCluster } from "../RedisConfig.js"
import { RedisConnectionError, type RedisError } from "../RedisError.js"
import type { Transport } from "../RedisTransport.js"
import * as Connection from "./connection.js"
import * as ConnectionPool from "./pool.js"

const CLUSTER_SLOTS = ClusterCommands.commands.clusterSlots()

export const addressOf = (host: string, port: number): string => `${host}:${port}`

/** A node: its shared connection and its pool, closed together when it leaves the cluster. */
export class Node {
  /** Set when the node left the slot map: what it never sent may go elsewhere. */
  retired = false
  constructor(
    readonly host: string,
    readonly port: number,
    readonly connection: Connection.Connection,
    readonly pool: ConnectionPool.ConnectionPool,
    readonly scope: Scope.CloseableScope
  ) {}
  get address(): string {
    return addressOf(this.host, this.port)
  }
}

/** One range of `CLUSTER SLOTS`: its slots, where its master is, and where its replicas are. */
interface Range {
  readonly start: number
  readonly end: number
  readonly host: string
  readonly port: number
  readonly replicas: ReadonlyArray<{ readonly host: string; readonly port: number }>
}

/**
 * The ranges with their nodes' addresses; a master's empty host or `?`
 * means the node asked. A replica without an address is left out.
 */
const rangesOf = (slots: ReadonlyArray<ClusterCommands.SlotRange>, askedHost: string): Array<Range> =>
  slots.map(({ end, master, replicas, start }) => ({
    start,
    end,
    host: master.host === "" || master.host === "?" ? askedHost : master.host,
    port: master.port,
    replicas: replicas.filter((replica) => replica.host !== "" && replica.host !== "?")
  }))

/** How long the map waits before it is read again while a master is down: doubling up to the cap. */
const recoveryFirstDelayMillis = 50
const recoveryMaxDelayMillis = 250

export class SlotMap {
  private readonly slots = new Array<Node | undefined>(ClusterSlot.SLOTS)
  /** The address CLUSTER SLOTS named for each slot when last read, reached or not. */
  private readonly listed = new Array<string | undefined>(ClusterSlot.SLOTS)
  /** With `readFrom: "replicas"`: each slot's reachable replicas (one array per range). */
  private readonly readers = new Array<ReadonlyArray<Node> | undefined>(ClusterSlot.SLOTS)
  /** Turns among a slot's replicas. */
  private turn = 0
  private readonly nodes = new Map<string, Node>()
  /** Connections being opened, by address: concurrent askers share one. */
  private readonly opening = new Map<string, Deferred.Deferred<Node, RedisError>>()
  /** The masters of the last map read, and how many slots it left unserved. */
  private masterNodes: ReadonlyArray<Node> = []
  private unservedSlots = 0
  /** Bumped by every refresh: a refresh asked for before the last one finished has nothing to do. */
  private epoch = 0
  private readonly refreshLock = Effect.unsafeMakeSemaphore(1)
  /** Pulsed when the map was read or a node reconnected: commands waiting for a master look again. */
  private readonly changed = Effect.unsafeMakeLatch(false)
  /** Opened when a master may be down: the recovery loop reads the map until all are served. */
  private readonly degradedSignal = Effect.unsafeMakeLatch(false)

  constructor(
    private readonly config: Resolved,
    private readonly options: ResolvedCluster,
    private readonly transport: Transport,
    private readonly scope: Scope.Scope,
    /**
     * How every node's multiplexed connection is made: tracked and
     * reporting to the cache with client-side caching, sending READONLY
     * for replica reads.
     */
    private readonly connectionOptions: Connection.ConnectionOptions
  ) {}

  /** The configuration of a connection to one node. */
  nodeConfig(host: string, port: number): Resolved {
    return { ...this.config, endpoint: { _tag: "Tcp", host, port, tls: this.config.endpoint.tls }, cluster: undefined }
  }

  // ---------------------------------------------------------------------------
  // nodes and the slot map

  /** The node at an address, connected on first use. */
  nodeAt(host: string, port: number): Effect.Effect<Node, RedisError> {
    return Effect.suspend(() => {
      const address = addressOf(host, port)
      const known = this.nodes.get(address)
      if (known !== undefined) return Effect.succeed(known)
      const pending = this.opening.get(address)
      if (pending !== undefined) return Deferred.await(pending)
      const opened = Deferred.unsafeMake<Node, RedisError>(FiberId.none)
      this.opening.set(address, opened)
      // In the cluster's scope: an asker that is interrupted does not take the others' connection with it.
      const connecting = Effect.onExit(this.connect(host, port), (exit) => {
        this.opening.delete(address)
        return Deferred.done(opened, exit)
      })
      return Effect.zipRight(Effect.forkIn(connecting, this.scope), Deferred.await(opened))
    })
  }

  private connect(host: string, port: number): Effect.Effect<Node, RedisError> {
    return Effect.gen(this, function*() {
      const scope = yield* Scope.fork(this.scope, ExecutionStrategy.sequential)
      const config = this.nodeConfig(host, port)
      const { listener, ...options } = this.connectionOptions
      const opened = yield* Effect.exit(
        Effect.all([
          Connection.make(config, this.transport, {
            ...options,
            role: "node",
            listener: {
              ...listener,
              onLost: () => {
                listener?.onLost?.()
                this.degradedSignal.unsafeOpen()
              },
              onReconnect: () => {
                listener?.onReconnect?.()
                this.pulse()
              }
            }
          }),
          ConnectionPool.make(config, this.transport, options.observer)
        ]).pipe(Scope.extend(scope))
      )
      if (Exit.isFailure(opened)) {
        yield* Scope.close(scope, opened)
        return yield* Effect.failCause(opened.cause)
      }
      const node = new Node(host, port, opened.value[0], opened.value[1], scope)
      this.nodes.set(addressOf(host, port), node)
      return node
    })
  }

  /** Wakes the commands waiting for a master to be served. */
  private pulse(): void {
    this.changed.unsafeOpen()
    this.changed.unsafeClose()
  }

  /** Whether a master of the map is unreachable or a slot unserved. */
  private get degraded(): boolean {
    return this.unservedSlots > 0 || this.masterNodes.some((node) => !node.connection.isReady)
  }

  /**
   * Reads the slot map again, unless another refresh finished since
   * `seen` was read; closes the nodes that left.
   */
  refresh(seen: number = this.epoch): Effect.Effect<void, RedisError> {
    return this.refreshLock.withPermits(1)(Effect.suspend(() => seen !== this.epoch ? Effect.void : this.reload))
  }

  private readonly reload: Effect.Effect<void, RedisError> = Effect.gen(this, function*() {
    const ranges = yield* this.askForSlots
    // Every listed node at once: one that cannot be reached does not hold up the others.
    const listed = new Map<string, { readonly host: string; readonly port: number }>()
    for (const range of ranges) {
      listed.set(addressOf(range.host, range.port), range)
      if (this.options.readFrom === "replicas") {
        for (const replica of range.replicas) listed.set(addressOf(replica.host, replica.port), replica)
      }
    }
    const reached = new Map<string, Node>()
    yield* Effect.forEach(
      listed,
      ([address, { host, port }]) =>
        Effect.map(Effect.option(this.nodeAt(host, port)), (node) => {
          // A node that cannot be reached (down, not yet replaced) serves nothing.
          if (Option.isSome(node)) reached.set(address, node.value)
        }),
      { concurrency: "unbounded", discard: true }
    )
    const owners = new Array<Node | undefined>(ClusterSlot.SLOTS)
    const addresses = new Array<string | undefined>(ClusterSlot.SLOTS)
    const readers = new Array<ReadonlyArray<Node> | undefined>(ClusterSlot.SLOTS)
    for (const range of ranges) {
      const address = addressOf(range.host, range.port)
      const node = reached.get(address)
      const replicas = this.options.readFrom === "replicas"
        ? range.replicas.flatMap(({ host, port }) => reached.get(addressOf(host, port)) ?? [])
        : []
      for (let slot = range.start; slot <= range.end; slot++) {
        owners[slot] = node
        addresses[slot] = address
        readers[slot] = replicas
      }
    }
    const masters = new Set<Node>()
    let unserved = 0
    for (let slot = 0; slot < ClusterSlot.SLOTS; slot++) {
      const owner = owners[slot]
      this.slots[slot] = owner
      this.listed[slot] = addresses[slot]
      this.readers[slot] = readers[slot]
      if (owner === undefined) unserved++
      else masters.add(owner)
    }
    this.masterNodes = [...masters]
    this.unservedSlots = unserved
    this.epoch++
    const live = new Set(reached.values())
    for (const [address, node] of this.nodes) {
      if (live.has(node)) continue
      this.nodes.delete(address)
      node.retired = true
      // Its connection closes without a loss, and with it the invalidations of what was read there (a
      // replica, with `readFrom: "replicas"`): the listener hears of it as of a loss.
      this.connectionOptions.listener?.onLost?.()
      // Closing waits for replies in flight (up to the close timeout): not the map's business.
      yield* Effect.forkIn(Scope.close(node.scope, Exit.void), this.scope)
    }
    this.pulse()
  })

  /** `CLUSTER SLOTS` from the known masters, then from the configured nodes; the first answer wins. */
  private readonly askForSlots: Effect.Effect<Array<Range>, RedisError> = Effect.suspend(() => {
    const tried: Array<string> = []
    // Masters with a live connection first; a master that is down would only make the answer wait.
    const candidates = [
      ...[...this.nodes.values()].filter((node) => node.connection.isReady),
      ...this.options.nodes
    ]
    const attempt = (index: number): Effect.Effect<Array<Range>, RedisError> => {
      if (index >= candidates.length) {
        return Effect.fail(
          new RedisConnectionError({
            reason: "Connect",
            message: `No cluster node answered CLUSTER SLOTS: ${tried.join("; ")}`,
            outcome: "not-sent"
          })
        )
      }
      const { host, port } = candidates[index]!
      const known = this.nodes.get(addressOf(host, port))
      const ask = known !== undefined && known.connection.isReady
        ? known.connection.execute(CLUSTER_SLOTS, false)
        : Effect.scoped(Effect.flatMap(
          Connection.make(this.nodeConfig(host, port), this.transport, { reconnect: false }),
          (connection) => connection.execute(CLUSTER_SLOTS, false)
        ))
      return ask.pipe(
        Effect.map((slots) => rangesOf(slots, host)),
        Effect.catchAll((error) => {
          tried.push(`${addressOf(host, port)}: ${error.message}`)
          return attempt(index + 1)
        })
      )
    }
    return attempt(0)
  })

  /** Reads the slot map again in the background. */
  refreshLater(): Effect.Effect<void> {
    return Effect.asVoid(Effect.forkIn(Effect.ignore(this.refresh()), this.scope))
  }

  /**
   * Reads the map on a short backoff for as long as a master is
   * unreachable or a slot unserved: the failover of a master shows as a
   * new owner of its slots, which waiting commands then go to.
   */
  readonly recovery: Effect.Effect<never> = Effect.forever(Effect.gen(this, function*() {
    yield* this.degradedSignal.await
    this.degradedSignal.unsafeClose()
    let delay = recoveryFirstDelayMillis
    while (this.degraded) {
      yield* Effect.sleep(delay)
      delay = Math.min(delay * 2, recoveryMaxDelayMillis)
      yield* Effect.ignore(this.refresh())
    }
  }))

  /** The deadline of a command's wait for a master: its timeout from now. */
  get deadline(): number {
    return Date.now() + this.config.commandTimeoutMillis
  }

  /**
   * The master serving `slot` once it can be reached: while the slot is
   * unserved or its master down, waits (until `deadline`) for the map to
   * change or the master to come back.
   */
  served(slot: number, deadline: number): Effect.Effect<Node, RedisError> {
    return Effect.suspend(() => {
      const node = this.slots[slot]
      if (node !== undefined && node.connection.isReady) return Effect.succeed(node)
      const left = deadline - Date.now()
      if (left <= 0) {
        return Effect.fail(
          new RedisConnectionError({
            reason: "Unavailable",
            message: node === undefined
              ? `No cluster master serves slot ${slot} (the slot map was read again for ${this.config.commandTimeoutMillis} ms)`
              : `The cluster master ${node.address} serving slot ${slot} could not be reached, and no other took ` +
                `over within ${this.config.commandTimeoutMillis} ms`,
            outcome: "not-sent"
          })
        )
      }
      this.suspect()
      return Effect.zipRight(Effect.timeoutOption(this.changed.await, left), this.served(slot, deadline))
    })
  }

  /** With `readFrom: "replicas"`, the replica a single read-only command goes to, in turn. */
  readerOf(command: Command.Command<unknown>, slot: number): Node | undefined {
    const flags = command.spec.flags
    if ((flags & Command.Flags.readonly) === 0 || (flags & Command.Flags.blocking) !== 0) return undefined
    const replicas = this.readers[slot]
    return replicas === undefined || replicas.length === 0 ? undefined : replicas[this.turn++ % replicas.length]
  }

  /** The master of `slot` in the map, reachable or not. */
  owner(slot: number): Node | undefined {
    return this.slots[slot]
  }

  /** A MOVED reply's news, applied before the map is read again. */
  moved(slot: number, node: Node): void {
    this.slots[slot] = node
  }

  /** A master may be down: the recovery loop reads the map until every slot is served. */
  suspect(): void {
    this.degradedSignal.unsafeOpen()
  }

  /**
   * The first slot of every master the map lists, reached or not: a master
   * that could not be reached when the map was read counts, by the address
   * CLUSTER SLOTS gave. What a command for every master waits for.
   */
  everyMasterSlot(): Array<number> {
    const seen = new Set<string>()
    const slots: Array<number> = []
    for (let slot = 0; slot < ClusterSlot.SLOTS; slot++) {
      const address = this.slots[slot]?.address ?? this.listed[slot]
      if (address === undefined || seen.has(address)) continue
      seen.add(address)
      slots.push(slot)
    }
    return slots
  }

  /** Every master now, as `host:port` with the first slot it serves. */
  masterSlots(): Array<{ readonly address: string; readonly slot: number }> {
    const out = new Map<Node, number>()
    this.slots.forEach((node, slot) => {
      if (node !== undefined && !out.has(node)) out.set(node, slot)
    })
    return [...out].map(([node, slot]) => ({ address: node.address, slot }))
  }

  /** Where the master of `slot` is now, as `host:port`. */
  ownerAddress(slot: number): string | undefined {
    return this.slots[slot]?.address
  }

  /**
   * A transport for subscriber connections: every dial goes to the current
   * master of `slot`, whatever endpoint it is given, so a reconnect after a
   * failover reaches the promoted replica.
   */
  transportFor(slot: number): Transport {
    return {
      decoderPlatform: this.transport.decoderPlatform,
      connect: (_endpoint, handlers, timeoutMillis) =>
        Effect.suspend(() => {
          const owner = this.slots[slot]
          return owner === undefined
            ? Effect.zipRight(
              this.refreshLater(),
              Effect.fail(
                new RedisConnectionError({
                  reason: "Connect",
                  message: `No reachable cluster master serves slot ${slot}, where this subscriber connection goes`,
                  outcome: "not-sent"
                })
              )
            )
            : this.transport.connect(this.nodeConfig(owner.host, owner.port).endpoint, handlers, timeoutMillis).pipe(
              // The master may have failed over: the next dial goes where the map then says.
              Effect.tapError(() => this.refreshLater())
            )
        })
    }
  }
}
