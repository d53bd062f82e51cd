import { connect } from 'node:net'
import { startUpstashLocal, type UpstashLocal } from '@rediware/upstash-local'
import { Redis } from 'ioredis'
import { RedisPool } from '../src/pool.js'
import { ScriptRegistry, sha1Hex } from '../src/script-flags.js'
import { READONLY, rest, TOKEN } from './helpers.js'
import { startRedis, type TestRedis } from './redis-server.js'

/** Every in-process structure of upstash-local has a bound that no client input can push past. */
let redis: TestRedis
let observer: Redis
beforeAll(async () => {
  redis = await startRedis()
  observer = new Redis(redis.url)
})
afterAll(async () => {
  observer.disconnect()
  await redis.stop()
})

const clientCount = async () =>
  String(await observer.client('LIST'))
    .trim()
    .split('\n').length

async function commandInfoCalls(): Promise<number> {
  const stats = await observer.info('commandstats')
  return Number(/cmdstat_command\|info:calls=(\d+)/.exec(stats)?.[1] ?? 0)
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function openStream(server: UpstashLocal, path: string, token = TOKEN) {
  const abort = new AbortController()
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: '[]',
    signal: abort.signal,
  })
  const reader = res.status === 200 ? res.body?.getReader() : undefined
  const first = reader !== undefined ? new TextDecoder().decode((await reader.read()).value) : await res.text()
  return {
    status: res.status,
    first,
    close: async () => {
      abort.abort()
      await reader?.cancel().catch(() => undefined)
    },
  }
}

describe('command names', () => {
  let server: UpstashLocal
  beforeAll(async () => {
    server = await startUpstashLocal({ redisUrl: redis.url, token: TOKEN, readonlyToken: READONLY })
  })
  afterAll(async () => {
    await server.close()
  })

  test('2,000 distinct unknown names with the read-only token: no lookup reaches Redis, nothing is remembered', async () => {
    const before = await commandInfoCalls()
    for (let batch = 0; batch < 20; batch++) {
      const commands = Array.from({ length: 100 }, (_, i) => [`nosuch-${batch}-${i}-${'x'.repeat(200)}`])
      const reply = await rest(server.url, '/pipeline', commands, { token: READONLY })
      for (const item of reply.json as Array<{ error: string }>) expect(item.error).toMatch(/^ERR unknown command/)
    }
    expect(await commandInfoCalls()).toBe(before)
  })
})

describe('rewritten scripts', () => {
  test('the SHA map keeps at most maxEntries scripts, least recently used out', () => {
    const registry = new ScriptRegistry(3)
    const scripts = Array.from({ length: 50 }, (_, i) => `#!lua flags=allow-key-locking\nreturn ${i}`)
    for (const script of scripts) registry.prepare('EVAL', [script, '0'])
    expect(registry.size).toBe(3)
    const last = scripts[49] ?? ''
    const first = scripts[0] ?? ''
    expect(registry.prepare('EVALSHA', [sha1Hex(Buffer.from(last)), '0']).args[0]).not.toBe(sha1Hex(Buffer.from(last)))
    // A forgotten script's SHA goes to Redis as sent: NOSCRIPT, and the client falls back to EVAL.
    expect(registry.prepare('EVALSHA', [sha1Hex(Buffer.from(first)), '0']).args[0]).toBe(sha1Hex(Buffer.from(first)))
  })

  test('over REST, 3,000 distinct flagged scripts leave the map at its bound and EVALSHA still works', async () => {
    const server = await startUpstashLocal({ redisUrl: redis.url, token: TOKEN })
    try {
      const scripts = Array.from({ length: 3000 }, (_, i) => `#!lua flags=allow-key-locking\nreturn ${i}`)
      for (let i = 0; i < scripts.length; i += 500) {
        const reply = await rest(
          server.url,
          '/pipeline',
          scripts.slice(i, i + 500).map((script) => ['EVAL', script, 0]),
        )
        expect((reply.json as unknown[]).length).toBe(500)
      }
      const recent = scripts[2999] ?? ''
      expect((await rest(server.url, '/', ['EVALSHA', sha1Hex(Buffer.from(recent)), 0])).json).toEqual({ result: 2999 })
      const evicted = scripts[0] ?? ''
      expect((await rest(server.url, '/', ['EVALSHA', sha1Hex(Buffer.from(evicted)), 0])).json).toEqual({
        error: expect.stringMatching(/^NOSCRIPT/),
      })
      expect((await rest(server.url, '/', ['EVAL', evicted, 0])).json).toEqual({ result: 0 })
      expect((await rest(server.url, '/', ['EVALSHA', sha1Hex(Buffer.from(evicted)), 0])).json).toEqual({ result: 0 })
    } finally {
      await server.close()
    }
  })
})

