import type { Express } from 'express'

/** What a scenario's server gets: where the benchmark's own servers are. */
export interface ScenarioEnvironment {
  redisUrl: string
  upstashUrl: string
  upstashToken: string
}

export type Contender = 'bare express' | 'rediware' | 'peer'

export interface Scenario {
  /** Unique id, used as filter and to start its server: `group/name`. */
  id: string
  /** Scenarios of one group are compared with each other. */
  group: string
  contender: Contender
  /** Shown in the table, e.g. "express-rate-limit + rate-limit-redis (ioredis)". */
  label: string
  /** Request path autocannon hits. */
  path: string
  build(env: ScenarioEnvironment): Promise<Express>
}
