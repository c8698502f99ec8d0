import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

// The codec and the client run wherever a transport can be given to them:
// Node's modules stay in @effect-redis/node.

const packages = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../..")

const sources = (dir: string): Array<string> =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = Path.join(dir, entry.name)
    return entry.isDirectory() ? sources(path) : entry.name.endsWith(".ts") ? [path] : []
  })

describe("Platform", () => {
  for (const name of ["resp", "client"]) {
    it(`@effect-redis/${name} imports no node: module`, () => {
      const files = sources(Path.join(packages, name, "src"))
      assert.isAbove(files.length, 0)
      const offenders = files.filter((file) =>
        // Code only: doc comment examples (lines starting with `*`) may show Node programs.
        /^[^*\n]*from\s+["']node:|^[^*\n]*import\(\s*["']node:/m.test(
          Fs.readFileSync(file, "utf8")
        )
      )
      assert.deepStrictEqual(offenders.map((file) => Path.relative(packages, file)), [])
    })
  }
})
