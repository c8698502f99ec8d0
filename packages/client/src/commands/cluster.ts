/**
 * Cluster introspection: CLUSTER INFO, MYID, NODES, SLOTS, SHARDS, LINKS,
 * KEYSLOT, COUNTKEYSINSLOT and GETKEYSINSLOT. The commands that change a
 * cluster (ADDSLOTS, SETSLOT, MEET, FAILOVER…) are administration and go
 * through `raw`.
 *
 * None of them names a key, so a cluster client sends them to the master of
 * slot 0; ask a node directly (a client with its `url`) for its own view.
 * Replies are the server's text, decoded as text even in the binary view.
 *
 * @since 0.1.0
 */
import type { RespValue } from "@effect-redis/resp/RespValue"
import * as Command from "../Command.js"
import type { RedisKey } from "../Command.js"
import * as Declare from "../internal/declare.js"
import * as D from "../ReplyDecoder.js"

/**
 * A node as CLUSTER SLOTS names it.
 *
 * @since 0.1.0
 * @category models
 */
export interface SlotNode {
  /** Empty when the node does not know its own address: it is then the node asked. */
  readonly host: D.Text
  readonly port: number
  readonly id: D.Text
}

/**
 * A range of slots and the nodes serving it (CLUSTER SLOTS).
 *
 * @since 0.1.0
 * @category models
 */
export interface SlotRange {
  readonly start: number
  readonly end: number
  readonly master: SlotNode
  readonly replicas: Array<SlotNode>
}

/**
 * One line of CLUSTER NODES.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterNode {
  readonly id: D.Text
  /** `host:port@busport[,hostname]` as printed. */
  readonly address: D.Text
  /** `myself`, `master`, `slave`, `fail?`, `fail`, `handshake`, `noaddr`… */
  readonly flags: Array<D.Text>
  /** The master's id, for a replica. */
  readonly master: D.Text | undefined
  readonly linkState: "connected" | "disconnected"
  /** Slots and slot ranges as printed (`0-5460`, `[93->-id]` while migrating). */
  readonly slots: Array<D.Text>
}

const declare = Declare.family()
const CLUSTER_INFO = declare("CLUSTER INFO", Command.keyless)
const CLUSTER_MYID = declare("CLUSTER MYID", Command.keyless)
const CLUSTER_NODES = declare("CLUSTER NODES", Command.keyless)
const CLUSTER_SLOTS = declare("CLUSTER SLOTS", Command.keyless)
const CLUSTER_SHARDS = declare("CLUSTER SHARDS", Command.keyless)
const CLUSTER_LINKS = declare("CLUSTER LINKS", Command.keyless)
const CLUSTER_KEYSLOT = declare("CLUSTER KEYSLOT", Command.keyless)
const CLUSTER_COUNTKEYSINSLOT = declare("CLUSTER COUNTKEYSINSLOT", Command.keyless)
const CLUSTER_GETKEYSINSLOT = declare("CLUSTER GETKEYSINSLOT", Command.keyless)

const fields = (s: string): Record<string, D.Text> => {
  const out: Record<string, D.Text> = {}
  for (const line of s.split("\n")) {
    const colon = line.indexOf(":")
    if (colon > 0) out[line.slice(0, colon)] = line.slice(colon + 1).trim() as D.Text
  }
  return out
}

const nodeLine = (line: string): ClusterNode => {
  const [id = "", address = "", flags = "", master = "-", , , , linkState, ...slots] = line.split(" ")
  return {
    id: id as D.Text,
    address: address as D.Text,
    flags: flags.split(",") as Array<D.Text>,
    master: master === "-" ? undefined : master as D.Text,
    linkState: linkState === "connected" ? "connected" : "disconnected",
    slots: slots as Array<D.Text>
  }
}

const slotNode: D.Decoder<SlotNode> = (reply) => {
  const [host = "", port, id = ""] = D.items(reply)
  return { host: D.text(host), port: D.integer(port ?? null), id: D.text(id) }
}

const slotRange: D.Decoder<SlotRange> = (reply) => {
  const [start, end, master, ...replicas] = D.items(reply)
  return {
    start: D.integer(start ?? null),
    end: D.integer(end ?? null),
    master: slotNode(master ?? null),
    replicas: replicas.map(slotNode)
  }
}

