import { describeBackends, ENV, nodeRedisClusterConnected, requireEnv } from '@rediware/test-utils'

describeBackends('backend matrix', (backend) => {
  test('the suite client reads what it writes, under a unique prefix', async () => {
    const key = `${backend.prefix}hello`
    expect(backend.prefix).toMatch(new RegExp(`^t:${backend.name}:[0-9a-f]{12}:$`))
    expect(backend.client().kind).toBe(backend.name)
    await expect(backend.client().set(key, 'world', { px: 10_000 })).resolves.toBe(true)
    await expect(backend.client().get(key)).resolves.toBe('world')
  })

  test('raw() and newRaw() reach the same server', async () => {
    const key = `${backend.prefix}shared`
    await backend.client().set(key, 'v', { px: 10_000 })
    switch (backend.name) {
      case 'ioredis':
      case 'cluster': {
        await expect(backend.raw().get(key)).resolves.toBe('v')
        const other = backend.newRaw()
        try {
          await expect(other.get(key)).resolves.toBe('v')
        } finally {
          other.disconnect()
        }
        break
      }
      case 'node-redis': {
        await expect(backend.raw().get(key)).resolves.toBe('v')
        const other = backend.newRaw()
        try {
          await expect(other.get(key)).resolves.toBe('v')
        } finally {
          other.destroy()
        }
        break
      }
      case 'node-redis-cluster': {
        await expect(backend.raw().get(key)).resolves.toBe('v')
        const other = backend.newRaw()
        try {
          await nodeRedisClusterConnected(other)
          await expect(other.get(key)).resolves.toBe('v')
        } finally {
          other.destroy()
        }
        break
      }
      case 'upstash':
        await expect(backend.raw().get(key)).resolves.toBe('v')
        await expect(backend.newRaw().get(key)).resolves.toBe('v')
        break
      case 'memory':
        expect(backend.raw()).toBeUndefined()
        expect(backend.newRaw()).toBeUndefined()
        break
    }
  })
})

describeBackends(
  'only',
  (backend) => {
    test('runs just the chosen backends', () => {
      expect(['memory', 'ioredis']).toContain(backend.name)
    })
  },
  { only: ['memory', 'ioredis'] },
)

test('the global setup exported upstash-local', () => {
  expect(requireEnv(ENV.upstashUrl)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  expect(requireEnv(ENV.upstashToken).length).toBeGreaterThanOrEqual(32)
})

test('unknown backend names are rejected', () => {
  expect(() => describeBackends('x', () => undefined, { only: ['nope' as 'memory'] })).toThrow(
    /unknown backend\(s\) nope/,
  )
})
