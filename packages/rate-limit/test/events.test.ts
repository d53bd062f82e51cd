import { describeBackends, expressVersions } from '@rediware/test-utils'
import request from 'supertest'
import { type RateLimitEvent, rateLimit } from '@rediware/rate-limit'
import { memoryClient } from '@rediware/redis'

let counter = 0
const uniqueKey = () => `events-${Date.now()}-${counter++}`

describeBackends('onEvent', (backend) => {
  test.each(expressVersions.map((version) => [version.name, version] as const))(
    'reports each decided request as allowed or limited, with the policies, in order (%s)',
    async (_name, version) => {
      const events: RateLimitEvent[] = []
      const key = uniqueKey()
      const app = version.create()
      app.get(
        '/',
        rateLimit({
          redis: backend.client(),
          prefix: backend.prefix,
          policies: [
            { name: 'burst', limit: 2, window: '1 h' },
            { name: 'hourly', limit: 10, window: '1 h' },
          ],
          key: () => key,
          skip: (req) => req.query.skip === '1',
          onEvent: (event) => events.push(event),
        }),
        (_req, res) => {
          res.send('ok')
        },
      )
      const statuses: number[] = []
      for (let index = 0; index < 3; index++) statuses.push((await request(app).get('/')).status)
      expect((await request(app).get('/?skip=1')).status).toBe(200)
      expect(statuses).toEqual([200, 200, 429])
      expect(events.map((event) => event.type)).toEqual(['allowed', 'allowed', 'limited'])
      const last = events[2]?.info
      expect(last?.violated).toEqual(['burst'])
      expect(last?.policies.map((policy) => [policy.name, policy.allowed])).toEqual([
        ['burst', false],
        ['hourly', true],
      ])
      expect(last?.key).toBe(key)
    },
  )
})

test('dry run reports limited requests that go on; a throwing hook does not fail the request', async () => {
  const types: string[] = []
  const app = expressVersions[0].create()
  const redis = memoryClient()
  app.get(
    '/',
    rateLimit({
      redis,
      limit: 1,
      window: '1 h',
      dryRun: true,
      key: () => 'dry',
      onEvent: (event) => {
        types.push(event.type)
        throw new Error('broken logger')
      },
    }),
    (_req, res) => {
      res.send('ok')
    },
  )
  expect((await request(app).get('/')).status).toBe(200)
  expect((await request(app).get('/')).status).toBe(200)
  expect(types).toEqual(['allowed', 'limited'])
  await redis.close()
})

test("onStoreError 'deny' reports the 503 as unavailable", async () => {
  const types: string[] = []
  const redis = memoryClient()
  await redis.close()
  const app = expressVersions[1].create()
  app.get(
    '/',
    rateLimit({ redis, limit: 5, onStoreError: 'deny', key: () => 'down', onEvent: (event) => types.push(event.type) }),
    (_req, res) => {
      res.send('ok')
    },
  )
  expect((await request(app).get('/')).status).toBe(503)
  expect(types).toEqual(['unavailable'])
})

test('onEvent must be a function', () => {
  expect(() => rateLimit({ redis: memoryClient(), limit: 1, onEvent: 'log' as never })).toThrow(/onEvent/)
})
