import { gcraMechanism } from './gcra-mechanism.js'
import { logMechanism } from './log-mechanism.js'
import { limiterLocal, limiterLua } from './mechanism.js'
import type { LimiterScriptSource } from './shared.js'

/**
 * The largest limit the default algorithm counts with an exact sliding log; above it, a token
 * bucket (GCRA). The limiter picks each policy's key suffix from the same bound (`autoMechanism`).
 */
export const LOG_MAX = 1000

/** Which structure a policy of `limit` uses under the default algorithm (also its key suffix). */
export const autoMechanism = (limit: number): 'log' | 'gcra' => (limit <= LOG_MAX ? 'log' : 'gcra')

/**
 * The default algorithm, per policy: an exact sliding log up to `LOG_MAX`, GCRA above. Both admit
 * every client that never sends more than `limit` units in any `window`-long interval.
 */
export const auto: LimiterScriptSource = {
  name: 'rate-limit:auto',
  lua: limiterLua([logMechanism, gcraMechanism], `(limit <= ${LOG_MAX} and 'log' or 'gcra')`),
  local: limiterLocal((limit) => (autoMechanism(limit) === 'log' ? logMechanism : gcraMechanism)),
}
