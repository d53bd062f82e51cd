/**
 * The Lua every queue script starts with: the shard's KEYS by name, the server's time, and the
 * operations the scripts share (`shard-local.ts` is the same in TypeScript, for the memory backend).
 *
 * KEYS (every script, in this order; see `shardKeyNames`):
 *   1 wait  2 delayed  3 active  4 completed  5 failed  6 jobs  7 data  8 seq  9 fired
 *
 * Records are JSON (cjson); absent fields are nil, never null. At most `STEP` ids move per set per
 * call, so no script runs long however far behind the queue is.
 */
export const shardLua = `
local K_WAIT, K_DELAYED, K_ACTIVE, K_COMPLETED, K_FAILED = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local K_JOBS, K_DATA, K_SEQ, K_FIRED = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local SPAN = 4294967296
local STEP = 100

local STATES = { waiting = true, delayed = true, active = true, completed = true, failed = true }

-- A record that is not one (corrupt or foreign data) reads as absent, so it can never wedge a claim.
local function load(id)
  local raw = redis.call('HGET', K_JOBS, id)
  if not raw then return nil end
  local ok, job = pcall(cjson.decode, raw)
  if not ok or type(job) ~= 'table' or not STATES[job.state] then return nil end
  if type(job.attempt) ~= 'number' or type(job.addedAt) ~= 'number' then return nil end
  return job
end

local function save(id, job)
  redis.call('HSET', K_JOBS, id, cjson.encode(job))
end

local function order(job)
  local seq = redis.call('INCR', K_SEQ)
  return (job.priority or 0) * SPAN + (seq % SPAN)
end

local function enqueue(id, job, runAt)
  if runAt > now then
    job.state = 'delayed'
    job.runAt = runAt
    redis.call('ZADD', K_DELAYED, runAt, id)
  else
    job.state = 'waiting'
    job.runAt = nil
    redis.call('ZADD', K_WAIT, order(job), id)
  end
  save(id, job)
end

local function backoff(job, jitter)
  local delay = job.backoffDelay or 0
  if job.backoffType == 'exponential' then delay = delay * 2 ^ ((job.attempt or 1) - 1) end
  local cap = job.backoffMax or delay
  if delay > cap then delay = cap end
  return math.floor(delay - delay * (job.jitter or 0) * jitter)
end

local function drop(id)
  redis.call('HDEL', K_JOBS, id)
  redis.call('HDEL', K_DATA, id)
end

local function trim(key, maxAge, maxCount)
  if maxAge >= 0 then
    local old = redis.call('ZRANGEBYSCORE', key, '-inf', now - maxAge, 'LIMIT', 0, STEP)
    for _, id in ipairs(old) do
      redis.call('ZREM', key, id)
      drop(id)
    end
  end
  if maxCount >= 0 then
    local excess = redis.call('ZCARD', key) - maxCount
    if excess > STEP then excess = STEP end
    if excess > 0 then
      local popped = redis.call('ZPOPMIN', key, excess)
      for i = 1, #popped, 2 do drop(popped[i]) end
    end
  end
end

local function finish(id, job, state, keepAge, keepCount)
  job.state = state
  job.finishedAt = now
  job.lease = nil
  job.runAt = nil
  save(id, job)
  local key = K_FAILED
  if state == 'completed' then key = K_COMPLETED end
  redis.call('ZADD', key, now, id)
  trim(key, keepAge, keepCount)
end

-- One attempt failed: back off and retry while attempts remain, else the job is failed.
-- Returns 2 (will retry) or 3 (failed).
local function failAttempt(id, job, message, retry, jitter, keepAge, keepCount)
  job.error = message
  job.lease = nil
  if retry and (job.attempt or 0) < (job.attempts or 1) then
    enqueue(id, job, now + backoff(job, jitter))
    return 2
  end
  finish(id, job, 'failed', keepAge, keepCount)
  return 3
end

local function addJob(id, payload, template)
  local existing = load(id)
  if existing then return 0, existing.state end
  local job = cjson.decode(template)
  local delay = job.delay or 0
  job.delay = nil
  job.attempt = 0
  job.addedAt = now
  redis.call('HSET', K_DATA, id, payload)
  enqueue(id, job, now + delay)
  return 1, job.state
end
`
