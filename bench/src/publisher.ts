/**
 * The flood publisher of the `pubsub` scenario, in its own process so that
 * publishing never takes the subscriber's JS thread:
 *
 * ```sh
 * tsx src/publisher.ts <port> <channel> <message>
 * ```
 *
 * The same for every client: a raw socket writing pre-encoded PUBLISH
 * commands in batches of 1,000, two batches in flight. Prints `ready` once
 * connected, floods as soon as the channel has a subscriber, and exits when
 * its stdin closes (the run is over, or its process died).
 *
 * The flood is throttled on the subscriber's backlog: Redis disconnects a
 * subscriber whose output buffer passes `client-output-buffer-limit pubsub`
 * (32 MB by default), which a free-running flood reaches within a second,
 * and publishing faster than the subscriber reads only spends the two cores
 * on work nobody measures. So every batch ends with `CLIENT LIST TYPE
 * pubsub`: while the subscriber's output buffer (`omem`) stays under
 * {@link backlogLimit} the next batch goes out at once, otherwise the
 * publisher looks again a millisecond later. The subscriber always has
 * megabytes waiting (the kernel's socket buffers plus up to the limit), so
 * it is the bottleneck, whatever its speed.
 *
 * @since 0.1.0
 */
import { RespDecoder } from "@effect-redis/resp/RespDecoder"
import { encodeCommand } from "@effect-redis/resp/RespEncoder"
import { RespError } from "@effect-redis/resp/RespValue"
import { Either } from "effect"
import * as Net from "node:net"

const batchSize = 1000
const batchesInFlight = 2
/** Bytes waiting in the server for the subscriber beyond which publishing pauses. */
const backlogLimit = 4 * 1024 * 1024

function fail(message: string): never {
  process.stderr.write(`publisher: ${message}\n`)
  process.exit(1)
}

const [portArg, channel, message] = process.argv.slice(2)
const port = Number(portArg)
if (!Number.isInteger(port) || channel === undefined || message === undefined) {
  fail("usage: publisher.ts <port> <channel> <message>")
}

const encode = (args: ReadonlyArray<string>): Uint8Array =>
  Either.getOrElse(encodeCommand(args), (error) => fail(error.message))

const probe = encode(["CLIENT", "LIST", "TYPE", "pubsub"])
const publish = encode(["PUBLISH", channel, message])
const batch = Buffer.concat([...Array.from({ length: batchSize }, () => publish), probe])

/** The largest output buffer among subscribers, or `undefined` when there is none yet. */
const subscriberBacklog = (clients: string): number | undefined => {
  let largest: number | undefined
  for (const match of clients.matchAll(/ omem=(\d+)/g)) largest = Math.max(largest ?? 0, Number(match[1]))
  return largest
}

let inFlight = 0
let probeScheduled = false

const socket = Net.connect({ host: "127.0.0.1", port, noDelay: true })

const sendProbeSoon = () => {
  if (probeScheduled) return
  probeScheduled = true
  setTimeout(() => {
    probeScheduled = false
    inFlight++
    socket.write(probe)
  }, 1)
}

const onProbe = (clients: string) => {
  inFlight--
  const backlog = subscriberBacklog(clients)
  if (backlog === undefined || backlog >= backlogLimit) {
    if (inFlight === 0) sendProbeSoon()
    return
  }
  while (inFlight < batchesInFlight) {
    inFlight++
    socket.write(batch)
  }
}

const decoder = new RespDecoder()
socket.on("data", (chunk: Buffer) => {
  const error = decoder.feed(chunk, (reply) => {
    if (reply instanceof RespError) fail(`server replied ${reply.message}`)
    // PUBLISH replies are integers (the receivers); only the probes' text matters.
    if (typeof reply === "string") onProbe(reply)
  })
  if (error !== undefined) fail(`unreadable reply: ${error.message}`)
})
socket.once("connect", () => {
  process.stdout.write("ready\n")
  inFlight++
  socket.write(probe)
})
socket.once("error", (error) => fail(error.message))
socket.once("close", () => fail("the server closed the connection"))
process.stdin.once("end", () => process.exit(0)).resume()