describe('transactions waiting for a connection', () => {
  test('at most maxWaitingTransactions wait; the next one is refused at once', async () => {
    const pool = await RedisPool.open({
      redisUrl: redis.url,
      size: 2,
      connectTimeoutMs: 1000,
      commandTimeoutMs: 1000,
      maxWaitingTransactions: 2,
    })
    try {
      const held = await pool.lease()
      const waiters = [pool.lease(), pool.lease()]
      await expect(pool.lease()).rejects.toThrow(/too many transactions waiting/)
      held.release()
      const first = await waiters[0]
      first?.release()
      ;(await waiters[1])?.release()
    } finally {
      await pool.close()
    }
  })
})

describe('SSE subscriptions', () => {
  test('the read-only token may subscribe and psubscribe (subscriptions are reads) and gets messages', async () => {
    const server = await startUpstashLocal({ redisUrl: redis.url, token: TOKEN, readonlyToken: READONLY })
    try {
      const stream = await openStream(server, '/subscribe/ro-chan', READONLY)
      expect(stream.first).toBe('data: subscribe,ro-chan,1\n\n')
      const patterned = await openStream(server, '/psubscribe/ro-*', READONLY)
      expect(patterned.first).toBe('data: psubscribe,ro-*,1\n\n')
      expect((await rest(server.url, '/', ['PUBLISH', 'ro-chan', 'x'], { token: READONLY })).json).toEqual({
        error: expect.stringMatching(/^NOPERM/),
      })
      await stream.close()
      await patterned.close()
    } finally {
      await server.close()
    }
  })

  test('at most maxSubscriptions streams are open at once; the next gets 429 until one closes', async () => {
    const baseline = await clientCount()
    const server = await startUpstashLocal({ redisUrl: redis.url, token: TOKEN, poolSize: 2, maxSubscriptions: 3 })
    try {
      const streams = await Promise.all([1, 2, 3].map((i) => openStream(server, `/subscribe/c${i}`)))
      expect(streams.map((stream) => stream.status)).toEqual([200, 200, 200])
      const refused = await openStream(server, '/subscribe/c4')
      expect(refused.status).toBe(429)
      expect(refused.first).toMatch(/too many open subscriptions \(at most 3 at once/)
      expect(await clientCount()).toBe(baseline + 2 + 3)
      await streams[0]?.close()
      await waitUntil(
        async () => (await clientCount()) === baseline + 2 + 2,
        'the closed stream to free its connection',
      )
      const again = await openStream(server, '/subscribe/c5')
      expect(again.status).toBe(200)
      await again.close()
      await Promise.all(streams.slice(1).map((stream) => stream.close()))
      await waitUntil(async () => (await clientCount()) === baseline + 2, 'every stream connection to close')
    } finally {
      await server.close()
    }
  })

  test('a client that leaves while its subscriber connection is still opening frees that connection', async () => {
    const baseline = await clientCount()
    const server = await startUpstashLocal({ redisUrl: redis.url, token: TOKEN, poolSize: 2, maxSubscriptions: 1000 })
    try {
      const { port } = new URL(server.url)
      const request = `POST /subscribe/leaver HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\ncontent-length: 2\r\n\r\n[]`
      await Promise.all(
        Array.from(
          { length: 50 },
          () =>
            new Promise<void>((resolve) => {
              const socket = connect(Number(port), '127.0.0.1', () => {
                socket.write(request, () => {
                  socket.destroy()
                  resolve()
                })
              })
              socket.on('error', () => resolve())
            }),
        ),
      )
      await waitUntil(
        async () => (await clientCount()) === baseline + 2,
        'all 50 subscriber connections to close',
        10_000,
      )
    } finally {
      await server.close()
    }
  })
})
