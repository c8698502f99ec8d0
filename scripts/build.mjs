// `pnpm build`: compiles every package into its dist/ (tsconfig.build.json),
// after removing the previous output and its incremental build state, so a
// build never ships the output of a module that no longer exists.
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.dirname(Path.dirname(fileURLToPath(import.meta.url)))
for (const entry of Fs.readdirSync(Path.join(root, "packages"), { withFileTypes: true })) {
  if (!entry.isDirectory()) continue
  Fs.rmSync(Path.join(root, "packages", entry.name, "dist"), { recursive: true, force: true })
  Fs.rmSync(Path.join(root, "packages", entry.name, ".tsbuildinfo", "build.tsbuildinfo"), { force: true })
}
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
const build = ChildProcess.spawnSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit"
})
process.exit(build.status ?? 1)
