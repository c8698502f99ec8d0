/**
 * Geospatial commands: members with longitude/latitude in a sorted set,
 * distances, geohashes and area searches. The deprecated GEORADIUS family
 * is left out: GEOSEARCH and GEOSEARCHSTORE replace it.
 *
 * @since 0.1.0
 */
import type { Option } from "effect"
import * as Command from "../Command.js"
import type { OneOrMany, RedisArg, RedisKey } from "../Command.js"
import { noneGiven, pushAll } from "../internal/args.js"
import * as Declare from "../internal/declare.js"
import * as D from "../ReplyDecoder.js"

/**
 * A distance unit: meters, kilometers, feet or miles.
 *
 * @since 0.1.0
 * @category models
 */
export type GeoUnit = "m" | "km" | "ft" | "mi"

/**
 * A position on the globe, in degrees.
 *
 * @since 0.1.0
 * @category models
 */
export interface GeoCoordinates {
  readonly longitude: number
  readonly latitude: number
}

/**
 * A member to add with GEOADD.
 *
 * @since 0.1.0
 * @category models
 */
export interface GeoMember extends GeoCoordinates {
  readonly member: RedisArg
}

/**
 * Options of GEOADD.
 *
 * @since 0.1.0
 * @category models
 */
export interface GeoAddOptions {
  /** Only add new members. */
  readonly nx?: boolean
  /** Only update existing members. */
  readonly xx?: boolean
  /** Count changed members, not only added ones. */
  readonly ch?: boolean
}

/**
 * The centre of a GEOSEARCH: an existing member, or coordinates.
 *
 * @since 0.1.0
 * @category models
 */
export type GeoSearchFrom = { readonly member: RedisArg } | GeoCoordinates

/**
 * The area of a GEOSEARCH: a circle, or a box centred on the centre.
 *
 * @since 0.1.0
 * @category models
 */
export type GeoSearchBy =
  | { readonly radius: number; readonly unit: GeoUnit }
  | { readonly width: number; readonly height: number; readonly unit: GeoUnit }

/**
 * Options of GEOSEARCH.
 *
 * @since 0.1.0
 * @category models
 */
export interface GeoSearchOptions {
  /** Sort by distance from the centre (default: unsorted). */
  readonly order?: "ASC" | "DESC"
  /** Return at most this many members. */
  readonly count?: number
  /** With `count`: stop at the first `count` matches found instead of the nearest ones. */
  readonly any?: boolean
}

/**
 * Options of GEOSEARCHSTORE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GeoSearchStoreOptions extends GeoSearchOptions {
  /** Store the distances as scores instead of the positions. */
  readonly storedist?: boolean
}

/**
 * A member found by GEOSEARCH, with its distance from the centre (in the
 * search unit), its raw 52-bit geohash score and its position.
 *
 * @since 0.1.0
 * @category models
 */
export interface GeoSearchResult {
  readonly member: string
  readonly distance: number
  readonly hash: number
  readonly coordinates: GeoCoordinates
}

const searchArgs = (
  args: Array<RedisArg>,
  from: GeoSearchFrom,
  by: GeoSearchBy,
  options: GeoSearchOptions | undefined
): Array<RedisArg> => {
  if ("member" in from) args.push("FROMMEMBER", from.member)
  else args.push("FROMLONLAT", from.longitude, from.latitude)
  if ("radius" in by) args.push("BYRADIUS", by.radius, by.unit)
  else args.push("BYBOX", by.width, by.height, by.unit)
  if (options !== undefined) {
    if (options.order !== undefined) args.push(options.order)
    if (options.count !== undefined) {
      args.push("COUNT", options.count)
      if (options.any) args.push("ANY")
    }
  }
  return args
}

const coordinates: D.Decoder<GeoCoordinates> = D.map(
  D.tuple(D.double, D.double),
  ([longitude, latitude]) => ({ longitude, latitude })
)
const optionalCoordinates = D.array(D.optional(coordinates))
const optionalDouble = D.optional(D.double)
const optionalBulks = D.array(D.optional(D.bulk))
const bulks = D.array(D.bulk)
// WITHCOORD WITHDIST WITHHASH: the server always answers distance, hash, coordinates.
const searchResults = D.array(
  D.map(
    D.tuple(D.bulk, D.double, D.integer, coordinates),
    ([member, distance, hash, coordinates]): GeoSearchResult => ({ member, distance, hash, coordinates })
  )
)

