import type { RoundMeasurement, RunResults, ScenarioInfo } from '../src/results.js'
import { readTarget, type Target } from '../src/targets.js'

const ours: ScenarioInfo = { id: 'g/ours', group: 'g', contender: 'rediware', label: 'ours' }
const peerA: ScenarioInfo = { id: 'g/peer-a', group: 'g', contender: 'peer', label: 'peer a' }
const peerB: ScenarioInfo = { id: 'g/peer-b', group: 'g', contender: 'peer', label: 'peer b' }

function measurement(scenarioId: string, round: number, appCpu: number, commands = 1): RoundMeasurement {
  return {
    scenarioId,
    round,
    order: 0,
    requests: 1000,
    requestsPerSecond: 1000,
    p50: 1,
    p99: 2,
    statuses: { '2xx': 1000 },
    errors: 0,
    peakRssMb: 50,
    redisCommandsPerRequest: commands,
    appCpuMicrosPerRequest: appCpu,
    redisCpuMicrosPerRequest: 0,
    loadCpuMicrosPerRequest: 0,
    runnerCpuMicrosPerRequest: 0,
  }
}

/** A run where ours costs `ourCpu[i]` and peer a costs 100 µs in round i; peer b always 200 µs. */
function run(ourCpu: readonly number[], commands = 1): RunResults {
  return {
    format: 'rediware-bench/2',
    smoke: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T01:00:00.000Z',
    node: 'v20.0.0',
    cores: 2,
    loadAverage: [0, 0, 0],
    pinning: { mode: 'taskset', appCpus: '0', otherCpus: '1' },
    settings: { durationSeconds: 10, warmupSeconds: 2, connections: 64, rounds: ourCpu.length, quick: false },
    scenarios: [ours, peerA, peerB],
    measurements: ourCpu.flatMap((cpu, round) => [
      measurement(ours.id, round, cpu, commands),
      measurement(peerA.id, round, 100),
      measurement(peerB.id, round, 200),
    ]),
  }
}

const target: Target = { group: 'g', text: 'test', subject: [ours.id], base: 'best peer', maxRatio: 0.9, commands: 1 }

describe('readTarget', () => {
  it('compares with the peer of lowest median CPU, per round, and reads the median', () => {
    const reading = readTarget(run([80, 85, 70]), target)
    expect(reading.base?.id).toBe(peerA.id)
    expect(reading.ratio).toEqual({ median: 0.8, min: 0.7, max: 0.85, count: 3 })
    expect(reading.status).toBe('met')
  })

  it('says the spread is wider than the distance to the target when a round lands on the other side', () => {
    const met = readTarget(run([80, 85, 95]), target)
    expect(met.status).toBe('unclear')
    expect(met.verdict).toBe('met by the median, but the spread is wider than the distance to the target')
    const notMet = readTarget(run([95, 92, 85]), target)
    expect(notMet.status).toBe('unclear')
    expect(notMet.verdict).toBe('not met by the median, but the spread is wider than the distance to the target')
  })

  it('is not met when every round is over the limit, or when the command count differs', () => {
    expect(readTarget(run([95, 92, 99]), target).status).toBe('not met')
    const twoCommands = readTarget(run([50, 50, 50], 2), target)
    expect(twoCommands.status).toBe('not met')
    expect(twoCommands.verdict).toContain('2.00 Redis commands per request, target 1')
  })

  it('gives a smoke run no status, whatever its ratio', () => {
    const reading = readTarget({ ...run([50, 50, 50]), smoke: true }, target)
    expect(reading.status).toBe('smoke run')
    expect(reading.ratio?.median).toBe(0.5)
  })

  it('reports a target whose contenders the run did not measure as not measured', () => {
    const reading = readTarget(run([80]), { ...target, subject: ['g/missing'] })
    expect(reading.status).toBe('not measured')
  })
})
