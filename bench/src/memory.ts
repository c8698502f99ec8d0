/**
 * The memory runs (`mem10000`): how much memory a command in flight costs,
 * measured the same way for every client.
 *
 * Commands are in flight only while the server has not answered, so the
 * run holds the answers back: it pauses the bench's own server
 * (`CLIENT PAUSE <ms> ALL`, which blocks every client's commands until it
 * expires), has every caller send one command, lets the client write them,
 * and measures the process after a full GC. The idle client, measured the
 * same way after two unpaused passes of the same callers (so compiled code
 * and whatever the client keeps once grown are already there), is the
 * baseline. The run fails if any command completed before the measurement:
 * then they were not all in flight.
 *
 * Needs `node --expose-gc` (the orchestrator passes it for these runs).
 *
 * @since 0.2.0
 */
import * as Net from "node:net"
import { setTimeout as sleep } from "node:timers/promises"
import { failed, type RunResult } from "./result.js"
import type { ClientName, MemoryScenario } from "./scenarios.js"

/** Time for the callers to start and the client to write every command; generous for a busy machine. */
const settleMillis = 500
/** How long the server holds every command: the settling, two GCs and a margin. */
const pauseMillis = 2500

/**
 * Sends one command per caller and resolves when all have been answered,
 * calling `onReply` as each answer reaches its caller.
 *
 * @since 0.2.0
 * @category models
 */
export type SendAll = (onReply: () => void) => Promise<unknown>

/** Pauses every client of the server on `port` for `millis`; resolves once it has confirmed. */
const pauseServer = (port: number, millis: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    const argument = String(millis)
    let reply = ""
    socket.setEncoding("utf8")
    socket.once("error", reject)
    socket.on("data", (chunk: string) => {
      reply += chunk
      if (!reply.includes("\r\n")) return
      socket.destroy()
      if (reply.startsWith("+OK")) resolve()
      else reject(new Error(`CLIENT PAUSE answered ${reply.trim()}`))
    })
    socket.write(`*4\r\n$6\r\nCLIENT\r\n$5\r\nPAUSE\r\n$${argument.length}\r\n${argument}\r\n$3\r\nALL\r\n`)
  })

/** The process' memory after a full collection; twice, so objects freed by finalizers of the first go too. */
const collected = (gc: NodeJS.GCFunction): NodeJS.MemoryUsage => {
  gc()
  gc()
  return process.memoryUsage()
}

/**
 * Measures the memory per command in flight of a connected client, whose
 * `sendAll` sends `scenario.commands` commands at once. Never rejects: a
 * failure is a failed `RunResult`.
 *
 * @since 0.2.0
 * @category measuring
 */
export const measureMemory = async (
  client: ClientName,
  scenario: MemoryScenario,
  port: number,
  sendAll: SendAll
): Promise<RunResult> => {
  const gc = globalThis.gc
  if (gc === undefined) return failed(client, scenario.name, "memory runs need node --expose-gc")
  const ignore = () => {}
  try {
    await sendAll(ignore)
    await sendAll(ignore)
    const idle = collected(gc)
    await pauseServer(port, pauseMillis)
    let replies = 0
    const inFlight = sendAll(() => replies++)
    await sleep(settleMillis)
    const loaded = collected(gc)
    const early = replies
    await inFlight
    if (early > 0) {
      return failed(
        client,
        scenario.name,
        `${early} of ${scenario.commands} commands were answered before the measurement (the server's ` +
          `${pauseMillis} ms pause ended early: the machine is too busy)`
      )
    }
    const perCommand = (field: "heapUsed" | "external" | "rss") => (loaded[field] - idle[field]) / scenario.commands
    return {
      ok: true,
      kind: "memory",
      client,
      scenario: scenario.name,
      commands: scenario.commands,
      heapBytesPerCommand: perCommand("heapUsed"),
      externalBytesPerCommand: perCommand("external"),
      rssBytesPerCommand: perCommand("rss")
    }
  } catch (error) {
    return failed(client, scenario.name, error)
  }
}
