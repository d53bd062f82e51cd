import { commands, defineScript, memoryClient, type RedisClient, type Reply } from '@rediware/redis'
import { describeBackends } from '@rediware/test-utils'

const idPattern = /^\d+-\d+$/
const compare = (a: string, b: string): number => {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt)
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt)
  return aMs === bMs ? Number(aSeq - bSeq) : aMs < bMs ? -1 : 1
}

/** Appends an entry that records its predecessor's id, as a log with gap detection would. */
const appendWithPrevious = defineScript<string>({
  name: 'append-with-previous',
  keys: 1,
  lua: `
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local prev = '0-0'
if last[1] then prev = last[1][1] end
return redis.call('XADD', KEYS[1], 'MAXLEN', '=', ARGV[1], '*', 'p', prev, 'v', ARGV[2])
`,
  local: (redis, [key = ''], [maxLen = '0', value = '']) => {
    const last = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1) as Reply[][]
    const prev = last[0] ? String(last[0][0]) : '0-0'
    return redis.call('XADD', key, 'MAXLEN', '=', maxLen, '*', 'p', prev, 'v', value)
  },
  parse: String,
})

describeBackends('RedisClient streams', (backend) => {
  let client: RedisClient
  let n = 0
  const key = (name: string) => {
    n += 1
    return `${backend.prefix}${name}:${n}`
  }

  beforeAll(() => {
    client = backend.client()
  })

  it('appends with server ids in order and reads them back both ways', async () => {
    const k = key('log')
    const ids: string[] = []
    for (let index = 0; index < 5; index += 1)
      ids.push((await client.xadd(k, { i: String(index), text: 'héllo, "x"' })) ?? '')
    for (const id of ids) expect(id).toMatch(idPattern)
    expect([...ids].sort(compare)).toEqual(ids)
    const all = await client.xrange(k, '-', '+')
    expect(all.map((entry) => entry.id)).toEqual(ids)
    expect(all[2]?.fields).toEqual({ i: '2', text: 'héllo, "x"' })
    expect((await client.xrevrange(k, '+', '-', { count: 2 })).map((entry) => entry.id)).toEqual([ids[4], ids[3]])
    expect((await client.xrange(k, `(${ids[1]}`, '+', { count: 2 })).map((entry) => entry.id)).toEqual([ids[2], ids[3]])
    expect((await client.xrange(k, ids[1] as string, ids[3] as string)).map((entry) => entry.id)).toEqual(
      ids.slice(1, 4),
    )
    expect(await client.xlen(k)).toBe(5)
  })

  it('takes explicit ids, refuses ids that do not grow, and reads incomplete ids as ranges', async () => {
    const k = key('explicit')
    expect(await client.xadd(k, { a: '1' }, { id: '5-1' })).toBe('5-1')
    expect(await client.xadd(k, { a: '2' }, { id: '5-*' })).toBe('5-2')
    expect(await client.xadd(k, { a: '3' }, { id: '7' })).toBe('7-0')
    await expect(client.xadd(k, { a: 'x' }, { id: '7-0' })).rejects.toMatchObject({ code: 'ERR_REDIS_REPLY' })
    await expect(client.xadd(k, { a: 'x' }, { id: '0-0' })).rejects.toMatchObject({ code: 'ERR_REDIS_REPLY' })
    expect((await client.xrange(k, '5', '5')).map((entry) => entry.id)).toEqual(['5-1', '5-2'])
    expect((await client.xrange(k, '(5-2', '+')).map((entry) => entry.id)).toEqual(['7-0'])
    expect(await client.xrange(k, '+', '-')).toEqual([])
    expect(await client.xdel(k, ['5-2', '9-9'])).toBe(1)
    expect((await client.xrange(k, '-', '+')).map((entry) => entry.id)).toEqual(['5-1', '7-0'])
  })

  it('trims exactly with MAXLEN = and MINID =, and never below the threshold with ~', async () => {
    const k = key('trim')
    for (let index = 1; index <= 30; index += 1) await client.xadd(k, { i: String(index) }, { id: `${index}-0` })
    expect(await client.xtrim(k, { maxLen: 20, approximate: false })).toBe(10)
    expect((await client.xrange(k, '-', '+', { count: 1 }))[0]?.id).toBe('11-0')
    expect(await client.xtrim(k, { minId: '15', approximate: false })).toBe(4)
    expect(await client.xlen(k)).toBe(16)
    await client.xtrim(k, { maxLen: 3 })
    expect(await client.xlen(k)).toBeGreaterThanOrEqual(3)
    expect((await client.xrevrange(k, '+', '-', { count: 1 }))[0]?.id).toBe('30-0')
    const id = await client.xadd(k, { i: '31' }, { id: '31-0', trim: { maxLen: 2, approximate: false } })
    expect(id).toBe('31-0')
    expect((await client.xrange(k, '-', '+')).map((entry) => entry.id)).toEqual(['30-0', '31-0'])
    await client.xtrim(k, { maxLen: 0, approximate: false })
    expect(await client.xlen(k)).toBe(0)
    expect(await client.exists(k)).toBe(1)
  })

  it('does not create a stream with noMkStream, and answers WRONGTYPE on a string', async () => {
    const k = key('nomk')
    expect(await client.xadd(k, { a: '1' }, { noMkStream: true })).toBeNull()
    expect(await client.exists(k)).toBe(0)
    expect(await client.xlen(k)).toBe(0)
    expect(await client.xrange(k, '-', '+')).toEqual([])
    const text = key('text')
    await client.set(text, 'x')
    await expect(client.xadd(text, { a: '1' })).rejects.toMatchObject({
      code: 'ERR_REDIS_REPLY',
      message: expect.stringMatching(/WRONGTYPE/),
    })
  })

  it('batches stream commands with the rest', async () => {
    const k = key('batch')
    const [id, length, entries] = await client.batch([
      commands.xadd(k, { a: '1' }, { id: '1-1' }),
      commands.xlen(k),
      commands.xrange(k, '-', '+'),
    ])
    expect(id).toBe('1-1')
    expect(length).toBe(1)
    expect(entries).toEqual([{ id: '1-1', fields: { a: '1' } }])
  })

  it('runs stream scripts (Lua on Redis, the local twin in memory) with the same results', async () => {
    const k = key('script')
    const first = await client.runScript(appendWithPrevious, [k], [3, 'a'])
    const second = await client.runScript(appendWithPrevious, [k], [3, 'b'])
    expect((await client.xrange(k, '-', '+')).map((entry) => entry.fields)).toEqual([
      { p: '0-0', v: 'a' },
      { p: first, v: 'b' },
    ])
    for (let index = 0; index < 4; index += 1) await client.runScript(appendWithPrevious, [k], [3, `c${index}`])
    const entries = await client.xrange(k, '-', '+')
    expect(entries).toHaveLength(3)
    expect(entries.map((entry) => entry.fields.v)).toEqual(['c1', 'c2', 'c3'])
    expect(compare(entries[0]?.fields.p ?? '', second)).toBeGreaterThan(0)
    for (let index = 1; index < entries.length; index += 1)
      expect(entries[index]?.fields.p).toBe(entries[index - 1]?.id)
  })
})

