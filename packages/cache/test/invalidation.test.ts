import { createCache } from '@rediware/cache'
import { describeBackends, expressVersions, waitFor } from '@rediware/test-utils'
import type { Request } from 'express'
import request from 'supertest'
import { gate, listen } from './helpers.js'

let sequence = 0

describeBackends('invalidation', (backend) => {
  for (const version of expressVersions) {
    describe(version.name, () => {
      let prefix: string
      let calls: number
      let url: string
      let hold: { promise: Promise<void>; open(): void } | undefined
      let arrived: number
      let incoming: number
      let waits: number

      beforeEach(async () => {
        prefix = `${backend.prefix}i${++sequence}:`
        calls = 0
        arrived = 0
        incoming = 0
        waits = 0
        hold = undefined
        const cache = createCache({
          redis: backend.client(),
          prefix,
          onEvent: (event) => {
            if (event.type === 'collapse-wait') waits += 1
          },
        })
        const app = version.create()
        app.use((_req, _res, next) => {
          incoming += 1
          next()
        })
        app.get(
          '/products/:id',
          cache.route({ tags: (req: Request) => [`product:${String(req.params.id)}`, 'products'] }),
          async (req, res) => {
            calls += 1
            arrived += 1
            const version = calls
            if (hold !== undefined) await hold.promise
            res.json({ id: req.params.id, version, q: req.query })
          },
        )
        app.post('/products/:id', cache.route({ invalidateOnWrite: true }), (_req, res) => {
          res.status(204).end()
        })
        app.put('/products/:id', cache.route({ invalidateOnWrite: true }), (_req, res) => {
          res.status(409).send('conflict')
        })
        url = await listen(app)
      })

      /** Another instance (its own createCache) over the same backend and prefix. */
      const other = () => createCache({ redis: backend.client(), prefix })

      it('invalidates by tag from another instance', async () => {
        await request(url).get('/products/1').expect(200)
        await request(url).get('/products/2').expect(200)
        await request(url).get('/products/1').expect('X-Cache', 'HIT')
        await other().invalidate({ tags: ['product:1'] })
        await request(url).get('/products/1').expect('X-Cache', 'MISS')
        await request(url).get('/products/2').expect('X-Cache', 'HIT')
        await other().invalidate({ tags: ['products'] })
        await request(url).get('/products/2').expect('X-Cache', 'MISS')
      })

      it('invalidates every query variant of a path', async () => {
        await request(url).get('/products/1?a=1').expect(200)
        await request(url).get('/products/1?a=2').expect(200)
        await request(url).get('/products/3').expect(200)
        await other().invalidate({ paths: ['/products/1'] })
        await request(url).get('/products/1?a=1').expect('X-Cache', 'MISS')
        await request(url).get('/products/1?a=2').expect('X-Cache', 'MISS')
        await request(url).get('/products/3').expect('X-Cache', 'HIT')
      })

      it('never stores a fill that started before an invalidation as fresh', async () => {
        hold = gate()
        const slow = request(url).get('/products/7')
        const pending = slow.then((response) => response)
        await waitFor(() => arrived === 1, { description: 'the slow fill to start' })
        await other().invalidate({ tags: ['product:7'] })
        hold.open()
        const first = await pending
        expect(first.body.version).toBe(1)
        hold = undefined
        const after = await request(url).get('/products/7').expect(200)
        expect(after.headers['x-cache']).toBe('MISS')
        expect(after.body.version).toBe(2)
        await request(url).get('/products/7').expect('X-Cache', 'HIT')
      })

      it('never serves a request arriving after a completed invalidation the fill that started before it (followers too)', async () => {
        hold = gate()
        const leader = request(url)
          .get('/products/8')
          .then((response) => response)
        await waitFor(() => arrived === 1, { description: 'the slow fill to start' })
        await other().invalidate({ tags: ['product:8'] })
        // the write is complete: a GET arriving now must not be handed the fill that read the old data
        const follower = request(url)
          .get('/products/8')
          .then((response) => response)
        await waitFor(() => incoming === 2 && waits === 1, { description: 'the second GET to find the running fill' })
        hold.open()
        const [first, second] = await Promise.all([leader, follower])
        expect(first.body.version).toBe(1)
        expect(second.body.version).toBe(2)
        expect(second.headers['cache-status']).not.toContain('collapsed')
        hold = undefined
        await waitFor(async () => (await request(url).get('/products/8')).headers['x-cache'] === 'HIT', {
          description: 'a fresh entry',
        })
        expect((await request(url).get('/products/8').expect('X-Cache', 'HIT')).body.version).toBe(2)
      })

      it('still collapses a request that arrives during a fill no invalidation outdated', async () => {
        hold = gate()
        const leader = request(url)
          .get('/products/11')
          .then((response) => response)
        await waitFor(() => arrived === 1, { description: 'the slow fill to start' })
        await other().invalidate({ tags: ['product:12'] })
        const follower = request(url)
          .get('/products/11')
          .then((response) => response)
        await waitFor(() => waits === 1, { description: 'the second GET to wait for the fill' })
        hold.open()
        const [first, second] = await Promise.all([leader, follower])
        expect(second.body.version).toBe(first.body.version)
        expect(second.headers['cache-status']).toContain('collapsed')
        expect(calls).toBe(1)
      })

      it('invalidates the path on a successful write only (invalidateOnWrite)', async () => {
        await request(url).get('/products/5').expect(200)
        await request(url).put('/products/5').expect(409)
        await request(url).get('/products/5').expect('X-Cache', 'HIT')
        await request(url).post('/products/5').expect(204)
        await request(url).get('/products/5').expect('X-Cache', 'MISS')
      })

      it('treats a lost tag version (eviction, FLUSHDB) as invalid', async () => {
        await request(url).get('/products/9').expect(200)
        await request(url).get('/products/9').expect('X-Cache', 'HIT')
        const versionKeys: string[] = []
        for await (const page of backend.client().scan({ match: `${prefix}{*` })) versionKeys.push(...page)
        expect(versionKeys.length).toBeGreaterThan(0)
        await Promise.all(versionKeys.map((key) => backend.client().del(key)))
        await request(url).get('/products/9').expect('X-Cache', 'MISS')
        await request(url).get('/products/9').expect('X-Cache', 'HIT')
        expect(calls).toBe(2)
      })
    })
  }
})
