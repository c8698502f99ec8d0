// Every package exports exactly its public modules: "." (index.ts), each
// PascalCase module in src/, and "./package.json". Lowercase files
// (src/commands/*.ts) and src/internal/ stay private. The workspace entries
// point at the sources, the published ones (publishConfig) at dist/.
// `node scripts/check-exports.mjs --write` rewrites both maps to match.
import * as Fs from "node:fs"

const write = process.argv.includes("--write")

const problems = []
for (const entry of Fs.readdirSync("packages", { withFileTypes: true })) {
  if (!entry.isDirectory()) continue
  const dir = `packages/${entry.name}`
  const pkg = JSON.parse(Fs.readFileSync(`${dir}/package.json`, "utf8"))
  const modules = Fs.readdirSync(`${dir}/src`)
    .filter((file) => /^[A-Z][A-Za-z0-9]*\.ts$/.test(file))
    .map((file) => file.slice(0, -3))
  const expected = {
    source: { "./package.json": "./package.json", ".": "./src/index.ts" },
    published: {
      "./package.json": "./package.json",
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" }
    }
  }
  for (const module of modules) {
    expected.source[`./${module}`] = `./src/${module}.ts`
    expected.published[`./${module}`] = { types: `./dist/${module}.d.ts`, default: `./dist/${module}.js` }
  }
  const compare = (field, actual, wanted) => {
    const actualKeys = Object.keys(actual ?? {}).sort()
    const wantedKeys = Object.keys(wanted).sort()
    for (const key of wantedKeys) {
      if (!actualKeys.includes(key)) {
        problems.push(`${pkg.name}: ${field} lacks "${key}": ${JSON.stringify(wanted[key])}`)
      } else if (JSON.stringify(actual[key]) !== JSON.stringify(wanted[key])) {
        problems.push(`${pkg.name}: ${field}["${key}"] should be ${JSON.stringify(wanted[key])}`)
      }
    }
    for (const key of actualKeys) {
      if (!wantedKeys.includes(key)) {
        problems.push(`${pkg.name}: ${field} exports "${key}", which is not a public module`)
      }
    }
  }
  if (write) {
    pkg.exports = expected.source
    pkg.publishConfig = { ...pkg.publishConfig, exports: expected.published }
    Fs.writeFileSync(`${dir}/package.json`, `${JSON.stringify(pkg, null, 2)}\n`)
    continue
  }
  compare("exports", pkg.exports, expected.source)
  compare("publishConfig.exports", pkg.publishConfig?.exports, expected.published)
}
if (problems.length > 0) {
  console.error(
    `check-exports: package exports do not match the public modules in src/ ` +
      `(node scripts/check-exports.mjs --write fixes them):\n  ${problems.join("\n  ")}`
  )
  process.exit(1)
}
