import { Readable } from 'node:stream'
import { type Cache, createCache, cache as oneOff } from '@rediware/cache'
import { describeBackends, expressVersions } from '@rediware/test-utils'
import type { Request, Response } from 'express'
import request from 'supertest'
import { binary, fakeSession, listen } from './helpers.js'

describeBackends('route caching', (backend) => {
  for (const version of expressVersions) {
    describe(version.name, () => {
      let app: string
      let cache: Cache
      let calls: Record<string, number>
      const count = (name: string): void => {
        calls[name] = (calls[name] ?? 0) + 1
      }

      beforeEach(async () => {
        calls = {}
        cache = createCache({
          redis: backend.client(),
          prefix: `${backend.prefix}${version.name}:${Math.random().toString(36).slice(2)}:`,
        })
        const express = version.create()
        express.use(fakeSession)
        const route = cache.route({ ttl: '1 m' })
        express.get('/send', route, (_req, res) => {
          count('send')
          res.set('X-Custom', 'kept').type('text/plain').send(`hello ${calls.send}`)
        })
        express.get('/json', route, (_req, res) => {
          count('json')
          res.status(203).json({ n: calls.json })
        })
        express.get('/end', route, (_req, res) => {
          count('end')
          res.setHeader('Content-Type', 'text/plain')
          res.end(`end ${calls.end}`)
        })
        express.get('/write', route, (_req, res) => {
          count('write')
          res.writeHead(200, { 'Content-Type': 'text/plain', 'X-From-WriteHead': 'yes' })
          res.write('part1-')
          res.write(Buffer.from('part2-'))
          res.end(`part3-${calls.write}`)
        })
        const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
        express.get('/binary', route, (_req, res) => {
          count('binary')
          res.type('application/octet-stream').send(bytes)
        })
        express.get('/stream', route, (_req, res) => {
          count('stream')
          res.type('application/octet-stream')
          Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]).pipe(res)
        })
        express.get('/cookie', route, (_req, res) => {
          count('cookie')
          res.cookie('sid', 'x').send('with cookie')
        })
        express.get('/private', route, (_req, res) => {
          count('private')
          res.set('Cache-Control', 'private, max-age=60').send('private')
        })
        express.get('/vary-star', route, (_req, res) => {
          count('varyStar')
          res.set('Vary', '*').send('vary star')
        })
        express.get('/vary-undeclared', route, (_req, res) => {
          count('varyUndeclared')
          res.set('Vary', 'Accept-Language').send('vary lang')
        })
        express.get('/vary-declared', cache.route({ vary: ['accept-language'] }), (req, res) => {
          count('varyDeclared')
          res.set('Vary', 'Accept-Language').send(`lang ${req.headers['accept-language'] ?? '-'}`)
        })
        express.get('/error', route, (_req, res) => {
          count('error')
          res.status(500).send('boom')
        })
        express.get('/missing', route, (_req, res) => {
          count('missing')
          res.status(404).send('not here')
        })
        express.get('/greet', route, (req: Request, res: Response) => {
          count('greet')
          const session = (req as Request & { session?: { name?: string } }).session
          res.send(`Hello ${session?.name ?? 'stranger'}`)
        })
        express.get('/big', cache.route({ maxBodySize: 10 }), (_req, res) => {
          count('big')
          res.send('this body is longer than ten bytes')
        })
        express.get('/query', cache.route({ query: { ignore: ['utm_*'] } }), (req, res) => {
          count('query')
          res.json(req.query)
        })
        express.get('/cc', cache.route({ cacheControl: 'public, max-age=5' }), (_req, res) => {
          count('cc')
          res.send('cc')
        })
        app = await listen(express)
      })

      it('stores res.send responses with status and headers, then serves hits', async () => {
        const first = await request(app).get('/send').expect(200, 'hello 1')
        expect(first.headers['x-cache']).toBe('MISS')
        const second = await request(app).get('/send').expect(200, 'hello 1')
        expect(second.headers['x-cache']).toBe('HIT')
        expect(second.headers['x-custom']).toBe('kept')
        expect(second.headers['content-type']).toMatch(/text\/plain/)
        expect(second.headers.age).toMatch(/^\d+$/)
        expect(second.headers['cache-status']).toMatch(/^rediware; hit; ttl=\d+/)
        expect(second.headers.etag).toBe(first.headers.etag)
        expect(calls.send).toBe(1)
      })

      it('captures res.json, res.end and res.write + res.end', async () => {
        await request(app).get('/json').expect(203, { n: 1 })
        await request(app).get('/json').expect(203, { n: 1 }).expect('X-Cache', 'HIT')
        await request(app).get('/end').expect(200, 'end 1')
        await request(app).get('/end').expect(200, 'end 1').expect('X-Cache', 'HIT')
        await request(app).get('/write').expect(200, 'part1-part2-part3-1')
        const hit = await request(app).get('/write').expect(200, 'part1-part2-part3-1').expect('X-Cache', 'HIT')
        expect(hit.headers['x-from-writehead']).toBe('yes')
        expect(calls).toMatchObject({ json: 1, end: 1, write: 1 })
      })

      it('is binary-safe for sent buffers and piped streams', async () => {
        const expected = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
        for (const path of ['/binary', '/stream']) {
          const miss = await binary(request(app).get(path)).expect(200)
          expect(Buffer.compare(miss.body as Buffer, expected)).toBe(0)
          const hit = await binary(request(app).get(path)).expect(200).expect('X-Cache', 'HIT')
          expect(Buffer.compare(hit.body as Buffer, expected)).toBe(0)
          expect(hit.headers['content-length']).toBe('256')
        }
        expect(calls).toMatchObject({ binary: 1, stream: 1 })
      })

      it('never stores Set-Cookie, private, Vary: * or undeclared Vary responses', async () => {
        for (const [path, detail] of [
          ['/cookie', 'set-cookie'],
          ['/private', 'cache-control-private'],
          ['/vary-star', 'vary-star'],
          ['/vary-undeclared', 'vary-undeclared'],
        ] as const) {
          const first = await request(app).get(path).expect(200)
          expect(first.headers['x-cache']).toBe('BYPASS')
          expect(first.headers['cache-status']).toContain(`detail=${detail}`)
          await request(app).get(path).expect(200).expect('X-Cache', 'BYPASS')
        }
        expect(calls).toMatchObject({ cookie: 2, private: 2, varyStar: 2, varyUndeclared: 2 })
      })

      it('keys declared vary headers', async () => {
        await request(app).get('/vary-declared').set('Accept-Language', 'fr').expect('lang fr')
        await request(app).get('/vary-declared').set('Accept-Language', 'de').expect('lang de')
        await request(app).get('/vary-declared').set('Accept-Language', 'fr').expect('lang fr').expect('X-Cache', 'HIT')
        expect(calls.varyDeclared).toBe(2)
      })

      it('never stores 5xx, stores 404', async () => {
        await request(app).get('/error').expect(500)
        await request(app).get('/error').expect(500).expect('X-Cache', 'BYPASS')
        await request(app).get('/missing').expect(404)
        await request(app).get('/missing').expect(404, 'not here').expect('X-Cache', 'HIT')
        expect(calls).toMatchObject({ error: 2, missing: 1 })
      })

      it('bypasses requests with Authorization', async () => {
        await request(app).get('/send').set('Authorization', 'Bearer a').expect('X-Cache', 'BYPASS')
        await request(app).get('/send').set('Authorization', 'Bearer a').expect('X-Cache', 'BYPASS')
        expect(calls.send).toBe(2)
      })

      it('never serves one user the page of another (requests with credentials, personalisation guard)', async () => {
        const alice = await request(app).get('/greet').set('Cookie', 'sid=alice').expect(200, 'Hello alice')
        expect(alice.headers['x-cache']).toBe('BYPASS')
        expect(alice.headers['cache-status']).toContain('detail=cookie')
        await request(app).get('/greet').set('Cookie', 'sid=bob').expect(200, 'Hello bob')
        await request(app).get('/greet').set('Cookie', 'sid=alice').expect(200, 'Hello alice')
        // an anonymous request's session is empty: the page names nobody and is shared by anonymous clients
        await request(app).get('/greet').expect(200, 'Hello stranger').expect('X-Cache', 'MISS')
        await request(app).get('/greet').set('Cookie', 'sid=bob').expect(200, 'Hello bob')
        await request(app).get('/greet').expect(200, 'Hello stranger').expect('X-Cache', 'HIT')
        expect(calls.greet).toBe(5)
      })

      it('does not store what a handler rendered from identity found on a request without credentials', async () => {
        const local = version.create()
        // identity from a header the cache does not know as a credential (an API key)
        local.use((req, _res, next) => {
          const key = req.headers['x-api-key']
          if (typeof key === 'string') (req as unknown as { user?: { name: string } }).user = { name: key }
          next()
        })
        local.get('/who', cache.route(), (req, res) => {
          res.send(`Hello ${(req as unknown as { user?: { name: string } }).user?.name ?? 'stranger'}`)
        })
        const url = await listen(local)
        const alice = await request(url).get('/who').set('X-Api-Key', 'alice').expect(200, 'Hello alice')
        expect(alice.headers['cache-status']).toContain('detail=personalised-reads-user')
        await request(url).get('/who').set('X-Api-Key', 'bob').expect(200, 'Hello bob')
        await request(url).get('/who').expect(200, 'Hello stranger').expect('X-Cache', 'MISS')
        await request(url).get('/who').expect(200, 'Hello stranger').expect('X-Cache', 'HIT')
      })

      it('answers HEAD from the GET entry and never fills from HEAD', async () => {
        const headMiss = await request(app).head('/send').expect(200)
        expect(headMiss.headers['x-cache']).toBe('MISS')
        await request(app).get('/send').expect(200, 'hello 2')
        const head = await request(app).head('/send').expect(200)
        expect(head.headers['x-cache']).toBe('HIT')
        expect(head.headers['content-length']).toBe('7')
        await request(app).get('/send').expect(200, 'hello 2')
      })

      it('answers 304 to If-None-Match and If-Modified-Since on hits', async () => {
        const first = await request(app).get('/send').expect(200)
        const etag = String(first.headers.etag)
        await request(app).get('/send').set('If-None-Match', etag).expect(304).expect('X-Cache', 'HIT')
        await request(app)
          .get('/send')
          .set('If-None-Match', `"other", W/${etag.replace(/^W\//, '')}`)
          .expect(304)
        await request(app).get('/send').set('If-None-Match', '"other"').expect(200, 'hello 1')
        await request(app).get('/send').set('If-None-Match', '*').expect(304)
        // a conditional request on a miss still fills with a full 200
        const json = await request(app).get('/json').set('If-None-Match', '*').expect(203)
        expect(json.body).toEqual({ n: 1 })
        expect(calls.send).toBe(1)
      })

      it('answers If-Modified-Since from a stored Last-Modified', async () => {
        const lm = new Date(Date.UTC(2026, 0, 1)).toUTCString()
        const local = version.create()
        local.get('/lm', cache.route(), (_req, res) => {
          res.set('Last-Modified', lm).send('dated')
        })
        const url = await listen(local)
        await request(url).get('/lm').expect(200)
        await request(url).get('/lm').set('If-Modified-Since', lm).expect(304)
        await request(url)
          .get('/lm')
          .set('If-Modified-Since', new Date(Date.UTC(2025, 0, 1)).toUTCString())
          .expect(200, 'dated')
      })

      it('passes bodies over maxBodySize through uncached', async () => {
        await request(app).get('/big').expect(200, 'this body is longer than ten bytes')
        await request(app).get('/big').expect(200, 'this body is longer than ten bytes')
        expect(calls.big).toBe(2)
      })

      it('sorts the query and drops ignored parameters from the key', async () => {
        await request(app).get('/query?b=2&a=1&utm_source=x').expect(200, { b: '2', a: '1', utm_source: 'x' })
        await request(app).get('/query?a=1&b=2').expect('X-Cache', 'HIT')
        await request(app).get('/query?a=1&b=3').expect('X-Cache', 'MISS')
        expect(calls.query).toBe(2)
      })

      it('keeps per-user entries apart with scope', async () => {
        const local = version.create()
        local.use(fakeSession)
        let scopedCalls = 0
        local.get(
          '/account',
          cache.route({ scope: (req: Request) => (req as Request & { session?: { name?: string } }).session?.name }),
          (req: Request, res: Response) => {
            scopedCalls += 1
            res.send(`Account of ${(req as Request & { session?: { name?: string } }).session?.name}`)
          },
        )
        const url = await listen(local)
        await request(url)
          .get('/account')
          .set('Cookie', 'sid=alice')
          .expect(200, 'Account of alice')
          .expect('X-Cache', 'MISS')
        await request(url)
          .get('/account')
          .set('Cookie', 'sid=bob')
          .expect(200, 'Account of bob')
          .expect('X-Cache', 'MISS')
        await request(url)
          .get('/account')
          .set('Cookie', 'sid=alice')
          .expect(200, 'Account of alice')
          .expect('X-Cache', 'HIT')
        await request(url)
          .get('/account')
          .set('Cookie', 'sid=bob')
          .expect(200, 'Account of bob')
          .expect('X-Cache', 'HIT')
        // no identity: not cached at all
        await request(url).get('/account').expect(200).expect('X-Cache', 'BYPASS')
        expect(scopedCalls).toBe(3)
      })

      it('keys the host, so tenants on one process never share entries', async () => {
        await request(app).get('/send').set('Host', 'a.example').expect(200, 'hello 1')
        await request(app).get('/send').set('Host', 'b.example').expect(200, 'hello 2')
        await request(app).get('/send').set('Host', 'a.example').expect(200, 'hello 1').expect('X-Cache', 'HIT')
      })

      it('keys X-Forwarded-Host when the app trusts the proxy', async () => {
        const local = version.create()
        local.set('trust proxy', true)
        local.get('/link', cache.route(), (req, res) => {
          res.send(`${req.protocol}://${req.hostname}/link`)
        })
        const url = await listen(local)
        await request(url).get('/link').set('X-Forwarded-Host', 'good.example').expect('http://good.example/link')
        await request(url).get('/link').set('X-Forwarded-Host', 'evil.example').expect('http://evil.example/link')
        await request(url)
          .get('/link')
          .set('X-Forwarded-Proto', 'https')
          .set('X-Forwarded-Host', 'good.example')
          .expect('https://good.example/link')
        await request(url)
          .get('/link')
          .set('X-Forwarded-Host', 'good.example')
          .expect('X-Cache', 'HIT')
          .expect('http://good.example/link')
      })

      it('works in the one-off form and stores 204s', async () => {
        const local = version.create()
        let oneOffCalls = 0
        local.get(
          '/list',
          oneOff({ redis: backend.client(), prefix: `${backend.prefix}oneoff:${Math.random()}:`, ttl: '30 s' }),
          (_req, res) => {
            oneOffCalls += 1
            res.status(204).end()
          },
        )
        const url = await listen(local)
        await request(url).get('/list').expect(204).expect('X-Cache', 'MISS')
        await request(url).get('/list').expect(204).expect('X-Cache', 'HIT')
        expect(oneOffCalls).toBe(1)
      })

      it('sets Cache-Control only when the route asks', async () => {
        const miss = await request(app).get('/cc').expect(200)
        expect(miss.headers['cache-control']).toBe('public, max-age=5')
        const hit = await request(app).get('/cc').expect('X-Cache', 'HIT')
        expect(hit.headers['cache-control']).toBe('public, max-age=5')
        const plain = await request(app).get('/send')
        expect(plain.headers['cache-control']).toBeUndefined()
      })
    })
  }
})
