import type { RedisError } from "@effect-redis/client/RedisError"
import * as PlatformError from "@effect/platform/Error"

const reasonOf = (error: RedisError): PlatformError.SystemErrorReason => {
  switch (error._tag) {
    case "RedisTimeoutError":
      return "TimedOut"
    case "RedisAuthError":
      return "PermissionDenied"
    case "RedisPoolError":
      return "Busy"
    case "RedisDecodeError":
      return "InvalidData"
    case "RedisReplyError":
      // WRONGTYPE: the key holds a hash, a list…, not a value of the store.
      return error.code === "NOPERM" ? "PermissionDenied" : error.code === "WRONGTYPE" ? "InvalidData" : "Unknown"
    default:
      return "Unknown"
  }
}

/**
 * The `PlatformError` a `KeyValueStore` method fails with when Redis
 * fails: the Redis error's message as description, the error as cause,
 * and the key (without the store's prefix) where there is one.
 */
export const platformError = (method: string, key?: string) => (error: RedisError): PlatformError.PlatformError =>
  error._tag === "RedisArgumentError" || error._tag === "RedisConfigError"
    ? new PlatformError.BadArgument({ module: "KeyValueStore", method, description: error.message, cause: error })
    : new PlatformError.SystemError({
      reason: reasonOf(error),
      module: "KeyValueStore",
      method,
      ...(key === undefined ? {} : { pathOrDescriptor: key }),
      description: error.message,
      cause: error
    })
