import { createCache } from '@rediware/cache'
import { memoryClient, type RedisClient } from '@rediware/redis'
import { describeBackends, waitFor } from '@rediware/test-utils'
import type { Request } from 'express'
import express from 'express'
import request from 'supertest'
import { listen } from './helpers.js'

/** Must match COUNTER_MARGIN in src/tag-versions.ts. */
const MARGIN = 60_000
const MINUTE = 60_000

let sequence = 0

async function keysUnder(client: RedisClient, prefix: string): Promise<string[]> {
  const keys = new Set<string>()
  for await (const batch of client.scan({ match: `${prefix}*`, count: 1000 })) for (const key of batch) keys.add(key)
  return [...keys].sort()
}

async function ttls(client: RedisClient, keys: readonly string[]): Promise<Record<string, number>> {
  const result: Record<string, number> = {}
  for (const key of keys) result[key] = await client.pttl(key)
  return result
}

/** Counter keys start with `<prefix>{` (see Keyspace); entries with `e:`, getOrSet values with `d:`. */
const isCounter = (prefix: string) => (key: string) => key.startsWith(`${prefix}{`)

describeBackends('key expiry', (backend) => {
  let prefix: string
  let client: RedisClient
  beforeEach(() => {
    prefix = `${backend.prefix}x${++sequence}:`
    client = backend.client()
  })

  it('every key the cache creates has a TTL after fills, hits, refills and invalidations', async () => {
    const cache = createCache({ redis: client, prefix })
    const app = express()
    app.get(
      '/products/:id',
      cache.route({
        ttl: '1 m',
        staleWhileRevalidate: '1 m',
        staleIfError: '2 m',
        tags: (req: Request) => [`product:${String(req.params.id)}`, 'products'],
      }),
      (req, res) => {
        res.json({ id: req.params.id })
      },
    )
    app.get('/locked/:id', cache.route({ ttl: '1 m', lock: 'distributed' }), (req, res) => {
      res.json({ id: req.params.id })
    })
    app.post('/products/:id', cache.route({ invalidateOnWrite: true }), (_req, res) => {
      res.status(204).end()
    })
    const url = await listen(app)
    const hitAfterStore = async (path: string) => {
      await request(url).get(path).expect(200)
      await waitFor(async () => (await request(url).get(path)).headers['x-cache'] === 'HIT', {
        description: `${path} stored`,
      })
    }

    for (const id of ['1', '2', '3']) await hitAfterStore(`/products/${id}`)
    await hitAfterStore('/products/1?q=a')
    await hitAfterStore('/locked/1')
    for (let index = 0; index < 5; index += 1) {
      await cache.getOrSet(`user:${index}`, () => ({ index }), { ttl: '2 m', tags: ['users', `user:${index}`] })
    }
    await cache.getOrSet('nobody', () => null, { ttl: '1 m', negativeTtl: '10 s' })
    // a loader whose value is not stored (null without negativeTtl): its seeded counter still expires
    await cache.getOrSet('unstored', () => null, { ttl: '1 m' })

    await cache.invalidate({ tags: ['product:1', 'users'], paths: ['/products/2'] })
    await request(url).post('/products/3').expect(204)
    await cache.delete('user:0')
    // refills after invalidation
    await hitAfterStore('/products/1')
    await cache.getOrSet('user:1', () => ({ index: 1 }), { ttl: '2 m', tags: ['users', 'user:1'] })

    const keys = await keysUnder(client, prefix)
    expect(keys.filter(isCounter(prefix)).length).toBeGreaterThanOrEqual(10)
    expect(keys.some((key) => key.startsWith(`${prefix}e:`))).toBe(true)
    expect(keys.some((key) => key.startsWith(`${prefix}d:`))).toBe(true)
    const withoutTtl = Object.entries(await ttls(client, keys)).filter(([, pttl]) => !(pttl > 0))
    expect(withoutTtl).toEqual([])
  })

  it('invalidating tags, paths or keys that have no counter creates no key', async () => {
    const cache = createCache({ redis: client, prefix })
    await cache.invalidate({ tags: ['never-used', 'nor-this'], paths: ['/nobody', '/nowhere?x=1'] })
    await cache.delete('never-set')
    expect(await keysUnder(client, prefix)).toEqual([])
  })

  it('invalidation keeps a counter and its TTL, and still makes entries miss', async () => {
    const cache = createCache({ redis: client, prefix })
    let loads = 0
    const load = () => ++loads
    await cache.getOrSet('k', load, { ttl: '5 m', jitter: 0, tags: ['shared'] })
    const before = await ttls(client, (await keysUnder(client, prefix)).filter(isCounter(prefix)))
    await cache.invalidate({ tags: ['shared'] })
    const after = await ttls(client, (await keysUnder(client, prefix)).filter(isCounter(prefix)))
    expect(Object.keys(after)).toEqual(Object.keys(before))
    for (const [key, pttl] of Object.entries(after)) {
      expect(pttl).toBeGreaterThan(0)
      expect(pttl).toBeLessThanOrEqual(before[key] ?? 0)
      expect(pttl).toBeGreaterThan(5 * MINUTE)
    }
    expect(await cache.getOrSet('k', load, { ttl: '5 m', tags: ['shared'] })).toBe(2)
    expect(await cache.getOrSet('k', load, { ttl: '5 m', tags: ['shared'] })).toBe(2)
  })

  it('counters outlive their entries; each fill extends a shared counter and none shortens it', async () => {
    const cache = createCache({ redis: client, prefix })
    const app = express()
    app.get(
      '/a',
      cache.route({ ttl: '1 m', staleWhileRevalidate: '3 m', staleIfError: '2 m', tags: ['wide'] }),
      (_req, res) => {
        res.send('a')
      },
    )
    const url = await listen(app)
    await request(url).get('/a').expect(200)
    await waitFor(async () => (await request(url).get('/a')).headers['x-cache'] === 'HIT', { description: '/a stored' })
    const keys = await keysUnder(client, prefix)
    const entry = keys.find((key) => key.startsWith(`${prefix}e:`))
    if (entry === undefined) throw new Error('no entry stored')
    const entryTtl = await client.pttl(entry)
    // entry PX = ttl + max(swr, sie) = 4 m
    expect(entryTtl).toBeGreaterThan(3 * MINUTE)
    const counters = keys.filter(isCounter(prefix))
    expect(counters).toHaveLength(2) // the path's and the tag's
    for (const counter of counters) expect(await client.pttl(counter)).toBeGreaterThanOrEqual(entryTtl + MARGIN - 5_000)

    // a longer-lived getOrSet value sharing the tag extends its counter
    // (the tag's counter is one of `counters`, the other is the path's)
    const longest = async (): Promise<number> =>
      Math.max(...(await Promise.all(counters.map((key) => client.pttl(key)))))
    expect(await longest()).toBeLessThan(30 * MINUTE)
    await cache.getOrSet('long', () => 'v', { ttl: '30 m', jitter: 0, tags: ['wide'] })
    expect(await longest()).toBeGreaterThanOrEqual(30 * MINUTE + MARGIN - 5_000)
    // a short-lived one never shortens it
    await cache.getOrSet('short', () => 'v', { ttl: '1 s', jitter: 0, tags: ['wide'] })
    expect(await longest()).toBeGreaterThanOrEqual(30 * MINUTE + MARGIN - 10_000)
    expect(await client.pttl(entry)).toBeGreaterThan(0)
  })

  it('gives a TTL to a counter left without one (written by an older version) on its next fill', async () => {
    const cache = createCache({ redis: client, prefix })
    await cache.getOrSet('legacy', () => 'v1', { ttl: '1 m', tags: ['old-tag'] })
    const keys = await keysUnder(client, prefix)
    const counters = keys.filter(isCounter(prefix))
    expect(counters).toHaveLength(2)
    for (const counter of counters) {
      const value = await client.get(counter)
      if (value === null) throw new Error(`counter ${counter} vanished`)
      await client.set(counter, value) // no PX: what a counter written before counters had TTLs looks like
      expect(await client.pttl(counter)).toBe(-1)
    }
    // the value is gone (evicted or expired); the counters are still valid
    await client.del(keys.filter((key) => key.startsWith(`${prefix}d:`)))
    expect(await cache.getOrSet('legacy', () => 'v2', { ttl: '1 m', tags: ['old-tag'] })).toBe('v2')
    for (const counter of counters) expect(await client.pttl(counter)).toBeGreaterThan(MINUTE)
  })
})

