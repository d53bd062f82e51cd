import { cpus } from 'node:os'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRedisServer } from '@rediware/test-utils'
import { startUpstashLocal } from '@rediware/upstash-local'
import { type LoadSettings, type Measurement, measure } from './measure.js'
import { renderReport } from './report.js'
import { allScenarios } from './scenarios/index.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const filters = args.filter((arg) => !arg.startsWith('--'))
const outArg = args.find((arg) => arg.startsWith('--out='))
/** Where the report goes, under bench/results/ (default latest.md): a focused run need not replace the full one. */
const outName = outArg ? outArg.slice('--out='.length) : 'latest.md'
if (!/^[\w.-]+\.md$/.test(outName)) throw new RangeError('--out=NAME takes a file name ending in .md (written to bench/results/).')
const roundsArg = args.find((arg) => arg.startsWith('--rounds='))
const rounds = roundsArg ? Number(roundsArg.slice('--rounds='.length)) : 1
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new RangeError('--rounds=N takes a whole number from 1 to 20.')
const settings: LoadSettings = quick
  ? { durationSeconds: 3, warmupSeconds: 1, connections: 32 }
  : { durationSeconds: 10, warmupSeconds: 2, connections: 64 }

/** The measured packages must be the built ones: TypeScript source run through tsx pays for its transpile helpers. */
function assertBuiltPackages(): void {
  for (const name of ['@rediware/rate-limit', '@rediware/cache', '@rediware/session', '@rediware/redis']) {
    const resolved = import.meta.resolve(name)
    if (!resolved.includes('/dist/')) {
      throw new Error(`${name} resolves to ${resolved}, not to its built dist/: run the benchmark with pnpm bench (it builds and sets TSX_TSCONFIG_PATH).`)
    }
  }
}

async function main(): Promise<void> {
  assertBuiltPackages()
  const scenarios = allScenarios().filter((s) => filters.length === 0 || filters.some((f) => s.id.includes(f)))
  if (scenarios.length === 0) throw new Error(`No scenario matches ${filters.join(', ')}`)
  const redis = await startRedisServer()
  const upstash = await startUpstashLocal({ redisUrl: redis.url, token: 'bench' })
  const env = { ...process.env, BENCH_REDIS_URL: redis.url, BENCH_UPSTASH_URL: upstash.url, BENCH_UPSTASH_TOKEN: upstash.token }
  const byScenario = new Map<string, Measurement[]>(scenarios.map((s) => [s.id, []]))
  try {
    for (let round = 0; round < rounds; round += 1) {
      // Each round starts the order one scenario later, so no contender always runs first or last.
      for (const scenario of rotate(scenarios, round)) {
        process.stdout.write(`${rounds > 1 ? `[round ${round + 1}/${rounds}] ` : ''}${scenario.id} … `)
        const result = await measure(scenario, env, redis.url, settings)
        byScenario.get(scenario.id)?.push(result)
        process.stdout.write(
          `${result.requestsPerSecond.toFixed(0)} req/s, app ${result.appCpuMicrosPerRequest.toFixed(0)} µs/req, ` +
            `Redis ${result.redisCpuMicrosPerRequest.toFixed(0)} µs/req, load generator ${result.loadCpuMicrosPerRequest.toFixed(0)} µs/req\n`,
        )
      }
    }
  } finally {
    await upstash.close()
    await redis.stop()
  }
  const results = scenarios.map((s) => medianRound(byScenario.get(s.id) ?? []))
  const header = [
    '# Benchmark results',
    '',
    `${new Date().toISOString()} · Node ${process.version} · ${cpus().length} cores · ${settings.connections} connections · ` +
      `${settings.durationSeconds} s per scenario after ${settings.warmupSeconds} s warm-up${quick ? ' (--quick)' : ''}` +
      `${rounds > 1 ? `, ${rounds} rounds in rotating order (each row is its median round; "rounds" lists every round's req/s)` : ''}.`,
    'Each scenario runs in its own process against the same redis-server (and upstash-local in front of it), one after another,',
    'loaded by autocannon from this process. Compare ratios, not absolute numbers: the machine is shared.',
    'Our packages run from their built dist/ (what npm installs), as the peers run from theirs.',
    'Rows over @upstash/redis pay the app process\'s own HTTP client (undici fetch, about 1 ms of CPU per Redis call on this',
    'kind of VM) on the same 2 cores: they measure the client path, not upstash-local or Redis.',
    'Redis cmds/req: commands clients sent (MONITOR, script-internal calls excluded) over 100 sequential requests after the load.',
    'app CPU and Redis CPU: user + system CPU time of the scenario\'s server process (/proc) and of redis-server (INFO cpu)',
    'during the load, per answered request. They depend far less on what else the machine runs than req/s does.',
    '"vs best peer" compares with the fastest Redis-backed peer; in-process peers (memory stores) are shown for reference only.',
  ].join('\n')
  const outDir = join(dirname(fileURLToPath(import.meta.url)), '../results')
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, outName), renderReport(results, header))
  console.log(`\nWrote ${join(outDir, outName)}`)
  // autocannon keeps sockets in its agent pool; a CLI run ends here.
  process.exit(0)
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const start = by % items.length
  return [...items.slice(start), ...items.slice(0, start)]
}

function medianRound(measurements: readonly Measurement[]): Measurement {
  const sorted = [...measurements].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)
  const median = sorted[Math.floor((sorted.length - 1) / 2)]
  if (!median) throw new Error('a scenario has no measurement')
  return measurements.length > 1 ? { ...median, roundRates: measurements.map((m) => m.requestsPerSecond) } : median
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
