/**
 * @since 0.2.0
 */
export * as RedisKeyValueStore from "./RedisKeyValueStore.js"
