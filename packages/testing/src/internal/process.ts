import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"
import { RedisServerError } from "../RedisServer.js"

/**
 * Suites run under `@effect/vitest`'s TestClock, which never advances on its
 * own: every sleep and timeout here must use the real clock or start-up and
 * shutdown would hang.
 */
const liveClock = Clock.make()

/** @internal */
export const withLiveClock = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withClock(self, liveClock)

const installHint = "Install one (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`) " +
  "or set REDIS_SERVER_BIN to the path of a redis-server binary."

const isExecutableFile = (path: string): boolean => {
  try {
    Fs.accessSync(path, Fs.constants.X_OK)
    return Fs.statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * Finds `redis-server`: `REDIS_SERVER_BIN` when set (and then only there, so
 * a typo is reported instead of silently using another binary), else PATH.
 *
 * @internal
 */
export const findBinary = (name = "redis-server"): Effect.Effect<string, RedisServerError> =>
  Effect.suspend(() => {
    const fromEnv = process.env["REDIS_SERVER_BIN"]
    if (fromEnv !== undefined && fromEnv !== "") {
      return isExecutableFile(fromEnv)
        ? Effect.succeed(fromEnv)
        : Effect.fail(
          new RedisServerError({
            message: `REDIS_SERVER_BIN is set to ${fromEnv}, which is not an executable file. ${installHint}`
          })
        )
    }
    const dirs = (process.env["PATH"] ?? "").split(Path.delimiter).filter((dir) => dir !== "")
    for (const dir of dirs) {
      const candidate = Path.join(dir, name)
      if (isExecutableFile(candidate)) return Effect.succeed(candidate)
    }
    return Effect.fail(new RedisServerError({ message: `No ${name} binary found on PATH. ${installHint}` }))
  })

/**
 * Reserves one free loopback port and `extra` more, all distinct, by holding
 * them all open at once, then releases them for the server to bind. Another
 * process can take one in between; callers retry on "Address already in use".
 *
 * @internal
 */
export const freePorts = (
  extra: number
): Effect.Effect<readonly [number, ...Array<number>], RedisServerError> =>
  Effect.tryPromise({
    try: async () => {
      const servers: Array<Net.Server> = []
      const reserve = async (): Promise<number> => {
        const server = Net.createServer()
        servers.push(server)
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject)
          server.listen(0, "127.0.0.1", () => resolve())
        })
        return (server.address() as Net.AddressInfo).port
      }
      try {
        const first = await reserve()
        const others: Array<number> = []
        for (let i = 0; i < extra; i++) others.push(await reserve())
        return [first, ...others] as const
      } finally {
        await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
      }
    },
    catch: (cause) => new RedisServerError({ message: "Could not reserve a free loopback port", cause })
  })

/** How many bytes of a process's stdout + stderr are kept for error messages. */
const outputLimit = 64 * 1024

/**
 * How a server process ended; the `cause` of the error when a server exits
 * before it answers.
 *
 * @internal
 */
export class ProcessExited extends Data.TaggedClass("ProcessExited")<{
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly output: string
}> {}

/** @internal */
export interface ServerProcess {
  readonly pid: number
  readonly child: ChildProcess.ChildProcess
  /** Resolves when the process has exited; never rejects. */
  readonly exited: Promise<ProcessExited>
  readonly hasExited: () => boolean
  /** The last {@link outputLimit} characters of stdout and stderr. */
  readonly output: () => string
}

/** @internal */
export const lastLines = (text: string, count = 20): string => {
  const lines = text.trimEnd().split("\n")
  return lines.slice(Math.max(0, lines.length - count)).join("\n")
}

/**
 * Servers still running. When a test process is torn down without running
 * finalizers (vitest sends SIGTERM to a worker whose test timed out), they
 * are killed here so that no redis-server outlives its test run. The
 * handlers are installed only while a server runs.
 */
const running = new Set<ChildProcess.ChildProcess>()

const killRunning = () => {
  for (const child of running) child.kill("SIGKILL")
  running.clear()
}

