import { RedisStore } from '@rediware/session'
import { startRedisServer } from '@rediware/test-utils'
import { RedisStore as RedisStore9 } from 'connect-redis'
import { RedisStore as RedisStore8 } from 'connect-redis-8'
import type { SessionData, Store } from 'express-session'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { ownCpuMicrosPerCall } from './cpu-usage.js'

/**
 * The app CPU a session store and its Redis client cost per request, without HTTP or
 * express-session's own work: `concurrency` simulated requests at a time, each `get` →
 * `createSession` → `touch` (read-only) or `set` after a change (read-modify), as express-session
 * calls them. Stores take turns, round after round, so the machine's noise spreads over all of them.
 */
type Route = 'read-only' | 'read-modify'
const requests = Number(process.env.STORE_COST_REQUESTS ?? 20_000)
const rounds = Number(process.env.STORE_COST_ROUNDS ?? 5)
const concurrency = 32
const dayMs = 86_400_000

interface Contender {
  label: string
  make(url: string, prefix: string): Promise<Store>
}

const allContenders: Contender[] = [
  {
    label: 'connect-redis 8.1 (ioredis)',
    make: async (url, prefix) => new RedisStore8({ client: new Redis(url), prefix }),
  },
  {
    label: 'connect-redis 9.0 (node-redis 5)',
    make: async (url, prefix) => {
      const client = createClient({ url })
      // Its connection drops when the benchmark stops its redis-server: no crash then.
      client.on('error', () => undefined)
      await client.connect()
      return new RedisStore9({ client, prefix })
    },
  },
  {
    label: '@rediware/session RedisStore (ioredis)',
    make: async (url, prefix) => new RedisStore({ redis: new Redis(url), prefix }),
  },
  {
    label: '@rediware/session RedisStore (node-redis 5)',
    make: async (url, prefix) => {
      const client = createClient({ url })
      client.on('error', () => undefined)
      await client.connect()
      return new RedisStore({ redis: client, prefix })
    },
  },
]

const call = <T>(run: (done: (error: unknown, value?: T) => void) => void): Promise<T | undefined> =>
  new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))))

async function oneRequest(store: Store, sid: string, route: Route): Promise<void> {
  const data = await call<SessionData | null>((done) => store.get(sid, done))
  if (!data) throw new Error('session missing')
  const req = { sessionID: sid } as Parameters<Store['createSession']>[0]
  const session = store.createSession(req, data) as unknown as SessionData & { count?: number }
  if (route === 'read-modify') {
    session.count = (session.count ?? 0) + 1
    await call<void>((done) => store.set(sid, session, done))
  } else {
    const touch = store.touch?.bind(store)
    if (!touch) throw new Error('the store has no touch()')
    await call<void>((done) => touch(sid, session, (error?: unknown) => done(error)))
  }
}

const cpuPerRequest = (store: Store, sid: string, route: Route): Promise<number> =>
  ownCpuMicrosPerCall(requests, concurrency, () => oneRequest(store, sid, route))

/** STORE_COST_ONLY=<text> keeps the contenders whose label contains it (e.g. for a CPU profile of one). */
const only = process.env.STORE_COST_ONLY
const contenders = allContenders.filter((contender) => only === undefined || contender.label.includes(only))
const routes = (['read-only', 'read-modify'] as const).filter(
  (route) => process.env.STORE_COST_ROUTE === undefined || route === process.env.STORE_COST_ROUTE,
)

async function main(): Promise<void> {
  const redis = await startRedisServer()
  try {
    for (const route of routes) {
      const stores = await Promise.all(
        contenders.map(async (contender, index) => {
          const store = await contender.make(redis.url, `cost:${route}:${index}:`)
          const sid = `cost-${index}`
          const cookie = { originalMaxAge: dayMs, expires: new Date(Date.now() + dayMs), httpOnly: true, path: '/' }
          await call<void>((done) => store.set(sid, { cookie } as SessionData, done))
          await cpuPerRequest(store, sid, route) // warm-up
          return { contender, store, sid, samples: [] as number[] }
        }),
      )
      for (let round = 0; round < rounds; round += 1) {
        for (const entry of stores) entry.samples.push(await cpuPerRequest(entry.store, entry.sid, route))
      }
      console.log(
        `\n${route}: app CPU µs per request (median of ${rounds} rounds of ${requests}, ${concurrency} at a time)`,
      )
      for (const { contender, samples } of stores) {
        const sorted = [...samples].sort((a, b) => a - b)
        const median = sorted[Math.floor(sorted.length / 2)] ?? 0
        console.log(
          `  ${contender.label.padEnd(42)} ${median.toFixed(1).padStart(6)}   rounds: ${samples.map((s) => s.toFixed(1)).join(', ')}`,
        )
      }
    }
  } finally {
    await redis.stop()
  }
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
