// `pnpm --filter @rediware/bench realtime [--clients 1000] [--duration 30] [--rate 50] [--rounds 3] [--out realtime] [--smoke]`
// @rediware/realtime, socket.io 4 + @socket.io/redis-adapter and better-sse + ioredis pub/sub side by
// side on one redis-server: two app processes per contender on the app CPU, Redis and this process
// (publisher schedule and every client) on the others. Writes bench/results/NAME.json and NAME.md;
// with the default name also the README section of packages/realtime.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parseCpuList, pinProcess, planPinning } from '../pinning.js'
import { startBenchRedis } from '../queue/redis.js'
import { replaceSection } from '../readme/render.js'
import { contenders } from './contenders.js'
import { measureContender } from './measure.js'
import { realtimeResultsName, realtimeSection, renderRealtimeSection } from './readme.js'
import { renderRealtimeReport } from './report.js'
import { type ContenderRound, type RealtimeResults, resultsFormat, type Settings } from './results.js'

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    'small-clients': { type: 'string' },
    duration: { type: 'string', default: '30' },
    rate: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string', default: realtimeResultsName },
    smoke: { type: 'boolean', default: false },
  },
})

function wholeNumber(name: string, text: string | undefined, min: number, max: number): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`--${name} takes a whole number from ${min} to ${max}; got ${text}.`)
  return value
}

const clients = wholeNumber('clients', values.clients, 2, 10_000)
const settings: Settings = {
  clients,
  smallClients: wholeNumber(
    'small-clients',
    values['small-clients'] ?? String(Math.max(1, Math.round(clients / 10))),
    1,
    clients - 1,
  ),
  rate: wholeNumber('rate', values.rate, 1, 1000),
  durationSeconds: wholeNumber('duration', values.duration, 1, 600),
  commandSeconds: 3,
  awaySeconds: 2,
  reconnectShare: 0.1,
  rounds: wholeNumber('rounds', values.rounds, 1, 30),
}
const out = values.out
if (!/^[\w.-]+$/.test(out)) throw new RangeError(`--out takes a file name without a directory; got ${out}.`)
const resolved = import.meta.resolve('@rediware/realtime')
if (!resolved.includes('/dist/'))
  throw new Error(
    `@rediware/realtime resolves to ${resolved}, not its built dist/: run pnpm build first (TSX_TSCONFIG_PATH is set by the script).`,
  )

const log = (line: string) => process.stderr.write(`${line}\n`)
const pinning = planPinning()
if (pinning.mode === 'taskset') pinProcess(pinning, process.pid, pinning.otherCpus)
else log(`Not pinned (${pinning.reason}): the apps, Redis and the clients share every core.`)
const loadAverage = loadavg()
const startedAt = new Date().toISOString()
const redis = await startBenchRedis(pinning.mode === 'taskset' ? (parseCpuList(pinning.otherCpus)[0] ?? 1) : 0)
log(
  `[realtime bench] ${settings.clients} clients (commands also at ${settings.smallClients}), ${settings.rate} events/s, ${settings.durationSeconds} s measured, ${settings.rounds} round(s); redis ${redis.url}`,
)

const rounds: ContenderRound[][] = []
try {
  for (let round = 0; round < settings.rounds; round += 1) {
    const order = contenders.map((_, index) => contenders[(index + round) % contenders.length] ?? contenders[0])
    const figures: ContenderRound[] = []
    for (const contender of order) {
      if (!contender) continue
      const result = await measureContender(contender, redis, pinning, settings)
      figures.push(result)
      log(
        `[round ${round + 1}] ${contender.name}: p50 ${result.latencyP50Ms.toFixed(1)} ms, p99 ${result.latencyP99Ms.toFixed(1)} ms, app CPU ${result.appCpuMicrosPerDelivery.toFixed(1)} µs/delivery, commands/publish ${result.commandsPerPublishSmall.toFixed(2)} → ${result.commandsPerPublishFull.toFixed(2)}, RSS ${(result.rssBytesPer1000Clients / 2 ** 20).toFixed(1)} MB/1000, lost ${result.reconnectLost}/${result.reconnectEventsAway * result.reconnectClients}, load CPU ${result.loadProcessCpuShare.toFixed(2)}`,
      )
    }
    // Same column order in every round, whatever order they ran in.
    rounds.push(contenders.flatMap((c) => figures.filter((f) => f.contender === c.id)))
  }
} finally {
  await redis.stop()
}

const results: RealtimeResults = {
  format: resultsFormat,
  startedAt,
  finishedAt: new Date().toISOString(),
  smoke: values.smoke,
  command: `pnpm --filter @rediware/bench realtime ${process.argv.slice(2).join(' ')}`.trim(),
  node: process.versions.node,
  cores: cpus().length,
  loadAverage,
  pinning,
  settings,
  rounds,
}
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const resultsDir = join(repoRoot, 'bench', 'results')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(join(resultsDir, `${out}.json`), `${JSON.stringify(results, null, 2)}\n`)
const report = renderRealtimeReport(results)
writeFileSync(join(resultsDir, `${out}.md`), report)
if (out === realtimeResultsName) {
  const readme = join(repoRoot, realtimeSection.file)
  writeFileSync(readme, replaceSection(readFileSync(readme, 'utf8'), realtimeSection, renderRealtimeSection(results)))
}
console.log(report)
// Client sockets and timers of the last contender may linger for a moment: the run is over.
process.exit(0)
