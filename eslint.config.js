import effectPlugin from "@effect/eslint-plugin"
import js from "@eslint/js"
import tseslint from "typescript-eslint"
import { effectDeepImports } from "./scripts/eslint/effectDeepImports.js"

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/build/**",
      "**/dist/**",
      "**/.tsbuildinfo/**",
      "**/.doc-examples/**",
      "packages/*/docs/**"
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Repository scripts run on plain node.
  { files: ["scripts/**/*.mjs"], languageOptions: { globals: { console: "readonly", process: "readonly" } } },
  // The published packages load only the Effect modules they use (import cost).
  {
    files: ["packages/*/src/**/*.ts"],
    plugins: { local: { rules: { "effect-deep-imports": effectDeepImports } } },
    rules: { "local/effect-deep-imports": "error" }
  },
  // Rules that need the type checker run on the TypeScript projects (tsc -b's
  // tsconfigs); the config files and scripts outside them are linted without types.
  {
    files: ["packages/*/src/**/*.ts", "packages/*/test/**/*.ts", "bench/src/**/*.ts", "examples/src/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-unnecessary-type-assertion": "error"
    }
  },
  {
    plugins: { "@effect": effectPlugin },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/array-type": ["error", { default: "generic", readonly: "generic" }],
      "no-constant-condition": ["error", { checkLoops: false }],
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 120,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }]
    }
  }
)
