// Removes every package's build output and its incremental build state, so a
// build never ships the output of a module that no longer exists.
import * as Fs from "node:fs"

for (const entry of Fs.readdirSync("packages", { withFileTypes: true })) {
  if (!entry.isDirectory()) continue
  Fs.rmSync(`packages/${entry.name}/dist`, { recursive: true, force: true })
  Fs.rmSync(`packages/${entry.name}/.tsbuildinfo/build.tsbuildinfo`, { force: true })
}
