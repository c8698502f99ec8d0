/**
 * @since 0.1.0
 */
export * as RespValue from "./RespValue.js"
