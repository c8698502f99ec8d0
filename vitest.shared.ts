import type { ViteUserConfig } from "vitest/config"

/**
 * Settings every package's tests share. Suites start real redis-server
 * processes, so the timeouts allow for process start-up.
 */
const config: ViteUserConfig = {
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    sequence: { concurrent: false }
  }
}

export default config
