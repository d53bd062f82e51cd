import { join } from 'node:path'
import { expectedRealtimeFiles } from '../src/realtime/readme.js'
import { renderFigures, renderTargets } from '../src/realtime/report.js'
import type { ContenderRound, RealtimeResults } from '../src/realtime/results.js'
import { resultsFormat } from '../src/realtime/results.js'
import { statusOf } from './table-status.js'

const repoRoot = join(__dirname, '../..')

function figures(contender: ContenderRound['contender'], changes: Partial<ContenderRound> = {}): ContenderRound {
  return {
    contender,
    name: contender,
    latencyP50Ms: 2,
    latencyP99Ms: 10,
    appCpuMicrosPerDelivery: 10,
    redisCpuMicrosPerPublish: 100,
    loadProcessCpuShare: 0.2,
    delivered: 1000,
    expectedDeliveries: 1000,
    steadyMissing: 0,
    commandsPerPublishSmall: 1,
    commandsPerPublishFull: 1,
    scriptCallsPerPublish: 0,
    commandCallsFull: { publish: 10 },
    rssBytesPer1000Clients: 50 * 2 ** 20,
    reconnectClients: 10,
    reconnectEventsAway: 100,
    reconnectLost: 1000,
    duplicates: 0,
    failedPublishes: 0,
    unexpectedReconnects: 0,
    ...changes,
  }
}

/** A run of `rounds` rounds, ours changed by `ours(round)` and socket.io at the defaults. */
function run(rounds: number, ours: (round: number) => Partial<ContenderRound>): RealtimeResults {
  return {
    format: resultsFormat,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:10:00.000Z',
    smoke: false,
    command: 'pnpm --filter @rediware/bench realtime',
    node: '20.0.0',
    cores: 2,
    loadAverage: [0, 0, 0],
    pinning: { mode: 'taskset', appCpus: '0', otherCpus: '1' },
    settings: {
      clients: 1000,
      smallClients: 100,
      rate: 50,
      durationSeconds: 30,
      commandSeconds: 3,
      awaySeconds: 2,
      reconnectShare: 0.1,
      rounds,
    },
    rounds: Array.from({ length: rounds }, (_, round) => [figures('rediware', ours(round)), figures('socket.io')]),
  }
}

describe('realtime benchmark report', () => {
  it('reads every target as met when ours meets it in the median round', () => {
    const table = renderTargets(
      run(3, (round) => ({
        appCpuMicrosPerDelivery: [7, 9, 6][round],
        latencyP99Ms: 9,
        commandsPerPublishSmall: 7,
        commandsPerPublishFull: 7,
        reconnectLost: 0,
      })),
    )
    expect(table).toContain("| app CPU per delivered event ≤ 0.8× socket.io's | 0.70× (0.60–0.90) socket.io's | met |")
    expect(statusOf(table, 'p99 publish')).toBe('met')
    expect(statusOf(table, 'Redis commands')).toBe('met')
    expect(table).toContain('| 0 events lost across a reconnect | 0 of 3,000 missed while away, over 3 rounds | met |')
  })

  it('reads a target as not met when ours misses it', () => {
    const table = renderTargets(
      run(1, () => ({
        appCpuMicrosPerDelivery: 9,
        commandsPerPublishSmall: 7,
        commandsPerPublishFull: 8,
        reconnectLost: 1,
      })),
    )
    expect(statusOf(table, 'app CPU')).toBe('not met')
    expect(statusOf(table, 'Redis commands')).toBe('not met')
    expect(statusOf(table, '0 events lost')).toBe('not met')
  })

  it('renders one column per contender and MB for RSS', () => {
    const table = renderFigures(run(1, () => ({ rssBytesPer1000Clients: 30 * 2 ** 20 })))
    expect(table.split('\n')[0]).toBe('| | rediware | socket.io |')
    expect(table).toContain('| app RSS per 1,000 clients (MB) | 30 | 50 |')
  })

  it('the README section and bench/results/realtime.md are what the committed JSON renders (run pnpm bench:readme)', () => {
    for (const { file, current, expected } of expectedRealtimeFiles(repoRoot)) {
      expect({ file, text: current }).toEqual({ file, text: expected })
    }
  })
})
