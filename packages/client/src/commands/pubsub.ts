/**
 * Publishing and pub/sub introspection: PUBLISH, SPUBLISH and the PUBSUB
 * subcommands. Subscribing is not a command here: subscriptions are
 * Streams of the client's pub/sub module, on their own connection.
 *
 * @since 0.1.0
 */
import * as Command from "../Command.js"
import type { RedisArg, RedisKey } from "../Command.js"
import * as D from "../ReplyDecoder.js"
import type { OneOrMany } from "./keys.js"

// Shard channels hash to slots like keys, so the cluster router treats them
// as keys; ordinary channels are broadcast and have none.
const shardChannelsFrom2: Command.KeySpec = { first: 2, last: -1, step: 1 }

const PUBLISH = Command.spec("PUBLISH", Command.keyless)
const SPUBLISH = Command.spec("SPUBLISH")
const PUBSUB_CHANNELS = Command.spec("PUBSUB CHANNELS", Command.keyless)
const PUBSUB_NUMSUB = Command.spec("PUBSUB NUMSUB", Command.keyless)
const PUBSUB_NUMPAT = Command.spec("PUBSUB NUMPAT", Command.keyless)
const PUBSUB_SHARDCHANNELS = Command.spec("PUBSUB SHARDCHANNELS", Command.keyless)
const PUBSUB_SHARDNUMSUB = Command.spec("PUBSUB SHARDNUMSUB", { keys: shardChannelsFrom2 })

const channelList = D.array(D.bulk)
const countsByChannel = D.record(D.integer)

/**
 * The pub/sub commands, one definition per command.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands = {
  /**
   * PUBLISH: sends `message` to the subscribers of `channel`. In a cluster
   * it reaches every node's subscribers.
   *
   * @returns how many subscribers received it (on this node only in a
   * cluster).
   * @since 0.1.0
   */
  publish: (channel: RedisArg, message: RedisArg): Command.Command<number> =>
    Command.make(PUBLISH, ["PUBLISH", channel, message], D.integer),
  /**
   * SPUBLISH: sends `message` to the subscribers of a shard channel; in a
   * cluster it goes to the shard owning the channel's slot.
   *
   * @returns how many subscribers received it.
   * @since 0.1.0
   */
  spublish: (shardChannel: RedisKey, message: RedisArg): Command.Command<number> =>
    Command.make(SPUBLISH, ["SPUBLISH", shardChannel, message], D.integer),
  /**
   * PUBSUB CHANNELS: the channels with at least one subscriber (pattern
   * subscriptions not counted), optionally matching a glob pattern.
   *
   * @since 0.1.0
   */
  pubsubChannels: (pattern?: string): Command.Command<Array<string>> =>
    Command.make(
      PUBSUB_CHANNELS,
      pattern === undefined ? ["PUBSUB", "CHANNELS"] : ["PUBSUB", "CHANNELS", pattern],
      channelList
    ),
  /**
   * PUBSUB NUMSUB: the number of subscribers of each channel (pattern
   * subscriptions not counted).
   *
   * @since 0.1.0
   */
  pubsubNumsub: (...channels: ReadonlyArray<OneOrMany<string>>): Command.Command<Record<string, number>> =>
    Command.make(PUBSUB_NUMSUB, ["PUBSUB", "NUMSUB", ...channels.flat()], countsByChannel),
  /**
   * PUBSUB NUMPAT: the number of pattern subscriptions, all clients
   * together.
   *
   * @since 0.1.0
   */
  pubsubNumpat: (): Command.Command<number> => Command.make(PUBSUB_NUMPAT, ["PUBSUB", "NUMPAT"], D.integer),
  /**
   * PUBSUB SHARDCHANNELS: the shard channels with at least one subscriber,
   * optionally matching a glob pattern (per node in a cluster).
   *
   * @since 0.1.0
   */
  pubsubShardchannels: (pattern?: string): Command.Command<Array<string>> =>
    Command.make(
      PUBSUB_SHARDCHANNELS,
      pattern === undefined ? ["PUBSUB", "SHARDCHANNELS"] : ["PUBSUB", "SHARDCHANNELS", pattern],
      channelList
    ),
  /**
   * PUBSUB SHARDNUMSUB: the number of subscribers of each shard channel.
   *
   * @since 0.1.0
   */
  pubsubShardnumsub: (...shardChannels: ReadonlyArray<OneOrMany<string>>): Command.Command<Record<string, number>> =>
    Command.make(PUBSUB_SHARDNUMSUB, ["PUBSUB", "SHARDNUMSUB", ...shardChannels.flat()], countsByChannel)
} as const

/**
 * Every spec of the family, for the coverage test.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = [
  PUBLISH,
  SPUBLISH,
  PUBSUB_CHANNELS,
  PUBSUB_NUMSUB,
  PUBSUB_NUMPAT,
  PUBSUB_SHARDCHANNELS,
  PUBSUB_SHARDNUMSUB
]
