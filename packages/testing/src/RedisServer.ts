/**
 * A real `redis-server` process for tests: started on a free loopback port in
 * a fresh temporary directory, stopped and cleaned up when its scope closes.
 *
 * ```ts
 * import { it } from "@effect/vitest"
 * import { RedisServer } from "@effect-redis/testing"
 * import { Effect } from "effect"
 *
 * it.layer(RedisServer.layer({ password: "secret" }))((it) => {
 *   it.effect("answers", () =>
 *     Effect.gen(function*() {
 *       const server = yield* RedisServer.RedisServer
 *       // connect to server.url …
 *     }))
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { command } from "./internal/command.js"
import * as internal from "./internal/process.js"
import * as tls from "./internal/tls.js"

/**
 * Why a server could not be started: no binary, no free port, a config the
 * server rejected, or no answer in time. The message says what to do and
 * carries the last lines of the server's output.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisServerError extends Data.TaggedError("RedisServerError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Extra server arguments, appended last so they override the defaults,
   * e.g. `["--maxmemory", "10mb"]`, `["--replicaof", "127.0.0.1", "6380"]`.
   */
  readonly args?: ReadonlyArray<string> | undefined
  /** Sets `--requirepass`: the password of the `default` user. */
  readonly password?: string | undefined
  /**
   * ACL rules, one user each, passed as `--user` lines, e.g.
   * `"alice on >secret ~app:* +get"`. Rules are split on whitespace.
   */
  readonly aclUsers?: ReadonlyArray<string> | undefined
  /** `--enable-debug-command yes`, for `DEBUG SLEEP`, `DEBUG PROTOCOL`… */
  readonly enableDebugCommand?: boolean | undefined
  /** Also listen on a unix socket in the temporary directory (mode 700). */
  readonly unixSocket?: boolean | undefined
  /**
   * Also listen with TLS on a second free port, with a test CA and server
   * and client certificates (see {@link TlsInfo}). Client certificates are
   * optional (`--tls-auth-clients optional`).
   */
  readonly tls?: boolean | undefined
  /**
   * Run as a cluster node: `--cluster-enabled yes`, `nodes.conf` in the
   * temporary directory, and the cluster bus on another free port
   * (`server.clusterPort`) rather than the default `port + 10000`, which may
   * be taken or above 65535. Joining nodes into a cluster is left to the
   * caller: see `RedisCluster.make`.
   */
  readonly cluster?: boolean | undefined
  /** How long to wait for the first PING answer. Defaults to 10 seconds. */
  readonly startTimeout?: Duration.DurationInput | undefined
}

/**
 * The TLS listener of a server started with `tls: true`. The certificates
 * are PEM strings, generated once per test process and shared by every TLS
 * server: the server certificate is valid for `127.0.0.1` and `localhost`,
 * the client certificate is signed by the same CA.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsInfo {
  readonly port: number
  /** `rediss://127.0.0.1:<port>` */
  readonly url: string
  /** The CA certificate that signed both the server and client certificates. */
  readonly ca: string
  /** The server certificate. */
  readonly cert: string
  /** The server private key. */
  readonly key: string
  readonly clientCert: string
  readonly clientKey: string
  /** The CA certificate as a file, for tools that want a path. */
  readonly caFile: string
}

/**
 * A running (or stopped, until {@link RedisServer.start}) redis-server.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisServer {
  /** Always `"127.0.0.1"`. */
  readonly host: string
  readonly port: number
  /** `redis://127.0.0.1:<port>`, without credentials. */
  readonly url: string
  /** The unix socket path when started with `unixSocket: true`. */
  readonly socketPath: string | undefined
  readonly tls: TlsInfo | undefined
  /** The cluster bus port when started with `cluster: true`. */
  readonly clusterPort: number | undefined
  /** The temporary directory the server runs in; removed with the scope. */
  readonly dir: string
  /** The pid of the most recently started process. */
  readonly pid: Effect.Effect<number>
  /**
   * SIGTERM, then SIGKILL after two seconds. Keeps the directory and ports
   * so that {@link RedisServer.start} can bring it back.
   */
  readonly stop: Effect.Effect<void>
  /** SIGKILL now: a crash. */
  readonly kill: Effect.Effect<void>
  /**
   * Starts the server again on the same ports with the same arguments, and
   * waits until it answers. Does nothing while it is running. With the
   * default `--save ""` the data does not survive a restart.
   */
  readonly start: Effect.Effect<void, RedisServerError>
  /**
   * SIGSTOP: the server keeps its connections but answers nothing, which
   * is how a hung server looks to a client.
   */
  readonly pause: Effect.Effect<void>
  /** SIGCONT: answers again, including what was sent while paused. */
  readonly resume: Effect.Effect<void>
  /**
   * Empties every database of the server (`FLUSHALL`, authenticated with
   * the server's password), on a connection of its own: the state of the
   * clients under test does not matter. Fails on a replica, which refuses
   * writes: flush its master.
   *
   * @since 0.2.0
   */
  readonly flushAll: Effect.Effect<void, RedisServerError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const RedisServer: Context.Tag<RedisServer, RedisServer> = Context.GenericTag<RedisServer>(
  "@effect-redis/testing/RedisServer"
)

const startAttempts = 5

