/**
 * A Redis Cluster behind one executor: routing by key slot over the slot
 * map (`clusterMap.ts`), and the MOVED and ASK redirections.
 *
 * - A command goes to the master of its first key's slot. Commands for a
 *   master that cannot be reached wait (within their timeout) until it is
 *   back or the map names another. Keyless commands follow
 *   `clusterFanout.ts`; `raw` calls find their keys from the server's
 *   key specs (`commandKeys.ts`).
 * - A pipeline is split by master, each part sent as one batch, and the
 *   outcomes put back in order; a transaction goes whole to the master of
 *   its keys, which must share a slot, following MOVED and ASK whole.
 * - `TRYAGAIN` and `CLUSTERDOWN` are left to the retry policy
 *   (`retry.ts`), which asks again on a schedule; a CLUSTERDOWN has the map
 *   read again first.
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import * as ClusterSlot from "../ClusterSlot.js"
import * as Command from "../Command.js"
import type { Executor } from "../Executor.js"
import type { Resolved, ResolvedCluster } from "../RedisConfig.js"
import {
  RedisArgumentError,
  RedisClusterError,
  RedisConnectionError,
  type RedisError,
  type RedisReplyError
} from "../RedisError.js"
import type { Transport } from "../RedisTransport.js"
import * as ReplyDecoder from "../ReplyDecoder.js"
import { catchFailure } from "./catchFailure.js"
import * as Fanout from "./clusterFanout.js"
import { type Node, SlotMap } from "./clusterMap.js"
import { KeyFinder } from "./commandKeys.js"
import type * as Connection from "./connection.js"
import * as Placement from "./placement.js"
import type * as ConnectionPool from "./pool.js"
import { decodeError, failureOf } from "./replies.js"

const ASKING = Command.make(Command.spec("ASKING", Command.keyless), ["ASKING"], ReplyDecoder.ok)

/** The first pause before following a redirection back to a node that redirected the command already. */
const loopFirstPauseMillis = 10
/** The longest such pause. */
const loopMaxPauseMillis = 200

/**
 * A redirection back to a node that already redirected the command means
 * two nodes disagree about who serves the slot (a move the cluster has not
 * settled, or a split an operator must repair): following at once would
 * spend every redirection in a millisecond. The command waits first, 10 ms
 * at its first return to a node, doubling at each further return to it, up
 * to 200 ms; with the default 16 redirections, it rides out about 1.6 s of
 * disagreement before failing with TooManyRedirections.
 */
const pauseBeforeReturning = (path: ReadonlyArray<string>, target: Node): Effect.Effect<void> => {
  let returns = 0
  for (const address of path) if (address === target.address) returns++
  return returns === 0
    ? Effect.void
    : Effect.sleep(Math.min(loopFirstPauseMillis * 2 ** (returns - 1), loopMaxPauseMillis))
}

type Exits = Array<Exit.Exit<unknown, RedisError>>

/** Where a MOVED or ASK error sends a command. */
interface Redirect {
  readonly ask: boolean
  readonly slot: number
  readonly host: string
  readonly port: number
}

