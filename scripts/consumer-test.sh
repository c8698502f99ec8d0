#!/usr/bin/env bash
# The packages as a user gets them: build and pack every package, install the
# tarballs with plain npm into a new project outside the repository, compile
# the README's quick start and testing example under a strict tsconfig, run
# the quick start with plain node against a throwaway redis-server, then a
# client with metrics and client-side caching on (modules the client loads
# on demand), and run the testing example with vitest; then, in a second project beside
# @effect/platform and @effect/experimental, the ecosystem packages: a
# KeyValueStore and a RateLimiter on the same client, run with plain node.
# Fails on the first thing that goes wrong.
#
#   bash scripts/consumer-test.sh            (from anywhere; needs redis-server on PATH or REDIS_SERVER_BIN)
#   KEEP_CONSUMER_DIR=1 bash scripts/consumer-test.sh   keeps the project for a look afterwards
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pnpm_version=$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$root/package.json")
pnpm() { npx --yes "pnpm@$pnpm_version" "$@"; }
dev_version() { node -p 'require(process.argv[1]).devDependencies[process.argv[2]]' "$root/package.json" "$1"; }
say() { echo "consumer-test: $*"; }
die() { echo "consumer-test: FAILED: $*" >&2; exit 1; }

redis_server=${REDIS_SERVER_BIN:-$(command -v redis-server || true)}
[ -x "$redis_server" ] || die "redis-server not found: put it on PATH or set REDIS_SERVER_BIN"

