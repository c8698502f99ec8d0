/**
 * The Valkey GLIDE driver: `GlideClient.createClient({ addresses })` (its
 * Rust core behind a Node binding), `GlideClusterClient.createClient` in
 * cluster scenarios, defaults (RESP3, string decoder) except for two limits
 * that would fail the runs with many commands in flight: `requestTimeout`
 * (250 ms by default; 10 s here, effect-redis' default command timeout) and
 * `inflightRequestsLimit` (1,000 by default; 10,000 here, the most in
 * flight of any scenario). A subscription is part of a client's
 * configuration, so `pubsub` opens a second client with it.
 *
 * @since 0.2.0
 */
import { GlideClient, type GlideClientConfiguration, GlideClusterClient } from "@valkey/valkey-glide"
import type { Driver } from "../result.js"
import { onCluster } from "../scenarios.js"
import { runPromiseClient } from "./promise.js"

/**
 * @since 0.2.0
 * @category drivers
 */
export const run: Driver = (client, scenario, port, timing) =>
  runPromiseClient(
    client,
    async () => {
      const config: GlideClientConfiguration = {
        addresses: [{ host: "127.0.0.1", port }],
        requestTimeout: 10_000,
        inflightRequestsLimit: 10_000
      }
      // The cluster client has the same commands; the scenarios' steps take it as a client.
      const glide: GlideClient = onCluster(scenario)
        ? await GlideClusterClient.createClient(config) as unknown as GlideClient
        : await GlideClient.createClient(config)
      const subscribers: Array<GlideClient> = []
      return {
        set: (key, value) => glide.set(key, value),
        // Strings, not Buffers: the client's default decoder is `Decoder.String`.
        get: (key) => glide.get(key) as Promise<string | null>,
        del: (keys) => glide.del(keys),
        step: (scenario) => scenario.glide(glide),
        receive: (scenario, counter) =>
          scenario.glide(async (pubsubSubscriptions) => {
            subscribers.push(await GlideClient.createClient({ ...config, pubsubSubscriptions }))
          }, counter),
        close: () => {
          for (const subscriber of subscribers) subscriber.close()
          glide.close()
        }
      }
    },
    scenario,
    port,
    timing
  )
