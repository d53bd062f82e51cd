import type { Express } from 'express'

/** What a scenario's server gets: where the benchmark's own servers are. */
export interface ScenarioEnvironment {
  redisUrl: string
  upstashUrl: string
  upstashToken: string
}

/**
 * A measurement made once against a scenario's running server, besides the load (e.g. how many
 * handler runs 100 concurrent misses cause). Scenarios with the same `section` share one table.
 */
export interface ExtraMeasurement {
  /** Report section title. */
  section: string
  /** Header of the value's column. */
  column: string
  /** Runs after the load and the command count; `baseUrl` is `http://127.0.0.1:<port>`. */
  measure(baseUrl: string): Promise<string>
}

/**
 * 'in-process peer': a peer that keeps its state in the server's memory (apicache memory mode,
 * express-session's MemoryStore). Shown for reference, but not a "best peer": it is not shared
 * between instances, so it does not do the job a Redis-backed contender does.
 */
export type Contender = 'bare express' | 'rediware' | 'peer' | 'in-process peer'

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
  /** Headers sent with every request, by autocannon and by the counting requests (e.g. a session cookie). */
  headers?: Record<string, string>
  /** An extra measurement shown in its own report section. */
  extra?: ExtraMeasurement
  build(env: ScenarioEnvironment): Promise<Express>
}
