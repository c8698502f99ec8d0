/**
 * Real redis-server processes and a fake RESP server for effect-redis tests.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as RedisServer from "./RedisServer.js"

/**
 * @since 0.1.0
 */
export * as FakeServer from "./FakeServer.js"

/**
 * @since 0.1.0
 */
export * as RedisSentinel from "./RedisSentinel.js"

/**
 * @since 0.1.0
 */
export * as RedisCluster from "./RedisCluster.js"
