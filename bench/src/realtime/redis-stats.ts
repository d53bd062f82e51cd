import type { Redis } from 'ioredis'

/** Commands the measuring itself sends (INFO, CONFIG RESETSTAT): not the contender's. */
const ownCommands = /^(info|config\|.*|config)$/

/** Calls per command since the last `CONFIG RESETSTAT`, from INFO commandstats (commands run inside scripts included). */
export async function commandCalls(admin: Redis): Promise<Record<string, number>> {
  const info = await admin.info('commandstats')
  const calls: Record<string, number> = {}
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const [, name, count] = match
    if (name !== undefined && count !== undefined && !ownCommands.test(name)) calls[name] = Number(count)
  }
  return calls
}

export const totalCalls = (calls: Record<string, number>): number =>
  Object.values(calls).reduce((sum, count) => sum + count, 0)

/** Calls of scripts themselves (EVALSHA, EVAL, FCALL): one round trip each, whatever they run inside. */
export const scriptCalls = (calls: Record<string, number>): number =>
  Object.entries(calls)
    .filter(([name]) => /^(evalsha|eval|evalsha_ro|eval_ro|fcall|fcall_ro)$/.test(name))
    .reduce((sum, [, count]) => sum + count, 0)
