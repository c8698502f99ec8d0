/**
 * ESLint rule: value imports from the `effect` barrel load every module of
 * Effect and fast-check (about 600 files; Node's ES module loader pays for
 * each one), where `import * as Effect from "effect/Effect"` loads only what
 * that module needs. The fix rewrites the whole declaration, whatever its number of
 * specifiers: `import { type Config, Effect, pipe } from "effect"` becomes
 * `import type * as Config from "effect/Config"`,
 * `import * as Effect from "effect/Effect"` and
 * `import { pipe } from "effect/Function"`. (`no-import-from-barrel-package`
 * of @effect/eslint-plugin fixes only single-specifier declarations.)
 * Type-only declarations are left alone: they load nothing.
 */

// What the barrel exports besides one namespace per module.
const functionExports = new Set(["absurd", "flow", "hole", "identity", "pipe", "unsafeCoerce"])

/** @type {import("eslint").Rule.RuleModule} */
export const effectDeepImports = {
  meta: {
    type: "suggestion",
    fixable: "code",
    docs: { description: "Import Effect modules by path (effect/Effect), not from the effect barrel" },
    messages: {
      barrel: "Import from \"effect/<Module>\" instead of the \"effect\" barrel, which loads every Effect module"
    },
    schema: []
  },
  create(context) {
    const source = context.sourceCode
    return {
      ImportDeclaration(node) {
        if (node.source.value !== "effect" || node.importKind === "type") return
        const named = node.specifiers.filter((specifier) => specifier.type === "ImportSpecifier")
        if (named.every((specifier) => specifier.importKind === "type")) return
        const fixable = named.length === node.specifiers.length
        context.report({
          node,
          messageId: "barrel",
          fix: fixable ? (fixer) => fixer.replaceText(node, rewrite(named, existingNamespaces(source))) : null
        })
      }
    }
  }
}

/** `local name -> module` of the deep namespace imports already in the file. */
const existingNamespaces = (source) => {
  const bound = new Map()
  for (const statement of source.ast.body) {
    if (statement.type !== "ImportDeclaration" || !String(statement.source.value).startsWith("effect/")) continue
    for (const specifier of statement.specifiers) {
      if (specifier.type === "ImportNamespaceSpecifier") bound.set(specifier.local.name, statement.source.value)
    }
  }
  return bound
}

const rewrite = (specifiers, bound) => {
  const lines = []
  const functions = []
  for (const specifier of specifiers) {
    const imported = specifier.imported.type === "Identifier" ? specifier.imported.name : specifier.imported.value
    const local = specifier.local.name
    const type = specifier.importKind === "type"
    if (functionExports.has(imported)) {
      functions.push(`${type ? "type " : ""}${imported === local ? local : `${imported} as ${local}`}`)
    } else if (bound.get(local) !== `effect/${imported}`) {
      lines.push(`import ${type ? "type " : ""}* as ${local} from "effect/${imported}"`)
    }
  }
  if (functions.length > 0) lines.push(`import { ${functions.join(", ")} } from "effect/Function"`)
  return lines.sort((a, b) => a.slice(a.indexOf(" from ")).localeCompare(b.slice(b.indexOf(" from ")))).join("\n")
}
