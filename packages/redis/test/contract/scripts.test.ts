import { defineScript, hashTag, memoryClient, type LocalRedis, type RedisClient, type Reply } from '@rediware/redis'
import { describeBackends } from '@rediware/test-utils'

/** A counter with a window: INCRBY, set the expiry on first use, return [count, ttl]. */
const windowCounter = defineScript<[number, number]>({
  name: 'window-counter',
  keys: 1,
  lua: `
local count = redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]))
if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) end
return { count, redis.call('PTTL', KEYS[1]) }
`,
  local: (redis: LocalRedis, keys, args) => {
    const key = keys[0] ?? ''
    const count = Number(redis.call('INCRBY', key, Number(args[0])))
    if (count === Number(args[0])) redis.call('PEXPIRE', key, Number(args[1]))
    return [count, redis.call('PTTL', key)]
  },
  parse: (reply: Reply) => {
    const [count, ttl] = reply as [number, number]
    return [Number(count), Number(ttl)]
  },
})

/** Moves a value between two keys of one slot, returning what was moved or nil. */
const move = defineScript<string | null>({
  name: 'move',
  keys: 2,
  lua: `
local value = redis.call('GET', KEYS[1])
if not value then return false end
redis.call('SET', KEYS[2], value)
redis.call('DEL', KEYS[1])
return value
`,
  local: (redis, keys) => {
    const [from = '', to = ''] = keys
    const value = redis.call('GET', from)
    if (value === null) return null
    redis.call('SET', to, value as string)
    redis.call('DEL', from)
    return value
  },
  parse: (reply) => (reply === null ? null : String(reply)),
})

const serverTime = defineScript<number>({
  name: 'server-time',
  keys: 0,
  lua: `local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`,
  local: (redis) => {
    const [seconds, micros] = redis.call('TIME') as [string, string]
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)
  },
  parse: Number,
})

describeBackends('scripts', (backend) => {
  let client: RedisClient
  let n = 0
  const tag = () => {
    n += 1
    return hashTag(`${backend.prefix}s${n}`)
  }

  beforeAll(() => {
    client = backend.client()
  })

  it('runs a script and gives the same results as its memory twin', async () => {
    const twin = memoryClient()
    const k = `${tag()}:counter`
    const remote: [number, number][] = []
    const local: [number, number][] = []
    for (const cost of [1, 2, 3]) {
      remote.push(await client.runScript(windowCounter, [k], [cost, 60_000]))
      local.push(await twin.runScript(windowCounter, [k], [cost, 60_000]))
    }
    expect(remote.map(([count]) => count)).toEqual([1, 3, 6])
    expect(local.map(([count]) => count)).toEqual([1, 3, 6])
    for (const [, ttl] of [...remote, ...local]) {
      expect(ttl).toBeGreaterThan(50_000)
      expect(ttl).toBeLessThanOrEqual(60_000)
    }
    await twin.close()
  })

  it('runs a two-key script in one hash-tagged slot, nil and value alike', async () => {
    const slot = tag()
    const twin = memoryClient()
    for (const target of [client, twin]) {
      expect(await target.runScript(move, [`${slot}:a`, `${slot}:b`], [])).toBeNull()
      await target.set(`${slot}:a`, 'payload')
      expect(await target.runScript(move, [`${slot}:a`, `${slot}:b`], [])).toBe('payload')
      expect(await target.get(`${slot}:b`)).toBe('payload')
      expect(await target.get(`${slot}:a`)).toBeNull()
    }
    await twin.close()
  })

  it('takes time from the server', async () => {
    const time = await client.runScript(serverTime, [], [])
    expect(Math.abs(time - Date.now())).toBeLessThan(5000)
  })

  it('rejects the wrong number of keys', async () => {
    await expect(client.runScript(move, ['only-one'], [])).rejects.toThrow(/takes 2 key\(s\); it was given 1/)
  })

  it('recovers from SCRIPT FLUSH by falling back to EVAL', async () => {
    const k = `${tag()}:flush`
    expect((await client.runScript(windowCounter, [k], [1, 60_000]))[0]).toBe(1)
    await backend.flushScripts()
    expect((await client.runScript(windowCounter, [k], [1, 60_000]))[0]).toBe(2)
    expect((await client.runScript(windowCounter, [k], [1, 60_000]))[0]).toBe(3)
  })
})
