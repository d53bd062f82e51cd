import { type Harness, READONLY, rest, startHarness } from './helpers.js'

/**
 * What reaches Redis: only commands the backing Redis knows and Upstash runs over REST. Anything else
 * is answered here, so a pooled connection is never dropped or left in another state.
 */
let h: Harness
let base: string
const post = (path: string, body?: unknown, options?: Parameters<typeof rest>[3]) => rest(base, path, body, options)
const errorOf = (json: unknown) => (json as { error?: string }).error ?? ''
const ro = { token: READONLY }

beforeAll(async () => {
  h = await startHarness()
  base = h.server.url
})
afterAll(async () => {
  await h.stop()
})
beforeEach(async () => {
  await h.io.flushdb()
})

async function connectionsReceived(): Promise<number> {
  const info = await h.io.info('stats')
  return Number(/total_connections_received:(\d+)/.exec(info)?.[1])
}

/** The pooled connections of upstash-local as Redis sees them (every client but our observer). */
async function poolClients(): Promise<string[]> {
  const own = String(await h.io.client('ID'))
  return String(await h.io.client('LIST'))
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith(`id=${own} `))
}

describe('unknown command names are refused, never forwarded', () => {
  test.each([['POST'], ['host:'], ['Host:'], ['GET\r\nSET'], ['no-such-command'], ['x'.repeat(500)]])(
    '%j, with either token',
    async (name) => {
      for (const options of [{}, ro]) {
        const reply = await post('/', [name, 'a'], options)
        expect(reply.status).toBe(400)
        expect(errorOf(reply.json)).toMatch(/^ERR unknown command '/)
        expect(errorOf(reply.json).length).toBeLessThan(120)
      }
    },
  )

  test('POST and Host: amid 500 concurrent writes: every write succeeds, no connection is dropped', async () => {
    const before = await connectionsReceived()
    const writes = Array.from({ length: 500 }, (_, i) => post('/', ['SET', `k${i}`, String(i)]))
    const attacks = Array.from({ length: 40 }, (_, i) => {
      const command = [i % 2 ? 'POST' : 'host:', 'x']
      if (i % 3 === 0) return post('/pipeline', [command, ['PING']], ro)
      if (i % 3 === 1) return post('/multi-exec', [['PING'], command])
      return post('/', command, ro)
    })
    const [written, refused] = await Promise.all([Promise.all(writes), Promise.all(attacks)])
    expect(written.filter((reply) => reply.status !== 200)).toEqual([])
    for (const reply of refused) expect(JSON.stringify(reply.json)).toMatch(/ERR unknown command/)
    expect(await h.io.dbsize()).toBe(500)
    expect(await connectionsReceived()).toBe(before)
  })
})

describe('commands that would change or hold a pooled connection are refused', () => {
  const poisons = [
    ['SCRIPT', 'DEBUG', 'YES'],
    ['CLIENT', 'REPLY', 'OFF'],
    ['CLIENT', 'SETNAME', 'x'],
    ['CLIENT', 'TRACKING', 'ON'],
    ['HELLO', '3'],
    ['AUTH', 'x'],
    ['RESET'],
    ['QUIT'],
    ['SELECT', '1'],
    ['MULTI'],
    ['EXEC'],
    ['WATCH', 'k'],
    ['SUBSCRIBE', 'c'],
    ['SSUBSCRIBE', 'c'],
    ['MONITOR'],
    ['READONLY'],
    ['SYNC'],
    ['PSYNC', '?', '-1'],
    ['REPLCONF', 'listening-port', '1'],
    ['WAIT', '1', '0'],
    ['BLPOP', 'l', '0'],
    ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
    ['DEBUG', 'SLEEP', '0'],
    ['FUNCTION', 'RESTORE', 'x'],
  ]

  test('on every endpoint and token; afterwards every pooled connection is as it started', async () => {
    for (const command of poisons) {
      for (const [path, body] of [
        ['/', command],
        ['/pipeline', [command]],
        ['/multi-exec', [command]],
      ] as const) {
        const reply = await post(path, body)
        const text = JSON.stringify(reply.json)
        expect({ command, path, refused: /ERR (Command is not available|DB index|unknown)/.test(text) }).toEqual({
          command,
          path,
          refused: true,
        })
      }
      expect((await post('/', command, ro)).status).toBe(400)
    }
    // Commands keep working on every connection, each in its own state: db 0, no name, no flags.
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post('/pipeline', [
          ['SET', `p${i}`, 'v'],
          ['EVAL', 'return 1', 0],
          ['GET', `p${i}`],
        ]),
      ),
    )
    for (const reply of replies) expect(reply.json).toEqual([{ result: 'OK' }, { result: 1 }, { result: 'v' }])
    const clients = await poolClients()
    expect(clients.length).toBeGreaterThanOrEqual(4)
    for (const line of clients) expect(line).toMatch(/ name= .* flags=N db=0 sub=0 psub=0 .*multi=-1 /)
  })
})