/**
 * Starts a redis-server and stops it when the scope closes.
 *
 * The binary is `REDIS_SERVER_BIN` when set, else `redis-server` on PATH.
 * The server runs with `--bind 127.0.0.1 --save "" --appendonly no
 * --daemonize no` in a new directory under the OS temp dir, logging to its
 * stdout, whose tail is included in every start error. If another process
 * takes the chosen port first, it retries on other ports.
 *
 * Safe under `@effect/vitest`'s TestClock: all waiting uses the real clock.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<RedisServer, RedisServerError, Scope.Scope> =>
  Effect.gen(function*() {
    const binary = yield* internal.findBinary()
    const dir = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => Fs.mkdtemp(Path.join(Os.tmpdir(), "effect-redis-")),
        catch: (cause) => new RedisServerError({ message: "Could not create a temporary directory", cause })
      }),
      (dir) =>
        Effect.promise(() => Fs.rm(dir, { recursive: true, force: true }).catch(() => undefined)).pipe(
          Effect.timeoutOption(removeTimeout),
          internal.withLiveClock
        )
    )
    const tlsSetup = options.tls === true
      ? yield* tls.tlsMaterial.pipe(
        Effect.flatMap((material) => Effect.map(tls.writeTlsFiles(dir, material), (files) => ({ material, files })))
      )
      : undefined
    const socketPath = options.unixSocket === true ? Path.join(dir, "redis.sock") : undefined
    const startTimeout = options.startTimeout ?? "10 seconds"

    const argsFor = (port: number, tlsPort: number | undefined, clusterPort: number | undefined): Array<string> => {
      const args = [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        "--daemonize",
        "no",
        "--logfile",
        ""
      ]
      if (options.password !== undefined) args.push("--requirepass", options.password)
      for (const rule of options.aclUsers ?? []) args.push("--user", ...rule.trim().split(/\s+/))
      if (options.enableDebugCommand === true) args.push("--enable-debug-command", "yes")
      if (socketPath !== undefined) args.push("--unixsocket", socketPath, "--unixsocketperm", "700")
      if (tlsSetup !== undefined && tlsPort !== undefined) {
        const { files } = tlsSetup
        args.push(
          "--tls-port",
          String(tlsPort),
          "--tls-cert-file",
          files.certFile,
          "--tls-key-file",
          files.keyFile,
          "--tls-ca-cert-file",
          files.caFile,
          "--tls-auth-clients",
          "optional"
        )
      }
      if (clusterPort !== undefined) {
        args.push(
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          "nodes.conf",
          "--cluster-port",
          String(clusterPort)
        )
      }
      args.push(...(options.args ?? []))
      return args
    }

    let current: internal.ServerProcess | undefined
    const launch = (args: ReadonlyArray<string>, port: number) =>
      internal.spawnServer({
        binary,
        args,
        cwd: dir,
        port,
        startTimeout,
        onSpawn: (proc) => {
          current = proc
        }
      })

    // Registered before the first spawn so that no started process escapes it.
    yield* Effect.addFinalizer(() => current === undefined ? Effect.void : internal.terminate(current))

    const cluster = options.cluster === true
    const { args, clusterPort, port, tlsPort } = yield* internal.freePorts(
      (tlsSetup === undefined ? 0 : 1) + (cluster ? 1 : 0)
    ).pipe(
      Effect.flatMap(([port, ...extra]) => {
        const tlsPort = tlsSetup === undefined ? undefined : extra.shift()
        const clusterPort = cluster ? extra.shift() : undefined
        const args = argsFor(port, tlsPort, clusterPort)
        return Effect.as(launch(args, port), { args, clusterPort, port, tlsPort })
      }),
      Effect.retry({ times: startAttempts - 1, while: internal.isAddressInUse })
    )

    const lock = yield* Effect.makeSemaphore(1)
    const whenRunning = (f: (proc: internal.ServerProcess) => Effect.Effect<void>) =>
      Effect.suspend(() => current === undefined || current.hasExited() ? Effect.void : f(current))

    return RedisServer.of({
      host: "127.0.0.1",
      port,
      url: `redis://127.0.0.1:${port}`,
      socketPath,
      tls: tlsSetup === undefined || tlsPort === undefined ? undefined : {
        ...tlsSetup.material,
        port: tlsPort,
        url: `rediss://127.0.0.1:${tlsPort}`,
        caFile: tlsSetup.files.caFile
      },
      clusterPort,
      dir,
      pid: Effect.sync(() => current!.pid),
      stop: lock.withPermits(1)(whenRunning(internal.terminate)),
      kill: lock.withPermits(1)(whenRunning(internal.kill)),
      start: lock.withPermits(1)(
        Effect.suspend(() =>
          current !== undefined && !current.hasExited() ? Effect.void : Effect.asVoid(launch(args, port))
        )
      ),
      pause: whenRunning((proc) => internal.signal(proc, "SIGSTOP")),
      resume: whenRunning((proc) => internal.signal(proc, "SIGCONT")),
      flushAll: Effect.asVoid(command(port, ["FLUSHALL"], options.password))
    })
  })

const removeTimeout = "5 seconds"

/**
 * {@link make} as a Layer: one server for everything that uses the layer,
 * stopped when the layer is released.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<RedisServer, RedisServerError> =>
  Layer.scoped(RedisServer, make(options))

/**
 * Empties the server of the {@link RedisServer} in context. Tests sharing
 * one server (`it.layer`) start with it, so that none sees the keys of
 * another:
 *
 * ```ts
 * import { it } from "@effect/vitest"
 * import { RedisServer } from "@effect-redis/testing"
 * import { Effect } from "effect"
 *
 * it.layer(RedisServer.layer())((it) => {
 *   it.effect("starts empty", () =>
 *     Effect.gen(function*() {
 *       yield* RedisServer.flushAll
 *       // …
 *     }))
 * })
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const flushAll: Effect.Effect<void, RedisServerError, RedisServer> = Effect.flatMap(
  RedisServer,
  (server) => server.flushAll
)
