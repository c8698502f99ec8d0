/**
 * Tracing: a client span per command and per batch, with OpenTelemetry
 * database attributes (never arguments).
 */
import * as Effect from "effect/Effect"
import type { Executor } from "../Executor.js"
import type { Resolved } from "../RedisConfig.js"

/** The attributes every span of a client carries. */
export const spanAttributes = (config: Resolved): Record<string, unknown> => {
  const common = { "db.system.name": "redis", "db.namespace": String(config.database) }
  const endpoint = config.endpoint
  // Behind Sentinel the server changes with failovers, in a cluster with the key: no address is recorded.
  if (config.sentinel !== undefined || config.cluster !== undefined) return common
  return endpoint._tag === "Tcp"
    ? { ...common, "server.address": endpoint.host, "server.port": endpoint.port }
    : { ...common, "server.address": endpoint.path }
}

/** An executor that opens a client span per command and per batch. */
export const traced = (executor: Executor, attributes: Record<string, unknown>): Executor => ({
  ...(executor.masters && {
    masters: Effect.map(executor.masters, (masters) => masters.map((master) => traced(master, attributes)))
  }),
  execute: (command, binary) =>
    Effect.withSpan(executor.execute(command, binary), command.spec.name, {
      kind: "client",
      attributes: { ...attributes, "db.operation.name": command.spec.name }
    }),
  executeAll: (batch, binary) =>
    Effect.withSpan(executor.executeAll(batch, binary), "PIPELINE", {
      kind: "client",
      attributes: { ...attributes, "db.operation.name": "PIPELINE", "db.operation.batch.size": batch.length }
    })
})
