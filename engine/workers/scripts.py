"""The job state machine's transitions, each one atomic Lua script on the Redis server.

::

    create ─► queued ─(dispatch)─► claim ─► running ─(begin)─► syncing ─► done
                ▲                      │  │                      │   └─► challenge_required
                │       throttled ◄────┘  │                      │        │ (submit_code)
                │  (due later, in Redis)  │                      │        ▼
                └─────────── reap ◄───────┴── lease expired ─────┘     resuming ─► claim ...

Why scripts: two workers, a redelivered message, a reaper and a backend can race on one job;
a script runs alone, so exactly one of them wins each transition. Every transition made on
behalf of an attempt carries that attempt's **token** (set by ``claim``): once a job has been
taken away from an attempt (its worker was presumed dead and the job requeued), every later
write of the old attempt is refused (``lost``), which is what makes results exactly-once.
Repeating a transition that already happened with the same token answers as the first call
did, so a command retried after a dropped connection is harmless.

Times are the Redis server's (``TIME``, in ms), so skewed worker clocks cannot stretch a lease.
"""

from __future__ import annotations

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: job, secrets, due. ARGV: id, recipe_id, sealed spec, job ttl s, secrets ttl s.
CREATE = _NOW + """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'state', 'queued', 'recipe_id', ARGV[2], 'created_at', now / 1000,
           'updated_at', now / 1000, 'attempts', 0, 'throttled', 0, 'retried', 0)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('HSET', KEYS[2], 'spec', ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[3], now, ARGV[1])
return 1
"""

# KEYS: due, dispatched, running. ARGV: capacity, grace ms, batch.
# Hands out due jobs, oldest first, no more than the fleet has free slots for; a job handed
# out and never claimed (the message died with a worker, or in a broker restart) is due again.
DISPATCH = _NOW + """
local lost = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'WITHSCORES')
for i = 1, #lost, 2 do
  redis.call('ZREM', KEYS[2], lost[i])
  redis.call('ZADD', KEYS[1], tonumber(lost[i + 1]) - tonumber(ARGV[2]), lost[i])
end
local budget = tonumber(ARGV[1]) - redis.call('ZCARD', KEYS[3]) - redis.call('ZCARD', KEYS[2])
budget = math.min(budget, tonumber(ARGV[3]))
if budget <= 0 then return {} end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, budget)
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), id)
end
return ids
"""

# KEYS: job, runs, due, dispatched, running, throttled.
# ARGV: id, worker, pid, token, lease ms, runs ttl s.
CLAIM = _NOW + """
local id = ARGV[1]
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  redis.call('ZREM', KEYS[3], id) redis.call('ZREM', KEYS[4], id)
  redis.call('ZREM', KEYS[5], id) redis.call('SREM', KEYS[6], id)
  return 'missing'
end
if state == 'running' and redis.call('HGET', KEYS[1], 'token') == ARGV[4] then
  return 'claimed'
end
if state ~= 'queued' and state ~= 'throttled' and state ~= 'resuming' then
  redis.call('ZREM', KEYS[4], id)
  return state
end
local due = redis.call('ZSCORE', KEYS[3], id)
if due and tonumber(due) > now then return 'not_due' end
local mode = 'login'
if state == 'resuming' or (state == 'throttled'
    and redis.call('HGET', KEYS[1], 'mode') == 'resume') then
  mode = 'resume'
end
redis.call('HSET', KEYS[1], 'state', 'running', 'token', ARGV[4], 'phase', 'claimed',
           'mode', mode, 'worker', ARGV[2], 'worker_pid', ARGV[3], 'updated_at', now / 1000)
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('RPUSH', KEYS[2], ARGV[2] .. ':' .. ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('ZREM', KEYS[3], id) redis.call('ZREM', KEYS[4], id) redis.call('SREM', KEYS[6], id)
redis.call('ZADD', KEYS[5], now + tonumber(ARGV[5]), id)
return 'claimed'
"""

# KEYS: job, customer lock, running. ARGV: id, token, lock ttl ms.
# The lock is held by '<job>:<token>' and counts only while that job is running: a holder the
# reaper took the job from (its worker died) no longer blocks anyone, with no wait for a TTL.
LOCK_CUSTOMER = """
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[2]
    or redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  return 'lost'
end
local holder = redis.call('GET', KEYS[2])
if holder then
  local other = string.match(holder, '^([^:]+):')
  if other and other ~= ARGV[1] and redis.call('ZSCORE', KEYS[3], other) then
    return 'busy'
  end
end
redis.call('SET', KEYS[2], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[3])
redis.call('HSET', KEYS[1], 'customer_lock', KEYS[2])
return 'ok'
"""

# KEYS: job, secrets. ARGV: token, institution, throttle lease, drop code (1/0).
BEGIN = _NOW + """
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1]
    or redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  return 'lost'
end
redis.call('HSET', KEYS[1], 'phase', 'syncing', 'institution', ARGV[2],
           'throttle_lease', ARGV[3], 'started_at', now / 1000)
if ARGV[4] == '1' then redis.call('HDEL', KEYS[2], 'code') end
return 'ok'
"""

# KEYS: job, running, customer lock. ARGV: id, token, lease ms, lock ttl ms.
# 1 renewed, 0 the job was taken from this attempt, -1 another job holds the customer's lock.
RENEW = _NOW + """
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[2]
    or redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  return 0
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
local mine = ARGV[1] .. ':' .. ARGV[2]
local holder = redis.call('GET', KEYS[3])
if holder == mine then
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
elseif not holder then
  redis.call('SET', KEYS[3], mine, 'PX', ARGV[4])
else
  return -1
end
return 1
"""

