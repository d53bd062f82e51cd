import type { Reply } from '@rediware/redis'
import { defineShardScript, replyRows } from './define.js'

/**
 * add: adds jobs to one shard; an id that exists is left as it is (deduplication).
 *
 * KEYS: the shard's keys (see shard-lua.ts).
 * ARGV: triples of
 *   id        the job id
 *   payload   the job's data (JSON)
 *   template  the job's record to start from (JSON of JobTemplate; `delay` in ms)
 * Returns: { id, created (1, or 0 for an existing id), state } per job, flat.
 */
const lua = `
local out = {}
for i = 1, #ARGV, 3 do
  local created, state = addJob(ARGV[i], ARGV[i + 1], ARGV[i + 2])
  out[#out + 1] = ARGV[i]
  out[#out + 1] = created
  out[#out + 1] = state
end
return out
`

export interface AddOutcome {
  id: string
  created: boolean
  state: string
}

export const parseAddReply = (reply: Reply): AddOutcome[] =>
  replyRows(reply, 3).map(([id, created, state]) => ({
    id: String(id),
    created: Number(created) === 1,
    state: String(state),
  }))

export const addScript = defineShardScript<AddOutcome[]>({
  name: 'queue:add',
  lua,
  local: (shard, args) => {
    const out: Reply[] = []
    for (let index = 0; index < args.length; index += 3) {
      const id = args[index] ?? ''
      const [created, state] = shard.addJob(id, args[index + 1] ?? 'null', args[index + 2] ?? '{}')
      out.push(id, created, state)
    }
    return out
  },
  parse: parseAddReply,
})
