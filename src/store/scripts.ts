/**
 * Lua scripts of the conversation store. Each runs atomically in Redis and touches only keys of one
 * conversation, which share a hash tag, so they run unchanged on Redis Cluster.
 *
 * Keys: KEYS[1] the conversation hash (fields: s = state JSON, v = version, seen = recent update ids,
 * ob = outbox JSON, u = undeliverable JSON, t:<tag> = platform message id of a tagged reply);
 * KEYS[2] the lock (a token, with a lease); KEYS[3] the flood counter.
 */

/**
 * begin(updateId, token, leaseMs, floodLimit, floodWindowMs):
 * → {"dup"} when the update was handled already;
 * → {"replay", field, value…} when it was, but its outbox is unfinished (lock taken);
 * → {"locked", pttl} when another worker holds the conversation;
 * → {"flood", count} when the sender is over the flood limit (the lock is not taken);
 * → {"ok", field, value, field, value…} with the whole hash otherwise (lock taken).
 * The update id is recorded only at commit, so a crash before commit loses nothing: the platform's
 * redelivery is handled then.
 */
export const BEGIN_SCRIPT = `
local seen = redis.call('HGET', KEYS[1], 'seen')
if seen and string.find(' ' .. seen .. ' ', ' ' .. ARGV[1] .. ' ', 1, true) then
  -- A redelivery of an update whose outbox was never finished (crash or error after commit):
  -- hand the outbox back under the lock so it is carried out now instead of being lost.
  if redis.call('HEXISTS', KEYS[1], 'ob') == 1 and redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then
    local all = redis.call('HGETALL', KEYS[1])
    table.insert(all, 1, 'replay')
    return all
  end
  return {'dup'}
end
if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then
  return {'locked', redis.call('PTTL', KEYS[2])}
end
-- Counted only once the lock is ours, so waiting for a lock never counts an update twice.
local limit = tonumber(ARGV[4])
if limit > 0 then
  local n = redis.call('INCR', KEYS[3])
  if n == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[5]) end
  if n > limit then
    redis.call('DEL', KEYS[2])
    return {'flood', n}
  end
end
local all = redis.call('HGETALL', KEYS[1])
table.insert(all, 1, 'ok')
return all
`;

/**
 * commit(token, expectedVersion, stateJson, updateId, outboxJson, seenMax, ttlSeconds):
 * compare-and-set of the state, recording the update id and the outbox in the same write.
 * → "ok" | "lost_lock" (the lease expired and someone else holds it) | "conflict" (version moved).
 */
export const COMMIT_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 'lost_lock' end
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[2]) then return 'conflict' end
local seen = redis.call('HGET', KEYS[1], 'seen') or ''
local ids = {ARGV[4]}
local max = tonumber(ARGV[6])
for id in string.gmatch(seen, '%S+') do
  if #ids >= max then break end
  ids[#ids + 1] = id
end
redis.call('HSET', KEYS[1], 's', ARGV[3], 'v', v + 1, 'seen', table.concat(ids, ' '))
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'ob', ARGV[5]) else redis.call('HDEL', KEYS[1], 'ob') end
redis.call('EXPIRE', KEYS[1], ARGV[7])
return 'ok'
`;

/**
 * ack(token, undeliverableJson, release, tag1, messageId1, …): the outbox was carried out; record
 * tagged message ids and the last delivery failure ('' clears it: the last delivery went through),
 * then release the lock if `release` is '1' (a replayed outbox keeps it for the step that follows).
 * → "ok" | "lost_lock": the lease ran out and the outbox may now be another worker's (its replay, or
 * a newer update's outbox), so nothing is written.
 */
export const ACK_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 'lost_lock' end
redis.call('HDEL', KEYS[1], 'ob')
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'u', ARGV[2]) else redis.call('HDEL', KEYS[1], 'u') end
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], 't:' .. ARGV[i], ARGV[i + 1]) end
if ARGV[3] == '1' then redis.call('DEL', KEYS[2]) end
return 'ok'
`;

/**
 * renew(token, leaseMs), on the lock key alone: extends the lease while the holder is still working
 * (a slow delivery), so no other worker takes the conversation and replays its outbox meanwhile.
 * → 1 when extended, 0 when the lock is no longer ours.
 */
export const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** release(token): drop the lock if still ours (after a failure, so the next worker need not wait). */
export const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 'ok'
`;
