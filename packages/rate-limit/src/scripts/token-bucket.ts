import { gcraMechanism } from './gcra-mechanism.js'
import { limiterLocal, limiterLua } from './mechanism.js'
import type { LimiterScriptSource } from './shared.js'

/** Token bucket as GCRA with a continuous refill, for every policy (see `gcraMechanism`). */
export const tokenBucket: LimiterScriptSource = {
  name: 'rate-limit:token-bucket',
  lua: limiterLua([gcraMechanism]),
  local: limiterLocal(() => gcraMechanism),
}
