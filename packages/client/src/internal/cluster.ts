/**
 * A Redis Cluster behind one executor: the slot map, a multiplexed
 * connection and a pool of dedicated connections per master, routing by key
 * slot, and the MOVED and ASK redirections.
 *
 * - The slot map comes from `CLUSTER SLOTS`, asked of the known nodes and
 *   then of the configured ones until one answers. It is read again after
 *   every MOVED (the redirected command does not wait for it), when a node
 *   cannot be reached, and every `refreshInterval`.
 * - A command goes to the master of its first key's slot; a command without
 *   keys goes to the master of slot 0. Multi-key commands are checked by the
 *   server (CROSSSLOT).
 * - A pipeline is split by master, each part sent as one batch, and the
 *   outcomes put back in order; a transaction goes whole to the master of
 *   its keys, which must share a slot.
 * - `TRYAGAIN` and `CLUSTERDOWN` (refused, nothing ran) are asked again
 *   after 100 ms, within the same `maxRedirects` budget.
 */
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as ClusterSlot from "../ClusterSlot.js"
import * as Command from "../Command.js"
import * as ClusterCommands from "../commands/cluster.js"
import type { Resolved, ResolvedCluster } from "../RedisConfig.js"
import { RedisArgumentError, RedisConnectionError, type RedisError } from "../RedisError.js"
import type { Transport } from "../RedisTransport.js"
import * as ReplyDecoder from "../ReplyDecoder.js"
import * as Connection from "./connection.js"
import * as Placement from "./placement.js"
import * as ConnectionPool from "./pool.js"
import { failureOf } from "./replies.js"

const CLUSTER_SLOTS = ClusterCommands.commands.clusterSlots()
const ASKING = Command.make(Command.spec("ASKING", Command.keyless), ["ASKING"], ReplyDecoder.ok)

type Exits = Array<Exit.Exit<unknown, RedisError>>

/** A master: its shared connection and its pool, closed together when it leaves the cluster. */
class Node {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly connection: Connection.Connection,
    readonly pool: ConnectionPool.ConnectionPool,
    readonly scope: Scope.CloseableScope
  ) {}
}

/** Where a MOVED or ASK error sends a command. */
interface Redirect {
  readonly ask: boolean
  readonly slot: number
  readonly host: string
  readonly port: number
}

const addressOf = (host: string, port: number): string => `${host}:${port}`

/** A batch on a node: on its shared connection, or (with a blocking command) on one of its pool. */
const batchOn = (
  node: Node,
  batch: ReadonlyArray<Command.Command<unknown>>,
  binary: boolean,
  place: "shared" | "pool"
): Effect.Effect<Exits> =>
  place === "shared" ? node.connection.executeAll(batch, binary) : Placement.onPool(node.pool, batch, binary)

/** Reads `MOVED <slot> <host>:<port>` and `ASK …`; an empty host means the node that answered. */
const redirectOf = (error: RedisError, from: Node): Redirect | undefined => {
  if (error._tag !== "RedisReplyError" || (error.code !== "MOVED" && error.code !== "ASK")) return undefined
  const [, slot, address] = error.message.split(" ")
  const colon = address?.lastIndexOf(":") ?? -1
  if (slot === undefined || address === undefined || colon === -1) return undefined
  const port = Number(address.slice(colon + 1))
  if (!Number.isInteger(port)) return undefined
  return {
    ask: error.code === "ASK",
    slot: Number(slot),
    host: colon === 0 ? from.host : address.slice(0, colon),
    port
  }
}

/**
 * Replies of a cluster in transition, refused before running: `TRYAGAIN`
 * (a multi-key command during a slot migration) and `CLUSTERDOWN` (slots
 * unserved until a failover completes).
 */
const transient = (error: RedisError): boolean =>
  error._tag === "RedisReplyError" && (error.code === "TRYAGAIN" || error.code === "CLUSTERDOWN")

/** How long to wait before asking again after a transient refusal. */
const transientRetryMillis = 100

/** Errors after which the slot map is read again: the master may be gone. */
const unreachable = (error: RedisError): boolean =>
  error._tag === "RedisConnectionError" || error._tag === "RedisTimeoutError" || error._tag === "RedisClosedError"

