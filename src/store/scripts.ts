/**
 * Lua scripts of the conversation store. Each runs atomically in Redis and touches only keys of one
 * conversation, which share a hash tag, so they run unchanged on Redis Cluster.
 *
 * Keys: KEYS[1] the conversation hash (fields: s = state JSON, v = version, seen = recent update ids,
 * ob = outbox JSON, u = undeliverable JSON, t:<tag> = platform message id of a tagged reply);
 * KEYS[2] the lock (a token, with a lease); KEYS[3] the flood counter.
 */

/**
 * The flood check of `begin` and `step` (limit ARGV[4] per window ARGV[5] ms), run once the lock is
 * ours, so waiting for a lock never counts an update twice; over the limit it drops the lock again.
 */
const FLOOD_CHECK = `
local limit = tonumber(ARGV[4])
if limit > 0 then
  local n = redis.call('INCR', KEYS[3])
  if n == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[5]) end
  if n > limit then
    redis.call('DEL', KEYS[2])
    return {'flood', n}
  end
end
`;

/**
 * The write of `commit` and `step`: state ARGV[s], version v + 1, the update id ARGV[id] in front of
 * the recent ids (at most ARGV[max]), the outbox ARGV[ob] when there is one. With no outbox there is
 * nothing to carry out: the write also does what `ack` would (clear the outbox and the last delivery
 * failure, release the lock), saving the round trip.
 */
function recordStep(a: { s: number; id: number; ob: number; max: number; ttl: number }): string {
  return `
local ids = {ARGV[${a.id}]}
local max = tonumber(ARGV[${a.max}])
for id in string.gmatch(seen, '%S+') do
  if #ids >= max then break end
  ids[#ids + 1] = id
end
if ARGV[${a.ob}] ~= '' then
  redis.call('HSET', KEYS[1], 's', ARGV[${a.s}], 'v', v + 1, 'seen', table.concat(ids, ' '), 'ob', ARGV[${a.ob}])
else
  redis.call('HSET', KEYS[1], 's', ARGV[${a.s}], 'v', v + 1, 'seen', table.concat(ids, ' '))
  redis.call('HDEL', KEYS[1], 'ob', 'u')
  redis.call('DEL', KEYS[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[${a.ttl}])
`;
}

/**
 * The write of an ack, shared by `ack` and a `step` that carries the previous update's ack: the outbox
 * is done; the last delivery failure ARGV[u] is recorded ('' clears it: the last delivery went
 * through); tagged message ids come as pairs from ARGV[firstTag] on.
 */
function ackWrite(a: { u: number; firstTag: number }): string {
  return `
if ARGV[${a.u}] ~= '' then
  redis.call('HDEL', KEYS[1], 'ob')
  redis.call('HSET', KEYS[1], 'u', ARGV[${a.u}])
else
  redis.call('HDEL', KEYS[1], 'ob', 'u')
end
if #ARGV >= ${a.firstTag} then
  local tags = {}
  for i = ${a.firstTag}, #ARGV, 2 do
    tags[#tags + 1] = 't:' .. ARGV[i]
    tags[#tags + 1] = ARGV[i + 1]
  end
  redis.call('HSET', KEYS[1], unpack(tags))
end
`;
}

/**
 * begin(updateId, token, leaseMs, floodLimit, floodWindowMs):
 * → {"dup"} when the update was handled already;
 * → {"replay", field, value…} when it was, but its outbox is unfinished (lock taken);
 * → {"locked", pttl, holder token} when another worker holds the conversation;
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
  return {'locked', redis.call('PTTL', KEYS[2]), redis.call('GET', KEYS[2])}
end
${FLOOD_CHECK}
local all = redis.call('HGETALL', KEYS[1])
table.insert(all, 1, 'ok')
return all
`;

/**
 * commit(token, expectedVersion, stateJson, updateId, outboxJson, seenMax, ttlSeconds):
 * compare-and-set of the state, recording the update id and the outbox in the same write; with an
 * empty outbox it also releases the lock (see `recordStep`).
 * → "ok" | "lost_lock" (the lease expired and someone else holds it) | "conflict" (version moved).
 */
export const COMMIT_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 'lost_lock' end
local m = redis.call('HMGET', KEYS[1], 'v', 'seen')
local v = tonumber(m[1] or '0')
if v ~= tonumber(ARGV[2]) then return 'conflict' end
local seen = m[2] or ''
${recordStep({ s: 3, id: 4, ob: 5, max: 6, ttl: 7 })}
return 'ok'
`;

/**
 * step(updateId, token, leaseMs, floodLimit, floodWindowMs, expectedVersion, stateJson, outboxJson,
 * seenMax, ttlSeconds, ackToken, undeliverableJson, tag1, messageId1, …): `begin` and `commit` in one
 * round trip, for a worker that already knows the conversation's state at `expectedVersion` (it handled
 * the previous update) and has run the flow on it. With `ackToken` it first does the `ack` of that
 * previous update (whose lock it still holds under that token), saving its round trip; if the lock is no
 * longer that token's, nothing is written and the answer is {"stale"}. Otherwise nothing is written
 * unless every check passes:
 * → {"dup"} when the update was handled already;
 * → {"stale"} when the version moved (another worker wrote), an outbox is unfinished or a delivery
 *   failure is recorded: the caller takes the long way (`begin`, then `commit`);
 * → {"locked", pttl} when another worker holds the conversation;
 * → {"flood", count} as `begin`;
 * → {"ok", "1"} saved with its outbox, lock taken (carry it out, then `ack`); {"ok", "0"} saved with
 *   nothing to carry out, lock already released.
 */
export const STEP_SCRIPT = `
if ARGV[11] ~= '' then
  if redis.call('GET', KEYS[2]) ~= ARGV[11] then return {'stale'} end
  ${ackWrite({ u: 12, firstTag: 13 })}
  redis.call('DEL', KEYS[2])
end
local m = redis.call('HMGET', KEYS[1], 'v', 'seen', 'ob', 'u')
local seen = m[2] or ''
if string.find(' ' .. seen .. ' ', ' ' .. ARGV[1] .. ' ', 1, true) then
  -- Handled already; an unfinished outbox is replayed by begin.
  if m[3] then return {'stale'} end
  return {'dup'}
end
local v = tonumber(m[1] or '0')
if m[3] or m[4] or v ~= tonumber(ARGV[6]) then return {'stale'} end
if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then
  return {'locked', redis.call('PTTL', KEYS[2])}
end
${FLOOD_CHECK}
${recordStep({ s: 7, id: 1, ob: 8, max: 9, ttl: 10 })}
if ARGV[8] ~= '' then return {'ok', '1'} end
return {'ok', '0'}
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
${ackWrite({ u: 2, firstTag: 4 })}
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
