import { Redis as UpstashRedis } from '@upstash/redis'
import type { Redis as IORedis } from 'ioredis'
import { type Harness, startHarness, TOKEN } from './helpers.js'

/**
 * The same broad set of operations through @upstash/redis (via upstash-local) and through ioredis
 * (directly), each from an empty database, must give the same results. Values are normalised only
 * where the two clients differ by design (numbers vs digit strings, object vs array shapes).
 */
let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => {
  await h.stop()
})

function norm(value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(norm)
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, norm(v)])
  }
  return String(value)
}

const sorted = (list: unknown) => (Array.isArray(list) ? [...(list as string[])].map(String).sort() : list)
const script = "redis.call('SET', KEYS[1], ARGV[1]) return {redis.call('GET', KEYS[1]), 7, {'nested', 'OK'}}"

interface Step {
  name: string
  up: (r: UpstashRedis) => Promise<unknown>
  io: (r: IORedis) => Promise<unknown>
}

const steps: Step[] = [
  // strings
  { name: 'set', up: (r) => r.set('s', 'hello'), io: (r) => r.set('s', 'hello') },
  { name: 'get', up: (r) => r.get('s'), io: (r) => r.get('s') },
  { name: 'get missing', up: (r) => r.get('nope'), io: (r) => r.get('nope') },
  { name: 'append', up: (r) => r.append('s', ' world'), io: (r) => r.append('s', ' world') },
  { name: 'strlen', up: (r) => r.strlen('s'), io: (r) => r.strlen('s') },
  { name: 'getrange', up: (r) => r.getrange('s', 0, 4), io: (r) => r.getrange('s', 0, 4) },
  { name: 'set unicode', up: (r) => r.set('u', 'héllo 👋'), io: (r) => r.set('u', 'héllo 👋') },
  { name: 'get unicode', up: (r) => r.get('u'), io: (r) => r.get('u') },
  { name: 'set ex', up: (r) => r.set('e', 'v', { ex: 100 }), io: (r) => r.set('e', 'v', 'EX', 100) },
  { name: 'ttl', up: async (r) => (await r.ttl('e')) > 90, io: async (r) => (await r.ttl('e')) > 90 },
  { name: 'set nx (exists)', up: (r) => r.set('e', 'w', { nx: true }), io: (r) => r.set('e', 'w', 'NX') },
  { name: 'incr', up: (r) => r.incr('n'), io: (r) => r.incr('n') },
  { name: 'incrby', up: (r) => r.incrby('n', 41), io: (r) => r.incrby('n', 41) },
  { name: 'decr', up: (r) => r.decr('n'), io: (r) => r.decr('n') },
  { name: 'incrbyfloat', up: (r) => r.incrbyfloat('f', 1.5), io: (r) => r.incrbyfloat('f', 1.5) },
  { name: 'mset', up: (r) => r.mset({ a: 'x', b: 'y' }), io: (r) => r.mset('a', 'x', 'b', 'y') },
  { name: 'mget', up: (r) => r.mget('a', 'b', 'nope'), io: (r) => r.mget('a', 'b', 'nope') },
  { name: 'exists', up: (r) => r.exists('a', 'b', 'nope'), io: (r) => r.exists('a', 'b', 'nope') },
  { name: 'type', up: (r) => r.type('a'), io: (r) => r.type('a') },
  { name: 'del', up: (r) => r.del('a', 'nope'), io: (r) => r.del('a', 'nope') },
  { name: 'expire', up: (r) => r.expire('b', 50), io: (r) => r.expire('b', 50) },
  { name: 'rename', up: (r) => r.rename('b', 'b2'), io: (r) => r.rename('b', 'b2') },
  // hashes
  { name: 'hset', up: (r) => r.hset('h', { f1: 'a', f2: 'b' }), io: (r) => r.hset('h', { f1: 'a', f2: 'b' }) },
  { name: 'hget', up: (r) => r.hget('h', 'f1'), io: (r) => r.hget('h', 'f1') },
  {
    name: 'hmget',
    up: (r) => r.hmget('h', 'f1', 'f2'),
    io: async (r) => {
      const [f1, f2] = await r.hmget('h', 'f1', 'f2')
      return { f1, f2 }
    },
  },
  { name: 'hincrby', up: (r) => r.hincrby('h', 'c', 3), io: (r) => r.hincrby('h', 'c', 3) },
  { name: 'hlen', up: (r) => r.hlen('h'), io: (r) => r.hlen('h') },
  { name: 'hkeys', up: async (r) => sorted(await r.hkeys('h')), io: async (r) => sorted(await r.hkeys('h')) },
  { name: 'hexists', up: (r) => r.hexists('h', 'f2'), io: (r) => r.hexists('h', 'f2') },
  { name: 'hdel', up: (r) => r.hdel('h', 'f2'), io: (r) => r.hdel('h', 'f2') },
  { name: 'hgetall', up: (r) => r.hgetall('h'), io: (r) => r.hgetall('h') },
  { name: 'hgetall missing', up: async (r) => (await r.hgetall('nope')) ?? {}, io: (r) => r.hgetall('nope') },
  // lists
  { name: 'rpush', up: (r) => r.rpush('l', 'a', 'b', 'c'), io: (r) => r.rpush('l', 'a', 'b', 'c') },
  { name: 'lpush', up: (r) => r.lpush('l', 'z'), io: (r) => r.lpush('l', 'z') },
  { name: 'lrange', up: (r) => r.lrange('l', 0, -1), io: (r) => r.lrange('l', 0, -1) },
  { name: 'llen', up: (r) => r.llen('l'), io: (r) => r.llen('l') },
  { name: 'lindex', up: (r) => r.lindex('l', 1), io: (r) => r.lindex('l', 1) },
  { name: 'lset', up: (r) => r.lset('l', 1, 'A'), io: (r) => r.lset('l', 1, 'A') },
  { name: 'lpop', up: (r) => r.lpop('l'), io: (r) => r.lpop('l') },
  { name: 'rpop', up: (r) => r.rpop('l'), io: (r) => r.rpop('l') },
  { name: 'lrem', up: (r) => r.lrem('l', 0, 'b'), io: (r) => r.lrem('l', 0, 'b') },
  // sets
  { name: 'sadd', up: (r) => r.sadd('set', 'a', 'b', 'c'), io: (r) => r.sadd('set', 'a', 'b', 'c') },
  { name: 'sadd 2', up: (r) => r.sadd('set2', 'b', 'c', 'd'), io: (r) => r.sadd('set2', 'b', 'c', 'd') },
  {
    name: 'smembers',
    up: async (r) => sorted(await r.smembers('set')),
    io: async (r) => sorted(await r.smembers('set')),
  },
  { name: 'sismember', up: (r) => r.sismember('set', 'a'), io: (r) => r.sismember('set', 'a') },
  { name: 'scard', up: (r) => r.scard('set'), io: (r) => r.scard('set') },
  {
    name: 'sinter',
    up: async (r) => sorted(await r.sinter('set', 'set2')),
    io: async (r) => sorted(await r.sinter('set', 'set2')),
  },
  { name: 'srem', up: (r) => r.srem('set', 'a'), io: (r) => r.srem('set', 'a') },
  // sorted sets
  {
    name: 'zadd',
    up: (r) => r.zadd('z', { score: 1.5, member: 'm1' }, { score: 3, member: 'm2' }),
    io: (r) => r.zadd('z', 1.5, 'm1', 3, 'm2'),
  },
  { name: 'zscore', up: (r) => r.zscore('z', 'm1'), io: (r) => r.zscore('z', 'm1') },
  { name: 'zincrby', up: (r) => r.zincrby('z', 2, 'm1'), io: (r) => r.zincrby('z', 2, 'm1') },
  { name: 'zrank', up: (r) => r.zrank('z', 'm1'), io: (r) => r.zrank('z', 'm1') },
  { name: 'zcard', up: (r) => r.zcard('z'), io: (r) => r.zcard('z') },
  {
    name: 'zrange withscores',
    up: (r) => r.zrange('z', 0, -1, { withScores: true }),
    io: (r) => r.zrange('z', 0, -1, 'WITHSCORES'),
  },
  {
    name: 'zrange byscore',
    up: (r) => r.zrange('z', 0, 3.2, { byScore: true }),
    io: (r) => r.zrangebyscore('z', 0, 3.2),
  },
  { name: 'zrem', up: (r) => r.zrem('z', 'm2'), io: (r) => r.zrem('z', 'm2') },
  // scripts
  { name: 'eval', up: (r) => r.eval(script, ['sk'], ['sv']), io: (r) => r.eval(script, 1, 'sk', 'sv') },
  { name: 'script load', up: (r) => r.scriptLoad(script), io: (r) => r.script('LOAD', script) },
  {
    name: 'evalsha',
    up: async (r) => r.evalsha(await r.scriptLoad(script), ['sk2'], ['v2']),
    io: async (r) => r.evalsha(String(await r.script('LOAD', script)), 1, 'sk2', 'v2'),
  },
  {
    name: 'script exists',
    up: (r) => r.scriptExists('e0e1f9fabfc9d4800c877a703b823ac0578ff8db'),
    io: (r) => r.script('EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'),
  },
  // pipeline and multi
  {
    name: 'pipeline',
    up: (r) => r.pipeline().set('p', '1').incr('p').get('p').lrange('l', 0, -1).exec(),
    io: async (r) =>
      ((await r.pipeline().set('p', '1').incr('p').get('p').lrange('l', 0, -1).exec()) ?? []).map(([, v]) => v),
  },
  {
    name: 'multi',
    up: (r) => r.multi().set('t', '5').incrby('t', 5).get('t').hgetall('h').exec(),
    io: async (r) => {
      const replies = (await r.multi().set('t', '5').incrby('t', 5).get('t').hgetall('h').exec()) ?? []
      return replies.map(([, v]) => v)
    },
  },
  {
    // Concurrent calls on distinct keys (the HTTP client may reorder reads and writes across requests).
    name: 'concurrent calls',
    up: (r) => Promise.all([r.get('s'), r.incr('c1'), r.hget('h', 'f1'), r.incr('c2'), r.lrange('l', 0, -1)]),
    io: (r) => Promise.all([r.get('s'), r.incr('c1'), r.hget('h', 'f1'), r.incr('c2'), r.lrange('l', 0, -1)]),
  },
  // keyspace
  {
    name: 'scan',
    up: async (r) => {
      const [cursor, keys] = await r.scan(0, { match: '*', count: 1000 })
      return [cursor, sorted(keys)]
    },
    io: async (r) => {
      const [cursor, keys] = await r.scan(0, 'MATCH', '*', 'COUNT', 1000)
      return [cursor, sorted(keys)]
    },
  },
  { name: 'keys', up: async (r) => sorted(await r.keys('*')), io: async (r) => sorted(await r.keys('*')) },
  { name: 'dbsize', up: (r) => r.dbsize(), io: (r) => r.dbsize() },
]

