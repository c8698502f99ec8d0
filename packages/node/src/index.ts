/**
 * @since 0.1.0
 */
export * as NodeRedis from "./NodeRedis.js"
/**
 * @since 0.1.0
 */
export * as NodeTransport from "./NodeTransport.js"
/**
 * @since 0.2.0
 */
export * as NodeResp from "./NodeResp.js"