describe('admin commands Upstash does not run are refused (the Redis is left as it was)', () => {
  test.each([
    [['CONFIG', 'SET', 'maxmemory', '1']],
    [['CONFIG', 'RESETSTAT']],
    [['CONFIG', 'REWRITE']],
    [['ACL', 'SETUSER', 'intruder', 'on', '>pw', '+@all', '~*']],
    [['ACL', 'DELUSER', 'default']],
    [['ACL', 'LIST']],
    [['MIGRATE', '127.0.0.1', '1', 'k', '0', '100']],
    [['SWAPDB', '0', '1']],
    [['MOVE', 'k', '1']],
    [['BGREWRITEAOF']],
    [['BGSAVE']],
    [['SAVE']],
    [['SHUTDOWN', 'NOSAVE']],
    [['DEBUG', 'SET-ACTIVE-EXPIRE', '0']],
    [['MODULE', 'LOAD', '/tmp/x.so']],
    [['REPLICAOF', '127.0.0.1', '1']],
    [['FAILOVER']],
    [['CLUSTER', 'INFO']],
    [['LATENCY', 'RESET']],
    [['SLOWLOG', 'RESET']],
    [['LASTSAVE']],
    [['OBJECT', 'FREQ', 'k']],
    [['PFDEBUG', 'GETREG', 'k']],
    [['PFSELFTEST']],
    [['LOLWUT']],
    [['SORT', 'k']],
    [['SPUBLISH', 'c', 'm']],
    [['MEMORY', 'PURGE']],
    [['FUNCTION', 'DUMP']],
    [['SCRIPT', 'HELP']],
    [['COMMAND', 'INFO', 'get']],
  ])('%j', async (command) => {
    await h.io.set('k', 'v')
    const reply = await post('/', command)
    expect(reply.status).toBe(400)
    expect(errorOf(reply.json)).toMatch(/^ERR Command is not available: '[a-z0-9|]+' \(.+\)$/)
    expect(await h.io.config('GET', 'maxmemory')).toEqual(['maxmemory', '0'])
    expect(await h.io.acl('USERS')).toEqual(['default'])
    expect(await h.io.get('k')).toBe('v')
  })

  test('what Upstash does run: CONFIG GET/SET notify-keyspace-events, COMMAND, SELECT 0, ACL CAT/WHOAMI, INFO', async () => {
    expect((await post('/', ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'])).json).toEqual({ result: 'OK' })
    expect((await post('/', ['CONFIG', 'GET', '*'])).json).toEqual({ result: ['notify-keyspace-events', 'AKE'] })
    expect((await post('/', ['CONFIG', 'GET', 'maxmemory'])).json).toEqual({ result: [] })
    await h.io.config('SET', 'notify-keyspace-events', '')
    expect((await post('/', ['COMMAND'])).json).toEqual({ result: [] })
    expect((await post('/', ['SELECT', '0'], { b64: true })).json).toEqual({ result: 'OK' })
    expect((await post('/', ['ACL', 'WHOAMI'])).json).toEqual({ result: 'default' })
    expect((await post('/', ['ACL', 'CAT'])).json).toMatchObject({ result: expect.arrayContaining(['read', 'write']) })
    expect((await post('/', ['INFO', 'server'])).json).toMatchObject({
      result: expect.stringContaining('redis_version'),
    })
    expect((await post('/multi-exec', [['SELECT', '0'], ['SET', 'k', 'v'], ['COMMAND']])).json).toEqual([
      { result: 'OK' },
      { result: 'OK' },
      { result: [] },
    ])
  })

  test('read-only token: admin reads and CONFIG get NOPERM', async () => {
    for (const command of [
      ['CONFIG', 'GET', '*'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
      ['INFO'],
      ['FLUSHALL'],
      ['ACL', 'WHOAMI'],
    ]) {
      expect({ command, error: errorOf((await post('/', command, ro)).json) }).toEqual({
        command,
        error: expect.stringMatching(/^NOPERM /),
      })
    }
  })
})

describe('Upstash behaviours stock Redis lacks', () => {
  test('SCAN … WITHTYPE interleaves keys and types, in a pipeline and a transaction too', async () => {
    await h.io.set('s', 'v')
    await h.io.zadd('z', 1, 'm')
    await h.io.rpush('l', 'a')
    const single = (await post('/', ['SCAN', '0', 'COUNT', '100', 'WITHTYPE'])).json as { result: [string, string[]] }
    expect(single.result[0]).toBe('0')
    const pairs = new Map<string, string>()
    for (let i = 0; i < single.result[1].length; i += 2)
      pairs.set(single.result[1][i] ?? '', single.result[1][i + 1] ?? '')
    expect(Object.fromEntries(pairs)).toEqual({ s: 'string', z: 'zset', l: 'list' })
    const matched = (await post('/pipeline', [['scan', 0, 'match', 'z*', 'withtype']], { b64: true })).json
    expect(matched).toEqual([{ result: ['MA==', ['eg==', 'enNldA==']] }])
    expect((await post('/multi-exec', [['SCAN', '0', 'MATCH', 'l', 'WITHTYPE']])).json).toEqual([
      { result: ['0', ['l', 'list']] },
    ])
    expect((await post('/', ['SCAN', '0', 'WITHTYPE'], ro)).status).toBe(200)
  })

  test('COPY k k answers 0 (Redis: "source and destination objects are the same")', async () => {
    await h.io.set('k', 'v')
    expect((await post('/', ['COPY', 'k', 'k'])).json).toEqual({ result: 0 })
    expect(
      (
        await post('/pipeline', [
          ['COPY', 'k', 'k', 'REPLACE'],
          ['COPY', 'k', 'k2'],
        ])
      ).json,
    ).toEqual([{ result: 0 }, { result: 1 }])
    expect(
      (
        await post('/multi-exec', [
          ['COPY', 'k', 'k'],
          ['GET', 'k'],
        ])
      ).json,
    ).toEqual([{ result: 0 }, { result: 'v' }])
    expect(errorOf((await post('/', ['COPY', 'k', 'k', 'BOGUS'])).json)).toMatch(/^ERR syntax error/)
  })
})