/** Reads `MOVED <slot> <host>:<port>` and `ASK …`; an empty host means the node that answered. */
const redirectOf = (error: RedisError | undefined, from: Node): Redirect | undefined => {
  if (error === undefined || error._tag !== "RedisReplyError" || (error.code !== "MOVED" && error.code !== "ASK")) {
    return undefined
  }
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

/** A batch on a node: on its shared connection, or (with a blocking command) on one of its pool. */
const batchOn = (
  node: Node,
  batch: ReadonlyArray<Command.Command<unknown>>,
  binary: boolean,
  place: "shared" | "pool"
): Effect.Effect<Exits> =>
  place === "shared" ? node.connection.executeAll(batch, binary) : Placement.onPool(node.pool, batch, binary)

/** Errors after which the slot map is read again: the master may be gone. */
const unreachable = (error: RedisError): boolean =>
  error._tag === "RedisConnectionError" || error._tag === "RedisTimeoutError" || error._tag === "RedisClosedError"

/** A command a retired node never sent: it may go to the node now serving its slot. */
const unsent = (error: RedisError | undefined, node: Node): boolean =>
  node.retired && error !== undefined && unreachable(error) && "outcome" in error && error.outcome === "not-sent"

/** The slot of a command's first key; `undefined` for commands without keys. */
const slotOfCommand = (command: Command.Command<unknown>): number | undefined => {
  // Only the first key counts: found without building the list of every key, on every command.
  const keys = command.spec.keys
  if (keys === undefined) return undefined
  const index = typeof keys === "function" ? keys(command.args)[0] : keys.first
  if (index === undefined || index >= command.args.length) return undefined
  return slotOfKey(command.args[index]!)
}

const slotOfKey = (key: Command.RedisArg): number =>
  ClusterSlot.slotOf(typeof key === "string" || key instanceof Uint8Array ? key : String(key))

const isRaw = (command: Command.Command<unknown>): boolean => (command.spec.flags & Command.Flags.raw) !== 0

/** The nodes that redirected a command before it was first sent: none (shared, never changed). */
const noRedirects: ReadonlyArray<string> = []

/** Runs one command on a connection, after ASKING for an ASK redirection. */
const runOnConnection = <A>(
  connection: Connection.Connection,
  command: Command.Command<A>,
  binary: boolean,
  asking: boolean
): Effect.Effect<A, RedisError> =>
  asking
    ? Effect.flatMap(connection.executeAll([ASKING, command], binary), (exits) => exits[1]! as Exit.Exit<A, RedisError>)
    : connection.execute(command, binary)

export class Cluster {
  private readonly keys = new KeyFinder((command, binary) => this.execute(command, binary))

  constructor(
    /** The slot map, which pub/sub reads too. */
    readonly map: SlotMap,
    private readonly options: ResolvedCluster
  ) {}

  // ---------------------------------------------------------------------------
  // routing

  /** Runs a command where its slot lives, following redirections. */
  execute<A>(command: Command.Command<A>, binary: boolean): Effect.Effect<A, RedisError> {
    // Routed when run, not when built: an Effect run again (a retry) sees the current map.
    return Effect.suspend(() => {
      if (isRaw(command)) {
        return Effect.flatMap(
          this.keys.firstKey(command.args),
          (key) => key === undefined ? this.keyless(command, binary) : this.keyed(command, binary, slotOfKey(key))
        )
      }
      const slot = slotOfCommand(command)
      return slot === undefined ? this.keyless(command, binary) : this.keyed(command, binary, slot)
    })
  }

  private keyed<A>(command: Command.Command<A>, binary: boolean, slot: number): Effect.Effect<A, RedisError> {
    const node = this.map.readerOf(command, slot) ?? this.map.owner(slot)
    return node !== undefined && node.connection.isReady
      ? this.followed(command, binary, node, false, this.options.maxRedirects, noRedirects)
      : Effect.flatMap(
        this.map.served(slot, this.map.deadline),
        (owner) => this.followed(command, binary, owner, false, this.options.maxRedirects, noRedirects)
      )
  }

  /** A command without keys: on the master of slot 0, on every master, or refused (`clusterFanout.ts`). */
  private keyless<A>(command: Command.Command<A>, binary: boolean): Effect.Effect<A, RedisError> {
    const plan = Fanout.planOf(command)
    switch (plan._tag) {
      case "OneMaster":
        return this.keyed(command, binary, 0)
      case "EveryMaster":
        return this.onEveryMaster(command, binary, plan.merge)
      case "Refused":
        return Effect.fail(
          new RedisArgumentError({
            message: `${command.spec.name} is not sent in a cluster: ${plan.reason}`,
            command: command.spec.name,
            outcome: "not-sent"
          })
        )
    }
  }

  /** Runs a command on every master and merges their replies; a failure on some but not all is reported as such. */
  private onEveryMaster<A>(
    command: Command.Command<A>,
    binary: boolean,
    merge: Fanout.Merge
  ): Effect.Effect<A, RedisError> {
    return Effect.gen(this, function*() {
      const deadline = this.map.deadline
      const masters = yield* Effect.forEach(this.map.everyMasterSlot(), (slot) => this.map.served(slot, deadline))
      const unique = [...new Set(masters)]
      const asRaw = Command.make(command.spec, command.args, ReplyDecoder.raw)
      const exits = yield* Effect.forEach(unique, (node) => Effect.exit(node.connection.execute(asRaw, binary)), {
        concurrency: "unbounded"
      })
      const failed = unique.filter((_, i) => Exit.isFailure(exits[i]!))
      if (failed.length === unique.length) return yield* exits[0]! as Exit.Exit<never, RedisError>
      if (failed.length > 0) {
        const first = failureOf(exits.find(Exit.isFailure)!)!
        return yield* new RedisClusterError({
          reason: "PartlyApplied",
          message: `${command.spec.name} ran on ${unique.length - failed.length} of ${unique.length} masters and ` +
            `failed on ${failed.map((node) => node.address).join(", ")}: ${first.message}`,
          command: command.spec.name,
          nodes: failed.map((node) => node.address),
          outcome: "may-have-executed",
          cause: first
        })
      }
      const merged = merge(exits.map((exit) => (exit as Exit.Success<RespValue, never>).value))
      try {
        return command.decode(merged)
      } catch (error) {
        return yield* decodeError(command, error)
      }
    })
  }

  /**
   * Runs one command on `node` (after ASKING for an ASK redirection):
   * blocking ones on a pooled connection, state-changing ones refused
   * (`placement.ts`).
   */
  private runOn<A>(
    command: Command.Command<A>,
    binary: boolean,
    node: Node,
    asking: boolean
  ): Effect.Effect<A, RedisError> {
    return (command.spec.flags & Placement.dedicated) !== 0
      ? Placement.aside(
        command,
        () => node.pool.withConnection((member) => runOnConnection(member, command, binary, asking))
      )
      : runOnConnection(node.connection, command, binary, asking)
  }

  /** Runs a command on `node`, following MOVED and ASK; `seen` lists the nodes that redirected it so far. */
  private followed<A>(
    command: Command.Command<A>,
    binary: boolean,
    node: Node,
    asking: boolean,
    redirectsLeft: number,
    seen: ReadonlyArray<string>
  ): Effect.Effect<A, RedisError> {
    return catchFailure(this.runOn(command, binary, node, asking), (error) => {
      const redirect = redirectOf(error, node)
      if (redirect !== undefined) {
        const path = [...seen, node.address]
        if (redirectsLeft === 0) return Effect.fail(tooManyRedirections(command.spec.name, redirect.slot, path, error))
        return Effect.flatMap(
          this.redirectTo(redirect),
          (target) =>
            Effect.zipRight(
              pauseBeforeReturning(path, target),
              this.followed(command, binary, target, redirect.ask, redirectsLeft - 1, path)
            )
        )
      }
      // Its master left the map before sending it: routed again, to whoever serves the slot now.
      if (unsent(error, node)) return this.execute(command, binary)
      // A failover under way: the map may have changed; the retry policy asks again.
      if (error._tag === "RedisReplyError" && error.code === "CLUSTERDOWN") {
        return Effect.zipRight(this.map.refreshLater(), Effect.fail(error))
      }
      if (!unreachable(error)) return Effect.fail(error)
      // An unreachable master may have failed over: the map says where its slots went.
      this.map.suspect()
      return Effect.zipRight(this.map.refreshLater(), Effect.fail(error))
    })
  }

  /** The node a redirection names; a MOVED also updates the slot map, and has it read again. */
  private redirectTo(redirect: Redirect): Effect.Effect<Node, RedisError> {
    return Effect.flatMap(this.map.nodeAt(redirect.host, redirect.port), (target) => {
      if (redirect.ask) return Effect.succeed(target)
      this.map.moved(redirect.slot, target)
      return Effect.as(this.map.refreshLater(), target)
    })
  }

  // ---------------------------------------------------------------------------
  // batches

  /**
   * Runs a batch: a transaction (MULTI … EXEC) goes whole to the master of
   * its keys; a pipeline is split by master and its outcomes put back in
   * order, each redirected command followed on its own. A batch with a
   * blocking command runs on pool connections, one with a state-changing
   * command outside MULTI … EXEC is refused (`placement.ts`).
   */
  executeAll(batch: ReadonlyArray<Command.Command<unknown>>, binary: boolean): Effect.Effect<Exits> {
    return Effect.suspend(() => {
      const place = Placement.ofBatch(batch)
      if (place instanceof RedisArgumentError) return Effect.succeed(Placement.failedBatch(batch, place))
      const multiAt = batch.findIndex((command) => command.spec.name === "MULTI")
      return Effect.flatMap(this.slotsOf(batch), (slots) =>
        multiAt === -1
          ? this.pipeline(batch, binary, slots, this.map.deadline, place)
          : this.transaction(batch, binary, slots, multiAt, place))
    })
  }

  /** The slot of each command of a batch (raw ones from the server's key specs; unknown when that fails). */
  private slotsOf(batch: ReadonlyArray<Command.Command<unknown>>): Effect.Effect<Array<number | undefined>> {
    if (!batch.some(isRaw)) return Effect.succeed(batch.map(slotOfCommand))
    return Effect.forEach(batch, (command) =>
      isRaw(command)
        ? Effect.map(
          Effect.orElseSucceed(this.keys.firstKey(command.args), () => undefined),
          (key) => key === undefined ? undefined : slotOfKey(key)
        )
        : Effect.succeed(slotOfCommand(command)))
  }

  /**
   * A pipeline: one batch per master. Commands without keys (SCRIPT LOAD
   * ahead of EVALSHA…) go with the batch's first keyed command; a group
   * whose master is down waits for it (or its successor) and is routed again.
   */
  private pipeline(
    batch: ReadonlyArray<Command.Command<unknown>>,
    binary: boolean,
    slots: ReadonlyArray<number | undefined>,
    deadline: number,
    place: "shared" | "pool"
  ): Effect.Effect<Exits> {
    return Effect.suspend(() => {
      const keyed = slots.find((slot) => slot !== undefined) ?? 0
      const groups = new Map<Node | undefined, Array<number>>()
      slots.forEach((slot, index) => {
        const node = this.map.owner(slot ?? keyed)
        const group = groups.get(node)
        if (group === undefined) groups.set(node, [index])
        else group.push(index)
      })
      const exits: Exits = new Array(batch.length)
      return Effect.forEach(groups, ([node, indices]) => {
        const commands = indices.map((index) => batch[index]!)
        const outcomes = node !== undefined && node.connection.isReady
          ? this.runGroup(node, commands, binary, place)
          : Effect.matchEffect(this.map.served(slots[indices[0]!] ?? keyed, deadline), {
            onFailure: (error) => Effect.succeed(commands.map(() => Exit.fail(error))),
            onSuccess: () =>
              this.pipeline(commands, binary, indices.map((index) => slots[index] ?? keyed), deadline, place)
          })
        return Effect.map(outcomes, (partial) => partial.forEach((exit, at) => exits[indices[at]!] = exit))
      }, { concurrency: "unbounded", discard: true }).pipe(Effect.as(exits))
    })
  }

  /** One master's part of a pipeline, as one batch; a redirected or unsent command is then run on its own. */
  private runGroup(
    node: Node,
    commands: ReadonlyArray<Command.Command<unknown>>,
    binary: boolean,
    place: "shared" | "pool"
  ): Effect.Effect<Exits> {
    return Effect.flatMap(batchOn(node, commands, binary, place), (exits) =>
      Effect.forEach(exits, (exit, at) => {
        const error = failureOf(exit)
        if (unsent(error, node)) return Effect.exit(this.execute(commands[at]!, binary))
        const redirect = redirectOf(error, node)
        if (redirect === undefined) return Effect.succeed(exit)
        if (this.options.maxRedirects === 0) {
          return Effect.succeed(
            Exit.fail(tooManyRedirections(commands[at]!.spec.name, redirect.slot, [node.address], error!))
          )
        }
        return Effect.exit(Effect.flatMap(this.redirectTo(redirect), (target) =>
          this.followed(commands[at]!, binary, target, redirect.ask, this.options.maxRedirects - 1, [node.address])))
      }))
  }

  /**
   * A transaction, whole on the master of its keys. A slot that moved
   * refuses the queued commands (MOVED) and EXEC aborts, so nothing ran:
   * the transaction goes whole to the new master; a slot being migrated
   * (ASK) has it go to the importing node, ASKING ahead of MULTI.
   */
  private transaction(
    batch: ReadonlyArray<Command.Command<unknown>>,
    binary: boolean,
    slots: ReadonlyArray<number | undefined>,
    multiAt: number,
    place: "shared" | "pool"
  ): Effect.Effect<Exits> {
    const keyed = slots.find((slot) => slot !== undefined)
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
    const slot = keyed ?? 0
    const withAsking = [...batch.slice(0, multiAt), ASKING, ...batch.slice(multiAt)]
    const attempt = (node: Node, asking: boolean, left: number, seen: ReadonlyArray<string>): Effect.Effect<Exits> =>
      Effect.flatMap(batchOn(node, asking ? withAsking : batch, binary, place), (sent) => {
        const exits = asking ? [...sent.slice(0, multiAt), ...sent.slice(multiAt + 1)] : sent
        if (exits.every((exit) => unsent(failureOf(exit), node))) return start
        let redirect: Redirect | undefined
        let refusal: RedisError | undefined
        for (const exit of exits) {
          refusal = failureOf(exit)
          redirect = redirectOf(refusal, node)
          if (redirect !== undefined) break
        }
        if (redirect === undefined) return Effect.succeed(exits)
        const path = [...seen, node.address]
        if (left === 0) {
          const failure = Exit.fail(tooManyRedirections("MULTI", redirect.slot, path, refusal!))
          return Effect.succeed(exits.map(() => failure))
        }
        const to = redirect
        return Effect.matchEffect(this.redirectTo(to), {
          onFailure: () => Effect.succeed(exits),
          onSuccess: (target) =>
            Effect.zipRight(pauseBeforeReturning(path, target), attempt(target, to.ask, left - 1, path))
        })
      })
    const start: Effect.Effect<Exits> = Effect.suspend(() => {
      const node = this.map.owner(slot)
      return node !== undefined && node.connection.isReady
        ? attempt(node, false, this.options.maxRedirects, noRedirects)
        : Effect.matchEffect(this.map.served(slot, this.map.deadline), {
          onFailure: (error) => Effect.succeed(batch.map(() => Exit.fail(error))),
          onSuccess: (owner) => attempt(owner, false, this.options.maxRedirects, noRedirects)
        })
    })
    return start
  }

  // ---------------------------------------------------------------------------
  // what the rest of the client asks of the map

  /**
   * Every master the map lists, in slot order, for walks that must see every
   * key (`scanStream`). Each waits for its master to be served (one that
   * cannot be reached fails the walk as `Unavailable` rather than leaving
   * its keys out), then stays with that node, since a SCAN cursor means
   * nothing to another; a node that leaves the map meanwhile (a failover, a
   * resharding) fails the walk as `Lost`, not as a closed client.
   */
  masters(): Array<Pick<Executor, "execute" | "executeAll">> {
    return this.map.everyMasterSlot().map((slot) => {
      let pinned: Node | undefined
      const node = Effect.suspend(() =>
        pinned !== undefined
          ? Effect.succeed(pinned)
          : Effect.tap(this.map.served(slot, this.map.deadline), (served) => {
            pinned = served
          })
      )
      return {
        execute: (command, binary) =>
          Effect.flatMap(node, (on) => Effect.mapError(on.connection.execute(command, binary), (e) => leftMap(on, e))),
        executeAll: (commands, binary) =>
          Effect.matchEffect(node, {
            onFailure: (error) => Effect.succeed(commands.map(() => Exit.fail(error))),
            onSuccess: (on) =>
              Effect.map(
                on.connection.executeAll(commands, binary),
                (exits) => exits.map((exit) => Exit.mapError(exit, (e) => leftMap(on, e)))
              )
          })
      }
    })
  }

  /** The pool of the master of these keys' slot (of slot 0 without keys), once it can be reached. */
  poolFor(keys: ReadonlyArray<Command.RedisKey>): Effect.Effect<ConnectionPool.ConnectionPool, RedisError> {
    return Effect.suspend(() =>
      Effect.map(
        this.map.served(keys.length === 0 ? 0 : ClusterSlot.slotOf(keys[0]!), this.map.deadline),
        (node) => node.pool
      )
    )
  }
}

/** A pinned node's connection closes when the node leaves the map: what its commands then get, as it happened. */
const leftMap = (node: Node, error: RedisError): RedisError =>
  node.retired && error._tag === "RedisClosedError"
    ? new RedisConnectionError({
      reason: "Lost",
      message: `The cluster master ${node.address} left the slot map (a failover or a resharding) ` +
        `before ${error.outcome === "not-sent" ? "the command was sent" : "its reply came"}; start the walk again`,
      outcome: error.outcome,
      cause: error
    })
    : error

/** The error of a command redirected more than `maxRedirects` times: nothing ran, every node refused it. */
const tooManyRedirections = (
  command: string,
  slot: number,
  nodes: ReadonlyArray<string>,
  last: RedisError
): RedisClusterError =>
  new RedisClusterError({
    reason: "TooManyRedirections",
    message: `${command} was redirected too many times (slot ${slot}, sent to ${nodes.join(" → ")}; last: ` +
      `${last.message}); the slot map is changing faster than the command could follow, or maxRedirects is too low`,
    command,
    nodes,
    slot,
    outcome: (last as RedisReplyError).outcome
  })

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
    const map = new SlotMap(config, options, transport, yield* Effect.scope, connectionOptions)
    yield* map.refresh()
    yield* Effect.forkScoped(map.recovery)
    yield* Effect.forkScoped(Effect.forever(
      Effect.zipRight(
        Effect.sleep(options.refreshIntervalMillis),
        Effect.ignore(Effect.suspend(() => map.refresh()))
      )
    ))
    return new Cluster(map, options)
  })
