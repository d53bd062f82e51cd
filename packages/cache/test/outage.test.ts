import { createCache } from '@rediware/cache'
import { expressVersions, type RedisServerHandle, startRedisServer, waitFor } from '@rediware/test-utils'
import { Redis } from 'ioredis'
import request from 'supertest'
import { listen } from './helpers.js'

// A dedicated redis-server that this file kills, pauses and restarts (never the shared ones). The
// failure handling lives in the cache package and is backend-independent; ioredis over TCP is the
// client whose outage behaviour (reconnects, offline queue) matters most.
describe('when Redis is down or slow', () => {
  let server: RedisServerHandle
  let raw: Redis

  beforeAll(async () => {
    server = await startRedisServer()
    raw = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 })
    await new Promise<void>((resolve) => raw.once('ready', () => resolve()))
  })

  afterAll(async () => {
    raw.disconnect()
    await server.stop()
  })

  for (const version of expressVersions) {
    it(`answers from the handler, reports once and recovers (${version.name})`, async () => {
      const errors: Error[] = []
      const cache = createCache({
        redis: raw,
        prefix: `outage:${version.name}:`,
        onError: (error) => errors.push(error),
      })
      const app = version.create()
      let calls = 0
      app.get('/page', cache.route(), (_req, res) => {
        calls += 1
        res.send(`page ${calls}`)
      })
      const url = await listen(app)
      await request(url).get('/page').expect(200, 'page 1').expect('X-Cache', 'MISS')
      await request(url).get('/page').expect(200, 'page 1').expect('X-Cache', 'HIT')

      await server.kill()
      for (let index = 0; index < 5; index += 1) {
        const response = await request(url).get('/page').expect(200)
        expect(response.text).toBe(`page ${calls}`)
        expect(response.headers['x-cache']).toBe('BYPASS')
        expect(response.headers['cache-status']).toContain('detail=backend-unavailable')
      }
      expect(await cache.getOrSet('k', () => 'from loader', { ttl: '1 m' })).toBe('from loader')
      expect(errors).toHaveLength(1)

      await server.restart()
      await waitFor(async () => (await request(url).get('/page')).headers['x-cache'] === 'HIT', {
        description: 'caching to resume after the restart',
        timeout: 15_000,
        interval: 100,
      })
    })
  }

  it('without onError, reports the outage once through the warn hook', async () => {
    const warnings: string[] = []
    const cache = createCache({ redis: raw, prefix: 'outage:warn:', warn: (message) => warnings.push(message) })
    const app = expressVersions[1].create()
    app.get('/page', cache.route(), (_req, res) => {
      res.send('from the handler')
    })
    const url = await listen(app)
    await waitFor(async () => (await raw.ping()) === 'PONG', { description: 'redis to be up' })
    await server.kill()
    try {
      for (let index = 0; index < 3; index += 1)
        await request(url).get('/page').expect(200, 'from the handler').expect('X-Cache', 'BYPASS')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(
        /^\[@rediware\/cache\] the cache backend is failing; requests go to the handler until it recovers/,
      )
    } finally {
      await server.restart()
    }
  })

  it('does not wait past the deadline for a paused server', async () => {
    const errors: Error[] = []
    const cache = createCache({
      redis: raw,
      prefix: 'outage:slow:',
      timeout: 100,
      onError: (error) => errors.push(error),
    })
    const app = expressVersions[1].create()
    app.get('/slow', cache.route(), (_req, res) => {
      res.send('handler answer')
    })
    const url = await listen(app)
    await waitFor(async () => (await raw.ping()) === 'PONG', { description: 'redis to be up' })
    await server.pause(1500)
    const response = await request(url).get('/slow').expect(200, 'handler answer')
    expect(response.headers['x-cache']).toBe('BYPASS')
    expect(errors.length).toBe(1)
  })
})
