import { defineShardScript } from './define.js'

/**
 * fire: adds a schedule's job for one tick, once however many processes fire that tick. The tick's
 * job id is the same in every process, so it lands on the same shard, whose `fired` hash remembers
 * the last tick of each schedule (a late process finds it there even after the job itself was
 * removed by retention).
 *
 * KEYS: the shard's keys (see shard-lua.ts).
 * ARGV: 1 schedule name, 2 tick (ms), 3 job id, 4 payload (JSON), 5 template (JSON).
 * Returns: { fired (1, or 0 when this tick or a later one was already fired), state }.
 */
const lua = `
local last = tonumber(redis.call('HGET', K_FIRED, ARGV[1]) or '-1')
local tick = tonumber(ARGV[2])
if last >= tick then return { 0, '' } end
redis.call('HSET', K_FIRED, ARGV[1], ARGV[2])
local created, state = addJob(ARGV[3], ARGV[4], ARGV[5])
return { created, state }
`

export interface FireOutcome {
  fired: boolean
  state: string
}

export const fireScript = defineShardScript<FireOutcome>({
  name: 'queue:fire',
  lua,
  local: (shard, args) => {
    const stored = shard.call('HGET', shard.fired, args[0] ?? '')
    const last = typeof stored === 'string' ? Number(stored) : -1
    const tick = Number(args[1])
    if (last >= tick) return [0, '']
    shard.call('HSET', shard.fired, args[0] ?? '', args[1] ?? '')
    const [created, state] = shard.addJob(args[2] ?? '', args[3] ?? 'null', args[4] ?? '{}')
    return [created, state]
  },
  parse: (reply) => {
    const [fired, state] = Array.isArray(reply) ? reply : []
    return { fired: Number(fired) === 1, state: String(state ?? '') }
  },
})
