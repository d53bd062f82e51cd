import { createCache } from '@rediware/cache'
import { describeBackends, expressVersions } from '@rediware/test-utils'
import request from 'supertest'
import { listen } from './helpers.js'

let sequence = 0

/** The raw query as the client sent it (what a handler reading `req.originalUrl` sees). */
const rawQuery = (url: string): string => {
  const mark = url.indexOf('?')
  return mark === -1 ? '' : url.slice(mark + 1)
}

describeBackends('the query in the key', (backend) => {
  for (const version of expressVersions) {
    describe(version.name, () => {
      let url: string
      let calls: number

      beforeEach(async () => {
        calls = 0
        const cache = createCache({ redis: backend.client(), prefix: `${backend.prefix}q${++sequence}:` })
        const app = version.create()
        app.get('/raw', cache.route(), (req, res) => {
          calls += 1
          res.json({ raw: rawQuery(req.originalUrl), q: req.query.q ?? null })
        })
        app.get('/list', cache.route({ query: { allow: ['page', 'sort'] } }), (req, res) => {
          calls += 1
          res.json({ page: req.query.page ?? null })
        })
        app.get('/landing', cache.route({ query: { ignore: ['utm_*'] } }), (req, res) => {
          calls += 1
          res.json(req.query)
        })
        url = await listen(app)
      })

      const get = (path: string) => request(url).get(path).expect(200)

      it('keeps queries apart that a lossy decoding would merge (invalid UTF-8, U+FFFD)', async () => {
        const spellings = ['q=%FF', 'q=%E9', 'q=%EF%BF%BD', 'q=%C3%A9']
        for (const query of spellings) {
          const answer = await get(`/raw?${query}`)
          expect(answer.headers['x-cache']).toBe('MISS')
          expect(answer.body.raw).toBe(query)
        }
        for (const query of spellings) {
          const answer = await get(`/raw?${query}`)
          expect(answer.headers['x-cache']).toBe('HIT')
          expect(answer.body.raw).toBe(query)
        }
        expect(calls).toBe(spellings.length)
      })

      it('keeps apart what a query parser may read differently: + and %20, empty values, empty pairs, repeated values, ;', async () => {
        const distinct = [
          'q=a+b',
          'q=a%20b',
          'q',
          'q=',
          'q=1&&r=2',
          'q=1&r=2',
          'q=1&q=1',
          'q=1;r=2',
          'q=1&q=2',
          'q=2&q=1',
          'q=%2B',
          'q=%26',
        ]
        for (const query of distinct) expect((await get(`/raw?${query}`)).body.raw).toBe(query)
        for (const query of distinct) {
          const answer = await get(`/raw?${query}`)
          expect(answer.headers['x-cache']).toBe('HIT')
          expect(answer.body.raw).toBe(query)
        }
        expect(calls).toBe(distinct.length)
      })

      it('merges only spellings RFC 3986 declares equivalent, and the order of different names', async () => {
        await get('/raw?b=2&a=1').expect('X-Cache', 'MISS')
        await get('/raw?a=1&b=2').expect('X-Cache', 'HIT')
        // case of percent-escapes and escaped unreserved characters (RFC 3986 §6.2.2.1–2)
        await get('/raw?q=%c3%a9').expect('X-Cache', 'MISS')
        await get('/raw?q=%C3%A9').expect('X-Cache', 'HIT')
        await get('/raw?q=%61bc').expect('X-Cache', 'MISS')
        await get('/raw?q=abc').expect('X-Cache', 'HIT')
        await get('/raw?q=%7E').expect('X-Cache', 'MISS')
        await get('/raw?q=~').expect('X-Cache', 'HIT')
        expect(calls).toBe(4)
      })

      it('allow/ignore match names as the app decodes them: an unlisted spelling never hides a parameter the app reads', async () => {
        await get('/list?page=2').expect(200, { page: '2' })
        // encoded name: the app reads it as `page`, so it is keyed as `page`
        await get('/list?pag%65=3').expect('X-Cache', 'MISS')
        // bracket syntax: Express 4 (qs) reads req.query.page = { x: 'evil' }; it must not land in /list's entry
        await get('/list?page[x]=evil').expect('X-Cache', 'MISS')
        await get('/list?page%5Bx%5D=evil').expect('X-Cache', 'MISS')
        const plain = await get('/list')
        expect(plain.body).toEqual({ page: null })
        await get('/list?tracking=1').expect('X-Cache', 'HIT').expect(200, { page: null })
        // ignore: encoded and bracketed spellings of an ignored name are ignored too
        await get('/landing?x=1&utm_source=a').expect('X-Cache', 'MISS')
        await get('/landing?x=1&utm%5Fsource=b').expect('X-Cache', 'HIT')
        await get('/landing?utm_medium[a]=c&x=1').expect('X-Cache', 'HIT')
      })
    })
  }
})
