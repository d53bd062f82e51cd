import { type Cache, createCache } from '@rediware/cache'
import { describeBackends, waitFor } from '@rediware/test-utils'
import { gate } from './helpers.js'

let sequence = 0

describeBackends('getOrSet', (backend) => {
  let cache: Cache
  let prefix: string
  beforeEach(() => {
    prefix = `${backend.prefix}g${++sequence}:`
    cache = createCache({ redis: backend.client(), prefix })
  })

  it('returns the cached value, typed by the loader', async () => {
    let loads = 0
    const load = async () => {
      loads += 1
      return { id: 1, name: 'Ada', tags: ['x'] }
    }
    const first = await cache.getOrSet('user:1', load, { ttl: '5 m' })
    const second = await cache.getOrSet('user:1', load, { ttl: '5 m' })
    const name: string = second.name
    expect(name).toBe('Ada')
    expect(second).toEqual(first)
    expect(loads).toBe(1)
  })

  it('does not cache null/undefined unless a negativeTtl is given', async () => {
    let loads = 0
    const missing = async (): Promise<null> => {
      loads += 1
      return null
    }
    expect(await cache.getOrSet('nobody', missing, { ttl: '1 m' })).toBeNull()
    expect(await cache.getOrSet('nobody', missing, { ttl: '1 m' })).toBeNull()
    expect(loads).toBe(2)
    expect(await cache.getOrSet('nobody2', missing, { ttl: '1 m', negativeTtl: '10 s' })).toBeNull()
    expect(await cache.getOrSet('nobody2', missing, { ttl: '1 m', negativeTtl: '10 s' })).toBeNull()
    expect(loads).toBe(3)
  })

  it('runs one loader for concurrent callers', async () => {
    let loads = 0
    const hold = gate()
    const load = async () => {
      loads += 1
      await hold.promise
      return 'value'
    }
    const all = Promise.all(Array.from({ length: 20 }, () => cache.getOrSet('shared', load, { ttl: '1 m' })))
    await waitFor(() => loads === 1, { description: 'the loader to start' })
    hold.open()
    expect(await all).toEqual(Array.from({ length: 20 }, () => 'value'))
    expect(loads).toBe(1)
  })

  it('never hands a call made after a completed delete or invalidate the loader that started before it', async () => {
    let loads = 0
    const holds = [gate(), gate()]
    const load = async () => {
      loads += 1
      const version = loads
      await holds[version - 1]?.promise
      return `version ${version}`
    }
    const before = cache.getOrSet('doc', load, { ttl: '1 m', tags: ['docs'] })
    await waitFor(() => loads === 1, { description: 'the first loader to start' })
    await createCache({ redis: backend.client(), prefix }).invalidate({ tags: ['docs'] })
    const after = cache.getOrSet('doc', load, { ttl: '1 m', tags: ['docs'] })
    await waitFor(() => loads === 2, { description: 'the second call to run its own loader' })
    holds[0]?.open()
    expect(await before).toBe('version 1')
    holds[1]?.open()
    expect(await after).toBe('version 2')
    expect(await cache.getOrSet('doc', load, { ttl: '1 m', tags: ['docs'] })).toBe('version 2')
    expect(loads).toBe(2)
  })

  it('invalidates by tag, from another instance, and deletes by key', async () => {
    let loads = 0
    const load = () => {
      loads += 1
      return loads
    }
    expect(await cache.getOrSet('a', load, { ttl: '1 m', tags: ['group'] })).toBe(1)
    expect(await cache.getOrSet('a', load, { ttl: '1 m', tags: ['group'] })).toBe(1)
    await createCache({ redis: backend.client(), prefix }).invalidate({ tags: ['group'] })
    expect(await cache.getOrSet('a', load, { ttl: '1 m', tags: ['group'] })).toBe(2)
    await cache.delete('a')
    expect(await cache.getOrSet('a', load, { ttl: '1 m', tags: ['group'] })).toBe(3)
  })

  it('does not keep a value loaded before a delete that raced it', async () => {
    const hold = gate()
    let loads = 0
    const load = async () => {
      loads += 1
      const seen = loads
      if (seen === 1) await hold.promise
      return `row v${seen}`
    }
    const racing = cache.getOrSet('row', load, { ttl: '1 m' })
    await waitFor(() => loads === 1, { description: 'the loader to start' })
    await cache.delete('row')
    hold.open()
    expect(await racing).toBe('row v1')
    expect(await cache.getOrSet('row', load, { ttl: '1 m' })).toBe('row v2')
    expect(await cache.getOrSet('row', load, { ttl: '1 m' })).toBe('row v2')
  })

  it('wraps a function with a key from its arguments', async () => {
    let loads = 0
    const find = async (id: number, lang: string) => {
      loads += 1
      return `${id}-${lang}`
    }
    const cached = cache.wrap(find, { key: (id, lang) => `find:${id}:${lang}`, ttl: '1 m' })
    expect(await cached(1, 'en')).toBe('1-en')
    expect(await cached(1, 'en')).toBe('1-en')
    expect(await cached(2, 'en')).toBe('2-en')
    expect(loads).toBe(2)
  })

  it('applies TTL jitter below the ttl', async () => {
    await cache.getOrSet('jitter', () => 'x', { ttl: 100_000, jitter: 0.5 })
    // the value key is internal; read it through a scan of this test's prefix
    const keys: string[] = []
    for await (const page of backend.client().scan({ match: `${prefix}d:*` })) keys.push(...page)
    expect(keys).toHaveLength(1)
    const pttl = await backend.client().pttl(keys[0] ?? '')
    expect(pttl).toBeGreaterThan(45_000)
    expect(pttl).toBeLessThanOrEqual(100_000)
  })
})
