/**
 * Every key under a prefix, found with SCAN: on a standalone server, or on
 * every master of a cluster (`scanStream` walks them all). Stores that own
 * a key prefix use it to count and clear their keys.
 *
 * ```ts
 * import { KeyScan, Redis } from "@effect-redis/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const redis = yield* Redis.Redis
 *   const sessions = yield* KeyScan.count(redis, "session:")
 *   yield* KeyScan.unlink(redis, "session:")
 * })
 * ```
 *
 * SCAN gives the usual guarantees: a key present for the whole walk is
 * seen; keys written meanwhile may or may not be. Both are O(keys in the
 * database), not O(keys under the prefix).
 *
 * @since 0.2.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { commands } from "./Commands.js"
import { globLiteral } from "./internal/keyPrefix.js"
import type { Client } from "./Redis.js"
import type { RedisError } from "./RedisError.js"

/**
 * The glob pattern (for SCAN MATCH, KEYS, PSUBSCRIBE) matching every name
 * that starts with `prefix`, taken literally: `*`, `?`, `[`, `]` and `\` in
 * the prefix are escaped.
 *
 * @since 0.2.0
 * @category patterns
 */
export const prefixPattern = (prefix: string): string => `${globLiteral(prefix)}*`

// How many keys one SCAN step looks at, and how many UNLINKs share a write.
const scanCount = 1000
const unlinkBatch = 500

/**
 * How many keys start with `prefix`.
 *
 * @since 0.2.0
 * @category scanning
 */
export const count = (redis: Client, prefix: string): Effect.Effect<number, RedisError> =>
  Stream.runCount(redis.binary.scanStream({ match: prefixPattern(prefix), count: scanCount }))

/**
 * Deletes every key that starts with `prefix` (UNLINK: the server frees
 * the memory in the background), and returns how many it deleted. Keys are
 * scanned as bytes, so keys that are not UTF-8 are deleted too.
 *
 * @since 0.2.0
 * @category scanning
 */
export const unlink = (redis: Client, prefix: string): Effect.Effect<number, RedisError> =>
  redis.binary.scanStream({ match: prefixPattern(prefix), count: scanCount }).pipe(
    Stream.grouped(unlinkBatch),
    // One UNLINK per key, so that a cluster sends each to its own master.
    Stream.mapEffect((keys) => redis.pipeline(Chunk.toArray(Chunk.map(keys, (key) => commands.unlink(key))))),
    Stream.runFoldEffect(0, (total, results) =>
      Effect.map(
        Effect.forEach(results, (result) => result),
        (counts) => counts.reduce((sum, n) => sum + n, total)
      ))
  )
