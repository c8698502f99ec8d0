/**
 * The table of every typed command definition, by family. The `Redis`
 * service gets one method per entry; `specs` lists every command spec, as
 * each family collected its declarations (the coverage test compares them
 * with the server's `COMMAND` list, flags and key positions).
 *
 * @since 0.1.0
 */
import type * as Command from "./Command.js"
import * as Bitmaps from "./commands/bitmaps.js"
import * as Cluster from "./commands/cluster.js"
import * as Connection from "./commands/connection.js"
import * as Geo from "./commands/geo.js"
import * as Hashes from "./commands/hashes.js"
import * as HyperLogLog from "./commands/hyperloglog.js"
import * as Keys from "./commands/keys.js"
import * as Lists from "./commands/lists.js"
import * as PubSub from "./commands/pubsub.js"
import * as Scripting from "./commands/scripting.js"
import * as Server from "./commands/server.js"
import * as Sets from "./commands/sets.js"
import * as SortedSets from "./commands/sortedSets.js"
import * as Streams from "./commands/streams.js"
import * as Strings from "./commands/strings.js"

/**
 * Every typed command definition, by method name.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands = {
  ...Strings.commands,
  ...Keys.commands,
  ...Hashes.commands,
  ...Lists.commands,
  ...Sets.commands,
  ...SortedSets.commands,
  ...HyperLogLog.commands,
  ...Bitmaps.commands,
  ...Geo.commands,
  ...Streams.commands,
  ...Connection.commands,
  ...Server.commands,
  ...PubSub.commands,
  ...Scripting.commands,
  ...Cluster.commands
} as const

/**
 * Every command spec the typed definitions use.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = [
  ...Strings.specs,
  ...Keys.specs,
  ...Hashes.specs,
  ...Lists.specs,
  ...Sets.specs,
  ...SortedSets.specs,
  ...HyperLogLog.specs,
  ...Bitmaps.specs,
  ...Geo.specs,
  ...Streams.specs,
  ...Connection.specs,
  ...Server.specs,
  ...PubSub.specs,
  ...Scripting.specs,
  ...Cluster.specs
]
