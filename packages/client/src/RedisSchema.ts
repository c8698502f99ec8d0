/**
 * Values stored and read through an Effect `Schema`. A `Codec` says how a
 * value becomes what Redis holds: JSON text by default (`json`), text of
 * your own format (`text`), or bytes (`binary`, e.g. MessagePack through
 * `MsgPack.schema` of `@effect/platform`).
 *
 * ```ts
 * import { Redis, RedisSchema } from "@effect-redis/client"
 * import { Effect, Schema } from "effect"
 *
 * const User = Schema.Struct({ id: Schema.Number, name: Schema.String, since: Schema.Date })
 * const users = RedisSchema.json(User)
 *
 * const program = Effect.gen(function*() {
 *   const ada = { id: 1, name: "Ada", since: new Date() }
 *   yield* RedisSchema.set(users, "user:1", ada, { ex: "1 hour" })
 *   const user = yield* RedisSchema.get(users, "user:1") // Option<User>
 *
 *   // Any other command: encode the argument, decode the reply.
 *   const redis = yield* Redis.Redis
 *   yield* redis.hset("users", { "1": yield* RedisSchema.encode(users, "users", ada) })
 *   const stored = yield* redis.hget("users", "1").pipe(
 *     Effect.flatMap(Effect.transposeMapOption((reply) => RedisSchema.decode(users, "users", reply)))
 *   ) // Option<User>
 * })
 * ```
 *
 * A value that does not go through its schema fails with
 * `RedisSchemaError`, which names the key.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { RedisKey } from "./Command.js"
import type { SetOptions } from "./commands/strings.js"
import { Redis } from "./Redis.js"
import { type RedisError, RedisSchemaError } from "./RedisError.js"

/**
 * How values of type `A` are stored: a schema from `A` to text or to
 * bytes. `R` is what the schema needs from the context (usually `never`).
 *
 * @since 0.2.0
 * @category models
 */
export type Codec<A, R = never> =
  | { readonly format: "text"; readonly schema: Schema.Schema<A, string, R> }
  | { readonly format: "binary"; readonly schema: Schema.Schema<A, Uint8Array, R> }

/**
 * Stores the schema's encoded form as JSON text (`Schema.parseJson`): what
 * most callers want, and readable with `redis-cli`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const json = <A, I, R>(schema: Schema.Schema<A, I, R>): Codec<A, R> => ({
  format: "text",
  schema: Schema.parseJson(schema)
})

/**
 * Stores the text the schema encodes to, as it is (`Schema.NumberFromString`,
 * `Schema.String`, a template literal…).
 *
 * @since 0.2.0
 * @category constructors
 */
export const text = <A, R>(schema: Schema.Schema<A, string, R>): Codec<A, R> => ({ format: "text", schema })

/**
 * Stores the bytes the schema encodes to, and reads bytes back exactly
 * (through the binary view).
 *
 * @since 0.2.0
 * @category constructors
 */
export const binary = <A, R>(schema: Schema.Schema<A, Uint8Array, R>): Codec<A, R> => ({ format: "binary", schema })

const describeKey = (key: RedisKey): string => typeof key === "string" ? `"${key}"` : `of ${key.length} bytes`

const schemaError = (reason: "Encode" | "Decode", key: RedisKey) => (cause: ParseResult.ParseError) =>
  new RedisSchemaError({
    reason,
    key,
    message: `${reason === "Encode" ? "Cannot encode the value for" : "Cannot decode the value of"} the key ${
      describeKey(key)
    } with its schema: ${ParseResult.TreeFormatter.formatErrorSync(cause)}`,
    cause
  })

/**
 * Encodes `value` into the argument to send for `key` (`key` only names the
 * value in the error).
 *
 * @since 0.2.0
 * @category encoding
 */
export const encode = <A, R>(
  codec: Codec<A, R>,
  key: RedisKey,
  value: A
): Effect.Effect<string | Uint8Array, RedisSchemaError, R> =>
  Effect.mapError(
    Schema.encode(codec.schema as Schema.Schema<A, string | Uint8Array, R>)(value),
    schemaError("Encode", key)
  )

const utf8 = new TextEncoder()
const utf8Decoder = new TextDecoder()

/**
 * Decodes what `key` held (a reply from either view: text is turned into
 * bytes for a binary codec and the other way round).
 *
 * @since 0.2.0
 * @category decoding
 */
export const decode = <A, R>(
  codec: Codec<A, R>,
  key: RedisKey,
  stored: string | Uint8Array
): Effect.Effect<A, RedisSchemaError, R> => {
  const decoded = codec.format === "binary"
    ? Schema.decode(codec.schema)(typeof stored === "string" ? utf8.encode(stored) : stored)
    : Schema.decode(codec.schema)(typeof stored === "string" ? stored : utf8Decoder.decode(stored))
  return Effect.mapError(decoded, schemaError("Decode", key))
}

/**
 * Reads `key` (GET) and decodes its value; `None` when the key does not
 * exist.
 *
 * @since 0.2.0
 * @category commands
 */
export const get = <A, R>(
  codec: Codec<A, R>,
  key: RedisKey
): Effect.Effect<Option.Option<A>, RedisError | RedisSchemaError, R | Redis> =>
  Effect.flatMap(Redis, (redis) => {
    const read: Effect.Effect<Option.Option<string | Uint8Array>, RedisError> = codec.format === "binary"
      ? redis.binary.get(key)
      : redis.get(key)
    return Effect.flatMap(
      read,
      Option.match({
        onNone: () => Effect.succeedNone,
        onSome: (stored) => Effect.asSome(decode(codec, key, stored))
      })
    )
  })

/**
 * Encodes `value` and writes it to `key` (SET, with its options: expiry,
 * `nx`, `xx`…). Returns whether it was written (`false` when `nx` or `xx`
 * prevented it). Nothing is sent when the value does not encode.
 *
 * @since 0.2.0
 * @category commands
 */
export const set = <A, R>(
  codec: Codec<A, R>,
  key: RedisKey,
  value: A,
  options?: SetOptions
): Effect.Effect<boolean, RedisError | RedisSchemaError, R | Redis> =>
  Effect.flatMap(
    encode(codec, key, value),
    (encoded) => Effect.flatMap(Redis, (redis) => redis.set(key, encoded, options))
  )
