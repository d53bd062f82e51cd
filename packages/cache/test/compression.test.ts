import { createCache } from '@rediware/cache'
import { describeBackends, expressVersions } from '@rediware/test-utils'
import compression from 'compression'
import type { Application, RequestHandler } from 'express'
import request from 'supertest'
import { listen } from './helpers.js'

const body = 'compressible text '.repeat(200)
let sequence = 0

describeBackends('with the compression middleware', (backend) => {
  for (const version of expressVersions) {
    describe(version.name, () => {
      const build = (order: 'compression-first' | 'cache-first'): Application => {
        const cache = createCache({ redis: backend.client(), prefix: `${backend.prefix}z${++sequence}:` })
        const app = version.create()
        const handler: RequestHandler = (_req, res) => {
          res.type('text/plain').send(body)
        }
        if (order === 'compression-first') {
          app.use(compression())
          app.get('/text', cache.route(), handler)
        } else {
          app.get('/text', cache.route(), compression(), handler)
        }
        return app
      }

      for (const order of ['compression-first', 'cache-first'] as const) {
        it(`serves correct Content-Encoding on hits (${order})`, async () => {
          const url = await listen(build(order))
          const miss = await request(url).get('/text').set('Accept-Encoding', 'gzip').expect(200)
          expect(miss.headers['x-cache']).toBe('MISS')
          expect(miss.headers['content-encoding']).toBe('gzip')
          expect(miss.text).toBe(body)

          const gzipHit = await request(url).get('/text').set('Accept-Encoding', 'gzip').expect(200)
          expect(gzipHit.headers['x-cache']).toBe('HIT')
          expect(gzipHit.headers['content-encoding']).toBe('gzip')
          expect(gzipHit.text).toBe(body)

          const plainHit = await request(url).get('/text').set('Accept-Encoding', 'identity').expect(200)
          expect(plainHit.headers['x-cache']).toBe('HIT')
          expect(plainHit.headers['content-encoding']).toBeUndefined()
          expect(plainHit.text).toBe(body)
          expect(plainHit.headers['content-length']).toBe(String(Buffer.byteLength(body)))
        })

        it(`stores identity bytes first and still serves them to gzip clients (${order})`, async () => {
          const url = await listen(build(order))
          await request(url).get('/text').set('Accept-Encoding', 'identity').expect(200, body)
          const hit = await request(url).get('/text').set('Accept-Encoding', 'gzip').expect(200)
          expect(hit.headers['x-cache']).toBe('HIT')
          expect(hit.text).toBe(body)
          if (hit.headers['content-encoding'] !== undefined) expect(hit.headers['content-encoding']).toBe('gzip')
        })
      }

      it('bounds the decompression of a hit by maxBodySize: past it, the handler answers (no decompression bomb)', async () => {
        const cache = createCache({ redis: backend.client(), prefix: `${backend.prefix}z${++sequence}:` })
        const app = version.create()
        const huge = 'a'.repeat(5_000_000)
        let calls = 0
        // compression inside the route: the cache stores the compressed bytes
        app.get('/bomb', cache.route({ maxBodySize: 100_000 }), compression(), (_req, res) => {
          calls += 1
          res.type('text/plain').send(huge)
        })
        app.get('/fits', cache.route({ maxBodySize: 100_000 }), compression(), (_req, res) => {
          calls += 1
          res.type('text/plain').send(body)
        })
        const url = await listen(app)
        // stored compressed: a few KB, well under maxBodySize
        const gzip = await request(url).get('/bomb').set('Accept-Encoding', 'gzip').expect(200)
        expect(gzip.headers['content-encoding']).toBe('gzip')
        await request(url).get('/bomb').set('Accept-Encoding', 'gzip').expect(200).expect('X-Cache', 'HIT')
        expect(calls).toBe(1)
        // a client without gzip would need 5 MB decoded from the entry: the handler answers instead
        const plain = await request(url).get('/bomb').set('Accept-Encoding', 'identity').expect(200)
        expect(plain.headers['x-cache']).toBe('BYPASS')
        expect(plain.headers['cache-status']).toContain('detail=decoded-too-big')
        expect(plain.headers['content-encoding']).toBeUndefined()
        expect(plain.text.length).toBe(huge.length)
        expect(calls).toBe(2)
        // within the bound, a hit is decoded for the client
        await request(url).get('/fits').set('Accept-Encoding', 'gzip').expect(200)
        const decoded = await request(url).get('/fits').set('Accept-Encoding', 'identity').expect(200, body)
        expect(decoded.headers['x-cache']).toBe('HIT')
        expect(decoded.headers['content-encoding']).toBeUndefined()
      })

      it("negotiates Accept-Encoding as Express does (q=0 refuses a coding, '*' accepts the rest)", async () => {
        // compression inside the route: what the client gets on a hit is what the cache decided
        const url = await listen(build('cache-first'))
        await request(url).get('/text').set('Accept-Encoding', 'gzip').expect(200)
        for (const [header, expected] of [
          ['gzip;q=0, *', undefined],
          ['deflate, gzip;q=0', undefined],
          ['*;q=0', undefined],
          ['identity', undefined],
          ['', undefined],
          ['*', 'gzip'],
          ['GZIP', 'gzip'],
          ['br;q=1, gzip;q=0.5', 'gzip'],
        ] as const) {
          const hit = await request(url).get('/text').set('Accept-Encoding', header).expect(200)
          expect(hit.headers['x-cache']).toBe('HIT')
          expect([header, hit.headers['content-encoding']]).toEqual([header, expected])
          expect(hit.text).toBe(body)
        }
      })
    })
  }
})