work=$(mktemp -d "${TMPDIR:-/tmp}/effect-redis-consumer.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "${KEEP_CONSUMER_DIR:-}" ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
case "$work" in "$root"/*) die "the temporary directory $work is inside the repository" ;; esac

say "building and packing into $work/tarballs"
(cd "$root" && pnpm build >/dev/null)
packages=(resp client node testing platform experimental)
for package in "${packages[@]}"; do
  (cd "$root/packages/$package" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
ls -l "$work/tarballs" | awk 'NR > 1 { printf "consumer-test:   %-40s %7.1f kB\n", $9, $5 / 1000 }'

# The project: a README example each, a strict tsconfig, nothing from the workspace.
app="$work/app"
mkdir -p "$app/src" "$app/test"
node - "$root/README.md" "$app" <<'EOF'
// The first ```ts block under a README heading.
const [readme, app] = process.argv.slice(2)
const fs = require("node:fs")
const text = fs.readFileSync(readme, "utf8")
const blockUnder = (heading) => {
  const section = text.indexOf(`\n## ${heading}\n`)
  if (section === -1) throw new Error(`README.md has no "## ${heading}" section`)
  const match = /\n```ts\n([\s\S]*?)\n```\n/.exec(text.slice(section))
  if (match === null) throw new Error(`README.md's "## ${heading}" section has no ts block`)
  return match[1] + "\n"
}
fs.writeFileSync(`${app}/src/main.ts`, blockUnder("Quick start"))
fs.writeFileSync(`${app}/test/service.test.ts`, blockUnder("Testing your service"))
EOF
grep -q 'redis://localhost:6379/0' "$app/src/main.ts" || die "the README's quick start no longer connects to redis://localhost:6379/0; update this script"
# Metrics and client-side caching are modules the client imports (import()) when
# a client turns them on: they must load from the built packages too. The
# program also runs on the opt-in SharedQueueScheduler.
cat > "$app/src/options.ts" <<'EOF'
import { Redis, SharedQueueScheduler } from "@effect-redis/client"
import { NodeRedis } from "@effect-redis/node"
import { Effect, Layer } from "effect"

const program = Effect.gen(function*() {
  const redis = yield* Redis.Redis
  yield* redis.set("cached", "1")
  yield* redis.get("cached")
  yield* redis.get("cached")
  const { hits, misses } = yield* redis.cacheStats
  console.log({ hits, misses })
})

program.pipe(
  Effect.provide(Layer.merge(
    NodeRedis.layerFromUrl("redis://localhost:6379/0", { metrics: true, cache: { maxEntries: 100 } }),
    SharedQueueScheduler.layer
  )),
  Effect.runPromise
)
EOF
cat > "$app/package.json" <<'EOF'
{ "name": "consumer", "private": true, "type": "module" }
EOF
cat > "$app/tsconfig.json" <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2022"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": ["node"],
    "strict": true,
    "exactOptionalPropertyTypes": true,
    "noUncheckedIndexedAccess": true,
    "noPropertyAccessFromIndexSignature": true,
    "noImplicitOverride": true,
    "noImplicitReturns": true,
    "noFallthroughCasesInSwitch": true,
    "verbatimModuleSyntax": true,
    "skipLibCheck": false,
    "rootDir": ".",
    "outDir": "dist"
  },
  "include": ["src", "test"]
}
EOF

say "npm install (tarballs, effect@^3, and the tools a user adds)"
started=$SECONDS
# vitest and @effect/vitest as the README's "Testing your service" installs them.
(cd "$app" && npm install --no-audit --no-fund --loglevel=error \
  "$work"/tarballs/effect-redis-{resp,client,node,testing}-*.tgz "effect@^3" \
  "typescript@$(dev_version typescript)" "@types/node@$(dev_version @types/node)" \
  "vitest@3" "@effect/vitest@0.30" >/dev/null) ||
  die "npm install of the tarballs failed"
say "npm install took $((SECONDS - started)) s; $(cd "$app" && npm ls --all --parseable 2>/dev/null | wc -l) packages, effect $(node -p 'require(process.argv[1]).version' "$app/node_modules/effect/package.json")"
for stray in @effect/platform @effect/platform-node typescript-eslint; do
  [ ! -e "$app/node_modules/$stray" ] || die "$stray was installed: some package still depends on it"
done

say "compiling under a strict tsconfig (skipLibCheck: false)"
(cd "$app" && npx tsc -p tsconfig.json) || die "the README examples do not compile against the packages"

port=$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })')
"$redis_server" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --logfile "$work/redis.log" &
server_pid=$!
for _ in $(seq 1 100); do
  node -e 'require("node:net").connect(+process.argv[1], "127.0.0.1").on("connect", () => process.exit(0)).on("error", () => process.exit(1))' "$port" && break
  sleep 0.1
done
kill -0 "$server_pid" 2>/dev/null || die "redis-server did not start: $(tail -5 "$work/redis.log")"

say "running the quick start with plain node against redis-server on port $port"
sed -i "s#redis://localhost:6379/0#redis://127.0.0.1:$port/0#" "$app/dist/src/main.js"
output=$(cd "$app" && timeout 60 node dist/src/main.js) || die "the quick start failed (exit $?): $output"
echo "$output" | sed 's/^/consumer-test:   /'
[ "$output" = "{ greeting: 'hello', visits: 1 }" ] || die "the quick start printed something else than the README says"

say "running a client with metrics and client-side caching on (modules loaded on demand), on the shared-queue scheduler, with plain node"
sed -i "s#redis://localhost:6379/0#redis://127.0.0.1:$port/0#" "$app/dist/src/options.js"
output=$(cd "$app" && timeout 60 node dist/src/options.js) || die "the client with metrics and caching failed (exit $?): $output"
echo "$output" | sed 's/^/consumer-test:   /'
[ "$output" = "{ hits: 1, misses: 1 }" ] || die "the client with metrics and caching printed something else than expected"

say "running the testing example with vitest"
(cd "$app" && timeout 300 npx vitest run --root . test/service.test.ts 2>&1 | sed 's/^/consumer-test:   /'; exit "${PIPESTATUS[0]}") ||
  die "the README's testing example failed"

say "the ecosystem packages: @effect-redis/platform and @effect-redis/experimental beside @effect/platform and @effect/experimental"
eco="$work/eco"
mkdir -p "$eco/src"
cp "$app/package.json" "$app/tsconfig.json" "$eco/"
sed -i 's#"include": \["src", "test"\]#"include": ["src"]#' "$eco/tsconfig.json"
# @effect/platform's own declarations name DOM's Storage (KeyValueStore.layerStorage),
# so its users compile with the DOM lib (or skipLibCheck); the library check stays on.
sed -i 's#"lib": \["ES2022"\]#"lib": ["ES2022", "DOM"]#' "$eco/tsconfig.json"
cat > "$eco/src/main.ts" <<'EOF'
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { RedisRateLimiter } from "@effect-redis/experimental"
import { NodeRedis } from "@effect-redis/node"
import { RedisKeyValueStore } from "@effect-redis/platform"
import { Effect, Layer, Option } from "effect"

const program = Effect.gen(function*() {
  const store = yield* KeyValueStore.KeyValueStore
  yield* store.set("bytes", new Uint8Array([0, 255, 128, 10]))
  const bytes = Option.getOrThrow(yield* store.getUint8Array("bytes"))
  const limiter = yield* RateLimiter.RateLimiter
  const consume = limiter.consume({ key: "eco", limit: 2, window: "1 minute", onExceeded: "fail" })
  yield* consume
  const second = yield* consume
  const third = yield* Effect.either(consume)
  console.log({ bytes: Array.from(bytes), remaining: second.remaining, third: third._tag })
})

const Stores = Layer.mergeAll(
  RedisKeyValueStore.layer({ prefix: "eco:" }),
  RateLimiter.layer.pipe(Layer.provide(RedisRateLimiter.layerStore()))
).pipe(Layer.provide(NodeRedis.layerFromUrl("redis://localhost:6379/0")))

program.pipe(Effect.provide(Stores), Effect.runPromise)
EOF
started=$SECONDS
(cd "$eco" && npm install --no-audit --no-fund --loglevel=error \
  "$work"/tarballs/*.tgz "effect@^3" \
  "@effect/platform@$(node -p 'require(process.argv[1]).peerDependencies["@effect/platform"]' "$root/packages/platform/package.json")" \
  "@effect/experimental@$(node -p 'require(process.argv[1]).peerDependencies["@effect/experimental"]' "$root/packages/experimental/package.json")" \
  "typescript@$(dev_version typescript)" "@types/node@$(dev_version @types/node)" >/dev/null) ||
  die "npm install of the ecosystem tarballs failed"
say "npm install took $((SECONDS - started)) s"
(cd "$eco" && npx tsc -p tsconfig.json) || die "the ecosystem example does not compile against the packages"
sed -i "s#redis://localhost:6379/0#redis://127.0.0.1:$port/0#" "$eco/dist/src/main.js"
output=$(cd "$eco" && timeout 60 node dist/src/main.js) || die "the ecosystem example failed (exit $?): $output"
echo "$output" | sed 's/^/consumer-test:   /'
[ "$output" = "{ bytes: [ 0, 255, 128, 10 ], remaining: 0, third: 'Left' }" ] ||
  die "the ecosystem example printed something else than expected"

say "passed"
