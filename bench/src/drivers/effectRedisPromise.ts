/**
 * effect-redis called from promise code (`effect-redis-promise`): the
 * service lives in a `ManagedRuntime` built from `NodeRedis.layer`, as
 * Effect documents for code outside Effect, and every step is its own
 * `runtime.runPromise(…)` awaited by an `async` loop, like the other
 * promise clients' workers. The steps are the `effect-redis` ones.
 * `effect-redis-promise-shared` adds `SharedQueueScheduler.layer` to the
 * runtime's layer.
 *
 * @since 0.2.0
 */
import * as Redis from "@effect-redis/client/Redis"
import * as SharedQueueScheduler from "@effect-redis/client/SharedQueueScheduler"
import * as NodeRedis from "@effect-redis/node/NodeRedis"
import { Effect, Exit, Layer, ManagedRuntime, Option, Scope } from "effect"
import type { Driver } from "../result.js"
import { onCluster, onSharedQueue } from "../scenarios.js"
import { runPromiseClient } from "./promise.js"

/**
 * @since 0.2.0
 * @category drivers
 */
export const run: Driver = (client, scenario, port, timing) =>
  runPromiseClient(
    client,
    async () => {
      const runtime = ManagedRuntime.make(
        Layer.merge(
          NodeRedis.layer(
            onCluster(scenario)
              ? { cluster: { nodes: [{ host: "127.0.0.1", port }] } }
              : { url: `redis://127.0.0.1:${port}` }
          ),
          onSharedQueue(client) ? SharedQueueScheduler.layer : Layer.empty
        )
      )
      const redis = await runtime.runPromise(Redis.Redis)
      // Where the steps' own setup lives (none of the step scenarios has any yet).
      const scope = Effect.runSync(Scope.make())
      return {
        set: (key, value) => runtime.runPromise(redis.set(key, value)),
        get: (key) => runtime.runPromise(Effect.map(redis.get(key), Option.getOrNull)),
        del: (keys) => runtime.runPromise(redis.del(keys)),
        step: async (scenario) => {
          const step = await runtime.runPromise(Scope.extend(scenario.effectRedis(redis), scope))
          return (worker, iteration) => runtime.runPromise(step(worker, iteration))
        },
        receive: () => Promise.reject(new Error("effect-redis-promise does not take part in receive scenarios")),
        close: () => runtime.runPromise(Scope.close(scope, Exit.void)).finally(() => runtime.dispose())
      }
    },
    scenario,
    port,
    timing
  )
