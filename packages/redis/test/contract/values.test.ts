import { randomBytes } from 'node:crypto'
import { commands, type RedisClient } from '@rediware/redis'
import { describeBackends } from '@rediware/test-utils'

const trickyStrings = [
  '123',
  'true',
  'null',
  '{"a":1}',
  '1.0',
  '',
  ' spaced ',
  'héllo 👋 ñ 中文',
  'line\nbreak',
  '"quoted"',
]

describeBackends('RedisClient values', (backend) => {
  let client: RedisClient
  let n = 0
  const next = () => {
    n += 1
    return n
  }
  const key = (name: string) => `${backend.prefix}${name}:${next()}`

  beforeAll(() => {
    client = backend.client()
  })

  it.each(trickyStrings)('round-trips the string %j unchanged', async (value) => {
    const k = key('s')
    expect(await client.set(k, value)).toBe(true)
    expect(await client.get(k)).toBe(value)
    expect(await client.mget([k])).toEqual([value])
  })

  it('round-trips 64 KB of random bytes', async () => {
    const k = key('bin')
    const bytes = randomBytes(64 * 1024)
    await client.set(k, bytes)
    const back = await client.getBuffer(k)
    expect(back).not.toBeNull()
    expect(Buffer.compare(back ?? Buffer.alloc(0), bytes)).toBe(0)
  })

  it('reads a missing key as null', async () => {
    expect(await client.get(key('missing'))).toBeNull()
    expect(await client.getBuffer(key('missing'))).toBeNull()
  })

  it('honours NX, XX and GET', async () => {
    const k = key('nx')
    expect(await client.set(k, 'a', { xx: true })).toBe(false)
    expect(await client.set(k, 'a', { nx: true })).toBe(true)
    expect(await client.set(k, 'b', { nx: true })).toBe(false)
    expect(await client.get(k)).toBe('a')
    expect(await client.setGet(k, 'c')).toBe('a')
    expect(await client.get(k)).toBe('c')
  })

  it('keeps TTL semantics: PX, PTTL, PEXPIRE, PEXPIREAT, -1 and -2', async () => {
    const k = key('ttl')
    expect(await client.pttl(k)).toBe(-2)
    await client.set(k, 'v')
    expect(await client.pttl(k)).toBe(-1)
    await client.set(k, 'v', { px: 60_000 })
    const ttl = await client.pttl(k)
    expect(ttl).toBeGreaterThan(55_000)
    expect(ttl).toBeLessThanOrEqual(60_000)
    expect(await client.pexpire(k, 120_000, { gt: true })).toBe(true)
    expect(await client.pttl(k)).toBeGreaterThan(60_000)
    expect(await client.pexpire(k, 1000, { gt: true })).toBe(false)
    const now = await client.time()
    expect(await client.pexpireAt(k, now + 30_000)).toBe(true)
    expect(await client.pttl(k)).toBeLessThanOrEqual(30_000)
    expect(await client.pexpireAt(k, now - 1000)).toBe(true)
    expect(await client.get(k)).toBeNull()
    expect(await client.pexpire(key('absent'), 1000)).toBe(false)
  })

  it('expires a key after its PX', async () => {
    const k = key('short')
    await client.set(k, 'v', { px: 50 })
    await waitUntil(async () => (await client.get(k)) === null)
    expect(await client.exists(k)).toBe(0)
  })

  it('counts with INCR and INCRBY and rejects non-integers as a reply error', async () => {
    const k = key('counter')
    expect(await client.incr(k)).toBe(1)
    expect(await client.incrBy(k, 41)).toBe(42)
    const text = key('text')
    await client.set(text, 'abc')
    await expect(client.incr(text)).rejects.toMatchObject({ code: 'ERR_REDIS_REPLY' })
    expect(client.state).toBe('ready')
  })

  it('deletes, unlinks and counts keys in different slots', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'].map(key)
    for (const k of keys) await client.set(k, k)
    expect(await client.exists(keys)).toBe(6)
    expect(await client.mget(keys)).toEqual(keys)
    expect(await client.del(keys.slice(0, 3))).toBe(3)
    expect(await client.unlink([...keys.slice(3), key('none')])).toBe(3)
    expect(await client.exists(keys)).toBe(0)
  })

  it('works on hashes', async () => {
    const k = key('hash')
    expect(await client.hset(k, { a: '1', b: 'null', c: '{"x":2}' })).toBe(3)
    expect(await client.hget(k, 'b')).toBe('null')
    expect(await client.hmget(k, ['a', 'zz', 'c'])).toEqual(['1', null, '{"x":2}'])
    expect(await client.hgetall(k)).toEqual({ a: '1', b: 'null', c: '{"x":2}' })
    expect(await client.hincrBy(k, 'a', 5)).toBe(6)
    expect(await client.hdel(k, ['a', 'b', 'nope'])).toBe(2)
    expect(await client.hgetall(k)).toEqual({ c: '{"x":2}' })
    expect(await client.hgetall(key('nohash'))).toEqual({})
  })

  it('works on sorted sets', async () => {
    const k = key('zset')
    expect(
      await client.zadd(k, [
        { score: 1, member: 'a' },
        { score: 3, member: 'c' },
        { score: 2, member: 'b' },
      ]),
    ).toBe(3)
    expect(await client.zcard(k)).toBe(3)
    expect(await client.zscore(k, 'b')).toBe(2)
    expect(await client.zscore(k, 'nope')).toBeNull()
    expect(await client.zrangeByScore(k, '-inf', '+inf')).toEqual(['a', 'b', 'c'])
    expect(await client.zrangeByScore(k, '(1', 3, { limit: { offset: 0, count: 1 } })).toEqual(['b'])
    expect(await client.zrangeByScore(k, 1, 2, { withScores: true })).toEqual(['a', '1', 'b', '2'])
    expect(await client.zremRangeByScore(k, 0, 1)).toBe(1)
    expect(await client.zrem(k, ['b', 'nope'])).toBe(1)
    expect(await client.zrangeByScore(k, '-inf', '+inf')).toEqual(['c'])
  })

  it('works on sets', async () => {
    const k = key('set')
    expect(await client.sadd(k, ['a', 'b', 'a'])).toBe(2)
    expect((await client.smembers(k)).sort()).toEqual(['a', 'b'])
    expect(await client.srem(k, ['a'])).toBe(1)
    expect(await client.smembers(k)).toEqual(['b'])
  })

  it('batches several commands in one call and reports error replies', async () => {
    const k = key('batch')
    const [ok, value, ttl, count] = await client.batch([
      commands.set(k, '7', { px: 10_000 }),
      commands.get(k),
      commands.pttl(k),
      commands.incr(k),
    ])
    expect(ok).toBe(true)
    expect(value).toBe('7')
    expect(ttl).toBeGreaterThan(0)
    expect(count).toBe(8)
    const text = key('batch-text')
    await client.set(text, 'abc')
    await expect(client.batch([commands.get(text), commands.incr(text)])).rejects.toMatchObject({
      code: 'ERR_REDIS_REPLY',
    })
  })

  it('scans every key under a pattern on every node', async () => {
    const scanPrefix = `${backend.prefix}scan:${next()}:`
    const keys = Array.from({ length: 40 }, (_, index) => `${scanPrefix}${index}`)
    for (const k of keys) await client.set(k, '1')
    const found: string[] = []
    for await (const page of client.scan({ match: `${scanPrefix}*`, count: 7 })) found.push(...page)
    expect([...new Set(found)].sort()).toEqual([...keys].sort())
  })

  it('reads the server time in milliseconds', async () => {
    const time = await client.time()
    expect(Math.abs(time - Date.now())).toBeLessThan(5000)
    await expect(client.ping()).resolves.toBeUndefined()
  })
})

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
