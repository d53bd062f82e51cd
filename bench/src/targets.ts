import type { RunResults, ScenarioInfo } from './results.js'
import { bestPeer, cpuPerRequest, measurementsOf, roundRatios, type Spread, spreadOf } from './summary.js'

/** A target of issue 15, read on app + Redis CPU per request, within the same run. */
export interface Target {
  group: string
  /** What the target says, for the tables. */
  text: string
  /** Our scenario: the first of these ids the run measured. */
  subject: readonly string[]
  /** What it is compared with: a scenario (first id measured) or the group's best peer. */
  base: readonly string[] | 'best peer'
  /** Largest allowed ratio of our CPU per request to the base's. */
  maxRatio: number
  /** Redis commands per request ours must send, when the target fixes it. */
  commands?: number
}

const rl = (path: string, name: string) => `rate-limit ${path}/${name}`
const session = (route: string, name: string) => `session ${route}/${name}`
// Rate-limit targets are read on the default algorithm (`auto`); runs from before it existed fall back to sliding-window.
const ourRateLimit = (path: string) => [rl(path, 'rediware-ioredis-auto'), rl(path, 'rediware-ioredis')]
// Session targets are for the same client as connect-redis 9: a node-redis row replaces the ioredis one once it exists.
const ourSession = (route: string) => [
  session(route, 'rediware-session-node-redis'),
  session(route, 'rediware-session-ioredis'),
]

export const targets: readonly Target[] = [
  {
    group: 'rate-limit allowed',
    text: 'allowed: ≤ 0.9× the best peer',
    subject: ourRateLimit('allowed'),
    base: 'best peer',
    maxRatio: 0.9,
  },
  {
    group: 'rate-limit over-limit',
    text: 'over-limit: ≤ 1.0× rate-limiter-flexible (in-memory block), 0 Redis commands',
    subject: ourRateLimit('over-limit'),
    base: [rl('over-limit', 'rate-limiter-flexible')],
    maxRatio: 1,
    commands: 0,
  },
  {
    group: 'cache hit',
    text: 'hit: ≤ 0.7× apicache (Redis)',
    subject: ['cache hit/rediware-ioredis'],
    base: ['cache hit/apicache-redis'],
    maxRatio: 0.7,
  },
  {
    group: 'cache hit',
    text: 'hit: ≤ 1.0× bare Express answering a hello route',
    subject: ['cache hit/rediware-ioredis'],
    base: ['cache hit/bare-express'],
    maxRatio: 1,
  },
  {
    group: 'session read-only',
    text: 'read-only: ≤ 0.85× connect-redis 9, 1 Redis command',
    subject: ourSession('read-only'),
    base: [session('read-only', 'connect-redis-9-node-redis')],
    maxRatio: 0.85,
    commands: 1,
  },
  {
    group: 'session read-modify',
    text: 'read-modify: ≤ 0.95× connect-redis 9',
    subject: ourSession('read-modify'),
    base: [session('read-modify', 'connect-redis-9-node-redis')],
    maxRatio: 0.95,
  },
]

export type TargetStatus = 'met' | 'not met' | 'unclear' | 'not measured' | 'smoke run'

export interface TargetReading {
  target: Target
  subject?: ScenarioInfo
  base?: ScenarioInfo
  /** Per-round ratio of app + Redis CPU per request, subject / base. */
  ratio?: Spread
  /** Median Redis commands per request of the subject. */
  commands?: number
  status: TargetStatus
  /** One sentence: the status with its reason. */
  verdict: string
}

function firstMeasured(run: RunResults, ids: readonly string[]): ScenarioInfo | undefined {
  for (const id of ids) {
    const scenario = run.scenarios.find((s) => s.id === id)
    if (scenario && measurementsOf(run, id).length > 0) return scenario
  }
  return undefined
}

/** Reads one target from a run's medians; says so when the rounds' spread reaches across the limit. */
export function readTarget(run: RunResults, target: Target): TargetReading {
  const subject = firstMeasured(run, target.subject)
  const base = target.base === 'best peer' ? bestPeer(run, target.group) : firstMeasured(run, target.base)
  if (!subject || !base) return { target, status: 'not measured', verdict: 'not measured' }
  const ratio = roundRatios(run, subject.id, base.id, cpuPerRequest)
  const commands = spreadOf(measurementsOf(run, subject.id).map((m) => m.redisCommandsPerRequest)).median
  const commandsOk = target.commands === undefined || Math.abs(commands - target.commands) < 0.005
  const reading = { target, subject, base, ratio, commands }
  if (ratio.count === 0) return { ...reading, status: 'not measured', verdict: 'no round measured both' }
  if (run.smoke) return { ...reading, status: 'smoke run', verdict: 'smoke run: no status' }
  const limit = target.maxRatio
  const byMedian = ratio.median <= limit
  // The spread is wider than the distance to the target when some round landed on the other side of it.
  const crossed = byMedian ? ratio.max > limit : ratio.min <= limit
  const commandNote = commandsOk ? '' : `; ${commands.toFixed(2)} Redis commands per request, target ${target.commands}`
  const oneRound = ratio.count === 1 ? ' (one round: no spread)' : ''
  if (!commandsOk) return { ...reading, status: 'not met', verdict: `not met${commandNote}` }
  if (crossed) {
    return {
      ...reading,
      status: 'unclear',
      verdict: `${byMedian ? 'met' : 'not met'} by the median, but the spread is wider than the distance to the target`,
    }
  }
  return { ...reading, status: byMedian ? 'met' : 'not met', verdict: `${byMedian ? 'met' : 'not met'}${oneRound}` }
}
