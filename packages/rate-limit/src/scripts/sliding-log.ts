import { logMechanism } from './log-mechanism.js'
import { limiterLocal, limiterLua } from './mechanism.js'
import type { LimiterScriptSource } from './shared.js'

/** Exact sliding log for every policy. O(limit) memory per key: meant for low limits (login, signup, password reset). */
export const slidingLog: LimiterScriptSource = {
  name: 'rate-limit:sliding-log',
  lua: limiterLua([logMechanism]),
  local: limiterLocal(() => logMechanism),
}
