import { defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "client",
      // The heap tests collect garbage before they measure.
      poolOptions: { forks: { execArgv: ["--expose-gc"] } }
    }
  })
)
