/**
 * The Node.js transport: TCP (no-delay, keep-alive), TLS and Unix sockets.
 *
 * @since 0.1.0
 */
import type { Endpoint, TlsOptions } from "@effect-redis/client/RedisConfig"
import { RedisConnectionError } from "@effect-redis/client/RedisError"
import { type Handlers, RedisTransport, type Socket, type Transport } from "@effect-redis/client/RedisTransport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Net from "node:net"
import * as Tls from "node:tls"
import { decoderPlatform } from "./NodeResp.js"

const describe = (endpoint: Endpoint): string =>
  endpoint._tag === "Unix" ? `unix:${endpoint.path}` : `${endpoint.host}:${endpoint.port}`

const tlsOptions = (endpoint: Endpoint, tls: TlsOptions): Tls.ConnectionOptions => {
  const key = tls.key === undefined ? undefined : Redacted.isRedacted(tls.key) ? Redacted.value(tls.key) : tls.key
  const options: Tls.ConnectionOptions = {
    rejectUnauthorized: tls.rejectUnauthorized ?? true
  }
  if (tls.ca !== undefined) options.ca = tls.ca as Tls.ConnectionOptions["ca"]
  if (tls.cert !== undefined) options.cert = tls.cert as Tls.ConnectionOptions["cert"]
  if (key !== undefined) options.key = key as Tls.ConnectionOptions["key"]
  const servername = tls.servername ?? (endpoint._tag === "Tcp" && !Net.isIP(endpoint.host) ? endpoint.host : undefined)
  if (servername !== undefined) options.servername = servername
  return options
}

const open = (endpoint: Endpoint): Net.Socket => {
  if (endpoint.tls !== undefined) {
    const options = tlsOptions(endpoint, endpoint.tls)
    return endpoint._tag === "Unix"
      ? Tls.connect({ ...options, path: endpoint.path })
      : Tls.connect({ ...options, host: endpoint.host, port: endpoint.port })
  }
  return endpoint._tag === "Unix"
    ? Net.connect({ path: endpoint.path })
    : Net.connect({
      host: endpoint.host,
      port: endpoint.port,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 30_000
    })
}

const connect = (endpoint: Endpoint, handlers: Handlers, timeoutMillis: number) =>
  Effect.async<Socket, RedisConnectionError>((resume) => {
    const socket = open(endpoint)
    const readyEvent = endpoint.tls !== undefined ? "secureConnect" : "connect"
    let settled = false
    const timer = setTimeout(() => {
      fail(new Error(`no connection within ${timeoutMillis} ms`))
    }, timeoutMillis)
    const fail = (error: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resume(Effect.fail(
        new RedisConnectionError({
          reason: "Connect",
          message: `Could not connect to Redis at ${describe(endpoint)}: ${error.message}`,
          outcome: "not-sent",
          cause: error
        })
      ))
    }
    socket.once("error", fail)
    socket.once(readyEvent, () => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.off("error", fail)
      if (endpoint._tag === "Tcp") {
        socket.setNoDelay(true)
        socket.setKeepAlive(true, 30_000)
      }
      let closeError: unknown = undefined
      socket.on("error", (error) => {
        closeError = error
      })
      socket.on("data", handlers.onData)
      socket.on("drain", handlers.onDrain)
      socket.once("close", () => handlers.onClose(closeError))
      resume(Effect.succeed({
        write: (data) => socket.write(data),
        end: () => {
          socket.end()
        },
        destroy: () => {
          socket.destroy()
        },
        pause: () => {
          socket.pause()
        },
        resume: () => {
          socket.resume()
        }
      }))
    })
    return Effect.sync(() => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
    })
  })

/**
 * The Node.js transport; its replies are decoded with Node's fast paths
 * (`NodeResp.decoderPlatform`).
 *
 * @since 0.1.0
 * @category transports
 */
export const transport: Transport = { connect, decoderPlatform }

/**
 * Provides the Node.js transport.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<RedisTransport> = Layer.succeed(RedisTransport, transport)
