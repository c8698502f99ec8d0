/**
 * Every failure the client reports, as one union of tagged errors that
 * `Effect.catchTag` narrows.
 *
 * Errors that concern a command carry an `outcome`:
 * - `"not-sent"`: the command never left the client; retrying is safe.
 * - `"rejected"`: the server answered with an error reply and did not run
 *   the command (WRONGTYPE, NOSCRIPT, READONLY, LOADING, MOVED…); retrying
 *   is safe once the cause is gone.
 * - `"may-have-executed"`: the command was written and no trustworthy
 *   answer came back (a lost connection, a timeout), or a script, function
 *   or MIGRATE failed after it may have written. Retry only if it is
 *   idempotent.
 *
 * No message ever contains a password.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type { ParseError } from "effect/ParseResult"

/**
 * What a failed command did on the server: nothing (`not-sent`, never sent;
 * `rejected`, refused by the server), or possibly something
 * (`may-have-executed`).
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = "not-sent" | "rejected" | "may-have-executed"

/**
 * The connection could not be established, or was lost.
 *
 * - `Connect`: dialing failed (refused, unknown host, TLS failure, connect timeout).
 * - `Handshake`: the server rejected HELLO/SELECT/CLIENT SETNAME.
 * - `Lost`: the connection dropped while the command was in flight or queued,
 *   or was reset because the oldest reply did not complete within its timeout.
 * - `Unavailable`: reconnecting gave up, the offline queue is full or
 *   disabled, or `writeBufferSize` bytes already wait to be written.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisConnectionError extends Data.TaggedError("RedisConnectionError")<{
  readonly reason: "Connect" | "Handshake" | "Lost" | "Unavailable"
  readonly message: string
  readonly outcome: Outcome
  readonly command?: string | undefined
  readonly cause?: unknown
}> {}

/**
 * The server refused the credentials (WRONGPASS, NOAUTH, NOPERM on AUTH or
 * HELLO). The message is the server's, which never echoes the password.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisAuthError extends Data.TaggedError("RedisAuthError")<{
  readonly code: string
  readonly message: string
}> {}

/**
 * The server answered a command with an error reply. `code` is the first
 * word of the server's message (`ERR`, `WRONGTYPE`, `NOPERM`, `NOSCRIPT`,
 * `BUSYGROUP`, …).
 *
 * The outcome is `rejected`: the server refused the command and it did not
 * run. Scripts, functions and MIGRATE are the exception: they can fail after
 * writing, so their error replies are `may-have-executed`, except the
 * refusals that come before they start (NOSCRIPT, BUSY, LOADING,
 * MASTERDOWN, MOVED, ASK, TRYAGAIN, CLUSTERDOWN, CROSSSLOT, NOAUTH).
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisReplyError extends Data.TaggedError("RedisReplyError")<{
  readonly code: string
  readonly message: string
  readonly command: string
  readonly outcome: Outcome
}> {}

/**
 * No reply arrived within the command timeout (for blocking commands: the
 * timeout plus the block time). `not-sent` when the command was still
 * waiting to be written. When the oldest command in flight times out the
 * connection is reset (nothing behind it could be answered); otherwise
 * the late reply is read and dropped.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisTimeoutError extends Data.TaggedError("RedisTimeoutError")<{
  readonly message: string
  readonly command: string
  readonly timeoutMillis: number
  readonly outcome: Outcome
}> {}

/**
 * A reply had a shape the command's decoder did not expect (for example a
 * module or a proxy changed the reply format), or held a string too long to
 * be text (read it with `redis.binary`). The connection is unaffected.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisDecodeError extends Data.TaggedError("RedisDecodeError")<{
  readonly message: string
  readonly command: string
  readonly outcome: Outcome
}> {}

/**
 * An argument is invalid (a NaN score, an empty key list); the command was
 * not sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisArgumentError extends Data.TaggedError("RedisArgumentError")<{
  readonly message: string
  readonly command: string
  readonly outcome: "not-sent"
}> {}

/**
 * The client's scope has closed: the command was refused (`not-sent`) or
 * was still waiting for its reply when the close bound ran out.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisClosedError extends Data.TaggedError("RedisClosedError")<{
  readonly message: string
  readonly outcome: Outcome
}> {}

/**
 * Invalid options or URL, reported before any dialing.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisConfigError extends Data.TaggedError("RedisConfigError")<{
  readonly message: string
}> {}

/**
 * A MULTI/EXEC transaction applied nothing.
 *
 * - `Conflict`: a WATCHed key changed before EXEC (see `Redis.retryOnConflict`).
 * - `Aborted`: the server refused a command while queueing it (EXECABORT);
 *   `command` names it and `message` carries the server's reason.
 *
 * Either way nothing was applied, so the outcome is `not-sent`.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisTransactionError extends Data.TaggedError("RedisTransactionError")<{
  readonly reason: "Conflict" | "Aborted"
  readonly message: string
  readonly command?: string | undefined
  readonly outcome: "not-sent"
}> {}

/**
 * No pooled connection became free within the acquire timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisPoolError extends Data.TaggedError("RedisPoolError")<{
  readonly message: string
  readonly outcome: "not-sent"
}> {}

/**
 * A cluster could not carry a command through.
 *
 * - `TooManyRedirections`: the nodes kept redirecting it (MOVED, ASK)
 *   beyond `cluster.maxRedirects`, usually a slot map in flux; `slot`
 *   is the slot and `nodes` the nodes it was sent to, in order. Every
 *   node refused it, so it did not run (the outcome is the last refusal's).
 * - `PartlyApplied`: a command sent to every master (FLUSHALL, SCRIPT LOAD,
 *   FUNCTION LOAD…) ran on some of them and failed on others, named in
 *   `nodes`; `cause` holds the first failure (a master that hung past
 *   `commandTimeout` may still run it). A master known to be down is not
 *   such a failure: the command then goes nowhere (`RedisConnectionError`
 *   `Unavailable`, `not-sent`).
 *
 * @since 0.2.0
 * @category errors
 */
