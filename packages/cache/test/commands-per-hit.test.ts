import { createCache } from '@rediware/cache'
import { type Command, fromUpstash, type RedisClient } from '@rediware/redis'
import { describeBackends, waitFor } from '@rediware/test-utils'
import type { Request } from 'express'
import express from 'express'
import type { Redis as IoRedis } from 'ioredis'
import request from 'supertest'
import { listen } from './helpers.js'

let sequence = 0

/** The Host header is part of the key: every app instance of a test answers for the same host. */
const host = 'shop.test'

interface Counter {
  /** Redis commands sent (a batch counts each of its commands). */
  commands: number
  /** Client calls, i.e. round trips (on Upstash: HTTP requests). */
  calls: number
  names: string[]
}

const passive = new Set(['onStateChange', 'close'])

/** The same client, counting what the cache sends through it. */
function counting(client: RedisClient): { client: RedisClient; counter: Counter; reset(): void } {
  const counter: Counter = { commands: 0, calls: 0, names: [] }
  const proxy = new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function' || typeof property !== 'string' || passive.has(property)) {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      }
      return (...args: unknown[]) => {
        counter.calls += 1
        if (property === 'batch') {
          const list = args[0] as readonly Command<unknown>[]
          counter.commands += list.length
          counter.names.push(...list.map((command) => command.name))
        } else {
          counter.commands += 1
          counter.names.push(property)
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return {
    client: proxy,
    counter,
    reset: () => {
      counter.commands = 0
      counter.calls = 0
      counter.names = []
    },
  }
}

describeBackends('Redis commands per hit', (backend) => {
  const sharded = backend.name === 'cluster' || backend.name === 'node-redis-cluster'
  let prefix: string
  let url: string
  let calls: number
  let meter: ReturnType<typeof counting>

  beforeEach(async () => {
    prefix = `${backend.prefix}n${++sequence}:`
    calls = 0
    meter = counting(backend.client())
    // the app under test reads through the counting client; fills come from another instance, so
    // no in-process state (coalescing) can answer a hit without Redis
    const filler = createCache({ redis: backend.client(), prefix })
    const counted = createCache({ redis: meter.client, prefix })
    const build = (cache: typeof filler): express.Express => {
      const app = express()
      app.get('/plain/:id', cache.route({ ttl: '1 m' }), (req, res) => {
        calls += 1
        res.set('Last-Modified', new Date(0).toUTCString()).send(`plain ${String(req.params.id)} ${calls}`)
      })
      app.get(
        '/tagged/:id',
        cache.route({ ttl: '1 m', tags: (req: Request) => [`product:${String(req.params.id)}`, 'products'] }),
        (req, res) => {
          calls += 1
          res.send(`tagged ${String(req.params.id)} ${calls}`)
        },
      )
      return app
    }
    const fill = await listen(build(filler))
    url = await listen(build(counted))
    for (const path of ['/plain/1', '/tagged/1']) {
      await request(fill).get(path).set('Host', host).expect(200)
      // the SET is sent after the response: wait until another instance sees the entry
      await waitFor(async () => (await request(fill).get(path).set('Host', host)).headers['x-cache'] === 'HIT', {
        description: `${path} stored`,
      })
    }
    meter.reset()
    calls = 0
  })

  it('answers a hit on a route without custom tags with ONE command (an MGET) in one round trip', async () => {
    for (let i = 0; i < 5; i += 1) {
      await request(url).get('/plain/1').set('Host', host).expect(200).expect('X-Cache', 'HIT')
    }
    await request(url).head('/plain/1').set('Host', host).expect(200).expect('X-Cache', 'HIT')
    await request(url).get('/plain/1').set('Host', host).set('If-Modified-Since', new Date().toUTCString()).expect(304)
    expect(meter.counter).toEqual({ commands: 7, calls: 7, names: Array(7).fill('mget') })
    expect(calls).toBe(0)
  })

  it(`answers a hit on a route with custom tags with ${sharded ? 'one MGET per slot (2) in ONE round trip' : 'ONE command'}`, async () => {
    for (let i = 0; i < 5; i += 1) {
      await request(url).get('/tagged/1').set('Host', host).expect(200).expect('X-Cache', 'HIT')
    }
    expect(meter.counter.calls).toBe(5)
    expect(meter.counter.commands).toBe(sharded ? 10 : 5)
    expect(new Set(meter.counter.names)).toEqual(new Set(sharded ? ['MGET'] : ['mget']))
    expect(calls).toBe(0)
  })

  it('still sees an invalidation from another instance on the very next hit (no local version cache)', async () => {
    const other = createCache({ redis: backend.client(), prefix })
    await request(url).get('/tagged/1').set('Host', host).expect('X-Cache', 'HIT')
    await other.invalidate({ tags: ['products'] })
    await request(url).get('/tagged/1').set('Host', host).expect('X-Cache', 'MISS')
    await request(url).get('/plain/1').set('Host', host).expect('X-Cache', 'HIT')
    await other.invalidate({ paths: ['/plain/1'] })
    await request(url).get('/plain/1').set('Host', host).expect('X-Cache', 'MISS')
    expect(calls).toBe(2)
  })

  it('answers a getOrSet hit with ONE command without tags, and one round trip with tags', async () => {
    const cache = createCache({ redis: meter.client, prefix })
    let loads = 0
    const load = () => {
      loads += 1
      return { loads }
    }
    await cache.getOrSet('user:1', load, { ttl: '1 m' })
    await cache.getOrSet('user:2', load, { ttl: '1 m', tags: ['users'] })
    meter.reset()
    expect(await cache.getOrSet('user:1', load, { ttl: '1 m' })).toEqual({ loads: 1 })
    expect(meter.counter).toEqual({ commands: 1, calls: 1, names: ['mget'] })
    meter.reset()
    expect(await cache.getOrSet('user:2', load, { ttl: '1 m', tags: ['users'] })).toEqual({ loads: 2 })
    expect(meter.counter.calls).toBe(1)
    expect(meter.counter.commands).toBe(sharded ? 2 : 1)
    expect(loads).toBe(2)
  })
})

describeBackends(
  'Redis commands per hit, on the wire (MONITOR)',
  (backend) => {
    it('sends exactly one MGET per hit, whatever the number of tags', async () => {
      const prefix = `${backend.prefix}m${++sequence}:`
      const cache = createCache({ redis: backend.client(), prefix })
      const app = express()
      app.get('/m', cache.route({ tags: ['a', 'b', 'c'] }), (_req, res) => {
        res.send('monitored')
      })
      const url = await listen(app)
      await request(url).get('/m').set('Host', host).expect('X-Cache', 'MISS')
      await waitFor(async () => (await request(url).get('/m').set('Host', host)).headers['x-cache'] === 'HIT', {
        description: 'the entry stored',
      })
      // let this process's fill settle, so hits go to Redis rather than to the in-process fill
      const reader = createCache({ redis: backend.client(), prefix })
      const readerApp = express()
      readerApp.get('/m', reader.route({ tags: ['a', 'b', 'c'] }), (_req, res) => {
        res.send('not expected')
      })
      const readerUrl = await listen(readerApp)
      const raw = backend.newRaw() as IoRedis
      const seen: string[][] = []
      const monitor = await raw.monitor()
      try {
        monitor.on('monitor', (_time: string, args: string[]) => {
          if (args.some((arg) => arg.startsWith(prefix))) seen.push(args)
        })
        // MONITOR is live once it sees a command of ours
        await waitFor(
          async () => {
            await backend.client().get(`${prefix}ping`)
            return seen.length > 0
          },
          { description: 'MONITOR to start' },
        )
        seen.length = 0
        for (let i = 0; i < 3; i += 1)
          await request(readerUrl).get('/m').set('Host', host).expect(200, 'monitored').expect('X-Cache', 'HIT')
        await backend.client().get(`${prefix}end`)
        await waitFor(() => seen.some((args) => args[1] === `${prefix}end`), { description: 'MONITOR to catch up' })
        const hits = seen.filter((args) => args[1] !== `${prefix}end`)
        expect(hits.map((args) => args[0]?.toLowerCase())).toEqual(['mget', 'mget', 'mget'])
        // entry + path counter + three tag counters
        for (const args of hits) expect(args).toHaveLength(6)
      } finally {
        monitor.disconnect()
        raw.disconnect()
      }
    })
  },
  { only: ['ioredis'] },
)

describeBackends(
  'Redis commands per hit, Upstash HTTP requests',
  (backend) => {
    it('makes one HTTP request per hit', async () => {
      const prefix = `${backend.prefix}u${++sequence}:`
      const fill = createCache({ redis: backend.client(), prefix })
      await fill.getOrSet('k', () => 'v', { ttl: '1 m', tags: ['t1', 't2'] })
      const raw = backend.newRaw()
      if (raw === undefined || !('use' in raw)) throw new Error('expected an @upstash/redis client')
      let requests = 0
      raw.use(async (req, next) => {
        requests += 1
        return next(req)
      })
      const cache = createCache({ redis: fromUpstash(raw), prefix })
      for (let i = 0; i < 3; i += 1)
        expect(await cache.getOrSet('k', () => 'not expected', { ttl: '1 m', tags: ['t1', 't2'] })).toBe('v')
      expect(requests).toBe(3)
    })
  },
  { only: ['upstash'] },
)
