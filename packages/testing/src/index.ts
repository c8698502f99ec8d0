/**
 * Real redis-server processes, a fake RESP server and a fault-injecting TCP
 * proxy for effect-redis tests.
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

/**
 * @since 0.2.0
 */
export * as FaultProxy from "./FaultProxy.js"
