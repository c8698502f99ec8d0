/**
 * @since 0.1.0
 */
export * as Command from "./Command.js"
/**
 * @since 0.1.0
 */
export * as ClusterSlot from "./ClusterSlot.js"
/**
 * @since 0.1.0
 */
export * as Commands from "./Commands.js"
/**
 * @since 0.2.0
 */
export * as ConnectionState from "./ConnectionState.js"
/**
 * @since 0.2.0
 */
export * as Executor from "./Executor.js"
/**
 * @since 0.2.0
 */
export * as KeyScan from "./KeyScan.js"
/**
 * @since 0.1.0
 */
export * as Redis from "./Redis.js"
/**
 * @since 0.1.0
 */
export * as RedisConfig from "./RedisConfig.js"
/**
 * @since 0.1.0
 */
export * as RedisError from "./RedisError.js"
/**
 * @since 0.2.0
 */
export * as RedisSchema from "./RedisSchema.js"
/**
 * @since 0.1.0
 */
export * as RedisTransport from "./RedisTransport.js"
/**
 * @since 0.1.0
 */
export * as ReplyDecoder from "./ReplyDecoder.js"
/**
 * @since 0.1.0
 */
export * as Script from "./Script.js"
/**
 * @since 0.2.0
 */
export * as SharedQueueScheduler from "./SharedQueueScheduler.js"
/**
 * @since 0.1.0
 */
export * as PubSub from "./PubSub.js"
/**
 * @since 0.2.0
 */
export * as Monitor from "./Monitor.js"
