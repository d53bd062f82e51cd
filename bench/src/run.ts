import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRedisServer } from '@rediware/test-utils'
import { startUpstashLocal } from '@rediware/upstash-local'
import { type LoadSettings, measure } from './measure.js'
import { pinProcess, planPinning } from './pinning.js'
import { renderReport } from './report.js'
import type { RoundMeasurement, RunResults, ScenarioInfo } from './results.js'
import type { Scenario } from './scenario.js'
import { allScenarios } from './scenarios/index.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const smoke = args.includes('--smoke')
const filters = args.filter((arg) => !arg.startsWith('--'))
const outArg = args.find((arg) => arg.startsWith('--out='))
/** Results go to bench/results/NAME.json and NAME.md (default latest): a focused run need not replace the full one. */
const outName = (outArg ? outArg.slice('--out='.length) : 'latest').replace(/\.(md|json)$/, '')
if (!/^[\w.-]+$/.test(outName))
  throw new RangeError('--out=NAME takes a file name (written to bench/results/NAME.json and NAME.md).')
const roundsArg = args.find((arg) => arg.startsWith('--rounds='))
const rounds = roundsArg ? Number(roundsArg.slice('--rounds='.length)) : quick ? 1 : 5
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 30)
  throw new RangeError('--rounds=N takes a whole number from 1 to 30.')
const settings: LoadSettings = quick
  ? { durationSeconds: 3, warmupSeconds: 1, connections: 32 }
  : { durationSeconds: 10, warmupSeconds: 2, connections: 64 }

/** The measured packages must be the built ones: TypeScript source run through tsx pays for its transpile helpers. */
function assertBuiltPackages(): void {
  for (const name of ['@rediware/rate-limit', '@rediware/cache', '@rediware/session', '@rediware/redis']) {
    const resolved = import.meta.resolve(name)
    if (!resolved.includes('/dist/')) {
      throw new Error(
        `${name} resolves to ${resolved}, not to its built dist/: run the benchmark with pnpm bench (it builds and sets TSX_TSCONFIG_PATH).`,
      )
    }
  }
}

const info = (s: Scenario): ScenarioInfo => ({
  id: s.id,
  group: s.group,
  contender: s.contender,
  label: s.label,
  ...(s.extra ? { extra: { section: s.extra.section, column: s.extra.column } } : {}),
})

function rotate<T>(items: readonly T[], by: number): T[] {
  const start = by % items.length
  return [...items.slice(start), ...items.slice(0, start)]
}

/**
 * A round's order: each round starts one group later and, within each group, one contender later, so no
 * contender always runs first or last, and the contenders a ratio compares run minutes apart at most.
 */
function roundOrder(scenarios: readonly Scenario[], round: number): Scenario[] {
  const groups = [...new Set(scenarios.map((s) => s.group))]
  return rotate(groups, round).flatMap((group) =>
    rotate(
      scenarios.filter((s) => s.group === group),
      round,
    ),
  )
}

async function main(): Promise<void> {
  assertBuiltPackages()
  const scenarios = allScenarios().filter((s) => filters.length === 0 || filters.some((f) => s.id.includes(f)))
  if (scenarios.length === 0) throw new Error(`No scenario matches ${filters.join(', ')}`)
  const pinning = planPinning()
  // The runner (and upstash-local in it), and through inheritance the load generator, live on the other cores.
  pinProcess(pinning, process.pid, pinning.otherCpus)
  if (pinning.mode === 'none')
    console.warn(`Not pinned (${pinning.reason}): the app, Redis and the load generator share every core.`)
  const startedAt = new Date().toISOString()
  const loadAverage = loadavg()
  const redis = await startRedisServer()
  pinProcess(pinning, redis.pid, pinning.otherCpus)
  const upstash = await startUpstashLocal({ redisUrl: redis.url, token: 'bench' })
  const env = {
    ...process.env,
    BENCH_REDIS_URL: redis.url,
    BENCH_UPSTASH_URL: upstash.url,
    BENCH_UPSTASH_TOKEN: upstash.token,
  }
  const measurements: RoundMeasurement[] = []
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const [order, scenario] of roundOrder(scenarios, round).entries()) {
        process.stdout.write(`[round ${round + 1}/${rounds}] ${scenario.id} … `)
        const m = await measure(scenario, { env, redisUrl: redis.url, pinning, settings }, round, order)
        measurements.push(m)
        process.stdout.write(
          `app ${m.appCpuMicrosPerRequest.toFixed(0)} + Redis ${m.redisCpuMicrosPerRequest.toFixed(0)} µs/req, ` +
            `${m.requestsPerSecond.toFixed(0)} req/s, load generator ${m.loadCpuMicrosPerRequest.toFixed(0)} µs/req\n`,
        )
      }
    }
  } finally {
    await upstash.close()
    await redis.stop()
  }
  const results: RunResults = {
    format: 'rediware-bench/2',
    smoke,
    startedAt,
    finishedAt: new Date().toISOString(),
    node: process.version,
    cores: cpus().length,
    loadAverage: loadAverage.map((n) => Math.round(n * 100) / 100),
    pinning,
    settings: { ...settings, rounds, quick },
    scenarios: scenarios.map(info),
    measurements,
  }
  const outDir = join(dirname(fileURLToPath(import.meta.url)), '../results')
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, `${outName}.json`), `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(join(outDir, `${outName}.md`), renderReport(results, outName))
  console.log(
    `\nWrote ${join(outDir, `${outName}.json`)} and ${outName}.md; pnpm bench:readme updates the README tables.`,
  )
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