export class RedisClusterError extends Data.TaggedError("RedisClusterError")<{
  readonly reason: "TooManyRedirections" | "PartlyApplied"
  readonly message: string
  readonly command: string
  readonly nodes: ReadonlyArray<string>
  readonly slot?: number | undefined
  readonly outcome: Outcome
  readonly cause?: unknown
}> {}

/**
 * A stream's buffer was full and its `overflow` option is `"fail"` (see
 * `PubSub.SubscribeOptions`): the consumer fell behind. The stream
 * delivered the messages it held before failing.
 *
 * @since 0.2.0
 * @category errors
 */
export class RedisOverflowError extends Data.TaggedError("RedisOverflowError")<{
  readonly message: string
}> {}

/**
 * Any error of the client.
 *
 * @since 0.1.0
 * @category models
 */
export type RedisError =
  | RedisConnectionError
  | RedisAuthError
  | RedisReplyError
  | RedisTimeoutError
  | RedisDecodeError
  | RedisArgumentError
  | RedisClosedError
  | RedisConfigError
  | RedisTransactionError
  | RedisPoolError
  | RedisClusterError
  | RedisOverflowError

/**
 * What a command can fail with on any topology: the connection (lost,
 * unavailable, or a cluster node that could not be opened, with its
 * credentials refused: `RedisAuthError`), the server's error reply, the
 * timeout, the decoding of the reply, an argument refused before sending,
 * the client closing, and a cluster that could not carry it
 * (`RedisClusterError`, only from a cluster). Never `RedisConfigError`
 * (options are checked by `make`), `RedisPoolError` (a non-blocking
 * command runs on the shared connection), `RedisTransactionError` or
 * `RedisOverflowError` (streams only). Invalid RESP from the server resets
 * the connection: `RedisConnectionError` `Lost`, with the decoder's
 * `RespProtocolError` as cause.
 *
 * @since 0.3.0
 * @category models
 */
export type CommandError =
  | RedisConnectionError
  | RedisAuthError
  | RedisReplyError
  | RedisTimeoutError
  | RedisDecodeError
  | RedisArgumentError
  | RedisClosedError
  | RedisClusterError

/**
 * What a command that may run on a pool connection can fail with: a
 * blocking command (BLPOP, XREAD … BLOCK, WAIT…), and a command whose kind
 * the types do not know (`execute`, `raw`, a position of a batch, which a
 * blocking command sends to the pool whole). A {@link CommandError}, or no
 * pool connection free in time (`RedisPoolError`).
 *
 * @since 0.3.0
 * @category models
 */
export type PooledCommandError = CommandError | RedisPoolError

/**
 * What a MULTI/EXEC transaction can fail with as a whole: a
 * {@link PooledCommandError}, or `RedisTransactionError` when nothing was
 * applied (a watched key changed, a command refused while queueing).
 *
 * @since 0.3.0
 * @category models
 */
export type TransactionError = PooledCommandError | RedisTransactionError

/**
 * A value did not go through its Schema (see the `RedisSchema` module):
 * `Encode` before writing (nothing was sent), `Decode` after reading what
 * `key` holds. `cause` is Schema's `ParseError`, whose message the error
 * repeats.
 *
 * It is not part of `RedisError`: the client's commands never fail with
 * it, only the `RedisSchema` functions do, and their error type says so.
 *
 * @since 0.2.0
 * @category errors
 */
export class RedisSchemaError extends Data.TaggedError("RedisSchemaError")<{
  readonly reason: "Encode" | "Decode"
  readonly key: string | Uint8Array
  readonly message: string
  readonly cause: ParseError
}> {}
