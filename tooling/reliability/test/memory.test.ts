import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createCache } from '@rediware/cache'
import { rateLimit } from '@rediware/rate-limit'
import { memoryClient } from '@rediware/redis'
import type { Request, Response } from 'express'

/** Distinct client keys (env RELIABILITY_KEYS): 20 000 in CI; 1 000 000 for the by-hand long run. */
const KEYS = Number(process.env.RELIABILITY_KEYS ?? 20_000)

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapMb = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed / 1_048_576
}
const rssMb = (): number => process.memoryUsage().rss / 1_048_576
/** A jest timeout that grows with KEYS (the 1M-key run by hand takes minutes). */
const timeoutMs = Math.max(300_000, KEYS)

/** The smallest request/response pair the middleware touches (the middleware itself is real). */
function call(
  middleware: ReturnType<typeof rateLimit>,
  key: string,
): Promise<{ status: number; source: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = { app: { get: () => false }, headers: {}, ip: '127.0.0.1', socket: {}, key } as unknown as Request & {
      rateLimit?: { source: string }
    }
    let status = 200
    const res = {
      statusCode: 200,
      setHeader: () => res,
      getHeader: () => undefined,
      hasHeader: () => false,
      status: (code: number) => {
        status = code
        return res
      },
      type: () => res,
      send: () => resolve({ status, source: req.rateLimit?.source }),
      json: () => resolve({ status, source: req.rateLimit?.source }),
      end: () => resolve({ status, source: req.rateLimit?.source }),
      once: () => res,
    } as unknown as Response
    middleware(req, res, (error?: unknown) =>
      error ? reject(error) : resolve({ status, source: req.rateLimit?.source }),
    )
  })
}

// In-process bounds do not depend on the backend, so this runs on the memory backend only (fast).
describe(`memory bounds with ${KEYS} distinct client keys`, () => {
  test(
    'rate-limit block cache holds at most blockCache.max keys (observed through req.rateLimit.source)',
    async () => {
      const max = 1_000
      const limiter = rateLimit({
        redis: memoryClient(),
        limit: 1,
        window: '10 m',
        blockCache: { max },
        key: (req) => (req as unknown as { key: string }).key,
        warn: () => undefined,
      })
      const before = heapMb()
      const rssBefore = rssMb()
      const started = Date.now()
      for (let index = 0; index < KEYS; index += 1) {
        const key = `k${index}`
        expect((await call(limiter, key)).status).toBe(200)
        // a cost-1 rejection from the store blocks the key locally
        expect(await call(limiter, key)).toEqual({ status: 429, source: 'redis' })
      }
      const after = heapMb()
      const rssAfter = rssMb()
      // newest `max` keys answer from the block cache (probing newest first never evicts)
      for (let index = KEYS - 1; index >= KEYS - max; index -= 1) {
        expect((await call(limiter, `k${index}`)).source).toBe('block-cache')
      }
      // the next older one was evicted: only a cache of more than `max` entries would still hold it
      expect((await call(limiter, `k${KEYS - max - 1}`)).source).toBe('redis')
      expect((await call(limiter, 'k0')).source).toBe('redis')
      console.log(
        `[reliability] memory: rate limit, ${KEYS} keys × 2 requests in ${Date.now() - started} ms; heap ${before.toFixed(1)} → ${after.toFixed(1)} MB, ` +
          `RSS ${rssBefore.toFixed(1)} → ${rssAfter.toFixed(1)} MB (includes the memory backend's own ${KEYS * 1} counter keys); block cache bound ${max} held`,
      )
    },
    timeoutMs,
  )

  test(
    'cache getOrSet over distinct keys: every key expires, and heap growth is explained by backend keys only',
    async () => {
      let now = Date.now()
      const client = memoryClient({ clock: () => now })
      const cache = createCache({ redis: client, prefix: 'mem:', onError: () => undefined, now: () => now })
      const before = heapMb()
      const rssBefore = rssMb()
      const started = Date.now()
      const batch = 1_000
      for (let index = 0; index < KEYS; index += batch) {
        await Promise.all(
          Array.from({ length: Math.min(batch, KEYS - index) }, (_, offset) =>
            cache.getOrSet(`k${index + offset}`, () => index + offset, { ttl: 1 }),
          ),
        )
      }
      // past every entry's life and its tag counters' margin (60 s): nothing the cache wrote may remain
      now += 120_000
      // SCAN visits every key, so the memory backend drops the expired ones before the heap is measured
      let left = 0
      for await (const page of client.scan({ match: 'mem:*', count: 1000 })) left += page.length
      const after = heapMb()
      console.log(
        `[reliability] memory: cache getOrSet, ${KEYS} distinct keys in ${Date.now() - started} ms; heap ${before.toFixed(1)} → ${after.toFixed(1)} MB after expiry, ` +
          `RSS ${rssBefore.toFixed(1)} → ${rssMb().toFixed(1)} MB; ` +
          `${left} keys still in the backend after every TTL passed`,
      )
      expect(left).toBe(0)
      // The coalescing maps are not observable (CacheCore.inflight/loading are not exposed): what is
      // left on the heap must be explained by the backend's keys (~300 B each), not by the maps.
      expect(after - before).toBeLessThan(8 + (left * 400) / 1_048_576)
    },
    timeoutMs,
  )
})
