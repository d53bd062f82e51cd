import expressSession from 'express-session'
import type { Scenario } from '../scenario.js'
import { sessionBareExpress, sessionRoutes, sessionScenario } from './session-common.js'

/** express-session's default MemoryStore (one process only; shown for reference). */
export function sessionExpressSessionScenarios(): Scenario[] {
  return sessionRoutes.flatMap((route) => [
    sessionBareExpress(route),
    sessionScenario(
      route,
      'memory-store',
      'in-process peer',
      'express-session 1.19 MemoryStore (in process)',
      async () => new expressSession.MemoryStore(),
    ),
  ])
}
