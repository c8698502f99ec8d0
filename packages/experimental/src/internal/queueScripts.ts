/**
 * The Lua scripts of the persisted queue. Every key of one queue shares a
 * hash tag (see `queueKeys`), so each script touches one cluster slot.
 *
 * - `waiting`: list of the ids waiting to be taken, oldest first.
 * - `elements`: hash, id -> the element as JSON, while waiting or taken.
 * - `leases`: sorted set, id -> when the lease of a taken element ends
 *   (server time, ms).
 * - `holders`: hash, id -> the token of the take holding it.
 * - `ids`: set of the custom ids ever offered (de-duplication).
 * - `failed`: list of the elements (JSON) that ran out of attempts.
 */
import { ReplyDecoder, Script } from "@effect-redis/client"

/**
 * The keys of the queue `name`.
 */
export const queueKeys = (prefix: string, name: string) => {
  const base = `${prefix}{${name}}`
  return {
    waiting: `${base}:waiting`,
    elements: `${base}:elements`,
    leases: `${base}:leases`,
    holders: `${base}:holders`,
    ids: `${base}:ids`,
    failed: `${base}:failed`
  } as const
}

/**
 * The keys of a queue.
 */
export type QueueKeys = ReturnType<typeof queueKeys>

const now = `
local clock = redis.call("TIME")
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`

/**
 * KEYS: waiting, elements, ids. ARGV: id, element JSON, "1" when the id is
 * the caller's (then an id offered before is not queued again). Replies 1
 * when queued, 0 when not.
 */
export const offer = Script.make(
  `
if ARGV[3] == "1" and redis.call("SADD", KEYS[3], ARGV[1]) == 0 then
  return 0
end
redis.call("HSET", KEYS[2], ARGV[1], ARGV[2])
redis.call("RPUSH", KEYS[1], ARGV[1])
return 1
`,
  ReplyDecoder.integer
)

/**
 * KEYS: waiting, elements, leases, holders. ARGV: the take's token, the
 * lease in ms. First puts back at the end of the queue the elements whose
 * lease ended (their taker stopped renewing it: it crashed or lost Redis),
 * then takes the first waiting element under a new lease. Replies
 * { id, element JSON }, or nil when nothing waits.
 */
export const take = Script.make(
  `${now}
local expired = redis.call("ZRANGEBYSCORE", KEYS[3], "-inf", now, "LIMIT", 0, 100)
for _, id in ipairs(expired) do
  redis.call("ZREM", KEYS[3], id)
  redis.call("HDEL", KEYS[4], id)
  redis.call("RPUSH", KEYS[1], id)
end
while true do
  local id = redis.call("LPOP", KEYS[1])
  if not id then
    return false
  end
  local element = redis.call("HGET", KEYS[2], id)
  if element then
    redis.call("ZADD", KEYS[3], now + tonumber(ARGV[2]), id)
    redis.call("HSET", KEYS[4], id, ARGV[1])
    return { id, element }
  end
end
`,
  ReplyDecoder.optional(ReplyDecoder.tuple(ReplyDecoder.bulk, ReplyDecoder.bulk))
)

/**
 * KEYS: leases, holders. ARGV: id, the take's token, the lease in ms.
 * Extends the lease if the take still holds the element. Replies 1 when
 * extended, 0 when the element was lost (its lease had ended).
 */
export const renew = Script.make(
  `${now}
if redis.call("HGET", KEYS[2], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call("ZADD", KEYS[1], "XX", now + tonumber(ARGV[3]), ARGV[1])
return 1
`,
  ReplyDecoder.integer
)

/**
 * KEYS: waiting, elements, leases, holders, failed. ARGV: id, the take's
 * token, "done" | "retry" | "failed", the element JSON to keep.
 *
 * Ends the take: "done" forgets the element, "retry" puts it back at the
 * end of the queue, "failed" moves it to the failed list. A take that no
 * longer holds the element (its lease ended, and it was queued again)
 * changes nothing, except that "done" removes it from the queue if nobody
 * took it since: its work is done. Replies 1 when the take still held it.
 */
export const finish = Script.make(
  `
local id = ARGV[1]
if redis.call("HGET", KEYS[4], id) ~= ARGV[2] then
  if ARGV[3] == "done" and redis.call("HEXISTS", KEYS[4], id) == 0 and redis.call("LREM", KEYS[1], 1, id) > 0 then
    redis.call("HDEL", KEYS[2], id)
  end
  return 0
end
redis.call("ZREM", KEYS[3], id)
redis.call("HDEL", KEYS[4], id)
if ARGV[3] == "retry" then
  redis.call("HSET", KEYS[2], id, ARGV[4])
  redis.call("RPUSH", KEYS[1], id)
else
  redis.call("HDEL", KEYS[2], id)
  if ARGV[3] == "failed" then
    redis.call("RPUSH", KEYS[5], ARGV[4])
  end
end
return 1
`,
  ReplyDecoder.integer
)
