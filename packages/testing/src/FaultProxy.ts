/**
 * A TCP proxy between a client and a real server that a test drives, for
 * network faults a server cannot stage by itself: slow links, a peer that
 * stops reading, a host that accepts connections and never answers, a
 * connection cut in the middle of a reply, bytes that were never sent.
 *
 * ```ts
 * import { FaultProxy, RedisServer } from "@effect-redis/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const server = yield* RedisServer.make()
 *     const proxy = yield* FaultProxy.make({ port: server.port })
 *     // connect the client to proxy.url …
 *     yield* proxy.stall("toServer") // the server stops reading: the client's writes back up
 *     yield* proxy.cutAfter("toClient", 10) // the next reply is cut after 10 bytes
 *     yield* proxy.passThrough // every fault off
 *   })
 * )
 * ```
 *
 * Faults apply to every connection, open or opened later, until changed.
 * Counters (`connections`, `received`, `forwarded`) are what a test polls
 * to know a fault took effect.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Net from "node:net"
import { listen } from "./internal/listen.js"
import type { RedisServerError } from "./RedisServer.js"

/**
 * Which way bytes flow: from the client to the server, or back.
 *
 * @since 0.2.0
 * @category models
 */
export type Direction = "toServer" | "toClient"

/**
 * Where the proxy forwards to.
 *
 * @since 0.2.0
 * @category models
 */
export interface Target {
  /** Default `"127.0.0.1"`. */
  readonly host?: string
  readonly port: number
}

/**
 * A running proxy, closed with its scope.
 *
 * @since 0.2.0
 * @category models
 */
export interface FaultProxy {
  /** Always `"127.0.0.1"`. */
  readonly host: string
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** How many connections were accepted so far. */
  readonly connections: number
  /** How many connections are open now. */
  readonly open: number
  /** Bytes that arrived from the sending side of `direction`, forwarded or not. */
  readonly received: (direction: Direction) => number
  /** Bytes handed to the receiving side of `direction` (injected bytes included). */
  readonly forwarded: (direction: Direction) => number
  /**
   * Every fault off: stalled and delayed bytes are released, new
   * connections reach the server. Black-holed connections stay so (they
   * lost bytes); close them with `closeAll`.
   */
  readonly passThrough: Effect.Effect<void>
  /** Holds every chunk in `direction` this long before forwarding it, in order. */
  readonly delay: (direction: Direction, millis: number) => Effect.Effect<void>
  /**
   * Stops reading in `direction`: bytes wait in the sender's socket
   * buffers, so the sender's writes back up as when its peer stops reading.
   */
  readonly stall: (direction: Direction) => Effect.Effect<void>
  /** Forwards the next `bytes` bytes in `direction` (over all connections), then stalls it. */
  readonly stallAfter: (direction: Direction, bytes: number) => Effect.Effect<void>
  /**
   * Forwards the next `bytes` bytes in `direction` (over all connections),
   * then closes both sides of the connection that carried the last of
   * them: a reply or a command cut mid-frame. Then passes through again.
   */
  readonly cutAfter: (direction: Direction, bytes: number) => Effect.Effect<void>
  /**
   * Reads and discards everything, both ways, on every open connection;
   * new connections are accepted and never reach the server: a host that
   * takes connections and never answers.
   */
  readonly blackHole: Effect.Effect<void>
  /** New connections are closed as soon as they are accepted, until `passThrough`. */
  readonly refuse: Effect.Effect<void>
  /** Writes `bytes` (strings as UTF-8) into every open connection in `direction`, ahead of held bytes. */
  readonly inject: (direction: Direction, bytes: Uint8Array | string) => Effect.Effect<void>
  /** Closes every open connection, both sides, now. */
  readonly closeAll: Effect.Effect<void>
}

/** How one direction treats bytes, for every connection. */
interface Rule {
  stalled: boolean
  delayMillis: number
  /** Bytes still to forward before `then` happens. */
  budget: { bytes: number; readonly then: "cut" | "stall" } | undefined
  received: number
  forwarded: number
}

/** One direction of one connection: what was read and not yet forwarded. */
interface Pipe {
  readonly source: Net.Socket | undefined
  target: Net.Socket | undefined
  readonly held: Array<{ chunk: Uint8Array; at: number }>
  timer: ReturnType<typeof setTimeout> | undefined
}

interface Link {
  readonly client: Net.Socket
  upstream: Net.Socket | undefined
  blackHoled: boolean
  readonly pipes: Record<Direction, Pipe>
}

const newRule = (): Rule => ({ stalled: false, delayMillis: 0, budget: undefined, received: 0, forwarded: 0 })