const onSignal = (signal: NodeJS.Signals) => {
  killRunning()
  removeHandlers()
  // Without other listeners, re-raising gives the default action
  // (termination) that our handler suppressed.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

const exitSignals: ReadonlyArray<NodeJS.Signals> = ["SIGTERM", "SIGINT", "SIGHUP"]

const removeHandlers = () => {
  process.off("exit", killRunning)
  for (const signal of exitSignals) process.off(signal, onSignal)
}

const track = (child: ChildProcess.ChildProcess) => {
  if (running.size === 0) {
    process.on("exit", killRunning)
    for (const signal of exitSignals) process.on(signal, onSignal)
  }
  running.add(child)
}

const untrack = (child: ChildProcess.ChildProcess) => {
  if (running.delete(child) && running.size === 0) removeHandlers()
}

/**
 * Spawns a process and captures its output. Does not wait for anything:
 * see {@link waitUntilReady}.
 *
 * @internal
 */
export const spawnProcess = (
  binary: string,
  args: ReadonlyArray<string>,
  cwd: string
): Effect.Effect<ServerProcess, RedisServerError> =>
  Effect.try({
    try: () => {
      const child = ChildProcess.spawn(binary, args, { cwd, stdio: ["ignore", "pipe", "pipe"] })
      let output = ""
      const append = (chunk: string) => {
        output += chunk
        if (output.length > outputLimit) output = output.slice(output.length - outputLimit)
      }
      child.stdout?.setEncoding("utf8").on("data", append)
      child.stderr?.setEncoding("utf8").on("data", append)
      let exited = false
      const exitedPromise = new Promise<ProcessExited>((resolve) => {
        // "error" without "exit" happens when the spawn itself fails.
        child.once("error", (error) => {
          append(`\n${error.message}\n`)
          if (child.pid === undefined) {
            exited = true
            resolve(new ProcessExited({ code: null, signal: null, output }))
          }
        })
        child.once("exit", (code, signal) => {
          exited = true
          untrack(child)
          resolve(new ProcessExited({ code, signal, output }))
        })
      })
      if (child.pid === undefined) {
        throw new Error(`Could not spawn ${binary}`)
      }
      track(child)
      return {
        pid: child.pid,
        child,
        exited: exitedPromise,
        hasExited: () => exited,
        output: () => output
      }
    },
    catch: (cause) => new RedisServerError({ message: `Could not spawn ${binary}`, cause })
  })

/**
 * Connects, sends PING, and succeeds with the first reply line, or with
 * `None` when the connection fails or closes first. Writes before the
 * connection is up are buffered by node, so this works for plain, TLS and
 * unix sockets alike.
 *
 * @internal
 */
export const firstReplyLine = (connect: () => Net.Socket): Effect.Effect<Option.Option<string>> =>
  Effect.async<Option.Option<string>>((resume) => {
    const socket = connect()
    let buffer = ""
    let settled = false
    const done = (line: Option.Option<string>) => {
      if (settled) return
      settled = true
      socket.destroy()
      resume(Effect.succeed(line))
    }
    socket.setEncoding("utf8")
    socket.on("data", (chunk: string) => {
      buffer += chunk
      const end = buffer.indexOf("\r\n")
      if (end !== -1) done(Option.some(buffer.slice(0, end)))
    })
    socket.on("error", () => done(Option.none()))
    socket.on("close", () => done(Option.none()))
    socket.write("*1\r\n$4\r\nPING\r\n")
    return Effect.sync(() => socket.destroy())
  })

const pollInterval = Duration.millis(20)
const probeTimeout = Duration.seconds(1)

/**
 * Polls PING on the loopback `port` until the server answers anything but
 * `-LOADING` (`-NOAUTH` proves it is up too), failing with the process's
 * output if it exits first or `timeout` passes.
 *
 * @internal
 */
export const waitUntilReady = (
  proc: ServerProcess,
  port: number,
  timeout: Duration.DurationInput
): Effect.Effect<void, RedisServerError> => {
  const probe = firstReplyLine(() => Net.connect({ host: "127.0.0.1", port })).pipe(
    Effect.timeoutTo({ duration: probeTimeout, onTimeout: Option.none, onSuccess: (line) => line }),
    Effect.map((line) => Option.isSome(line) && !line.value.startsWith("-LOADING"))
  )
  const ready = probe.pipe(Effect.repeat({ schedule: Schedule.spaced(pollInterval), until: (answered) => answered }))
  const exitedEarly = Effect.promise(() => proc.exited).pipe(
    Effect.flatMap((exit) =>
      Effect.fail(
        new RedisServerError({
          message: `redis-server exited before answering PING on port ${port} ` +
            `(${exit.signal ?? `code ${exit.code}`}). Last output:\n${lastLines(exit.output)}`,
          cause: exit
        })
      )
    )
  )
  return Effect.raceFirst(ready, exitedEarly).pipe(
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () =>
        new RedisServerError({
          message: `redis-server did not answer PING on port ${port} within ${Duration.format(timeout)}. ` +
            `Last output:\n${lastLines(proc.output())}`
        })
    }),
    withLiveClock
  )
}

