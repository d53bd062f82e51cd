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
    })
  }
})
