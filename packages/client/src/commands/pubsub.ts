/**
 * Publishing and pub/sub introspection: PUBLISH, SPUBLISH and the PUBSUB
 * subcommands. Subscribing is not a command here: subscriptions are
 * Streams of the client's pub/sub module, on their own connection.
 *
 * @since 0.1.0
 */
import * as Command from "../Command.js"
import type { OneOrMany, RedisArg, RedisKey } from "../Command.js"
import * as Declare from "../internal/declare.js"
import * as D from "../ReplyDecoder.js"

// Shard channels hash to slots like keys, so the cluster router treats them
// as keys; ordinary channels are broadcast and have none.
const shardChannelsFrom2: Command.KeySpec = { first: 2, last: -1, step: 1 }

const declare = Declare.family()
const PUBLISH = declare("PUBLISH", Command.keyless)
const SPUBLISH = declare("SPUBLISH")
const PUBSUB_CHANNELS = declare("PUBSUB CHANNELS", Command.keyless)
const PUBSUB_NUMSUB = declare("PUBSUB NUMSUB", Command.keyless)
const PUBSUB_NUMPAT = declare("PUBSUB NUMPAT", Command.keyless)
const PUBSUB_SHARDCHANNELS = declare("PUBSUB SHARDCHANNELS", Command.keyless)
const PUBSUB_SHARDNUMSUB = declare("PUBSUB SHARDNUMSUB", { keys: shardChannelsFrom2 })

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
    Command.make(PUBLISH, [PUBLISH.command, channel, message], D.integer),
  /**
   * SPUBLISH: sends `message` to the subscribers of a shard channel; in a
   * cluster it goes to the shard owning the channel's slot.
   *
   * @returns how many subscribers received it.
   * @since 0.1.0
   */
  spublish: (shardChannel: RedisKey, message: RedisArg): Command.Command<number> =>
    Command.make(SPUBLISH, [SPUBLISH.command, shardChannel, message], D.integer),
  /**
   * PUBSUB CHANNELS: the channels with at least one subscriber (pattern
   * subscriptions not counted), optionally matching a glob pattern.
   *
   * @since 0.1.0
   */
  pubsubChannels: (pattern?: string): Command.Command<Array<string>> =>
    Command.make(
      PUBSUB_CHANNELS,
      pattern === undefined
        ? [PUBSUB_CHANNELS.command, PUBSUB_CHANNELS.subcommand]
        : [PUBSUB_CHANNELS.command, PUBSUB_CHANNELS.subcommand, pattern],
      channelList
    ),
  /**
   * PUBSUB NUMSUB: the number of subscribers of each channel (pattern
   * subscriptions not counted).
   *
   * @since 0.1.0
   */
  pubsubNumsub: (...channels: ReadonlyArray<OneOrMany<string>>): Command.Command<Record<string, number>> =>
    Command.make(PUBSUB_NUMSUB, [PUBSUB_NUMSUB.command, PUBSUB_NUMSUB.subcommand, ...channels.flat()], countsByChannel),
  /**
   * PUBSUB NUMPAT: the number of pattern subscriptions, all clients
   * together.
   *
   * @since 0.1.0
   */
  pubsubNumpat: (): Command.Command<number> =>
    Command.make(PUBSUB_NUMPAT, [PUBSUB_NUMPAT.command, PUBSUB_NUMPAT.subcommand], D.integer),
  /**
   * PUBSUB SHARDCHANNELS: the shard channels with at least one subscriber,
   * optionally matching a glob pattern (per node in a cluster).
   *
   * @since 0.1.0
   */
  pubsubShardchannels: (pattern?: string): Command.Command<Array<string>> =>
    Command.make(
      PUBSUB_SHARDCHANNELS,
      pattern === undefined
        ? [PUBSUB_SHARDCHANNELS.command, PUBSUB_SHARDCHANNELS.subcommand]
        : [PUBSUB_SHARDCHANNELS.command, PUBSUB_SHARDCHANNELS.subcommand, pattern],
      channelList
    ),
  /**
   * PUBSUB SHARDNUMSUB: the number of subscribers of each shard channel.
   *
   * @since 0.1.0
   */
  pubsubShardnumsub: (...shardChannels: ReadonlyArray<OneOrMany<string>>): Command.Command<Record<string, number>> =>
    Command.make(PUBSUB_SHARDNUMSUB, [
      PUBSUB_SHARDNUMSUB.command,
      PUBSUB_SHARDNUMSUB.subcommand,
      ...shardChannels.flat()
    ], countsByChannel)
} as const

/**
 * Every spec of the family, for the coverage test.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