/**
 * Sends `signal` unless the process is gone: signalling a reaped pid could
 * hit an unrelated process that reused it.
 *
 * @internal
 */
export const signal = (proc: ServerProcess, signal: NodeJS.Signals): Effect.Effect<void> =>
  Effect.sync(() => {
    if (!proc.hasExited()) proc.child.kill(signal)
  })

const awaitExit = (proc: ServerProcess, within: Duration.DurationInput): Effect.Effect<boolean> =>
  Effect.promise(() => proc.exited).pipe(
    Effect.timeoutTo({ duration: within, onTimeout: () => false, onSuccess: () => true })
  )

const killGrace = Duration.seconds(2)

/**
 * SIGKILL, then waits (bounded) for the exit so that the port is released
 * when this returns.
 *
 * @internal
 */
export const kill = (proc: ServerProcess): Effect.Effect<void> =>
  signal(proc, "SIGKILL").pipe(Effect.zipRight(awaitExit(proc, killGrace)), Effect.asVoid, withLiveClock)

/**
 * SIGTERM, and SIGKILL if the process has not exited after two seconds.
 * SIGCONT goes first: a paused (SIGSTOP) process would not act on SIGTERM.
 * Never takes more than about four seconds, so finalizers cannot hang.
 *
 * @internal
 */
export const terminate = (proc: ServerProcess): Effect.Effect<void> =>
  Effect.gen(function*() {
    yield* signal(proc, "SIGCONT")
    yield* signal(proc, "SIGTERM")
    if (!(yield* awaitExit(proc, killGrace))) yield* kill(proc)
  }).pipe(withLiveClock)

/**
 * Spawns a server and waits until it answers PING on `port`; on failure or
 * interruption the process is killed. `onSpawn` sees the process before the
 * wait starts, so an owner can track it without a gap in which an
 * interruption would leak it.
 *
 * Sentinel and Cluster modules start their processes through this too: the
 * arguments are passed through untouched (`--sentinel`, `--replicaof`,
 * `--cluster-enabled yes`…).
 *
 * @internal
 */
export const spawnServer = (options: {
  readonly binary: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  readonly port: number
  readonly startTimeout: Duration.DurationInput
  readonly onSpawn?: (proc: ServerProcess) => void
}): Effect.Effect<ServerProcess, RedisServerError> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(spawnProcess(options.binary, options.args, options.cwd), (proc) => {
      options.onSpawn?.(proc)
      return restore(waitUntilReady(proc, options.port, options.startTimeout)).pipe(
        Effect.onError(() => kill(proc)),
        Effect.as(proc)
      )
    })
  )

/**
 * Whether a start failed because another process took the port between
 * {@link freePorts} and the server's bind: worth retrying on other ports.
 *
 * @internal
 */
export const isAddressInUse = (error: RedisServerError): boolean =>
  error.cause instanceof ProcessExited && error.cause.output.includes("Address already in use")
