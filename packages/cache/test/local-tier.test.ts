import { type CacheEvent, createCache } from '@rediware/cache'
import { createRealtime, type Realtime } from '@rediware/realtime'
import { memoryClient } from '@rediware/redis'
import { describeBackends, expressVersions, waitFor } from '@rediware/test-utils'
import type { Request } from 'express'
import request from 'supertest'
import type { Entry } from '../src/envelope.js'
import { LocalTier } from '../src/local-tier.js'
import { listen } from './helpers.js'

let sequence = 0

/**
 * Two app instances ("processes") over one backend, each with its own realtime hub and its own local
 * tier: what one invalidates, the other stops serving from its local tier.
 */
describeBackends('local tier (in-process entries kept coherent over realtime)', (backend) => {
  for (const version of expressVersions) {
    describe(version.name, () => {
      const hubs: Realtime[] = []
      let prefix: string
      let stock: number
      let calls: number

      beforeEach(() => {
        prefix = `${backend.prefix}lt${++sequence}:`
        stock = 10
        calls = 0
      })

      afterEach(async () => {
        await Promise.all(hubs.splice(0).map((hub) => hub.close()))
      })

      async function instance(
        maxEntries = 100,
      ): Promise<{ url: string; events: CacheEvent[]; invalidate(tags: string[]): Promise<void> }> {
        const realtime = createRealtime({ redis: backend.client(), prefix: `${prefix}rt:` })
        hubs.push(realtime)
        const events: CacheEvent[] = []
        const cache = createCache({
          redis: backend.client(),
          prefix,
          local: { maxEntries, realtime },
          onEvent: (event) => events.push(event),
        })
        const app = version.create()
        app.get(
          '/products/:id',
          cache.route({ ttl: '1 m', tags: (req: Request) => [`product:${String(req.params.id)}`] }),
          (req, res) => {
            calls += 1
            res.json({ id: req.params.id, stock })
          },
        )
        app.put('/products/:id', cache.route({ invalidateOnWrite: true }), (_req, res) => {
          stock -= 1
          res.status(204).end()
        })
        return { url: await listen(app), events, invalidate: (tags) => cache.invalidate({ tags }) }
      }

      /** GETs until the local tier is subscribed and holds the entry (the first hits may come from Redis). */
      async function untilLocal(url: string, path: string): Promise<void> {
        await waitFor(
          async () => ((await request(url).get(path)).headers['cache-status'] ?? '').includes('detail=local'),
          {
            description: `a local hit on ${path}`,
          },
        )
      }

      it('answers a hot route from the process, marked detail=local', async () => {
        const one = await instance()
        await untilLocal(one.url, '/products/1')
        const res = await request(one.url).get('/products/1').expect(200)
        expect(res.headers['x-cache']).toBe('HIT')
        expect(res.headers['cache-status']).toMatch(/^rediware; hit; ttl=\d+; detail=local$/)
        expect(res.body).toEqual({ id: '1', stock: 10 })
        expect(calls).toBe(1)
        expect(
          one.events.filter((event) => event.type === 'hit' && event.detail === 'local').length,
        ).toBeGreaterThanOrEqual(2)
      })

      it('a write through another instance is seen by this one (its local entry dropped by the announcement)', async () => {
        const reader = await instance()
        const writer = await instance()
        await untilLocal(reader.url, '/products/4')
        await request(writer.url).put('/products/4').expect(204)
        // the writer's own next read is fresh at once; the reader's once the announcement arrives
        expect((await request(writer.url).get('/products/4')).body).toEqual({ id: '4', stock: 9 })
        await waitFor(async () => (await request(reader.url).get('/products/4')).body.stock === 9, {
          description: 'the reader sees the write',
          timeout: 2000,
        })
        await untilLocal(reader.url, '/products/4')
        expect((await request(reader.url).get('/products/4')).body).toEqual({ id: '4', stock: 9 })
      })

      it('invalidate({ tags }) on one instance drops the tagged entries of every instance, and only those', async () => {
        const reader = await instance()
        const writer = await instance()
        await untilLocal(reader.url, '/products/7')
        await untilLocal(reader.url, '/products/8')
        stock = 3
        await writer.invalidate(['product:7'])
        await waitFor(async () => (await request(reader.url).get('/products/7')).body.stock === 3, {
          description: 'product 7 fresh on the reader',
          timeout: 2000,
        })
        const other = await request(reader.url).get('/products/8')
        expect(other.body.stock).toBe(10)
        expect(other.headers['cache-status']).toContain('detail=local')
      })

      it('keeps at most maxEntries, the least recently used out first', async () => {
        const one = await instance(2)
        await untilLocal(one.url, '/products/1')
        await untilLocal(one.url, '/products/2')
        await request(one.url).get('/products/1')
        await untilLocal(one.url, '/products/3')
        expect((await request(one.url).get('/products/1')).headers['cache-status']).toContain('detail=local')
        const evicted = await request(one.url).get('/products/2')
        expect(evicted.headers['x-cache']).toBe('HIT')
        expect(evicted.headers['cache-status']).not.toContain('detail=local')
      })
    })
  }
})