/**
 * Listens on a free loopback port and forwards each connection to
 * `target`, until the scope closes (which closes every connection).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (target: Target): Effect.Effect<FaultProxy, RedisServerError, Scope.Scope> =>
  Effect.gen(function*() {
    const rules: Record<Direction, Rule> = { toServer: newRule(), toClient: newRule() }
    const links = new Set<Link>()
    let accepted = 0
    let blackHoling = false
    let refusing = false

    const close = (link: Link) => {
      for (const pipe of Object.values(link.pipes)) if (pipe.timer !== undefined) clearTimeout(pipe.timer)
      link.client.destroy()
      link.upstream?.destroy()
      links.delete(link)
    }

    /** Forwards what `pipe` holds, as far as its direction's rule allows. */
    const pump = (link: Link, direction: Direction) => {
      if (link.blackHoled) return
      const pipe = link.pipes[direction]
      const rule = rules[direction]
      if (pipe.timer !== undefined) {
        clearTimeout(pipe.timer)
        pipe.timer = undefined
      }
      if (rule.stalled) {
        pipe.source?.pause()
        return
      }
      pipe.source?.resume()
      const target = pipe.target
      while (pipe.held.length > 0 && target !== undefined && !target.destroyed) {
        const head = pipe.held[0]!
        const wait = head.at - Date.now()
        if (wait > 0) {
          pipe.timer = setTimeout(() => pump(link, direction), wait)
          return
        }
        const budget = rule.budget
        const size = budget === undefined ? head.chunk.length : Math.min(head.chunk.length, budget.bytes)
        target.write(head.chunk.subarray(0, size))
        rule.forwarded += size
        if (size === head.chunk.length) pipe.held.shift()
        else head.chunk = head.chunk.subarray(size)
        if (budget === undefined) continue
        budget.bytes -= size
        if (budget.bytes > 0) continue
        rule.budget = undefined
        if (budget.then === "cut") {
          // Nothing more passes; what was allowed is flushed before both sides close.
          link.blackHoled = true
          target.end(() => close(link))
          return
        }
        rule.stalled = true
        pipe.source?.pause()
        return
      }
    }

    const pumpAll = (direction: Direction) => {
      for (const link of links) pump(link, direction)
    }

    const onData = (link: Link, direction: Direction) => (chunk: Buffer) => {
      const rule = rules[direction]
      rule.received += chunk.length
      if (link.blackHoled) return
      link.pipes[direction].held.push({ chunk, at: Date.now() + rule.delayMillis })
      pump(link, direction)
    }

    const onConnection = (client: Net.Socket) => {
      accepted++
      client.on("error", () => client.destroy())
      if (refusing) {
        client.destroy()
        return
      }
      const link: Link = {
        client,
        upstream: undefined,
        blackHoled: blackHoling,
        pipes: {
          toServer: { source: client, target: undefined, held: [], timer: undefined },
          toClient: { source: undefined, target: client, held: [], timer: undefined }
        }
      }
      links.add(link)
      client.on("close", () => close(link))
      client.on("data", onData(link, "toServer"))
      if (link.blackHoled) return
      const upstream = Net.connect({ host: target.host ?? "127.0.0.1", port: target.port })
      link.upstream = upstream
      link.pipes.toClient = { source: upstream, target: client, held: [], timer: undefined }
      upstream.on("error", () => close(link))
      upstream.on("close", () => close(link))
      upstream.on("data", onData(link, "toClient"))
      upstream.once("connect", () => {
        link.pipes.toServer.target = upstream
        pump(link, "toServer")
      })
      pump(link, "toClient")
    }

    const port = yield* listen("fault proxy", onConnection, () => {
      for (const link of links) close(link)
    })
    const both: ReadonlyArray<Direction> = ["toServer", "toClient"]
    return {
      host: "127.0.0.1",
      port,
      url: `redis://127.0.0.1:${port}`,
      get connections() {
        return accepted
      },
      get open() {
        return links.size
      },
      received: (direction) => rules[direction].received,
      forwarded: (direction) => rules[direction].forwarded,
      passThrough: Effect.sync(() => {
        blackHoling = false
        refusing = false
        for (const direction of both) {
          const rule = rules[direction]
          rule.stalled = false
          rule.delayMillis = 0
          rule.budget = undefined
          for (const link of links) for (const held of link.pipes[direction].held) held.at = 0
          pumpAll(direction)
        }
      }),
      delay: (direction, millis) =>
        Effect.sync(() => {
          rules[direction].delayMillis = millis
        }),
      stall: (direction) =>
        Effect.sync(() => {
          rules[direction].stalled = true
          pumpAll(direction)
        }),
      stallAfter: (direction, bytes) =>
        Effect.sync(() => {
          rules[direction].budget = { bytes, then: "stall" }
          pumpAll(direction)
        }),
      cutAfter: (direction, bytes) =>
        Effect.sync(() => {
          rules[direction].budget = { bytes, then: "cut" }
          pumpAll(direction)
        }),
      blackHole: Effect.sync(() => {
        blackHoling = true
        for (const link of links) {
          link.blackHoled = true
          for (const direction of both) {
            const pipe = link.pipes[direction]
            pipe.held.length = 0
            // A stalled side is read again, to be discarded.
            pipe.source?.resume()
          }
        }
      }),
      refuse: Effect.sync(() => {
        refusing = true
      }),
      inject: (direction, bytes) =>
        Effect.sync(() => {
          const chunk = typeof bytes === "string" ? Buffer.from(bytes) : bytes
          for (const link of links) {
            const target = link.pipes[direction].target
            if (target === undefined || target.destroyed) continue
            target.write(chunk)
            rules[direction].forwarded += chunk.length
          }
        }),
      closeAll: Effect.sync(() => {
        for (const link of links) close(link)
      })
    }
  })