/**
 * CLUSTER SLOTS decoded: the ranges of slots and their nodes.
 *
 * @since 0.1.0
 * @category decoders
 */
export const slotRanges: D.Decoder<Array<SlotRange>> = D.array(slotRange)

/**
 * The cluster commands, one definition per command.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands = {
  /**
   * CLUSTER INFO: the node's view of the cluster (`cluster_state`,
   * `cluster_slots_assigned`, `cluster_known_nodes`…), field → value.
   *
   * @since 0.1.0
   */
  clusterInfo: (): Command.Command<Record<string, D.Text>> =>
    Command.make(CLUSTER_INFO, [CLUSTER_INFO.command, CLUSTER_INFO.subcommand], D.map(D.text, fields)),
  /**
   * CLUSTER MYID: the node's id.
   *
   * @since 0.1.0
   */
  clusterMyid: (): Command.Command<D.Text> =>
    Command.make(CLUSTER_MYID, [CLUSTER_MYID.command, CLUSTER_MYID.subcommand], D.text),
  /**
   * CLUSTER NODES: every node the node knows, one entry per line.
   *
   * @since 0.1.0
   */
  clusterNodes: (): Command.Command<Array<ClusterNode>> =>
    Command.make(
      CLUSTER_NODES,
      [CLUSTER_NODES.command, CLUSTER_NODES.subcommand],
      D.map(D.text, (s) => s.split("\n").filter((line) => line.trim() !== "").map(nodeLine))
    ),
  /**
   * CLUSTER SLOTS: the slot ranges and the nodes serving them.
   *
   * @since 0.1.0
   */
  clusterSlots: (): Command.Command<Array<SlotRange>> =>
    Command.make(CLUSTER_SLOTS, [CLUSTER_SLOTS.command, CLUSTER_SLOTS.subcommand], slotRanges),
  /**
   * CLUSTER SHARDS (Redis 7): the shards and their nodes, as the server
   * sends them (maps under RESP3, flat arrays under RESP2).
   *
   * @since 0.1.0
   */
  clusterShards: (): Command.Command<RespValue> =>
    Command.make(CLUSTER_SHARDS, [CLUSTER_SHARDS.command, CLUSTER_SHARDS.subcommand], D.raw),
  /**
   * CLUSTER LINKS (Redis 7): the node's cluster bus links, as the server
   * sends them.
   *
   * @since 0.1.0
   */
  clusterLinks: (): Command.Command<RespValue> =>
    Command.make(CLUSTER_LINKS, [CLUSTER_LINKS.command, CLUSTER_LINKS.subcommand], D.raw),
  /**
   * CLUSTER KEYSLOT: the server's hash slot of `key` (`ClusterSlot.slotOf`
   * computes the same without a round trip).
   *
   * @since 0.1.0
   */
  clusterKeyslot: (key: RedisKey): Command.Command<number> =>
    Command.make(CLUSTER_KEYSLOT, [CLUSTER_KEYSLOT.command, CLUSTER_KEYSLOT.subcommand, key], D.integer),
  /**
   * CLUSTER COUNTKEYSINSLOT: how many keys the node holds in `slot`.
   *
   * @since 0.1.0
   */
  clusterCountkeysinslot: (slot: number): Command.Command<number> =>
    Command.make(
      CLUSTER_COUNTKEYSINSLOT,
      [CLUSTER_COUNTKEYSINSLOT.command, CLUSTER_COUNTKEYSINSLOT.subcommand, slot],
      D.integer
    ),
  /**
   * CLUSTER GETKEYSINSLOT: up to `count` of the node's keys in `slot`.
   *
   * @since 0.1.0
   */
  clusterGetkeysinslot: (slot: number, count: number): Command.Command<Array<string>> =>
    Command.make(
      CLUSTER_GETKEYSINSLOT,
      [CLUSTER_GETKEYSINSLOT.command, CLUSTER_GETKEYSINSLOT.subcommand, slot, count],
      D.array(D.bulk)
    )
}

/**
 * Every spec of this family, for the coverage check.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