describe('LocalTier races (over a real realtime hub on the memory backend)', () => {
  let realtime: Realtime
  let clock: number
  const failures: unknown[] = []
  const entry = (freshFor: number): Entry => ({ freshUntil: clock + freshFor }) as Entry

  beforeEach(() => {
    realtime = createRealtime({ redis: memoryClient(), prefix: 'unit:' })
    clock = 1_000_000
  })

  afterEach(() => realtime.close())

  async function tier(maxAge = 10_000): Promise<LocalTier> {
    const local = new LocalTier({
      maxEntries: 10,
      maxAge,
      bus: realtime,
      channel: 'inv',
      now: () => clock,
      failed: (error) => failures.push(error),
    })
    await waitFor(
      () => {
        local.store('probe', entry(60_000), {}, [], local.epoch)
        return local.get('probe') !== undefined
      },
      { description: 'the tier subscribed' },
    )
    return local
  }

  it('serves and stores nothing before its subscription is ready (it could have missed announcements)', () => {
    const local = new LocalTier({
      maxEntries: 10,
      maxAge: 10_000,
      bus: realtime,
      channel: 'inv',
      now: () => clock,
      failed: () => undefined,
    })
    local.store('k', entry(60_000), {}, ['t'], local.epoch)
    expect(local.get('k')).toBeUndefined()
    expect(local.size).toBe(0)
  })

  it('a lookup that started before an announcement does not store what it read', async () => {
    const local = await tier()
    const startedIn = local.epoch
    await realtime.publish('inv', { type: 'invalidate', data: { tags: ['unrelated'] } })
    await waitFor(() => local.epoch !== startedIn, { description: 'the announcement' })
    local.store('k', entry(60_000), {}, ['t'], startedIn)
    expect(local.get('k')).toBeUndefined()
    local.store('k', entry(60_000), {}, ['t'], local.epoch)
    expect(local.get('k')).toBeDefined()
  })

  it('trusts an entry for maxAge at most, and never past its freshness', async () => {
    const local = await tier(5_000)
    local.store('long', entry(60_000), {}, ['t'], local.epoch)
    local.store('short', entry(1_000), {}, ['t'], local.epoch)
    clock += 1_000
    expect(local.get('short')).toBeUndefined()
    expect(local.get('long')).toBeDefined()
    clock += 4_000
    expect(local.get('long')).toBeUndefined()
  })

  it('drops everything on an announcement it cannot read (as on a reset: announcements were lost)', async () => {
    const local = await tier()
    for (const message of [
      { type: 'flush', data: null },
      { type: 'invalidate', data: { tags: 'x' } },
    ]) {
      local.store('k', entry(60_000), {}, ['t'], local.epoch)
      const before = local.epoch
      await realtime.publish('inv', message)
      await waitFor(() => local.epoch !== before, { description: message.type })
      expect(local.get('k')).toBeUndefined()
    }
    expect(failures).toEqual([])
  })
})

describe('local tier options', () => {
  /** Has the two methods; never called, since each of these options fails first. */
  const fakeBus = { publish: (): void => undefined, subscribe: (): void => undefined }

  it.each([
    [{ maxEntries: 10 }, TypeError, /local.realtime must be a Realtime from @rediware\/realtime/],
    [{ realtime: fakeBus }, TypeError, /local.maxEntries is required/],
    [
      { maxEntries: 0, realtime: fakeBus },
      RangeError,
      /local.maxEntries must be a whole number from 1 to 1000000; got 0/,
    ],
    [{ maxEntries: 5, maxAge: 'soon', realtime: fakeBus }, TypeError, /local.maxAge/],
    [{ maxEntries: 5, size: 3, realtime: {} }, TypeError, /local: unknown option "size"/],
    ['yes', TypeError, /local: options must be an object/],
  ])('%j', (local, type, message) => {
    expect(() => createCache({ redis: memoryClient(), local: local as never })).toThrow(type)
    expect(() => createCache({ redis: memoryClient(), local: local as never })).toThrow(message)
  })
})
