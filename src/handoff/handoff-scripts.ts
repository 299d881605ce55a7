/**
 * Lua scripts of the handoff record (used only by `handoff-record.ts`, which owns the field names).
 * Every key shares the `{handoffs}` hash tag, so they run unchanged on Redis Cluster.
 */

/**
 * register: KEYS meta, waiting, waits; ARGV handoffId, score, waitSamples, then field/value pairs.
 * Adds the handoff to the waiting set (once), writes its facts, and records the position the customer
 * is about to be shown, so the first positions pass does not send the same number again.
 * → {rank or -1, wait samples…}
 */
export const REGISTER_SCRIPT = `
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
for i = 4, #ARGV, 2 do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
local rank = redis.call('ZRANK', KEYS[2], ARGV[1])
if rank then redis.call('HSETNX', KEYS[1], 'pos', tostring(rank + 1)) end
local out = {rank or -1}
for _, w in ipairs(redis.call('LRANGE', KEYS[3], 0, tonumber(ARGV[3]) - 1)) do table.insert(out, w) end
return out
`;

/**
 * claim: KEYS meta, waiting, positionsTaken, waits, claimed; ARGV handoffId, agentId, agentName, now.
 * → {"missing"} | {"ended"} | {"yours"} | {"taken", ownerName} | {"claimed", waitedMs}
 */
export const CLAIM_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
if redis.call('HEXISTS', KEYS[1], 'closed') == 1 or redis.call('HEXISTS', KEYS[1], 'cancelled') == 1 then
  return {'ended'}
end
local owner = redis.call('HGET', KEYS[1], 'agentId')
if owner then
  if owner == ARGV[2] then return {'yours'} end
  return {'taken', redis.call('HGET', KEYS[1], 'agent') or '?'}
end
redis.call('HSET', KEYS[1], 'agentId', ARGV[2], 'agent', ARGV[3], 'claimedAt', ARGV[4])
local created = tonumber(redis.call('HGET', KEYS[1], 'created') or ARGV[4])
local waited = math.max(0, tonumber(ARGV[4]) - created)
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[1])
redis.call('LPUSH', KEYS[4], waited)
redis.call('LTRIM', KEYS[4], 0, 49)
return {'claimed', tostring(waited)}
`;

/**
 * transfer: KEYS meta; ARGV fromAgentId (or ""), toAgentId, toName. Moves a claimed handoff to
 * another agent; `fromAgentId` must still own it (a stale [Передать] does nothing).
 * → "ok" | "ended" | "not_owner"
 */
export const TRANSFER_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], 'closed') == 1 or redis.call('HEXISTS', KEYS[1], 'cancelled') == 1 then
  return 'ended'
end
if redis.call('HGET', KEYS[1], 'agentId') ~= ARGV[1] then return 'not_owner' end
redis.call('HSET', KEYS[1], 'agentId', ARGV[2], 'agent', ARGV[3])
return 'ok'
`;

/**
 * release: KEYS meta, waiting, claimed; ARGV handoffId, agentId, score. Puts a claimed handoff back in the
 * queue at its original place. → "ok" | "ended" | "not_owner"
 */
export const RELEASE_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], 'closed') == 1 or redis.call('HEXISTS', KEYS[1], 'cancelled') == 1 then
  return 'ended'
end
if redis.call('HGET', KEYS[1], 'agentId') ~= ARGV[2] then return 'not_owner' end
redis.call('HDEL', KEYS[1], 'agentId', 'agent', 'claimedAt', 'pos')
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 'ok'
`;

/**
 * end: KEYS meta, waiting, claimed, then the keys that expire with it (topic → id, number → id); ARGV
 * handoffId, field ("closed" or "cancelled"), now, retentionMs, who ended it (or ""). Ends the handoff
 * once (the first of close and cancel wins) and lets its keys expire `retentionMs` later.
 * → 1 when this call ended it, 0 when it had ended already (or never existed).
 */
export const END_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[1], 'closed') == 1 or redis.call('HEXISTS', KEYS[1], 'cancelled') == 1 then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'closedBy', ARGV[5]) end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
for i = 4, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
return 1
`;

/**
 * adopt: KEYS meta, topicKey; ARGV handoffId, threadId. Records the handoff's topic once; a topic
 * adopted after the handoff ended expires with it. → the thread id that won
 */
export const ADOPT_SCRIPT = `
if redis.call('HSETNX', KEYS[1], 'topic', ARGV[2]) == 0 then return redis.call('HGET', KEYS[1], 'topic') end
redis.call('SET', KEYS[2], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return ARGV[2]
`;