describe('key expiry on a controlled clock (memory backend)', () => {
  let now: number
  const clock = () => now
  beforeEach(() => {
    now = 1_700_000_000_000
  })

  it('getOrSet: the counters expire no earlier than the value, and not long after it', async () => {
    const client = memoryClient({ clock })
    const prefix = 'clock:g:'
    const cache = createCache({ redis: client, prefix, now: clock })
    await cache.getOrSet('k', () => 'v', { ttl: '10 s', jitter: 0, tags: ['t'] })
    const keys = await keysUnder(client, prefix)
    const value = keys.filter((key) => key.startsWith(`${prefix}d:`))
    const counters = keys.filter(isCounter(prefix))
    expect(value).toHaveLength(1)
    expect(counters).toHaveLength(2)

    now += 10_000 - 1
    expect(await keysUnder(client, prefix)).toEqual(keys)
    now += 1 // the value expires; its counters do not
    expect(await keysUnder(client, prefix)).toEqual(counters)
    now += MARGIN - 1
    expect(await keysUnder(client, prefix)).toEqual(counters)
    now += 1
    expect(await keysUnder(client, prefix)).toEqual([])
  })

  it('routes: counters outlive the entry including its stale windows; a refill extends them', async () => {
    const client = memoryClient({ clock })
    const prefix = 'clock:r:'
    const cache = createCache({ redis: client, prefix, now: clock })
    const app = express()
    app.get(
      '/p',
      cache.route({ ttl: '10 s', staleWhileRevalidate: '20 s', staleIfError: '30 s', tags: ['t'] }),
      (_req, res) => {
        res.send('p')
      },
    )
    const url = await listen(app)
    await request(url).get('/p').expect('X-Cache', 'MISS')
    await waitFor(async () => (await keysUnder(client, prefix)).some((key) => key.startsWith(`${prefix}e:`)), {
      description: 'entry stored',
    })
    const keys = await keysUnder(client, prefix)
    const counters = keys.filter(isCounter(prefix))
    expect(counters).toHaveLength(2)
    const lifetime = 10_000 + 30_000

    now += lifetime - 1
    expect(await keysUnder(client, prefix)).toEqual(keys)
    now += 1 // the entry expires; its counters do not
    expect(await keysUnder(client, prefix)).toEqual(counters)

    // a refill 30 s before the counters would expire extends them past the new entry's life
    now += MARGIN - 30_000
    await request(url).get('/p').expect('X-Cache', 'MISS')
    await waitFor(async () => (await keysUnder(client, prefix)).some((key) => key.startsWith(`${prefix}e:`)), {
      description: 'entry stored again',
    })
    for (const counter of counters) expect(await client.pttl(counter)).toBe(lifetime + MARGIN)
    now += lifetime
    expect(await keysUnder(client, prefix)).toEqual(counters)
    now += MARGIN
    expect(await keysUnder(client, prefix)).toEqual([])
  })

  it('an invalidation does not keep a counter alive past its TTL', async () => {
    const client = memoryClient({ clock })
    const prefix = 'clock:i:'
    const cache = createCache({ redis: client, prefix, now: clock })
    await cache.getOrSet('k', () => 'v', { ttl: '10 s', jitter: 0, tags: ['t'] })
    now += 5_000
    await cache.invalidate({ tags: ['t'] })
    await cache.delete('k')
    now += 5_000 + MARGIN - 1
    expect((await keysUnder(client, prefix)).length).toBe(2)
    now += 1
    expect(await keysUnder(client, prefix)).toEqual([])
  })
})
