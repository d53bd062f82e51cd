import { describeBackends, expressVersions } from '@rediware/test-utils'
import request from 'supertest'
import { type Algorithm, rateLimit } from '@rediware/rate-limit'
import { limitedApp, listen, parseSfList } from './helpers.js'

const algorithmsUnderTest: Algorithm[] = ['auto', 'fixed-window', 'sliding-window', 'token-bucket', 'sliding-log']
let counter = 0
const uniqueKey = () => `user-${Date.now()}-${counter++}`

describeBackends('rateLimit on a real store', (backend) => {
  describe.each(algorithmsUnderTest)('%s', (algorithm) => {
    test.each(expressVersions.map((version) => [version.name, version] as const))(
      'admits the limit then answers 429 (%s)',
      async (_name, version) => {
        const key = uniqueKey()
        const { app } = limitedApp(version.create, {
          redis: backend.client(),
          prefix: backend.prefix,
          algorithm,
          limit: 5,
          window: '1 h',
          key: () => key,
        })
        const statuses: number[] = []
        let last: request.Response | undefined
        for (let index = 0; index < 7; index++) {
          last = await request(app).get('/')
          statuses.push(last.status)
          if (last.status === 200) expect(last.body.source).toBe('redis')
          if (index === 2) {
            expect(parseSfList(String(last.headers['ratelimit-policy']))).toEqual([
              { value: 'default', params: { q: 5, w: 3600 } },
            ])
            const [item] = parseSfList(String(last.headers.ratelimit))
            expect(item?.params.r).toBe(2)
            expect(Number(item?.params.t)).toBeGreaterThan(0)
            expect(last.headers['x-ratelimit-limit']).toBe('5')
            expect(last.headers['x-ratelimit-remaining']).toBe('2')
          }
        }
        expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429])
        const retryAfter = Number(last?.headers['retry-after'])
        expect(Number.isInteger(retryAfter)).toBe(true)
        expect(retryAfter).toBeGreaterThanOrEqual(1)
        expect(retryAfter).toBeLessThanOrEqual(algorithm === 'sliding-window' ? 7200 : 3600)
      },
    )

    test('200 parallel requests against limit 50 admit exactly 50', async () => {
      const key = uniqueKey()
      const { app } = limitedApp(expressVersions[1].create, {
        redis: backend.client(),
        prefix: backend.prefix,
        algorithm,
        limit: 50,
        window: '1 h',
        key: () => key,
        timeout: 5_000,
      })
      const server = await listen(app)
      try {
        const responses = await Promise.all(
          Array.from({ length: 200 }, () => fetch(`${server.url}/`).then((res) => res.status)),
        )
        expect(responses.filter((status) => status === 200)).toHaveLength(50)
        expect(responses.filter((status) => status === 429)).toHaveLength(150)
      } finally {
        await server.close()
      }
    })

    test('multi-policy: all or nothing, in one slot; oversized cost not charged', async () => {
      const key = uniqueKey()
      const { app, limiter } = limitedApp(expressVersions[1].create, {
        redis: backend.client(),
        prefix: backend.prefix,
        algorithm,
        key: () => key,
        cost: (req) => Number(req.query.cost ?? 1),
        policies: [
          { name: 'burst', limit: 3, window: '1 h' },
          { name: 'daily', limit: 10, window: '1 d' },
        ],
      })
      const first = await request(app).get('/?cost=2')
      expect(first.status).toBe(200)
      expect(first.body.source).toBe('redis')
      const over = await request(app).get('/?cost=2')
      expect(over.status).toBe(429)
      expect(over.body['violated-policies']).toEqual(['burst'])
      const state = await limiter.get(key)
      expect(state.map((policy) => [policy.name, policy.remaining])).toEqual([
        ['burst', 1],
        ['daily', 8],
      ])
      const huge = await request(app).get('/?cost=11')
      expect(huge.status).toBe(429)
      expect(huge.body['violated-policies']).toEqual(['burst', 'daily'])
      expect((await limiter.get(key)).map((policy) => policy.remaining)).toEqual([1, 8])
      await limiter.reset(key)
      expect((await limiter.get(key)).map((policy) => policy.remaining)).toEqual([3, 10])
    })
  })

  test('the block cache answers a blocked key without calling the store', async () => {
    const client = backend.client()
    const spy = jest.spyOn(client, 'runScript')
    try {
      const key = uniqueKey()
      const { app } = limitedApp(expressVersions[0].create, {
        redis: client,
        prefix: backend.prefix,
        limit: 2,
        window: '1 h',
        key: () => key,
      })
      expect((await request(app).get('/')).status).toBe(200)
      expect((await request(app).get('/')).status).toBe(200)
      expect((await request(app).get('/')).status).toBe(429)
      const calls = spy.mock.calls.length
      for (let index = 0; index < 5; index++) {
        const res = await request(app).get('/')
        expect(res.status).toBe(429)
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1)
      }
      expect(spy.mock.calls.length).toBe(calls)
    } finally {
      spy.mockRestore()
    }
  })

  if (backend.name !== 'memory' && backend.name !== 'upstash') {
    test('recovers after SCRIPT FLUSH (EVALSHA → NOSCRIPT → EVAL)', async () => {
      const key = uniqueKey()
      const limiter = rateLimit({
        redis: backend.client(),
        prefix: backend.prefix,
        limit: 3,
        window: '1 h',
        key: () => key,
      })
      const app = expressVersions[1].create()
      app.get('/', limiter, (_req, res) => {
        res.send('ok')
      })
      expect((await request(app).get('/')).status).toBe(200)
      await backend.flushScripts()
      const after = await request(app).get('/')
      expect(after.status).toBe(200)
      expect(after.headers['x-ratelimit-remaining']).toBe('1')
    })
  }
})