const declare = Declare.family()
const GEOADD = declare("GEOADD", Command.writes)
const GEODIST = declare("GEODIST", Command.reads)
const GEOHASH = declare("GEOHASH", Command.reads)
const GEOPOS = declare("GEOPOS", Command.reads)
const GEOSEARCH = declare("GEOSEARCH", Command.reads)
const GEOSEARCHSTORE = declare("GEOSEARCHSTORE", {
  flags: Command.Flags.write,
  keys: Command.twoKeys
})

/**
 * The geospatial commands, one method each on the `Redis` service.
 *
 * Where the server needs at least one value (a key, a member, a pair…), an
 * empty list is refused before sending: the call fails with
 * `RedisArgumentError` (outcome `not-sent`) naming the argument.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands = {
  /**
   * GEOADD: adds members (at least one) at their positions, or moves
   * existing ones. Fails with a reply error for positions outside the
   * EPSG:3857 range (latitudes beyond ±85.05112878°).
   *
   * @returns the number of members added (with `ch`: added or moved).
   */
  geoadd: (key: RedisKey, members: ReadonlyArray<GeoMember>, options?: GeoAddOptions): Command.Command<number> => {
    if (members.length === 0) return noneGiven(GEOADD, "member")
    const args: Array<RedisArg> = [GEOADD.command, key]
    if (options !== undefined) {
      if (options.nx) args.push("NX")
      if (options.xx) args.push("XX")
      if (options.ch) args.push("CH")
    }
    for (const m of members) args.push(m.longitude, m.latitude, m.member)
    return Command.make(GEOADD, args, D.integer)
  },
  /**
   * GEODIST: the distance between two members, in meters or `unit`.
   *
   * @returns `None` when a member is missing.
   */
  geodist: (
    key: RedisKey,
    member1: RedisArg,
    member2: RedisArg,
    unit?: GeoUnit
  ): Command.Command<Option.Option<number>> =>
    Command.make(
      GEODIST,
      unit === undefined ? [GEODIST.command, key, member1, member2] : [GEODIST.command, key, member1, member2, unit],
      optionalDouble
    ),
  /**
   * GEOHASH: the 11-character standard geohash of each member.
   *
   * @returns one entry per member, `None` where it is missing.
   */
  geohash: (key: RedisKey, members: OneOrMany<RedisArg>): Command.Command<Array<Option.Option<string>>> =>
    Command.make(GEOHASH, pushAll([GEOHASH.command, key], members), optionalBulks),
  /**
   * GEOPOS: the position of each member (as stored: within about 0.6 m of
   * what was added).
   *
   * @returns one entry per member, `None` where it is missing.
   */
  geopos: (
    key: RedisKey,
    members: OneOrMany<RedisArg>
  ): Command.Command<Array<Option.Option<GeoCoordinates>>> =>
    Command.make(GEOPOS, pushAll([GEOPOS.command, key], members), optionalCoordinates),
  /**
   * GEOSEARCH: the members within a circle or box around a member or a
   * position.
   *
   * @returns the members, in `order` when given.
   */
  geosearch: (
    key: RedisKey,
    from: GeoSearchFrom,
    by: GeoSearchBy,
    options?: GeoSearchOptions
  ): Command.Command<Array<string>> =>
    Command.make(GEOSEARCH, searchArgs([GEOSEARCH.command, key], from, by, options), bulks),
  /**
   * GEOSEARCH … WITHCOORD WITHDIST WITHHASH: like `geosearch`, with each
   * member's distance, geohash score and position.
   *
   * @returns the members with their details, in `order` when given.
   */
  geosearchWithDetails: (
    key: RedisKey,
    from: GeoSearchFrom,
    by: GeoSearchBy,
    options?: GeoSearchOptions
  ): Command.Command<Array<GeoSearchResult>> =>
    Command.make(
      GEOSEARCH,
      searchArgs([GEOSEARCH.command, key], from, by, options).concat("WITHCOORD", "WITHDIST", "WITHHASH"),
      searchResults
    ),
  /**
   * GEOSEARCHSTORE: stores the members `geosearch(source, …)` finds at
   * `destination`, with their positions (or distances with `storedist`).
   *
   * @returns the number of members stored.
   */
  geosearchstore: (
    destination: RedisKey,
    source: RedisKey,
    from: GeoSearchFrom,
    by: GeoSearchBy,
    options?: GeoSearchStoreOptions
  ): Command.Command<number> => {
    const args = searchArgs([GEOSEARCHSTORE.command, destination, source], from, by, options)
    if (options?.storedist) args.push("STOREDIST")
    return Command.make(GEOSEARCHSTORE, args, D.integer)
  }
} as const

/**
 * Every spec of the geospatial family.
 *
 * @since 0.1.0
 * @category commands
 */
export const specs: ReadonlyArray<Command.CommandSpec> = declare.specs