/** The slot of a command's first key; `undefined` for commands without keys. */
const slotOfCommand = (command: Command.Command<unknown>): number | undefined => {
  // Only the first key counts: found without building the list of every key, on every command.
  const keys = command.spec.keys
  if (keys === undefined) return undefined
  const index = typeof keys === "function" ? keys(command.args)[0] : keys.first
  if (index === undefined || index >= command.args.length) return undefined
  const key = command.args[index]!
  return ClusterSlot.slotOf(typeof key === "string" || key instanceof Uint8Array ? key : String(key))
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

export class Cluster {
  private readonly slots = new Array<Node | undefined>(ClusterSlot.SLOTS)
  /** With `readFrom: "replicas"`: each slot's reachable replicas (one array per range). */
  private readonly readers = new Array<ReadonlyArray<Node> | undefined>(ClusterSlot.SLOTS)
  /** Turns among a slot's replicas. */
  private turn = 0
  private readonly nodes = new Map<string, Node>()
  /** Bumped by every refresh: a refresh asked for before the last one finished has nothing to do. */
  private epoch = 0
  private readonly refreshLock = Effect.unsafeMakeSemaphore(1)
  private readonly nodeLock = Effect.unsafeMakeSemaphore(1)

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

  /** The node at an address, connected on first use. */
  private nodeAt(host: string, port: number): Effect.Effect<Node, RedisError> {
    return Effect.suspend(() => {
      const known = this.nodes.get(addressOf(host, port))
      if (known !== undefined) return Effect.succeed(known)
      return this.nodeLock.withPermits(1)(Effect.suspend(() => {
        const raced = this.nodes.get(addressOf(host, port))
        return raced !== undefined ? Effect.succeed(raced) : this.connect(host, port)
      }))
    })
  }

  private connect(host: string, port: number): Effect.Effect<Node, RedisError> {
    return Effect.gen(this, function*() {
      const scope = yield* Scope.fork(this.scope, ExecutionStrategy.sequential)
      const config = this.nodeConfig(host, port)
      const opened = yield* Effect.exit(
        Effect.all([
          Connection.make(config, this.transport, this.connectionOptions),
          ConnectionPool.make(config, this.transport)
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

  /**
   * Reads the slot map again, unless another refresh finished since
   * `seen` was read; closes the masters that left.
   */
  refresh(seen: number = this.epoch): Effect.Effect<void, RedisError> {
    return this.refreshLock.withPermits(1)(Effect.suspend(() => seen !== this.epoch ? Effect.void : this.reload))
  }

  private readonly reload: Effect.Effect<void, RedisError> = Effect.gen(this, function*() {
    const ranges = yield* this.askForSlots
    const owners = new Array<Node | undefined>(ClusterSlot.SLOTS)
    const readers = new Array<ReadonlyArray<Node> | undefined>(ClusterSlot.SLOTS)
    const live = new Set<Node>()
    for (const range of ranges) {
      // A node that cannot be reached (down, not yet replaced) serves nothing.
      const node = yield* Effect.option(this.nodeAt(range.host, range.port))
      const replicas = this.options.readFrom === "replicas"
        ? (yield* Effect.forEach(range.replicas, ({ host, port }) => Effect.option(this.nodeAt(host, port))))
          .flatMap((replica) => Option.isSome(replica) ? [replica.value] : [])
        : []
      for (const replica of replicas) live.add(replica)
      if (Option.isSome(node)) live.add(node.value)
      for (let slot = range.start; slot <= range.end; slot++) {
        owners[slot] = Option.getOrUndefined(node)
        readers[slot] = replicas
      }
    }
    for (let slot = 0; slot < ClusterSlot.SLOTS; slot++) {
      this.slots[slot] = owners[slot]
      this.readers[slot] = readers[slot]
    }
    this.epoch++
    for (const [address, node] of this.nodes) {
      if (live.has(node)) continue
      this.nodes.delete(address)
      yield* Scope.close(node.scope, Exit.void)
    }
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
  private refreshLater(): Effect.Effect<void> {
    return Effect.asVoid(Effect.forkIn(Effect.ignore(this.refresh()), this.scope))
  }

  private ownerOf(slot: number | undefined): Node | undefined {
    return this.slots[slot ?? 0]
  }

  /** The error of a command whose slot no reachable master serves; the slot map is read again. */
  private unserved(slot: number | undefined): Effect.Effect<never, RedisError> {
    return Effect.zipRight(
      this.refreshLater(),
      Effect.fail(
        new RedisConnectionError({
          reason: "Unavailable",
          message: `No reachable cluster master serves slot ${slot ?? 0}; the slot map is being read again`,
          outcome: "not-sent"
        })
      )
    )
  }

  /** With `readFrom: "replicas"`, the replica a single read-only command goes to, in turn. */
  private readerOf(command: Command.Command<unknown>, slot: number | undefined): Node | undefined {
    const flags = command.spec.flags
    if (slot === undefined || (flags & Command.Flags.readonly) === 0 || (flags & Command.Flags.blocking) !== 0) {
      return undefined
    }
    const replicas = this.readers[slot]
    return replicas === undefined || replicas.length === 0 ? undefined : replicas[this.turn++ % replicas.length]
  }

  /** Runs a command where its slot lives, following redirections. */
  execute<A>(command: Command.Command<A>, binary: boolean): Effect.Effect<A, RedisError> {
    // Routed when run, not when built: an Effect run again (a retry) sees the current map.
    return Effect.suspend(() => {
      const slot = slotOfCommand(command)
      const node = this.readerOf(command, slot) ?? this.ownerOf(slot)
      return node === undefined
        ? this.unserved(slot)
        : this.followed(command, binary, node, false, this.options.maxRedirects)
    })
  }

  /** Runs one command on `node` (after ASKING for an ASK redirection); blocking ones on a pooled connection. */
  private runOn<A>(
    command: Command.Command<A>,
    binary: boolean,
    node: Node,
    asking: boolean
  ): Effect.Effect<A, RedisError> {
    const run = (connection: Connection.Connection): Effect.Effect<A, RedisError> =>
      asking
        ? Effect.flatMap(connection.executeAll([ASKING, command], binary), (exits) =>
          exits[1]! as Exit.Exit<A, RedisError>)
        : connection.execute(command, binary)
    return (command.spec.flags & Placement.dedicated) !== 0
      ? Placement.aside(command, () => node.pool.withConnection(run))
      : run(node.connection)
  }

  private followed<A>(
    command: Command.Command<A>,
    binary: boolean,
    node: Node,
    asking: boolean,
    redirectsLeft: number
  ): Effect.Effect<A, RedisError> {
    return Effect.catchAll(this.runOn(command, binary, node, asking), (error) => {
      if (redirectsLeft > 0 && transient(error)) {
        // A failover or a migration under way: nothing ran; ask again shortly, where the map then says.
        return Effect.zipRight(
          Effect.zipRight(this.refreshLater(), Effect.sleep(transientRetryMillis)),
          Effect.suspend(() =>
            // A slot the map no longer lists is asked of the same master again.
            this.followed(command, binary, this.ownerOf(slotOfCommand(command)) ?? node, false, redirectsLeft - 1)
          )
        )
      }
      const redirect = redirectOf(error, node)
      if (redirect === undefined) {
        // An unreachable master may have failed over: the map says where its slots went.
        return unreachable(error) ? Effect.zipRight(this.refreshLater(), Effect.fail(error)) : Effect.fail(error)
      }
      if (redirectsLeft === 0) return Effect.fail(error)
      return Effect.flatMap(
        this.redirectTo(redirect),
        (target) => this.followed(command, binary, target, redirect.ask, redirectsLeft - 1)
      )
    })
  }

  /** The node a redirection names; a MOVED also updates the slot map, and has it read again. */
  private redirectTo(redirect: Redirect): Effect.Effect<Node, RedisError> {
    return Effect.flatMap(this.nodeAt(redirect.host, redirect.port), (target) => {
      if (redirect.ask) return Effect.succeed(target)
      this.slots[redirect.slot] = target
      return Effect.as(this.refreshLater(), target)
    })
  }

  /**
   * Runs a batch: a transaction (MULTI … EXEC) goes whole to the master of
   * its keys; a pipeline is split by master and its outcomes put back in
   * order, each redirected command followed on its own.
   */
  executeAll(batch: ReadonlyArray<Command.Command<unknown>>, binary: boolean): Effect.Effect<Exits> {
    return Effect.suspend(() => this.routeAll(batch, binary))
  }

  private routeAll(batch: ReadonlyArray<Command.Command<unknown>>, binary: boolean): Effect.Effect<Exits> {
    const place = Placement.ofBatch(batch)
    if (place instanceof RedisArgumentError) return Effect.succeed(Placement.failedBatch(batch, place))
    const slots = batch.map(slotOfCommand)
    const keyed = slots.find((slot) => slot !== undefined)
    if (batch.some((command) => command.spec.name === "MULTI")) {
      return this.transaction(batch, binary, slots, keyed, place)
    }
    // Commands without keys (SCRIPT LOAD ahead of EVALSHA…) go with the batch's first keyed command.
    const groups = new Map<Node | undefined, Array<number>>()
    slots.forEach((slot, index) => {
      const node = this.ownerOf(slot ?? keyed)
      const group = groups.get(node)
      if (group === undefined) groups.set(node, [index])
      else group.push(index)
    })
    const exits: Exits = new Array(batch.length)
    return Effect.forEach(groups, ([node, indices]) => {
      const commands = indices.map((index) => batch[index]!)
      const outcomes = node === undefined
        ? Effect.map(Effect.exit(this.unserved(slots[indices[0]!] ?? keyed)), (exit) => commands.map(() => exit))
        : this.runGroup(node, commands, binary, place)
      return Effect.map(outcomes, (partial) => partial.forEach((exit, at) => exits[indices[at]!] = exit))
    }, { concurrency: "unbounded", discard: true }).pipe(Effect.as(exits))
  }

  /** One master's part of a pipeline, as one batch; a redirected command is then followed on its own. */
  private runGroup(
    node: Node,
    commands: ReadonlyArray<Command.Command<unknown>>,
    binary: boolean,
    place: "shared" | "pool"
  ): Effect.Effect<Exits> {
    return Effect.flatMap(batchOn(node, commands, binary, place), (exits) =>
      Effect.forEach(exits, (exit, at) => {
        const error = failureOf(exit)
        const redirect = error === undefined ? undefined : redirectOf(error, node)
        if (redirect === undefined || this.options.maxRedirects === 0) return Effect.succeed(exit)
        return Effect.exit(Effect.flatMap(this.redirectTo(redirect), (target) =>
          this.followed(commands[at]!, binary, target, redirect.ask, this.options.maxRedirects - 1)))
      }))
  }

  private transaction(
    batch: ReadonlyArray<Command.Command<unknown>>,
    binary: boolean,
    slots: ReadonlyArray<number | undefined>,
    keyed: number | undefined,
    place: "shared" | "pool"
  ): Effect.Effect<Exits> {
    const other = slots.find((slot) => slot !== undefined && slot !== keyed)
    if (other !== undefined) {
      const refused = Exit.fail(
        new RedisArgumentError({
          message: `A transaction's keys must share one hash slot; these are in slots ${keyed} and ${other} ` +
            `(put the shared part of the keys in braces, a hash tag: {user:1}:name)`,
          command: "MULTI",
          outcome: "not-sent"
        })
      )
      return Effect.succeed(batch.map(() => refused))
    }
    const attempt = (node: Node, left: number): Effect.Effect<Exits> =>
      Effect.flatMap(batchOn(node, batch, binary, place), (exits) => {
        // A slot that moved refuses every queued command and EXEC aborts: nothing ran, so it is sent again.
        const moved = exits.map(failureOf).map((error) => error && redirectOf(error, node))
          .find((redirect) => redirect !== undefined && !redirect.ask)
        if (moved === undefined || left === 0) return Effect.succeed(exits)
        return Effect.matchEffect(this.redirectTo(moved), {
          onFailure: () => Effect.succeed(exits),
          onSuccess: (target) => attempt(target, left - 1)
        })
      })
    const node = this.ownerOf(keyed)
    return node === undefined
      ? Effect.map(Effect.exit(this.unserved(keyed)), (exit) => batch.map(() => exit))
      : attempt(node, this.options.maxRedirects)
  }

  /** The masters in slot order, as executors of their multiplexed connections. */
  masters(): Array<{ execute: Connection.Connection["execute"]; executeAll: Connection.Connection["executeAll"] }> {
    const seen = new Set<Node>()
    for (const node of this.slots) if (node !== undefined) seen.add(node)
    return [...seen].map(({ connection }) => ({ execute: connection.execute, executeAll: connection.executeAll }))
  }

  /** The pool of the master of these keys' slot (of slot 0 without keys). */
  poolFor(keys: ReadonlyArray<Command.RedisKey>): Effect.Effect<ConnectionPool.ConnectionPool, RedisError> {
    return Effect.suspend(() => {
      const slot = keys.length === 0 ? undefined : ClusterSlot.slotOf(keys[0]!)
      const node = this.ownerOf(slot)
      return node === undefined ? this.unserved(slot) : Effect.succeed(node.pool)
    })
  }

  /** Every master now, as `host:port` with the first slot it serves. */
  masterSlots(): Array<{ readonly address: string; readonly slot: number }> {
    const out = new Map<Node, number>()
    this.slots.forEach((node, slot) => {
      if (node !== undefined && !out.has(node)) out.set(node, slot)
    })
    return [...out].map(([node, slot]) => ({ address: addressOf(node.host, node.port), slot }))
  }

  /** Where the master of `slot` is now, as `host:port`. */
  ownerAddress(slot: number): string | undefined {
    const node = this.slots[slot]
    return node === undefined ? undefined : addressOf(node.host, node.port)
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

/**
 * Reads the slot map and connects to every master (and, with
 * `readFrom: "replicas"`, every replica), in `scope`; `tracking` for
 * client-side caching.
 */
export const make = (
  config: Resolved,
  options: ResolvedCluster,
  transport: Transport,
  tracking?: Connection.ConnectionOptions
): Effect.Effect<Cluster, RedisError, Scope.Scope> =>
  Effect.gen(function*() {
    const connectionOptions = { ...tracking, replicaReads: options.readFrom === "replicas" }
    const cluster = new Cluster(config, options, transport, yield* Effect.scope, connectionOptions)
    yield* cluster.refresh()
    yield* Effect.forkScoped(Effect.forever(
      Effect.zipRight(
        Effect.sleep(options.refreshIntervalMillis),
        Effect.ignore(Effect.suspend(() => cluster.refresh()))
      )
    ))
    return cluster
  })
