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
const settings: LoadSettings = quick
  ? { durationSeconds: 3, warmupSeconds: 1, connections: 32 }
  : { durationSeconds: 10, warmupSeconds: 2, connections: 64 }

async function main(): Promise<void> {
  const scenarios = allScenarios().filter((s) => filters.length === 0 || filters.some((f) => s.id.includes(f)))
  if (scenarios.length === 0) throw new Error(`No scenario matches ${filters.join(', ')}`)
  const redis = await startRedisServer()
  const upstash = await startUpstashLocal({ redisUrl: redis.url, token: 'bench' })
  const env = { ...process.env, BENCH_REDIS_URL: redis.url, BENCH_UPSTASH_URL: upstash.url, BENCH_UPSTASH_TOKEN: upstash.token }
  const results: Measurement[] = []
  try {
    for (const scenario of scenarios) {
      process.stdout.write(`${scenario.id} … `)
      const result = await measure(scenario, env, redis.url, settings)
      results.push(result)
      process.stdout.write(`${result.requestsPerSecond.toFixed(0)} req/s\n`)
    }
  } finally {
    await upstash.close()
    await redis.stop()
  }
  const header = [
    '# Benchmark results',
    '',
    `${new Date().toISOString()} · Node ${process.version} · ${cpus().length} cores · ${settings.connections} connections · ` +
      `${settings.durationSeconds} s per scenario after ${settings.warmupSeconds} s warm-up${quick ? ' (--quick)' : ''}.`,
    'Each scenario runs in its own process against the same redis-server (and upstash-local in front of it), one after another,',
    'loaded by autocannon from this process. Compare ratios, not absolute numbers: the machine is shared.',
    'Rows over @upstash/redis pay the app process\'s own HTTP client (undici fetch, about 1 ms of CPU per Redis call on this',
    'kind of VM) on the same 2 cores: they measure the client path, not upstash-local or Redis.',
    'Redis cmds/req: commands clients sent (MONITOR, script-internal calls excluded) over 100 sequential requests after the load.',
    '"vs best peer" compares with the fastest Redis-backed peer; in-process peers (memory stores) are shown for reference only.',
  ].join('\n')
  const outDir = join(dirname(fileURLToPath(import.meta.url)), '../results')
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'latest.md'), renderReport(results, header))
  console.log(`\nWrote ${join(outDir, 'latest.md')}`)
  // autocannon keeps sockets in its agent pool; a CLI run ends here.
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
