import { createCache } from '@rediware/cache'
import { describeBackends, expressVersions, waitFor } from '@rediware/test-utils'
import type { Request } from 'express'
import request from 'supertest'
import { gate, listen } from './helpers.js'

let sequence = 0

/** Express 5's `req.host` keeps the port; Express 4's is the host name. */
const hostOf = (req: Request): string => req.get('host') ?? ''

describeBackends('host and port in the key', (backend) => {
  for (const version of expressVersions) {
    describe(version.name, () => {
      const newCache = () => createCache({ redis: backend.client(), prefix: `${backend.prefix}h${++sequence}:` })

      it('hits when a cached route is tested the ordinary way: request(app) twice (a new port each time)', async () => {
        const app = version.create()
        let calls = 0
        app.get('/hello', newCache().route(), (_req, res) => {
          calls += 1
          res.send(`hello ${calls}`)
        })
        await request(app).get('/hello').expect(200, 'hello 1').expect('X-Cache', 'MISS')
        await request(app).get('/hello').expect(200, 'hello 1').expect('X-Cache', 'HIT')
        await request(app).head('/hello').expect(200).expect('X-Cache', 'HIT')
        expect(calls).toBe(1)
      })

      it('collapses concurrent request(app) misses into one handler run', async () => {
        const app = version.create()
        let calls = 0
        let arrived = 0
        const hold = gate()
        app.use((_req, _res, next) => {
          arrived += 1
          next()
        })
        app.get('/slow', newCache().route(), async (_req, res) => {
          calls += 1
          await hold.promise
          res.send('slow')
        })
        const answers = Promise.all(
          Array.from({ length: 20 }, () =>
            request(app)
              .get('/slow')
              .then((response) => response),
          ),
        )
        await waitFor(() => arrived === 20, { description: '20 requests in flight' })
        hold.open()
        for (const answer of await answers) expect(answer.text).toBe('slow')
        expect(calls).toBe(1)
      })

      it('keeps the host name in the key', async () => {
        const app = version.create()
        app.get('/name', newCache().route(), (req, res) => {
          res.send(`for ${req.hostname}`)
        })
        await request(app).get('/name').set('Host', 'a.example').expect('for a.example')
        await request(app).get('/name').set('Host', 'b.example').expect('for b.example')
        await request(app).get('/name').set('Host', 'A.EXAMPLE:8080').expect('for a.example').expect('X-Cache', 'HIT')
      })

      it('a page that read the Host header is never served to a request that gave another port', async () => {
        const app = version.create()
        let calls = 0
        app.get('/link', newCache().route(), (req, res) => {
          calls += 1
          res.send(`http://${hostOf(req)}/next`)
        })
        app.get('/plain', newCache().route(), (_req, res) => {
          calls += 1
          res.send('no host in here')
        })
        const url = await listen(app)
        const link = (host: string) => request(url).get('/link').set('Host', host)
        await link('shop.example:1337').expect(200, 'http://shop.example:1337/next').expect('X-Cache', 'MISS')
        await link('shop.example').expect(200, 'http://shop.example/next')
        await link('shop.example:1337').expect(200, 'http://shop.example:1337/next')
        await link('shop.example').expect(200, 'http://shop.example/next')
        // the port of each request counts, and a repeated port still hits
        await link('shop.example').expect(200, 'http://shop.example/next').expect('X-Cache', 'HIT')
        // supertest's way: each request(app) listens on its own port, and gets a page with its own port
        for (let index = 0; index < 2; index += 1) {
          const answer = await request(app).get('/link')
          const asked = new URL((answer as unknown as { request: { url: string } }).request.url)
          expect(answer.text).toBe(`http://${asked.host}/next`)
        }
        const before = calls
        // a page that never read the host is shared across ports
        await request(url).get('/plain').set('Host', 'shop.example:1337').expect('X-Cache', 'MISS')
        await request(url).get('/plain').set('Host', 'shop.example').expect('X-Cache', 'HIT')
        expect(calls).toBe(before + 1)
      })

      it('a page that read X-Forwarded-Host (trust proxy) is never served to a request that forwarded another port', async () => {
        const app = version.create()
        app.set('trust proxy', true)
        app.get('/link', newCache().route(), (req, res) => {
          res.send(`https://${req.get('x-forwarded-host') ?? ''}/next`)
        })
        const url = await listen(app)
        const link = (forwarded: string) => request(url).get('/link').set('X-Forwarded-Host', forwarded)
        await link('shop.example:8443').expect('https://shop.example:8443/next')
        await link('shop.example').expect('https://shop.example/next')
        await link('shop.example').expect('https://shop.example/next').expect('X-Cache', 'HIT')
        await link('shop.example:8443').expect('https://shop.example:8443/next')
      })
    })
  }
})
