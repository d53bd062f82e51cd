import { describeBackends, expressVersions } from '@rediware/test-utils'
import request from 'supertest'
import { rateLimit } from '@rediware/rate-limit'

let counter = 0

/** A value someone else wrote at a token-bucket key must not block the key (the default algorithm uses it above 1,000). */
describeBackends('corrupt token-bucket state reads as a fresh bucket', (backend) => {
  test.each(expressVersions.map((version) => [version.name, version] as const))(
    'NaN, infinities and far-future times (%s)',
    async (_name, version) => {
      const prefix = `${backend.prefix}corrupt${counter++}:`
      const app = version.create()
      app.get(
        '/',
        rateLimit({ redis: backend.client(), prefix, limit: 2_000, window: '1 d', key: () => 'k', blockCache: false }),
        (req, res) => {
          res.json({ remaining: req.rateLimit?.remaining, source: req.rateLimit?.source })
        },
      )
      expect((await request(app).get('/')).body).toEqual({ remaining: 1_999, source: 'redis' })
      const keys: string[] = []
      for await (const page of backend.client().scan({ match: `${prefix}*`, count: 500 })) keys.push(...page)
      expect(keys).toHaveLength(1)
      const [key = ''] = keys
      // The README's key layout: the counted key's hash names a group that carries the prefix.
      const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      expect(key).toMatch(new RegExp(`^${escaped}\\{${escaped}[A-Za-z0-9_-]{22}\\}:v1:auto:default:gcra$`))
      for (const value of ['NaN', '1e400', '9007199254740993', 'inf', 'garbage']) {
        await backend.client().set(key, value)
        const res = await request(app).get('/')
        expect([value, res.status, res.body]).toEqual([value, 200, { remaining: 1_999, source: 'redis' }])
      }
    },
  )
})
