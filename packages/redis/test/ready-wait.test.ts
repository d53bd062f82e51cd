import { Redis } from 'ioredis'
import { fromIoredis } from '@rediware/redis'
import { requireEnv, ENV } from '@rediware/test-utils'

describe('calls made while ioredis connects', () => {
  it('share one ready listener and all go through once connected', async () => {
    const redis = new Redis(requireEnv(ENV.redisUrl), { lazyConnect: true })
    const warnings: Error[] = []
    const onWarning = (warning: Error) => warnings.push(warning)
    process.on('warning', onWarning)
    try {
      const client = fromIoredis(redis, { timeout: 5000 })
      const results = await Promise.all(Array.from({ length: 50 }, () => client.ping()))
      expect(results).toHaveLength(50)
      expect(redis.listenerCount('ready')).toBe(0)
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([])
    } finally {
      process.off('warning', onWarning)
      redis.disconnect()
    }
  })
})
