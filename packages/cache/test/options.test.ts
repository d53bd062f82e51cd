import { cache, createCache } from '@rediware/cache'
import { memoryClient } from '@rediware/redis'

describe('options are validated at construction', () => {
  const redis = memoryClient()

  it.each([
    [{ redis: {} }, TypeError, /redis must be an ioredis/],
    [{ redis, prefix: 'a{b}' }, TypeError, /prefix/],
    [{ redis, timeout: 0 }, RangeError, /timeout must be a positive/],
    [{ redis, onError: 'log' }, TypeError, /onError must be a function/],
    [{ redis, name: 'has space' }, TypeError, /name must be a short token/],
    [{ redis, ttl: '5 m' }, TypeError, /unknown option "ttl"/],
    [{ redis, timeout: 'soon' }, TypeError, /timeout: "soon" is not a duration/],
    [{ redis, warn: true }, TypeError, /warn must be a function/],
    [{ redis, duration: '5 m' }, TypeError, /unknown option "duration"; use ttl/],
  ])('createCache(%p) throws', (options, type, message) => {
    expect(() => createCache(options as never)).toThrow(type)
    expect(() => createCache(options as never)).toThrow(message)
    expect(() => createCache(options as never)).toThrow(/^@rediware\/cache: /)
  })

  it('takes timeout as a duration', () => {
    expect(() => createCache({ redis, timeout: '250 ms' })).not.toThrow()
    expect(() => createCache({ redis, timeout: 250 })).not.toThrow()
  })

  const c = createCache({ redis })
  it.each([
    [{ ttl: 'soon' }, TypeError, /ttl: "soon" is not a duration/],
    [{ ttl: -5 }, RangeError, /ttl must be a positive duration/],
    [{ staleWhileRevalidate: 'x' }, TypeError, /staleWhileRevalidate/],
    [{ staleIfError: {} }, TypeError, /staleIfError must be a duration/],
    [{ tags: 'product' }, TypeError, /tags must be an array of non-empty strings/],
    [{ vary: ['*'] }, TypeError, /vary cannot contain/],
    [{ query: { ignore: ['a'], allow: ['b'] } }, TypeError, /either `ignore` or `allow`/],
    [{ scope: 'user' }, TypeError, /scope must be a function/],
    [{ statuses: [200, 500] }, RangeError, /statuses cannot include 500/],
    [{ statuses: [99] }, TypeError, /statuses must be an array of HTTP status codes/],
    [{ maxBodySize: 1.5 }, RangeError, /maxBodySize must be a positive whole number/],
    [{ cacheControl: 'a\nb' }, TypeError, /cacheControl must be a Cache-Control header value/],
    [{ invalidateOnWrite: 'yes' }, TypeError, /invalidateOnWrite must be true or false/],
    [{ lockTimeout: 0 }, RangeError, /lockTimeout/],
    [{ ttls: '1 m' }, TypeError, /unknown option "ttls"/],
    [{ public: 'yes' }, TypeError, /public must be true or false/],
    [{ public: true, scope: () => 'u' }, TypeError, /either `scope` .* or `public: true`/],
    [{ ignoreCookies: '_ga' }, TypeError, /ignoreCookies must be an array of non-empty strings/],
    [{ lock: 'global' }, TypeError, /lock must be one of 'local', 'distributed'/],
  ])('route(%p) throws', (options, type, message) => {
    expect(() => c.route(options as never)).toThrow(type)
    expect(() => c.route(options as never)).toThrow(message)
    expect(() => c.route(options as never)).toThrow(/^@rediware\/cache: /)
  })

  it('cache() validates cache and route options together', () => {
    expect(() => cache({ redis, ttl: 'never' as never })).toThrow(/ttl/)
    expect(() => cache({ redis, prefix: 'x*' })).toThrow(/prefix/)
    expect(typeof cache({ redis, ttl: '30 s' })).toBe('function')
  })

  it('getOrSet and wrap check their arguments', async () => {
    await expect(c.getOrSet('k', () => 1, {} as never)).rejects.toThrow(/ttl is required/)
    await expect(c.getOrSet('k', () => 1, { ttl: '1 m', jitter: 2 })).rejects.toThrow(RangeError)
    await expect(c.getOrSet('', () => 1, { ttl: '1 m' })).rejects.toThrow(/key must be a non-empty string/)
    expect(() => c.wrap(() => 1, { ttl: '1 m' } as never)).toThrow(/options.key must be a function/)
    await expect(c.invalidate({ tags: [''] })).rejects.toThrow(/tags must be an array/)
  })

  it('warns once when no redis is given and runs in memory', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const first = createCache()
      createCache()
      expect(warn.mock.calls.filter(([message]) => String(message).includes('no `redis` option'))).toHaveLength(1)
      expect(await first.getOrSet('k', () => 'v', { ttl: '1 m' })).toBe('v')
    } finally {
      warn.mockRestore()
    }
  })
})
