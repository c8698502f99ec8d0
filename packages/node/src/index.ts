/**
 * @since 0.1.0
 */
export * as NodeRedis from "./NodeRedis.js"
/**
 * @since 0.1.0
 */
export * as NodeTransport from "./NodeTransport.js"
