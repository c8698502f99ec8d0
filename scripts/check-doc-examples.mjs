// Type-checks every ```ts example in the doc comments of packages/*/src, so a
// broken example fails CI. Each example is a module of its own, written into
// its package (packages/<name>/.doc-examples/), where the package's own name
// and its dependencies resolve as they do for the package's tests. Examples
// are compiled, not run: most need a server.
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"

const outDir = ".doc-examples"
const fence = /^```ts\s*$/
const sourcesOf = (dir) =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = Path.join(dir, entry.name)
    if (entry.isDirectory()) return sourcesOf(path)
    return entry.name.endsWith(".ts") ? [path] : []
  })

// The ```ts blocks of the /** */ comments of one file, with the line each starts on.
const examplesOf = (file) => {
  const lines = Fs.readFileSync(file, "utf8").split("\n")
  const examples = []
  let inComment = false
  let current
  lines.forEach((line, index) => {
    const trimmed = line.trim()
    if (!inComment && trimmed.startsWith("/**")) inComment = true
    if (inComment) {
      const text = trimmed.replace(/^\/\*\*\s?/, "").replace(/\*\/$/, "").replace(/^\*\s?/, "")
      if (current === undefined && fence.test(text)) current = { line: index + 1, body: [] }
      else if (current !== undefined && text.startsWith("```")) {
        examples.push(current)
        current = undefined
      } else if (current !== undefined) current.body.push(line.replace(/^\s*\* ?/, "").replace(/^\s*\*$/, ""))
    }
    if (inComment && trimmed.endsWith("*/")) inComment = false
  })
  return examples
}

let failed = false
let count = 0
for (const entry of Fs.readdirSync("packages", { withFileTypes: true })) {
  if (!entry.isDirectory()) continue
  const dir = Path.join("packages", entry.name)
  const out = Path.join(dir, outDir)
  Fs.rmSync(out, { recursive: true, force: true })
  const files = []
  for (const source of sourcesOf(Path.join(dir, "src"))) {
    for (const example of examplesOf(source)) {
      const name = `${
        Path.relative(Path.join(dir, "src"), source).replaceAll("/", "_").slice(0, -3)
      }_line${example.line}.ts`
      Fs.mkdirSync(out, { recursive: true })
      Fs.writeFileSync(Path.join(out, name), `// ${source}:${example.line}\n${example.body.join("\n")}\n`)
      files.push(name)
    }
  }
  if (files.length === 0) continue
  count += files.length
  Fs.writeFileSync(
    Path.join(out, "tsconfig.json"),
    JSON.stringify({
      extends: "../../../tsconfig.base.json",
      include: ["*.ts"],
      compilerOptions: { composite: false, incremental: false, noEmit: true, noUnusedLocals: false }
    })
  )
  const tsc = ChildProcess.spawnSync(process.execPath, [Path.resolve("node_modules/typescript/bin/tsc"), "-p", out], {
    encoding: "utf8"
  })
  if (tsc.status !== 0) {
    failed = true
    console.error(`${dir}: doc comment examples do not compile (files in ${out}, first line names the source):`)
    console.error(tsc.stdout + tsc.stderr)
  } else {
    Fs.rmSync(out, { recursive: true, force: true })
  }
}
if (failed) process.exit(1)
console.log(`check-doc-examples: ${count} examples compile`)
