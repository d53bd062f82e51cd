import { createCache } from '@rediware/cache'
import { describeBackends, expressVersions, waitFor } from '@rediware/test-utils'
import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { fakeSession, gate, listen } from './helpers.js'

let sequence = 0
const uniquePrefix = (base: string): string => `${base}s${++sequence}:`

describeBackends('stampede, stale-while-revalidate, stale-if-error', (backend) => {
  for (const version of expressVersions) {
    describe(version.name, () => {
      it('runs the handler once for 100 concurrent misses', async () => {
        const cache = createCache({ redis: backend.client(), prefix: uniquePrefix(backend.prefix) })
        const app = version.create()
        let arrived = 0
        let calls = 0
        const hold = gate()
        app.use((_req, _res, next) => {
          arrived += 1
          next()
        })
        app.get('/slow', cache.route(), async (_req, res) => {
          calls += 1
          await hold.promise
          res.json({ calls })
        })
        const url = await listen(app)
        const responses = Promise.all(Array.from({ length: 100 }, () => request(url).get('/slow')))
        await waitFor(() => arrived === 100 && calls === 1, { description: '100 requests in flight' })
        hold.open()
        const results = await responses
        expect(calls).toBe(1)
        for (const result of results) {
          expect(result.status).toBe(200)
          expect(result.body).toEqual({ calls: 1 })
        }
        expect(results.filter((r) => r.headers['x-cache'] === 'MISS')).toHaveLength(1)
      })

      it('releases followers at once when the leader response is not shareable', async () => {
        let waiting = 0
        const cache = createCache({
          redis: backend.client(),
          prefix: uniquePrefix(backend.prefix),
          onEvent: (event) => {
            if (event.type === 'collapse-wait') waiting += 1
          },
        })
        const app = version.create()
        let calls = 0
        const hold = gate()
        app.get('/me', cache.route({ lockTimeout: '20 s' }), async (_req: Request, res: Response) => {
          calls += 1
          const call = calls
          if (call === 1) await hold.promise
          res.set('Cache-Control', 'private').send(`answer ${call}`)
        })
        const url = await listen(app)
        const first = request(url)
          .get('/me')
          .then((response) => response)
        await waitFor(() => calls === 1, { description: 'the leader to run' })
        const followers = Promise.all(
          [1, 2, 3, 4].map(() =>
            request(url)
              .get('/me')
              .then((response) => response),
          ),
        )
        await waitFor(() => waiting === 4, { description: 'four followers waiting' })
        hold.open()
        const results = [await first, ...(await followers)]
        for (const result of results) {
          expect(result.headers['x-cache']).toBe('BYPASS')
          expect(result.headers['cache-status']).toMatch(/detail=(cache-control-private|not-stored)/)
        }
        expect(new Set(results.map((result) => result.text)).size).toBe(5)
        expect(calls).toBe(5)
      })

      it('never makes a request that carries credentials wait for a fill (it goes to the handler at once)', async () => {
        const cache = createCache({ redis: backend.client(), prefix: uniquePrefix(backend.prefix) })
        const app = version.create()
        app.use(fakeSession)
        let calls = 0
        const hold = gate()
        app.get('/me', cache.route({ lockTimeout: '20 s' }), async (req: Request, res: Response) => {
          calls += 1
          if (calls === 1) await hold.promise
          res.send(`Hello ${(req as Request & { session?: { name?: string } }).session?.name ?? 'stranger'}`)
        })
        const url = await listen(app)
        const anonymous = request(url)
          .get('/me')
          .then((response) => response)
        await waitFor(() => calls === 1, { description: 'the anonymous fill to run' })
        const names = ['ann', 'ben', 'cat', 'dan']
        const results = await Promise.all(names.map((name) => request(url).get('/me').set('Cookie', `sid=${name}`)))
        results.forEach((result, index) => {
          expect(result.text).toBe(`Hello ${names[index]}`)
          expect(result.headers['x-cache']).toBe('BYPASS')
          expect(result.headers['cache-status']).toContain('detail=cookie')
        })
        hold.open()
        expect((await anonymous).text).toBe('Hello stranger')
        expect(calls).toBe(names.length + 1)
      })

      it("coalesces misses across instances with lock: 'distributed'", async () => {
        const prefix = uniquePrefix(backend.prefix)
        let calls = 0
        let waiting = 0
        const hold = gate()
        const makeApp = () => {
          const cache = createCache({
            redis: backend.client(),
            prefix,
            onEvent: (event) => {
              if (event.type === 'lock-wait') waiting += 1
            },
          })
          const app = version.create()
          app.get('/report', cache.route({ lock: 'distributed', lockTimeout: '10 s' }), async (_req, res) => {
            calls += 1
            await hold.promise
            res.send(`report ${calls}`)
          })
          return listen(app)
        }
        const [a, b] = await Promise.all([makeApp(), makeApp()])
        const first = request(a)
          .get('/report')
          .set('Host', 'reports.test')
          .then((r) => r)
        await waitFor(() => calls === 1, { description: 'instance A to start the fill' })
        const second = request(b)
          .get('/report')
          .set('Host', 'reports.test')
          .then((r) => r)
        await waitFor(() => waiting === 1, { description: 'instance B to wait for the lock' })
        hold.open()
        const [ra, rb] = await Promise.all([first, second])
        expect(ra.text).toBe('report 1')
        expect(rb.text).toBe('report 1')
        expect(rb.headers['x-cache']).toBe('HIT')
        expect(rb.headers['cache-status']).toContain('collapsed')
        expect(calls).toBe(1)
      })

      it('serves stale at once and refreshes once across two instances', async () => {
        const prefix = uniquePrefix(backend.prefix)
        let clock = Date.now()
        const now = (): number => clock
        let calls = 0
        const refresh = gate()
        const makeApp = () => {
          const cache = createCache({ redis: backend.client(), prefix, now })
          const app = version.create()
          app.get('/news', cache.route({ ttl: '10 s', staleWhileRevalidate: '1 m' }), async (_req, res) => {
            calls += 1
            if (calls > 1) await refresh.promise
            res.send(`edition ${calls}`)
          })
          return listen(app)
        }
        const [a, b] = await Promise.all([makeApp(), makeApp()])
        await request(a).get('/news').set('Host', 'news.test').expect(200, 'edition 1').expect('X-Cache', 'MISS')
        await request(b).get('/news').set('Host', 'news.test').expect(200, 'edition 1').expect('X-Cache', 'HIT')
        clock += 11_000
        const stale = await Promise.all(
          [a, b, a, b, a, b].map((url) => request(url).get('/news').set('Host', 'news.test')),
        )
        for (const response of stale) {
          expect(response.text).toBe('edition 1')
          expect(response.headers['x-cache']).toBe('STALE')
          expect(response.headers['cache-status']).toContain('fwd=stale')
        }
        await waitFor(() => calls === 2, { description: 'the background refresh to start' })
        refresh.open()
        await waitFor(async () => (await request(b).get('/news').set('Host', 'news.test')).text === 'edition 2', {
          description: 'the refreshed entry',
        })
        const fresh = await request(a).get('/news').set('Host', 'news.test').expect(200, 'edition 2')
        expect(fresh.headers['x-cache']).toBe('HIT')
        expect(calls).toBe(2)
      })

      it('refreshes in the background for routes of a mounted sub-app', async () => {
        let clock = Date.now()
        const cache = createCache({ redis: backend.client(), prefix: uniquePrefix(backend.prefix), now: () => clock })
        const main = version.create()
        const shop = version.create()
        let calls = 0
        shop.get('/item', cache.route({ ttl: '10 s', staleWhileRevalidate: '1 m' }), (_req, res) => {
          calls += 1
          res.send(`item v${calls}`)
        })
        main.use('/shop', shop)
        const url = await listen(main)
        await request(url).get('/shop/item').expect(200, 'item v1')
        clock += 11_000
        await request(url).get('/shop/item').expect(200, 'item v1').expect('X-Cache', 'STALE')
        await waitFor(async () => (await request(url).get('/shop/item')).text === 'item v2', {
          description: 'the refreshed entry',
        })
        expect(calls).toBe(2)
      })

      it('serves a stale entry when the handler throws, calls next(err) or answers 5xx', async () => {
        let clock = Date.now()
        const cache = createCache({ redis: backend.client(), prefix: uniquePrefix(backend.prefix), now: () => clock })
        const app = version.create()
        let mode: 'ok' | 'throw' | 'next' | '503' = 'ok'
        app.get(
          '/price',
          cache.route({ ttl: '10 s', staleIfError: '1 h' }),
          (_req: Request, res: Response, next: NextFunction) => {
            if (mode === 'throw') throw new Error('database down')
            if (mode === 'next') return next(new Error('database down'))
            if (mode === '503') return void res.status(503).send('unavailable')
            res.set('X-Price', 'v1').send('42 EUR')
          },
        )
        app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
          res.status(500).send('error page')
        })
        const url = await listen(app)
        await request(url).get('/price').expect(200, '42 EUR')
        clock += 11_000
        for (const failure of ['throw', 'next', '503'] as const) {
          mode = failure
          const response = await request(url).get('/price').expect(200, '42 EUR')
          expect(response.headers['x-cache']).toBe('STALE')
          expect(response.headers['x-price']).toBe('v1')
          expect(response.headers['cache-status']).toMatch(/fwd=stale.*detail=stale-if-error-5\d\d/)
        }
        // past the staleIfError window the error goes through
        clock += 2 * 3_600_000
        mode = '503'
        await request(url).get('/price').expect(503)
        // and a good answer is stored again
        mode = 'ok'
        await request(url).get('/price').expect(200, '42 EUR').expect('X-Cache', 'MISS')
      })
    })
  }
})
