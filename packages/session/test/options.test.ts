import { memoryClient } from '@rediware/redis'
import { RedisStore, type RedisStoreOptions, session } from '../src/index.js'

const redis = memoryClient()
const make = (options: Record<string, unknown>) => () => new RedisStore(options as unknown as RedisStoreOptions)

describe('bad options are rejected at construction', () => {
  test.each([
    ['no options', undefined, TypeError, /options must be an object/],
    ['no redis', {}, TypeError, /redis is required/],
    ['not a client', { redis: { get: 1 } }, TypeError, /RedisStore: redis must be/],
    ['unknown option', { redis, tll: 5 }, TypeError, /unknown option "tll"/],
    ['ttl zero', { redis, ttl: 0 }, RangeError, /ttl is in seconds/],
    ['ttl garbage', { redis, ttl: 'soon' }, TypeError, /ttl/],
    ['ttl object', { redis, ttl: {} }, TypeError, /ttl must be seconds/],
    ['prefix with braces', { redis, prefix: '{x}' }, TypeError, /prefix must not contain/],
    ['prefix not string', { redis, prefix: 3 }, TypeError, /prefix must be a string/],
    ['scanCount 0', { redis, scanCount: 0 }, RangeError, /scanCount must be at least 1/],
    ['scanCount float', { redis, scanCount: 1.5 }, TypeError, /scanCount must be a positive integer/],
    ['absoluteTimeout negative', { redis, absoluteTimeout: -5 }, RangeError, /absoluteTimeout/],
    ['absoluteTimeout garbage', { redis, absoluteTimeout: 'forever' }, TypeError, /absoluteTimeout/],
    ['userId not a function', { redis, userId: 'userId' }, TypeError, /userId must be a function/],
    ['max sessions without userId', { redis, maxSessionsPerUser: 2 }, TypeError, /needs the userId option/],
    [
      'index inside the session prefix',
      { redis, userId: () => 'u', userIndexPrefix: 'sess:users:' },
      RangeError,
      /userIndexPrefix/,
    ],
    ['bad onStoreError', { redis, onStoreError: 'ignore' }, TypeError, /onStoreError must be 'fail'/],
    ['bad serializer', { redis, serializer: { parse: JSON.parse } }, TypeError, /serializer must have parse/],
    ['keySecret too short', { redis, keySecret: 'short' }, RangeError, /keySecret is too short/],
    ['keySecret not a string', { redis, keySecret: 42 }, TypeError, /keySecret must be a string or Buffer/],
    ['encryption without keys', { redis, encryption: {} }, TypeError, /encryption must be \{ keys/],
    ['concurrency unknown', { redis, concurrency: 'crdt' }, TypeError, /concurrency must be 'lww'/],
    ['flag not boolean', { redis, disableTouch: 'yes' }, TypeError, /disableTouch must be true or false/],
  ])('%s', (_name, options, errorType, message) => {
    const build = make(options as Record<string, unknown>)
    expect(build).toThrow(errorType)
    expect(build).toThrow(message)
  })

  test('session() requires a secret and rejects store', () => {
    expect(() => session({ redis } as never)).toThrow(/secret must be a non-empty string/)
    expect(() => session({ redis, secret: [] })).toThrow(TypeError)
    expect(() => session({ redis, secret: 'x'.repeat(40), store: {} } as never)).toThrow(/do not pass store/)
    expect(() => session({ redis, secret: 'x'.repeat(40), ttl: -1 })).toThrow(RangeError)
  })

  test('accepts connect-redis option names', () => {
    const store = new RedisStore({
      redis,
      prefix: 'app:sess:',
      ttl: (s) => (s.cookie.originalMaxAge ?? 86_400_000) / 1000,
      disableTouch: false,
      disableTTL: false,
      serializer: JSON,
      scanCount: 50,
    })
    expect(store.prefix).toBe('app:sess:')
  })
})
