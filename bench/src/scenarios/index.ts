import type { Scenario } from '../scenario.js'
import { rateLimitOurScenarios } from './rate-limit-ours.js'
import { rateLimitPeerScenarios } from './rate-limit-peers.js'

const byGroup = (scenarios: Scenario[]): Scenario[] => {
  const groups = [...new Set(scenarios.map((s) => s.group))]
  return groups.flatMap((group) => scenarios.filter((s) => s.group === group))
}

/** Every scenario, grouped in the order the report shows them. */
export function allScenarios(): Scenario[] {
  return byGroup([...rateLimitPeerScenarios(), ...rateLimitOurScenarios()])
}