async function runSteps<C>(
  client: C,
  pick: (step: Step) => (c: C) => Promise<unknown>,
): Promise<Array<[string, unknown]>> {
  await h.io.flushdb()
  const results: Array<[string, unknown]> = []
  for (const step of steps) {
    try {
      results.push([step.name, norm(await pick(step)(client))])
    } catch (error) {
      results.push([step.name, `threw: ${error instanceof Error ? error.message : String(error)}`])
    }
  }
  return results
}

let reference: Array<[string, unknown]>
beforeAll(async () => {
  reference = await runSteps(h.io, (step) => step.io)
})

test('the ioredis reference run itself succeeded', () => {
  expect(reference.filter(([, result]) => typeof result === 'string' && result.startsWith('threw:'))).toEqual([])
})

describe.each([
  { enableAutoPipelining: true, responseEncoding: true },
  { enableAutoPipelining: true, responseEncoding: false },
  { enableAutoPipelining: false, responseEncoding: true },
  { enableAutoPipelining: false, responseEncoding: false },
])('@upstash/redis %o', (config) => {
  test('gives the same results as ioredis', async () => {
    const client = new UpstashRedis({
      url: h.server.url,
      token: TOKEN,
      enableTelemetry: false,
      enableAutoPipelining: config.enableAutoPipelining,
      ...(config.responseEncoding ? {} : { responseEncoding: false }),
    })
    expect(await runSteps(client, (step) => step.up)).toEqual(reference)
  })
})
