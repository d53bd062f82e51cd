import type { Scenario } from '../scenario.js'
import { bareExpress } from './baseline.js'
import { cacheApicacheScenarios } from './cache-apicache.js'
import { cacheHitGroup } from './cache-common.js'
import { cacheOurScenarios } from './cache-ours.js'
import { rateLimitOurScenarios } from './rate-limit-ours.js'
import { rateLimitPeerScenarios } from './rate-limit-peers.js'
import { sessionConnectRedisScenarios } from './session-connect-redis.js'
import { sessionExpressSessionScenarios } from './session-express-session.js'
import { sessionOurScenarios } from './session-ours.js'
import { sessionZeroCostScenarios } from './session-zero-cost.js'

const byGroup = (scenarios: Scenario[]): Scenario[] => {
  const groups = [...new Set(scenarios.map((s) => s.group))]
  return groups.flatMap((group) => scenarios.filter((s) => s.group === group))
}

/** Every scenario, grouped in the order the report shows them. */
export function allScenarios(): Scenario[] {
  return byGroup([
    ...rateLimitPeerScenarios(),
    ...rateLimitOurScenarios(),
    bareExpress(cacheHitGroup),
    ...cacheApicacheScenarios(),
    ...cacheOurScenarios(),
    ...sessionExpressSessionScenarios(),
    ...sessionZeroCostScenarios(),
    ...sessionConnectRedisScenarios(),
    ...sessionOurScenarios(),
  ])
}
