import { Ratelimit } from '@upstash/ratelimit'
import { describeBackends } from '@rediware/test-utils'
import { upstashCompat } from '@rediware/rate-limit'

// No cast between upstashCompat() and Ratelimit's `redis`: the README shows it that way, and before the
// fix its evalsha was not assignable to @upstash/redis' generic one.
describeBackends(
  'upstashCompat(ioredis) is what @upstash/ratelimit takes as redis',
  (backend) => {
    test('a Ratelimit built on it counts on self-hosted Redis', async () => {
      if (backend.name !== 'ioredis') throw new Error('ioredis only')
      const ratelimit = new Ratelimit({
        redis: upstashCompat(backend.raw()),
        limiter: Ratelimit.fixedWindow(2, '1 m'),
        prefix: `${backend.prefix}compat`,
      })
      const key = `compat-${Date.now()}`
      const results = [await ratelimit.limit(key), await ratelimit.limit(key), await ratelimit.limit(key)]
      expect(results.map((result) => result.success)).toEqual([true, true, false])
      expect(results.map((result) => result.remaining)).toEqual([1, 0, 0])
    })
  },
  { only: ['ioredis'] },
)
