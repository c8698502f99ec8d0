/**
 * @since 0.2.0
 */
export * as RedisPersistedQueue from "./RedisPersistedQueue.js"
/**
 * @since 0.2.0
 */
export * as RedisPersistence from "./RedisPersistence.js"
/**
 * @since 0.2.0
 */
export * as RedisRateLimiter from "./RedisRateLimiter.js"
