// `pnpm --filter @rediware/bench queue [--rounds 3] [--scale 1] [--idle-window 60] [--skip-idle]`
// Queues side by side on one Redis per run: @rediware/queue, BullMQ 6 and bee-queue 2, and ours over
// Upstash REST (upstash-local in front of the same Redis). Each figure is the median over rounds with
// the contenders' order rotated; idle workers are measured at the same time, each on its own Redis.
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startUpstashLocal } from '@rediware/upstash-local'
import { beeQueue, bullmq, type Contender, rediwareIoredis, rediwareUpstash } from './contenders.js'
import {
  addRate,
  commandsPerJob,
  type Extra,
  idleCommandsPerMinute,
  latency,
  processRate,
  type Rate,
  requestsPerJob,
} from './measure.js'
import { pinned, startBenchRedis } from './redis.js'
import { type QueueResults, renderQueueReport, renderQueueTable } from './report.js'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    scale: { type: 'string', default: '1' },
    'idle-warmup': { type: 'string', default: '45' },
    'idle-window': { type: 'string', default: '60' },
    'skip-idle': { type: 'boolean', default: false },
  },
})
const rounds = Number(values.rounds)
const scale = Number(values.scale)
const n = (count: number) => Math.max(50, Math.round(count * scale))
const tcp: Contender[] = [rediwareIoredis, bullmq, beeQueue]
const log = (line: string) => process.stderr.write(`${line}\n`)

type Row = Record<string, { values: number[] }>
const results: Record<string, Row> = {}
const record = (contender: string, metric: string, value: number) => {
  results[contender] ??= {}
  const row = results[contender]
  row[metric] ??= { values: [] }
  row[metric].values.push(value)
}

const redis = await startBenchRedis(1)
const token = 'bench-token-0123456789'
const upstash = await startUpstashLocal({ redisUrl: redis.url, token, port: 0 })
const extra: Extra = { upstashUrl: upstash.url, upstashToken: token }
log(
  `[queue bench] redis ${redis.url}${pinned ? ' (pinned to core 1; run this process on core 0)' : ' (taskset not found: not pinned)'}; ${rounds} rounds, scale ${scale}`,
)

try {
  for (let round = 0; round < rounds; round += 1) {
    const order = tcp.map((_, index) => tcp[(index + round) % tcp.length] as Contender)
    for (const contender of order) {
      const name = contender.name
      const rates: [string, Rate][] = [
        ['add', await addRate({ contender, redis, extra }, n(3000), 1)],
        ['add bulk', await addRate({ contender, redis, extra }, n(20000), 1000)],
        ['process c=1', await processRate({ contender, redis, extra }, n(5000), 1)],
        ['process c=16', await processRate({ contender, redis, extra }, n(20000), 16)],
      ]
      for (const [metric, rate] of rates) {
        record(name, `${metric} jobs/s`, rate.jobsPerSec)
        record(name, `${metric} cpu µs/job`, rate.appCpuMicros + rate.redisCpuMicros)
      }
      const lat = await latency({ contender, redis, extra }, 200, 5)
      record(name, 'latency p50 ms', lat.p50)
      record(name, 'latency p99 ms', lat.p99)
      log(
        `[round ${round + 1}] ${name}: ${rates.map(([metric, rate]) => `${metric} ${Math.round(rate.jobsPerSec)}/s`).join(', ')}, p50 ${lat.p50.toFixed(2)} ms, p99 ${lat.p99.toFixed(2)} ms`,
      )
    }
  }
  for (const contender of tcp) {
    record(contender.name, 'commands/job c=1', await commandsPerJob({ contender, redis, extra }, n(1000), 1))
    record(contender.name, 'commands/job c=16', await commandsPerJob({ contender, redis, extra }, n(1000), 16))
  }
  record(
    rediwareUpstash.name,
    'HTTP requests/job c=1',
    await requestsPerJob({ contender: rediwareUpstash, redis, extra }, n(300), 1),
  )
  record(
    rediwareUpstash.name,
    'HTTP requests/job c=16',
    await requestsPerJob({ contender: rediwareUpstash, redis, extra }, n(300), 16),
  )
  record(
    rediwareUpstash.name,
    'process c=16 jobs/s',
    (await processRate({ contender: rediwareUpstash, redis, extra }, n(2000), 16)).jobsPerSec,
  )
  if (!values['skip-idle']) {
    log(
      `[queue bench] idle workers: ${values['idle-warmup']} s warm-up, ${values['idle-window']} s window, each contender on its own Redis at the same time`,
    )
    const idle = await Promise.all(
      tcp.map(async (contender, index) => {
        const own = await startBenchRedis(index % 2)
        try {
          return [
            contender.name,
            await idleCommandsPerMinute(
              { contender, redis: own, extra },
              Number(values['idle-warmup']) * 1000,
              Number(values['idle-window']) * 1000,
            ),
          ] as const
        } finally {
          await own.stop()
        }
      }),
    )
    for (const [name, perMinute] of idle) record(name, 'idle commands/min', perMinute)
  }
} finally {
  await upstash.close()
  await redis.stop()
}

const run: QueueResults = { date: new Date().toISOString(), pinned, rounds, scale, results }
console.log(renderQueueTable(run))
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'results')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(join(resultsDir, 'queue.json'), `${JSON.stringify(run, null, 2)}\n`)
writeFileSync(join(resultsDir, 'queue.md'), renderQueueReport(run))
