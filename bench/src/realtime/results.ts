import type { Pinning } from '../pinning.js'
import type { ContenderId } from './contenders.js'

export const resultsFormat = 'rediware-bench-realtime/1'

export interface Settings {
  /** Clients connected during the measured phase, spread over the two app processes. */
  clients: number
  /** The smaller client count at which Redis commands per event are counted too. */
  smallClients: number
  /** Events published per second, in every phase. */
  rate: number
  /** Length of the measured phase (latency, CPU). */
  durationSeconds: number
  /** Length of each command-counting phase. */
  commandSeconds: number
  /** How long the reconnecting clients stay away while events go out. */
  awaySeconds: number
  /** Share of the clients that drop and reconnect. */
  reconnectShare: number
  rounds: number
}

/** Every figure of one contender in one round. */
export interface ContenderRound {
  contender: ContenderId
  name: string
  latencyP50Ms: number
  latencyP99Ms: number
  /** Both app processes' CPU time (user + system) over the measured phase, per event delivered to a client. */
  appCpuMicrosPerDelivery: number
  redisCpuMicrosPerPublish: number
  /** CPU time of the load process (all clients) over the measured phase's wall time: near 1 means the clients were the bottleneck. */
  loadProcessCpuShare: number
  delivered: number
  expectedDeliveries: number
  /** Deliveries of the measured phase that never arrived (no reconnect involved). */
  steadyMissing: number
  /** INFO commandstats calls per published event (commands inside scripts included) at `smallClients`. */
  commandsPerPublishSmall: number
  /** The same at `clients`. */
  commandsPerPublishFull: number
  /** Script calls (EVALSHA and the like) per published event: client round trips that run several commands. */
  scriptCallsPerPublish: number
  commandCallsFull: Record<string, number>
  /** App processes' RSS (after a full GC) with all clients connected minus with `smallClients`, per 1,000 clients. */
  rssBytesPer1000Clients: number
  reconnectClients: number
  /** Events published while the reconnecting clients were away. */
  reconnectEventsAway: number
  /** Events (published while away or just after) that reconnected clients never got. */
  reconnectLost: number
  duplicates: number
  failedPublishes: number
  unexpectedReconnects: number
}

export interface RealtimeResults {
  format: typeof resultsFormat
  startedAt: string
  finishedAt: string
  /** A pipeline check on a busy machine, not a measurement. */
  smoke: boolean
  command: string
  node: string
  cores: number
  loadAverage: number[]
  pinning: Pinning
  settings: Settings
  /** One list of contender figures per round. */
  rounds: ContenderRound[][]
}

export function parseRealtimeResults(text: string): RealtimeResults | undefined {
  const parsed = JSON.parse(text) as Partial<RealtimeResults>
  return parsed.format === resultsFormat ? (parsed as RealtimeResults) : undefined
}
