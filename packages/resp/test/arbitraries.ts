import * as RespFrame from "@effect-redis/resp/RespFrame"
import * as fc from "fast-check"

const text = fc.string({ unit: "grapheme", maxLength: 20 })
const line = text.filter((s) => !s.includes("\r") && !s.includes("\n"))
const blob = fc.oneof(text, fc.uint8Array({ maxLength: 40 }))
const int64 = fc.oneof(
  fc.integer(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n, -(2n ** 53n))
)

/** Any RESP2 or RESP3 frame, every type and nesting. */
export const { frame } = fc.letrec<{ frame: RespFrame.RespFrame }>((tie) => {
  const child = tie("frame")
  const items = fc.array(child, { maxLength: 4 })
  const pairs = fc.array(fc.tuple(child, child), { maxLength: 3 })
  return {
    frame: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      line.map(RespFrame.SimpleString),
      line.map(RespFrame.SimpleError),
      int64.map(RespFrame.Integer),
      blob.map(RespFrame.BulkString),
      fc.constantFrom(undefined, "bulk" as const, "array" as const).map(RespFrame.Null),
      fc.double().map(RespFrame.Double),
      fc.boolean().map(RespFrame.Boolean),
      fc.bigInt().map(RespFrame.BigNumber),
      fc.tuple(fc.constantFrom("txt", "mkd"), blob).map(([format, t]) => RespFrame.VerbatimString(format, t)),
      text.map(RespFrame.BlobError),
      fc.array(blob, { maxLength: 4 }).map(RespFrame.StreamedString),
      items.map(RespFrame.Array),
      items.map(RespFrame.Set),
      items.map(RespFrame.Push),
      pairs.map(RespFrame.Map),
      fc.tuple(pairs, child).map(([attributes, value]) => RespFrame.Attribute(attributes, value)),
      fc.tuple(fc.constantFrom("array" as const, "set" as const), items).map(([kind, xs]) =>
        RespFrame.StreamedAggregate(kind, xs)
      ),
      pairs.map((ps) => RespFrame.StreamedAggregate("map", ps.flat()))
    )
  }
})