# What a settled attempt must release; shared by THROTTLE, FINISH and SUSPEND.
_RELEASE_LOCK = """
local lock = redis.call('HGET', KEYS[1], 'customer_lock')
if lock and lock ~= '' and redis.call('GET', lock) == ARGV[1] .. ':' .. ARGV[2] then
  redis.call('DEL', lock)
end
redis.call('ZREM', KEYS[2], ARGV[1])
"""

# KEYS: job, running, due, throttled. ARGV: id, token, wait ms, reason.
THROTTLE = _NOW + """
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 'lost' end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'throttled' then return 'ok' end
if state ~= 'running' then return 'lost' end
""" + _RELEASE_LOCK + """
redis.call('HSET', KEYS[1], 'state', 'throttled', 'phase', '', 'throttle_reason', ARGV[4],
           'retry_at', (now + tonumber(ARGV[3])) / 1000, 'updated_at', now / 1000)
redis.call('HINCRBY', KEYS[1], 'throttled', 1)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
return 'ok'
"""

# KEYS: job, running, secrets. ARGV: id, token, sealed result, error code.
FINISH = _NOW + """
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 'lost' end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'done' then return 'ok' end
if state ~= 'running' then return 'lost' end
""" + _RELEASE_LOCK + """
redis.call('HSET', KEYS[1], 'state', 'done', 'phase', '', 'result', ARGV[3],
           'error_code', ARGV[4], 'prompt', '', 'updated_at', now / 1000)
redis.call('DEL', KEYS[3])
return 'ok'
"""

# KEYS: job, running, secrets, suspended.
# ARGV: id, token, sealed result, error code, prompt, sealed spec, sealed resume, secrets ttl s.
SUSPEND = _NOW + """
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 'lost' end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'challenge_required' then return 'ok' end
if state ~= 'running' then return 'lost' end
""" + _RELEASE_LOCK + """
redis.call('HSET', KEYS[3], 'spec', ARGV[6], 'resume', ARGV[7])
redis.call('HDEL', KEYS[3], 'code')
redis.call('EXPIRE', KEYS[3], ARGV[8])
redis.call('HSET', KEYS[1], 'state', 'challenge_required', 'phase', '', 'result', ARGV[3],
           'error_code', ARGV[4], 'prompt', ARGV[5], 'updated_at', now / 1000)
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[8]) * 1000, ARGV[1])
return 'ok'
"""

# KEYS: job, secrets, suspended, due. ARGV: id, sealed code.
SUBMIT = _NOW + """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
if state ~= 'challenge_required' then return state end
if redis.call('HEXISTS', KEYS[2], 'resume') == 0 then return 'expired' end
redis.call('HSET', KEYS[2], 'code', ARGV[2])
redis.call('HSET', KEYS[1], 'state', 'resuming', 'updated_at', now / 1000)
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], 0, ARGV[1])  -- first in line: the code expires in minutes
return 'ok'
"""

# KEYS: running. ARGV: batch. Jobs whose lease expired, for REAP to judge one by one.
EXPIRED = _NOW + """
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
"""

# KEYS: job, running, due, secrets. ARGV: id, sync retries allowed.
# Returns {outcome, institution, throttle lease}; outcome is requeued, failed or alive/gone.
# A job that never started its sync goes back as it was; one that died mid-sync is retried
# while retries remain (a fresh login: the credentials are still sealed in its secrets); a
# resumed one cannot be (its one-time code was spent) and fails, like one out of retries.
REAP = _NOW + """
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not score then return {'gone', '', ''} end
if tonumber(score) > now then return {'alive', '', ''} end
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return {'gone', '', ''} end
local institution = redis.call('HGET', KEYS[1], 'institution') or ''
local lease = redis.call('HGET', KEYS[1], 'throttle_lease') or ''
local mode = redis.call('HGET', KEYS[1], 'mode')
local back = 'queued'
if mode == 'resume' then back = 'resuming' end
if redis.call('HGET', KEYS[1], 'phase') == 'syncing' then
  local retried = redis.call('HINCRBY', KEYS[1], 'retried', 1)
  if mode == 'resume' or retried > tonumber(ARGV[2]) then
    redis.call('HSET', KEYS[1], 'state', 'done', 'token', '', 'phase', '',
               'error_code', 'engine_error.worker_lost', 'prompt', '', 'updated_at', now / 1000)
    redis.call('HDEL', KEYS[1], 'result')
    redis.call('DEL', KEYS[4])
    return {'failed', institution, lease}
  end
  back = 'queued'
end
redis.call('HSET', KEYS[1], 'state', back, 'token', '', 'phase', '', 'updated_at', now / 1000,
           'requeued_at', now / 1000)
-- at its original place in the queue (by creation time): it has waited its turn already
local created = tonumber(redis.call('HGET', KEYS[1], 'created_at') or '0') or 0
redis.call('ZADD', KEYS[3], created * 1000, ARGV[1])
return {'requeued', institution, lease}
"""

# KEYS: due, dispatched, running, throttled, suspended. Counts for `engine fleet`.
COUNTS = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
return {redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2]),
        redis.call('ZCARD', KEYS[3]), redis.call('SCARD', KEYS[4]), redis.call('ZCARD', KEYS[5])}
"""
