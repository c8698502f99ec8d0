/**
 * @since 0.1.0
 */
export * as RespValue from "./RespValue.js"

/**
 * @since 0.1.0
 */
export * as RespFrame from "./RespFrame.js"

/**
 * @since 0.1.0
 */
export * as RespEncoder from "./RespEncoder.js"

/**
 * @since 0.1.0
 */
export * as RespDecoder from "./RespDecoder.js"
