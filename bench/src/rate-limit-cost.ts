import { type Algorithm, createLimiter } from '@rediware/rate-limit'
import { startRedisServer } from '@rediware/test-utils'
import { Redis } from 'ioredis'
import { ownCpuMicrosPerCall, redisCpuMicros } from './cpu-usage.js'

/**
 * What the default algorithm (`auto`: sliding log up to 1,000 per window, GCRA above) costs against
 * the previous default (`sliding-window`, a weighted two-bucket counter), without HTTP: app CPU and
 * Redis CPU per `limit()` call and Redis memory per key, for one hot key over its limit (every call
 * refused, read against a full log; the block cache is off so each call reaches Redis) and for 5,000
 * keys taking turns (mostly admitted).
 * Contenders take turns, round after round, so the machine's noise spreads over all of them.
 */
const calls = Number(process.env.RL_COST_CALLS ?? 20_000)
const rounds = Number(process.env.RL_COST_ROUNDS ?? 3)
const concurrency = 32
const window = 10_000

interface Contender {
  label: string
  algorithm: Algorithm
  limit: number
}

const contenders: Contender[] = [
  { label: 'sliding-window, limit 100 (previous default)', algorithm: 'sliding-window', limit: 100 },
  { label: 'auto, limit 100 (sliding log)', algorithm: 'auto', limit: 100 },
  { label: 'sliding-window, limit 1000 (previous default)', algorithm: 'sliding-window', limit: 1_000 },
  { label: 'auto, limit 1000 (sliding log)', algorithm: 'auto', limit: 1_000 },
  { label: 'auto, limit 5000 (GCRA)', algorithm: 'auto', limit: 5_000 },
]

type Shape = 'hot key' | 'many keys'

const median = (samples: readonly number[]): number =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0

async function main(): Promise<void> {
  const server = await startRedisServer()
  const admin = new Redis(server.url)
  try {
    for (const shape of ['hot key', 'many keys'] as Shape[]) {
      const entries = contenders.map((contender, index) => {
        const redis = new Redis(server.url)
        const limiter = createLimiter({
          redis,
          limit: contender.limit,
          window,
          algorithm: contender.algorithm,
          prefix: `cost${index}:`,
          blockCache: false,
        })
        let next = 0
        const key = () => (shape === 'hot key' ? 'hot' : `k${next++ % 5_000}`)
        return { contender, redis, run: () => limiter.limit(key()), app: [] as number[], store: [] as number[] }
      })
      for (const entry of entries) await ownCpuMicrosPerCall(calls / 4, concurrency, entry.run)
      for (let round = 0; round < rounds; round++) {
        for (const entry of entries) {
          const before = await redisCpuMicros(server.url)
          entry.app.push(await ownCpuMicrosPerCall(calls, concurrency, entry.run))
          entry.store.push(((await redisCpuMicros(server.url)) - before) / calls)
        }
      }
      console.log(
        `\n${shape}: µs per limit() call, median of ${rounds} rounds of ${calls} (${concurrency} at a time), window ${window} ms`,
      )
      console.log(
        `  ${'contender'.padEnd(48)} ${'app CPU'.padStart(8)} ${'Redis CPU'.padStart(10)} ${'bytes/key'.padStart(10)}`,
      )
      for (const [index, entry] of entries.entries()) {
        const keys = await admin.keys(`cost${index}:*`)
        let bytes = 0
        for (const key of keys) bytes += Number((await admin.memory('USAGE', key)) ?? 0)
        const perKey = keys.length === 0 ? 0 : bytes / (shape === 'hot key' ? 1 : keys.length)
        console.log(
          `  ${entry.contender.label.padEnd(48)} ${median(entry.app).toFixed(1).padStart(8)} ${median(entry.store).toFixed(1).padStart(10)} ${perKey.toFixed(0).padStart(10)}`,
        )
        await admin.del(...(keys.length > 0 ? keys : ['none']))
        entry.redis.disconnect()
      }
    }
  } finally {
    admin.disconnect()
    await server.stop()
  }
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
