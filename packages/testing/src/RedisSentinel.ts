/**
 * A real Redis Sentinel process for tests (`redis-server <conf> --sentinel`)
 * monitoring a master started with {@link RedisServer.make}: started on a
 * free loopback port in a fresh temporary directory, stopped and cleaned up
 * when its scope closes.
 *
 * ```ts
 * import { RedisSentinel, RedisServer } from "@effect-redis/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const master = yield* RedisServer.make()
 *   const replica = yield* RedisServer.make({ args: ["--replicaof", master.host, String(master.port)] })
 *   const sentinel = yield* RedisSentinel.make({ master })
 *   // connect with { sentinel: { name: sentinel.name, sentinels: [sentinel] } }
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import * as internal from "./internal/process.js"
import { RedisServerError } from "./RedisServer.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The master to monitor. */
  readonly master: { readonly host: string; readonly port: number }
  /** The name the master is monitored under. Default `"mymaster"`. */
  readonly name?: string | undefined
  /** Sentinels that must agree the master is down. Default `1`. */
  readonly quorum?: number | undefined
  /** The password of the monitored servers (`sentinel auth-pass`). */
  readonly masterPassword?: string | undefined
  /** The sentinel's own password (`requirepass`). */
  readonly password?: string | undefined
  /** Silence after which the master counts as down. Default 1 second. */
  readonly downAfter?: Duration.DurationInput | undefined
  /** How long to wait for the first PING answer. Defaults to 10 seconds. */
  readonly startTimeout?: Duration.DurationInput | undefined
}

/**
 * A running sentinel.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisSentinel {
  /** Always `"127.0.0.1"`. */
  readonly host: string
  readonly port: number
  /** The name the master is monitored under. */
  readonly name: string
  /** The temporary directory holding the sentinel's (rewritten) config file. */
  readonly dir: string
  /**
   * SIGTERM, then SIGKILL after two seconds. Keeps the directory (and the
   * config file the sentinel rewrote) so that `start` can bring it back.
   *
   * @since 0.2.0
   */
  readonly stop: Effect.Effect<void>
  /**
   * SIGKILL now: a crash.
   *
   * @since 0.2.0
   */
  readonly kill: Effect.Effect<void>
  /**
   * Starts the sentinel again on the same port with its rewritten config,
   * and waits until it answers. Does nothing while it is running.
   *
   * @since 0.2.0
   */
  readonly start: Effect.Effect<void, RedisServerError>
  /**
   * SIGSTOP: the sentinel keeps its connections but answers nothing, and
   * publishes nothing.
   *
   * @since 0.2.0
   */
  readonly pause: Effect.Effect<void>
  /**
   * SIGCONT: answers again.
   *
   * @since 0.2.0
   */
  readonly resume: Effect.Effect<void>
}

const startAttempts = 5

/**
 * Starts a sentinel monitoring `options.master` and stops it when the scope
 * closes. Failover settings are short so that tests can trigger and follow
 * one in seconds: `down-after-milliseconds` 1000 (see `downAfter`),
 * `failover-timeout` 5000.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<RedisSentinel, RedisServerError, Scope.Scope> =>
  Effect.gen(function*() {
    const binary = yield* internal.findBinary()
    const name = options.name ?? "mymaster"
    const dir = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => Fs.mkdtemp(Path.join(Os.tmpdir(), "effect-redis-sentinel-")),
        catch: (cause) => new RedisServerError({ message: "Could not create a temporary directory", cause })
      }),
      (dir) => Effect.promise(() => Fs.rm(dir, { recursive: true, force: true }).catch(() => undefined))
    )
    const downAfterMillis = Duration.toMillis(options.downAfter ?? "1 second")
    const configFile = Path.join(dir, "sentinel.conf")
    const config = (port: number) =>
      [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        "daemonize no",
        `logfile ""`,
        ...(options.password === undefined ? [] : [`requirepass ${options.password}`]),
        `sentinel monitor ${name} ${options.master.host} ${options.master.port} ${options.quorum ?? 1}`,
        `sentinel down-after-milliseconds ${name} ${downAfterMillis}`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        ...(options.masterPassword === undefined ? [] : [`sentinel auth-pass ${name} ${options.masterPassword}`]),
        ""
      ].join("\n")

    let current: internal.ServerProcess | undefined
    yield* Effect.addFinalizer(() => current === undefined ? Effect.void : internal.terminate(current))

    const launch = (port: number) =>
      internal.spawnServer({
        binary,
        args: [configFile, "--sentinel"],
        cwd: dir,
        port,
        startTimeout: options.startTimeout ?? "10 seconds",
        onSpawn: (proc) => {
          current = proc
        }
      })
    const port = yield* internal.freePorts(0).pipe(
      Effect.flatMap(([port]) =>
        Effect.tryPromise({
          try: () => Fs.writeFile(configFile, config(port)),
          catch: (cause) => new RedisServerError({ message: `Could not write ${configFile}`, cause })
        }).pipe(Effect.zipRight(launch(port)), Effect.as(port))
      ),
      Effect.retry({ times: startAttempts - 1, while: internal.isAddressInUse })
    )
    const lock = yield* Effect.makeSemaphore(1)
    const whenRunning = (f: (proc: internal.ServerProcess) => Effect.Effect<void>) =>
      Effect.suspend(() => current === undefined || current.hasExited() ? Effect.void : f(current))
    return {
      host: "127.0.0.1",
      port,
      name,
      dir,
      stop: lock.withPermits(1)(whenRunning(internal.terminate)),
      kill: lock.withPermits(1)(whenRunning(internal.kill)),
      start: lock.withPermits(1)(
        Effect.suspend(() => current !== undefined && !current.hasExited() ? Effect.void : Effect.asVoid(launch(port)))
      ),
      pause: whenRunning((proc) => internal.signal(proc, "SIGSTOP")),
      resume: whenRunning((proc) => internal.signal(proc, "SIGCONT"))
    }
  })
