import { startUpstashLocal, type UpstashLocal } from '@rediware/upstash-local'
import { Redis } from 'ioredis'
import { type Harness, READONLY, rest, startHarness, TOKEN } from './helpers.js'
import { startRedis } from './redis-server.js'

let h: Harness
let base: string
const post = (path: string, body?: unknown, options?: Parameters<typeof rest>[3]) => rest(base, path, body, options)
const errorOf = (json: unknown) => (json as { error: string }).error

beforeAll(async () => {
  h = await startHarness({ maxBodyBytes: 1024 })
  base = h.server.url
})
afterAll(async () => {
  await h.stop()
})
beforeEach(async () => {
  await h.io.flushdb()
})

describe('request validation', () => {
  test('a body over the limit gets 413 with a JSON error', async () => {
    const big = ['SET', 'k', 'x'.repeat(2000)]
    for (const path of ['/', '/pipeline', '/multi-exec']) {
      const reply = await post(path, path === '/' ? big : [big])
      expect(reply.status).toBe(413)
      expect(errorOf(reply.json)).toMatch(/larger than the limit/)
    }
    expect((await post('/set/k', undefined, { raw: 'y'.repeat(2000) })).status).toBe(413)
    expect(await h.io.exists('k')).toBe(0)
  })

  test('malformed JSON and wrong shapes get 400 {error}', async () => {
    const cases: Array<[string, string]> = [
      ['/', '{not json'],
      ['/', '{"a":1}'],
      ['/', '[]'],
      ['/', '[1,2]'],
      ['/', '["SET","k",null]'],
      ['/', '["SET","k",{"a":1}]'],
      ['/', '["SET","k",["nested"]]'],
      ['/pipeline', '["GET","k"]'],
      ['/pipeline', '{"a":1}'],
      ['/multi-exec', '[["SET","k","v"],"GET"]'],
      ['/multi-exec', 'nope'],
    ]
    for (const [path, raw] of cases) {
      const reply = await post(path, undefined, { raw })
      expect({ path, raw, status: reply.status }).toEqual({ path, raw, status: 400 })
      expect(typeof errorOf(reply.json)).toBe('string')
    }
    expect(await h.io.dbsize()).toBe(0)
  })

  test('any content type is tolerated', async () => {
    const reply = await post('/', ['PING'], { headers: { 'content-type': 'text/plain' } })
    expect(reply.json).toEqual({ result: 'PONG' })
  })

  test('HEAD answers with the status only; unknown methods get 405 before auth', async () => {
    const head = await post('/get/x', undefined, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.text).toBe('')
    expect((await post('/', undefined, { method: 'PATCH', token: null })).status).toBe(405)
  })
})

describe('reply mapping', () => {
  test('binary values: exact base64, U+FFFD replacement without it', async () => {
    await h.io.set('bin', Buffer.from([0xff, 0x00, 0x61]))
    expect((await post('/', ['GET', 'bin'], { b64: true })).json).toEqual({ result: '/wBh' })
    expect((await post('/', ['GET', 'bin'])).json).toEqual({ result: '\ufffd\u0000a' })
  })

  test('integers above 2^53 are written digit for digit', async () => {
    await h.io.set('big', '9007199254740992')
    expect((await post('/', ['INCR', 'big'])).text).toBe('{"result":9007199254740993}')
    expect((await post('/', ['INCRBY', 'neg', '-5'])).text).toBe('{"result":-5}')
  })

  test('simple strings other than OK are encoded with base64', async () => {
    await h.io.set('s', 'v')
    expect((await post('/', ['TYPE', 's'], { b64: true })).json).toEqual({
      result: Buffer.from('string').toString('base64'),
    })
    expect((await post('/', ['PING'], { b64: true })).json).toEqual({ result: 'UE9ORw==' })
  })

  test('an error inside a Lua array reply becomes its message', async () => {
    const reply = await post('/', ['EVAL', "return {1, redis.error_reply('ERR inner')}", 0])
    expect(reply.json).toEqual({ result: [1, 'ERR inner'] })
  })
})

