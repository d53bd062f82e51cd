import { memoryClient } from '@rediware/redis'
import { createRealtime, type RealtimeOptions } from '@rediware/realtime'

const quiet = { warn: () => undefined }
const redis = memoryClient()

describe('createRealtime options', () => {
  it.each<[string, unknown, ErrorConstructor, RegExp]>([
    [
      'not an object',
      'redis://x',
      TypeError,
      /^@rediware\/realtime: options must be an object such as \{ redis, prefix/,
    ],
    ['an unknown option', { redis, maxLength: 5 }, TypeError, /unknown option "maxLength"; use history: \{ maxLen \}/],
    [
      'an unknown nested option',
      { redis, history: { size: 5 } },
      TypeError,
      /history: unknown option "size". Known options: maxLen, ttl/,
    ],
    [
      'a bad client',
      { redis: { get: () => null } },
      TypeError,
      /^@rediware\/realtime: redis must be an ioredis Redis or Cluster/,
    ],
    [
      'a prefix with braces',
      { redis, prefix: '{rt}' },
      TypeError,
      /prefix must be at most 64 characters without braces/,
    ],
    [
      'history.maxLen 0',
      { redis, history: { maxLen: 0 } },
      RangeError,
      /history.maxLen must be a whole number from 1 to 10000000; got 0/,
    ],
    [
      'history.maxLen 1.5',
      { redis, history: { maxLen: 1.5 } },
      RangeError,
      /history.maxLen must be a whole number from 1 to 10000000; got 1.5/,
    ],
    ['history.ttl "soon"', { redis, history: { ttl: 'soon' } }, TypeError, /history.ttl: "soon" is not a duration/],
    ['heartbeat 0', { redis, heartbeat: 0 }, RangeError, /heartbeat must be a positive duration/],
    ['retry -1', { redis, retry: -1 }, RangeError, /retry must be a positive duration/],
    ['timeout "fast"', { redis, timeout: 'fast' }, TypeError, /timeout: "fast" is not a duration/],
    [
      'backlog.maxEvents 0',
      { redis, backlog: { maxEvents: 0 } },
      RangeError,
      /backlog.maxEvents must be a whole number of at least 1; got 0/,
    ],
    [
      'a backlog smaller than one event',
      { redis, maxEventSize: 100_000, backlog: { maxBytes: 50_000 } },
      RangeError,
      /backlog.maxBytes \(50000\) must be at least maxEventSize \(100000\)/,
    ],
    ['onEvent not a function', { redis, onEvent: 'log' }, TypeError, /onEvent must be a function \(event\) => void/],
  ])('refuses %s at construction, naming the option and the fix', (_name, options, type, message) => {
    const build = () =>
      createRealtime(
        typeof options === 'object' ? { ...quiet, ...(options as RealtimeOptions) } : (options as RealtimeOptions),
      )
    expect(build).toThrow(type)
    expect(build).toThrow(message)
  })

  it('warns once without a redis option (memory: one process only)', async () => {
    const warnings: string[] = []
    const rt = createRealtime({ warn: (message) => warnings.push(message) })
    expect(warnings).toEqual([expect.stringMatching(/^@rediware\/realtime: no `redis` option/)])
    await rt.close()
  })
})

describe('sse() and subscribe() options', () => {
  const rt = createRealtime({ ...quiet, redis })
  afterAll(() => rt.close())

  it('refuses missing or bad channels and a non-function authorize', () => {
    expect(() => rt.sse({} as never)).toThrow(/sse\(\): channels is required/)
    expect(() => rt.sse({ channels: [] })).toThrow(/channels must be a non-empty array of channel names/)
    expect(() => rt.sse({ channels: ['ok', ''] })).toThrow(/a channel name must be a non-empty string/)
    expect(() => rt.sse({ channels: ['x'.repeat(257)] })).toThrow(RangeError)
    expect(() => rt.sse({ channels: Array.from({ length: 65 }, (_, index) => `c${index}`) })).toThrow(
      /at most 64 channels/,
    )
    expect(() => rt.sse({ channels: ['ok'], authorize: true as never })).toThrow(/authorize must be a function/)
    expect(() => rt.sse({ channels: ['ok'], lastEventId: 1 } as never)).toThrow(/unknown option "lastEventId"/)
    expect(() => rt.subscribe('', () => undefined)).toThrow(TypeError)
    expect(() => rt.subscribe('ok', 'listener' as never)).toThrow(/listener must be a function/)
  })
})

describe('publish() input', () => {
  const rt = createRealtime({ ...quiet, redis, maxEventSize: 1024 })
  afterAll(() => rt.close())

  it.each<[string, string, unknown, ErrorConstructor, RegExp]>([
    ['an empty channel', '', { type: 'a', data: 1 }, TypeError, /a channel name must be a non-empty string/],
    ['no event object', 'news', 'stock', TypeError, /event must be an object such as \{ type: 'stock'/],
    [
      'a type with a line break',
      'news',
      { type: 'a\nb', data: 1 },
      TypeError,
      /event.type must be a string of 1 to 128 characters without control characters/,
    ],
    ['an empty type', 'news', { type: '', data: 1 }, TypeError, /event.type must be a string/],
    ['a reserved type', 'news', { type: 'reset', data: 1 }, RangeError, /event.type 'reset' is reserved/],
    ['undefined data', 'news', { type: 'a', data: undefined }, TypeError, /event.data must be a JSON value/],
    ['data JSON cannot carry', 'news', { type: 'a', data: 10n }, TypeError, /event.data cannot be serialised as JSON/],
    [
      'data over maxEventSize',
      'news',
      { type: 'a', data: 'x'.repeat(2000) },
      RangeError,
      /over maxEventSize \(1024\); publish an id/,
    ],
  ])('rejects %s with a clear error and writes nothing', async (_name, channel, event, type, message) => {
    const publishing = rt.publish(channel, event as { type: string; data: unknown })
    await expect(publishing).rejects.toThrow(type)
    await expect(rt.publish(channel, event as { type: string; data: unknown })).rejects.toThrow(message)
  })

  it('accepts any JSON data, null included, and returns the log id', async () => {
    for (const data of [null, 0, 'text', [1, 'two'], { nested: { deep: true } }]) {
      expect(await rt.publish('news', { type: 'ok', data })).toMatch(/^\d+-\d+$/)
    }
  })
})