describe('memory streams against real Redis (same commands, same replies)', () => {
  const script: [string, ...(string | number)[]][] = [
    ['XADD', 's', '1-1', 'a', '1'],
    ['XADD', 's', '1-*', 'b', '2'],
    ['XADD', 's', 'MAXLEN', '=', 5, '3', 'c', '3', 'd', '4'],
    ['XADD', 's', '2-0', 'x', 'y'],
    ['XADD', 's', '0-0', 'x', 'y'],
    ['XADD', 's', '*', 'odd'],
    ['XRANGE', 's', '-', '+'],
    ['XRANGE', 's', '(1-1', '+', 'COUNT', 1],
    ['XRANGE', 's', '1', '1'],
    ['XRANGE', 's', '-', '+', 'COUNT', 0],
    ['XRANGE', 's', 'nope', '+'],
    ['XREVRANGE', 's', '+', '-', 'COUNT', 2],
    ['XREVRANGE', 's', '(3-0', '-'],
    ['XLEN', 's'],
    ['XTRIM', 's', 'MINID', '=', '2'],
    ['XTRIM', 's', 'MAXLEN', 1, 'LIMIT', 1],
    ['XDEL', 's', '3-0'],
    ['XLEN', 's'],
    ['TYPE', 's'],
    ['EXISTS', 's'],
    ['XADD', 'n', 'NOMKSTREAM', '*', 'a', '1'],
    ['XLEN', 'n'],
    ['SET', 'str', 'v'],
    ['XADD', 'str', '*', 'a', '1'],
    ['XRANGE', 'missing', '-', '+'],
  ]

  const run = async (client: RedisClient, prefix: string): Promise<unknown[]> => {
    const replies: unknown[] = []
    for (const [name, ...args] of script) {
      const keyed = args.map((arg, index) => (index === 0 ? `${prefix}${arg}` : arg))
      replies.push(
        await client.batch([commands.raw(name, keyed, [0])]).then(
          ([reply]) => reply,
          (error: Error) => `error: ${error.message.replace(/^.*?: /, '')}`,
        ),
      )
    }
    return replies
  }

  describeBackends(
    'parity',
    (backend) => {
      it('answers the command script as redis-server 7 does', async () => {
        const redisReplies = await run(backend.client(), `${backend.prefix}parity:`)
        const memoryReplies = await run(memoryClient(), 'parity:')
        expect(memoryReplies).toEqual(redisReplies)
      })
    },
    { only: ['ioredis'] },
  )
})
