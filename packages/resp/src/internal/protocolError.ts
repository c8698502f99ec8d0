import * as Data from "effect/Data"

/** @internal */
export class RespProtocolError extends Data.TaggedError("RespProtocolError")<{
  readonly message: string
  readonly offset: number
}> {}
