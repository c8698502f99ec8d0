// Type-checks every ```ts example, so a broken example fails CI: the ```ts
// blocks in the doc comments of packages/*/src, and the ```ts blocks of
// README.md, packages/*/README.md and docs/DESIGN.md. Other fences (```sh,
// ```text, …) are not compiled: use them for what is not TypeScript. Each
// example is a module of its own (imports included), written into a package
// (packages/<name>/.doc-examples/), where the package's own name and its
// dependencies resolve as they do for the package's tests: a doc comment's
// example in its own package, a Markdown example in the package it imports
// from @effect-redis/platform or @effect-redis/experimental, else in the
// client (whose dev dependencies include node and testing). Examples are
// compiled, not run: most need a server.
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

// The ```ts blocks of some lines, with the line each starts on. `textOf` gives
// a line's text as Markdown (undefined outside the text, e.g. outside a
// comment); `bodyOf` the line as it goes into the example.
const blocksOf = (lines, textOf, bodyOf) => {
  const examples = []
  let current
  lines.forEach((line, index) => {
    const text = textOf(line)
    if (text === undefined) return
    if (current === undefined && fence.test(text)) current = { line: index + 1, body: [] }
    else if (current !== undefined && text.startsWith("```")) {
      examples.push(current)
      current = undefined
    } else if (current !== undefined) current.body.push(bodyOf(line))
  })
  return examples
}

// The ```ts blocks of the /** */ comments of one source file.
const commentExamplesOf = (file) => {
  let inComment = false
  return blocksOf(Fs.readFileSync(file, "utf8").split("\n"), (line) => {
    const trimmed = line.trim()
    if (!inComment && trimmed.startsWith("/**")) inComment = true
    if (!inComment) return undefined
    if (trimmed.endsWith("*/")) inComment = false
    return trimmed.replace(/^\/\*\*\s?/, "").replace(/\*\/$/, "").replace(/^\*\s?/, "")
  }, (line) => line.replace(/^\s*\* ?/, "").replace(/^\s*\*$/, ""))
}

// The ```ts blocks of one Markdown file.
const markdownExamplesOf = (file) => blocksOf(Fs.readFileSync(file, "utf8").split("\n"), (line) => line, (line) => line)

const packageDirs = Fs.readdirSync("packages", { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => Path.join("packages", entry.name))

// Examples by the package they compile in: { source, line, name, body }.
const examplesByPackage = new Map(packageDirs.map((dir) => [dir, []]))
const add = (dir, source, example, name) =>
  examplesByPackage.get(dir).push({ source, ...example, name: `${name.replaceAll("/", "_")}_line${example.line}.ts` })

for (const dir of packageDirs) {
  for (const source of sourcesOf(Path.join(dir, "src"))) {
    for (const example of commentExamplesOf(source)) {
      add(dir, source, example, Path.relative(Path.join(dir, "src"), source).slice(0, -3))
    }
  }
}
const markdownFiles = ["README.md", "docs/DESIGN.md", ...packageDirs.map((dir) => Path.join(dir, "README.md"))]
  .filter((file) => Fs.existsSync(file))
const markdownPackageOf = (body) =>
  ["platform", "experimental"].map((name) => Path.join("packages", name))
    .find((dir) => body.some((line) => line.includes(`from "@effect-redis/${Path.basename(dir)}"`))) ??
    Path.join("packages", "client")
for (const file of markdownFiles) {
  for (const example of markdownExamplesOf(file)) {
    add(markdownPackageOf(example.body), file, example, `md_${file.slice(0, -3)}`)
  }
}

let failed = false
let count = 0
for (const [dir, examples] of examplesByPackage) {
  const out = Path.join(dir, outDir)
  Fs.rmSync(out, { recursive: true, force: true })
  if (examples.length === 0) continue
  count += examples.length
  Fs.mkdirSync(out, { recursive: true })
  for (const example of examples) {
    Fs.writeFileSync(Path.join(out, example.name), `// ${example.source}:${example.line}\n${example.body.join("\n")}\n`)
  }
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
    console.error(`${dir}: examples do not compile (files in ${out}, first line names the source):`)
    console.error(tsc.stdout + tsc.stderr)
  } else {
    Fs.rmSync(out, { recursive: true, force: true })
  }
}
if (failed) process.exit(1)
console.log(`check-doc-examples: ${count} examples compile`)
