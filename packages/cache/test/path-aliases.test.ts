import { request as httpRequest } from 'node:http'
import { createCache } from '@rediware/cache'
import { describeBackends, expressVersions } from '@rediware/test-utils'
import type { Application } from 'express'
import request from 'supertest'
import { listen } from './helpers.js'

let sequence = 0

/** GET with the request target exactly as written (supertest would normalise an absolute-form URL). */
function rawGet(base: string, target: string): Promise<{ status: number; xCache: string; body: string }> {
  const { port } = new URL(base)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: target, headers: { host: 'docs.test' } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, xCache: String(res.headers['x-cache']), body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describeBackends('path invalidation reaches every spelling the router matches', (backend) => {
  for (const version of expressVersions) {
    for (const settings of [{}, { 'case sensitive routing': true, 'strict routing': true }]) {
      const strict = Object.keys(settings).length > 0
      describe(`${version.name}${strict ? ', case sensitive and strict routing' : ', default routing'}`, () => {
        let base: string
        let calls: number
        let cache: ReturnType<typeof createCache>

        beforeEach(async () => {
          calls = 0
          cache = createCache({ redis: backend.client(), prefix: `${backend.prefix}pa${++sequence}:` })
          const app: Application = version.create()
          for (const [name, value] of Object.entries(settings)) app.set(name, value)
          app.get('/docs/:page', cache.route(), (req, res) => {
            calls += 1
            res.send(`page ${String(req.params.page)} v${calls}`)
          })
          app.put('/docs/:page', cache.route({ invalidateOnWrite: true }), (_req, res) => {
            res.status(204).end()
          })
          // a mounted sub-app (or Router) routes with its own settings, whatever the app's
          const router = version.create()
          router.set('case sensitive routing', false)
          router.set('strict routing', false)
          router.get('/Items/:id', cache.route(), (req, res) => {
            calls += 1
            res.send(`item ${String(req.params.id)} v${calls}`)
          })
          app.use('/shop', router)
          base = await listen(app)
        })

        /** The spellings this router sends to the `/docs/:page` handler with page `a`. */
        const aliases = strict
          ? ['/docs/a', '/docs/%61', 'http://docs.test/docs/a']
          : ['/docs/a', '/DOCS/a', '/docs/%61', '/docs/a/', '/Docs/%61/', 'http://docs.test/docs/a']

        const fillAll = async (targets: readonly string[]) => {
          for (const target of targets) {
            const first = await rawGet(base, target)
            expect(first.status).toBe(200)
            expect(first.body).toMatch(/^page a v\d+$/)
            expect((await rawGet(base, target)).xCache).toBe('HIT')
          }
        }

        it('invalidate({ paths }) reaches every alias of the path', async () => {
          await fillAll(aliases)
          await cache.invalidate({ paths: ['/docs/a'] })
          for (const target of aliases) expect((await rawGet(base, target)).xCache).toBe('MISS')
        })

        it('invalidate({ paths }) given any alias reaches the others', async () => {
          await fillAll(aliases)
          await cache.invalidate({ paths: [strict ? '/docs/%61' : '/DOCS/%61/'] })
          for (const target of aliases) expect((await rawGet(base, target)).xCache).toBe('MISS')
        })

        it('invalidateOnWrite reaches every alias of the written path', async () => {
          await fillAll(aliases)
          await request(base)
            .put(strict ? '/docs/%61' : '/Docs/A/')
            .set('Host', 'docs.test')
            .expect(204)
          for (const target of aliases) expect((await rawGet(base, target)).xCache).toBe('MISS')
        })

        it('reaches the aliases of a route in a sub-app with its own routing settings', async () => {
          const spellings = ['/shop/Items/7', '/shop/items/7', '/shop/ITEMS/%37/']
          for (const target of spellings) {
            expect((await rawGet(base, target)).status).toBe(200)
            expect((await rawGet(base, target)).xCache).toBe('HIT')
          }
          await cache.invalidate({ paths: ['/shop/Items/7'] })
          for (const target of spellings) expect((await rawGet(base, target)).xCache).toBe('MISS')
        })
      })
    }
  }
})
