import { defineScript, type Script } from '@rediware/redis'
import { auto } from './auto.js'
import { concurrency } from './concurrency.js'
import { fixedWindow } from './fixed-window.js'
import { type LimiterScriptSource, parseOutcome, type ScriptOutcome } from './shared.js'
import { slidingLog } from './sliding-log.js'
import { slidingWindow } from './sliding-window.js'
import { tokenBucket } from './token-bucket.js'

export type Algorithm = 'auto' | 'sliding-window' | 'fixed-window' | 'token-bucket' | 'sliding-log'

export const algorithms: Readonly<Record<Algorithm, LimiterScriptSource>> = {
  auto,
  'sliding-window': slidingWindow,
  'fixed-window': fixedWindow,
  'token-bucket': tokenBucket,
  'sliding-log': slidingLog,
}

export const concurrencyScript: Script<ScriptOutcome> = defineScript({
  name: concurrency.name,
  keys: 1,
  lua: concurrency.lua,
  local: concurrency.local,
  parse: parseOutcome,
})

const bound = new Map<string, Script<ScriptOutcome>>()

/** The algorithm's script bound to `policies` KEYS (same Lua and SHA for every count). */
export function limiterScript(algorithm: Algorithm, policies: number): Script<ScriptOutcome> {
  const id = `${algorithm}/${policies}`
  let script = bound.get(id)
  if (!script) {
    const source = algorithms[algorithm]
    script = defineScript({
      name: source.name,
      keys: policies,
      lua: source.lua,
      local: source.local,
      parse: parseOutcome,
    })
    bound.set(id, script)
  }
  return script
}

export type { PolicyOutcome, ScriptOutcome } from './shared.js'
export { autoMechanism, LOG_MAX } from './auto.js'