describe('read-only token and refused commands', () => {
  const ro = { token: READONLY }
  test('read-only: reads and SCAN pass; writes, scripts, KEYS and admin commands get NOPERM', async () => {
    await h.io.set('a', '1')
    for (const command of [
      ['GET', 'a'],
      ['SCAN', 0],
      ['PING'],
      ['EXISTS', 'a'],
      ['TYPE', 'a'],
      ['XINFO', 'STREAM', 'nope'],
      ['ECHO', 'x'],
    ]) {
      if (command[0] === 'XINFO') {
        // A read with a subcommand: allowed, so Redis answers (no such key), not NOPERM.
        expect(errorOf((await post('/', command, ro)).json)).toMatch(/^ERR no such key/)
        continue
      }
      expect({ command, status: (await post('/', command, ro)).status }).toEqual({ command, status: 200 })
    }
    for (const command of [
      ['SET', 'a', '2'],
      ['DEL', 'a'],
      ['EVAL', 'return 1', 0],
      ['EVALSHA', '0'.repeat(40), 0],
      ['SCRIPT', 'LOAD', 'return 1'],
      ['KEYS', '*'],
      ['FLUSHALL'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['INFO'],
    ]) {
      const reply = await post('/', command, ro)
      expect({ command, status: reply.status }).toEqual({ command, status: 400 })
      expect(errorOf(reply.json)).toMatch(/^NOPERM /)
    }
    expect(await h.io.get('a')).toBe('1')
  })

  test('read-only: NOPERM is a pipeline item, and discards a transaction', async () => {
    const pipeline = await post(
      '/pipeline',
      [
        ['GET', 'a'],
        ['SET', 'a', '1'],
      ],
      ro,
    )
    expect(pipeline.status).toBe(200)
    expect((pipeline.json as Array<{ error?: string }>)[1]?.error).toMatch(/^NOPERM/)
    const multi = await post(
      '/multi-exec',
      [
        ['GET', 'a'],
        ['INCR', 'a'],
      ],
      ro,
    )
    expect(multi.status).toBe(400)
    expect(errorOf(multi.json)).toMatch(/^NOPERM/)
    expect(await h.io.exists('a')).toBe(0)
  })

  test('refused commands: blocking XREAD, WATCH, CLIENT, SELECT other than 0; plain XREAD works', async () => {
    for (const command of [
      ['XREAD', 'BLOCK', 0, 'STREAMS', 's', '$'],
      ['WATCH', 'k'],
      ['CLIENT', 'LIST'],
      ['MONITOR'],
      ['BZPOPMIN', 'z', 0],
    ]) {
      const reply = await post('/', command)
      expect({ command, status: reply.status }).toEqual({ command, status: 400 })
      expect(errorOf(reply.json)).toMatch(/^ERR Command is not available/)
    }
    expect(errorOf((await post('/', ['SELECT', 1])).json)).toMatch(/^ERR DB index is out of range/)
    expect((await post('/', ['SELECT', 0])).json).toEqual({ result: 'OK' })
    expect((await post('/', ['XREAD', 'STREAMS', 's', '0'])).json).toEqual({ result: null })
  })

  test('a refused command discards a whole transaction but is only an item error in a pipeline', async () => {
    const multi = await post('/multi-exec', [
      ['SET', 'k', '1'],
      ['BLPOP', 'l', 0],
    ])
    expect(multi.status).toBe(400)
    expect(await h.io.exists('k')).toBe(0)
    const pipeline = await post('/pipeline', [
      ['SET', 'k', '1'],
      ['WATCH', 'k'],
      ['GET', 'k'],
    ])
    expect(pipeline.status).toBe(200)
    const items = pipeline.json as Array<{ result?: unknown; error?: string }>
    expect(items[0]).toEqual({ result: 'OK' })
    expect(items[1]?.error).toMatch(/^ERR Command is not available/)
    expect(items[2]).toEqual({ result: '1' })
  })
})

describe('connection pool', () => {
  test('concurrent transactions never share a connection mid-MULTI', async () => {
    const transactions = Array.from({ length: 40 }, (_, i) =>
      post('/multi-exec', [
        ['SET', `k${i}`, String(i)],
        ['INCR', 'total'],
        ['INCRBY', `k${i}`, 1000],
        ['GET', `k${i}`],
      ]),
    )
    const singles = Array.from({ length: 80 }, () => post('/', ['INCR', 'plain']))
    const pipelines = Array.from({ length: 20 }, () =>
      post('/pipeline', [
        ['INCR', 'piped'],
        ['INCR', 'piped'],
      ]),
    )
    const results = await Promise.all([...transactions, ...singles, ...pipelines])
    for (const [i, reply] of results.slice(0, 40).entries()) {
      expect(reply.status).toBe(200)
      const items = reply.json as Array<{ result: unknown }>
      expect(items[0]).toEqual({ result: 'OK' })
      expect(items[2]).toEqual({ result: 1000 + i })
      expect(items[3]).toEqual({ result: String(1000 + i) })
    }
    for (const reply of results.slice(40)) expect(reply.status).toBe(200)
    expect(await h.io.get('total')).toBe('40')
    expect(await h.io.get('plain')).toBe('80')
    expect(await h.io.get('piped')).toBe('40')
  })
})

describe('Redis unavailable and shutdown', () => {
  test('Redis down → a 5xx JSON error within a second on every endpoint, then recovery', async () => {
    const redis = await startRedis()
    const server = await startUpstashLocal({ redisUrl: redis.url, token: TOKEN })
    try {
      expect((await rest(server.url, '/', ['PING'])).status).toBe(200)
      await redis.stop()
      for (const [path, body] of [
        ['/', ['GET', 'x']],
        ['/pipeline', [['GET', 'x'], ['PING']]],
        ['/multi-exec', [['SET', 'x', '1']]],
      ] as const) {
        const started = Date.now()
        const reply = await rest(server.url, path, body)
        expect(Date.now() - started).toBeLessThan(1000)
        expect(reply.status).toBeGreaterThanOrEqual(500)
        expect(errorOf(reply.json)).toMatch(/Redis is unavailable/)
      }
      const again = await startRedis(redis.port)
      try {
        const deadline = Date.now() + 10_000
        let status = 0
        while (Date.now() < deadline && status !== 200) {
          status = (await rest(server.url, '/', ['PING'])).status
          if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50))
        }
        expect(status).toBe(200)
      } finally {
        await again.stop()
      }
    } finally {
      await server.close()
      await redis.stop()
    }
  })

  test('startUpstashLocal rejects with a clear message when Redis cannot be reached', async () => {
    const redis = await startRedis()
    await redis.stop()
    await expect(startUpstashLocal({ redisUrl: redis.url, token: TOKEN })).rejects.toThrow(
      /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/,
    )
  })

  test('close() ends open streams, keep-alive sockets and every Redis connection', async () => {
    const redis = await startRedis()
    const observer = new Redis(redis.url)
    const clientCount = async () =>
      String(await observer.client('LIST'))
        .trim()
        .split('\n').length
    let server: UpstashLocal | undefined
    try {
      const before = await clientCount()
      server = await startUpstashLocal({ redisUrl: redis.url, token: TOKEN, poolSize: 3 })
      const stream = await fetch(`${server.url}/subscribe/c`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      const reader = stream.body?.getReader()
      await reader?.read()
      expect(await clientCount()).toBe(before + 4)
      await server.close()
      expect(await clientCount()).toBe(before)
      await expect(fetch(`${server.url}/`, { method: 'POST', body: '["PING"]' })).rejects.toThrow()
      await server.close()
    } finally {
      observer.disconnect()
      await redis.stop()
    }
  })
})

describe('options', () => {
  test('bad options throw a TypeError or RangeError naming the option', async () => {
    await expect(startUpstashLocal({ redisUrl: 'http://x', token: 't' })).rejects.toThrow(/redisUrl/)
    await expect(startUpstashLocal({ redisUrl: 'redis://127.0.0.1:1', token: '' })).rejects.toThrow(TypeError)
    await expect(
      startUpstashLocal({ redisUrl: 'redis://127.0.0.1:1', token: 't', readonlyToken: 't' }),
    ).rejects.toThrow(/readonlyToken/)
    await expect(startUpstashLocal({ redisUrl: 'redis://127.0.0.1:1', token: 't', port: 70000 })).rejects.toThrow(
      RangeError,
    )
    await expect(startUpstashLocal({ redisUrl: 'redis://127.0.0.1:1', token: 't', poolSize: 1 })).rejects.toThrow(
      /poolSize/,
    )
  })
})
