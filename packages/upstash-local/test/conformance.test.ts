import { createHash } from 'node:crypto'
import { b64, type Harness, READONLY, rest, startHarness } from './helpers.js'

/** The 39 conformance cases of the Upstash REST spec (shared/reference/upstash-rest.md §8), request by request. */
let h: Harness
let base: string
const post = (path: string, body?: unknown, options?: Parameters<typeof rest>[3]) => rest(base, path, body, options)

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

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex')

describe('single commands (POST /)', () => {
  test('#1 SET', async () => {
    expect(await post('/', ['SET', 'foo', 'bar'])).toMatchObject({ status: 200, json: { result: 'OK' } })
  })
  test('#2 GET', async () => {
    await post('/', ['SET', 'foo', 'bar'])
    expect(await post('/', ['GET', 'foo'])).toMatchObject({ status: 200, json: { result: 'bar' } })
  })
  test('#3 GET with base64', async () => {
    await post('/', ['SET', 'foo', 'bar'])
    expect(await post('/', ['GET', 'foo'], { b64: true })).toMatchObject({ status: 200, json: { result: 'YmFy' } })
  })
  test('#4 SET with base64 keeps a top-level OK', async () => {
    expect((await post('/', ['SET', 'foo', 'bar'], { b64: true })).json).toEqual({ result: 'OK' })
  })
  test('#5 lower-case command name', async () => {
    await post('/', ['SET', 'foo', 'bar'])
    expect((await post('/', ['get', 'foo'], { b64: true })).json).toEqual({ result: 'YmFy' })
  })
  test('#6 missing key is null', async () => {
    expect(await post('/', ['GET', 'missing'], { b64: true })).toMatchObject({ status: 200, json: { result: null } })
  })
  test('#7 integers are never encoded', async () => {
    expect((await post('/', ['INCR', 'n'], { b64: true })).text).toBe('{"result":1}')
  })
  test('#8 JSON numbers as arguments', async () => {
    expect((await post('/', ['set', 'num', 42])).json).toEqual({ result: 'OK' })
    expect((await post('/', ['get', 'num'], { b64: true })).json).toEqual({ result: 'NDI=' })
  })
  test('#9 JSON booleans as arguments', async () => {
    expect((await post('/', ['set', 'b', true])).json).toEqual({ result: 'OK' })
    expect((await post('/', ['get', 'b'])).json).toEqual({ result: 'true' })
  })
  test('#10 lists', async () => {
    expect((await post('/', ['RPUSH', 'l', 'a', 'b'], { b64: true })).json).toEqual({ result: 2 })
    expect((await post('/', ['LRANGE', 'l', 0, -1], { b64: true })).json).toEqual({ result: ['YQ==', 'Yg=='] })
  })
  test('#11 nested arrays keep their shape; OK inside an array is encoded', async () => {
    const reply = await post('/', ['EVAL', "return {1,'a',false,{2,'OK'}}", 0], { b64: true })
    expect(reply.text).toBe('{"result":[1,"YQ==",null,[2,"T0s="]]}')
  })
  test('#12 HGETALL is a flat array', async () => {
    expect((await post('/', ['HSET', 'h', 'f', 'v'], { b64: true })).json).toEqual({ result: 1 })
    expect((await post('/', ['HGETALL', 'h'], { b64: true })).json).toEqual({ result: ['Zg==', 'dg=='] })
  })
  test('#13 doubles come back as strings', async () => {
    expect((await post('/', ['ZADD', 'z', 1.5, 'm'], { b64: true })).json).toEqual({ result: 1 })
    expect((await post('/', ['ZSCORE', 'z', 'm'], { b64: true })).json).toEqual({ result: 'MS41' })
  })
  test('#14 UTF-8 is base64 of the raw bytes', async () => {
    expect((await post('/', ['SET', 'u', 'héllo 👋'], { b64: true })).json).toEqual({ result: 'OK' })
    expect((await post('/', ['GET', 'u'], { b64: true })).json).toEqual({ result: 'aMOpbGxvIPCfkYs=' })
    expect((await post('/', ['GET', 'u'])).json).toEqual({ result: 'héllo 👋' })
  })
  test('#15 errors are never encoded', async () => {
    await post('/', ['SET', 's', 'x'])
    expect(await post('/', ['INCR', 's'], { b64: true })).toMatchObject({
      status: 400,
      json: { error: 'ERR value is not an integer or out of range' },
    })
  })
  test('#16 wrong number of arguments', async () => {
    expect(await post('/', ['GET'])).toMatchObject({
      status: 400,
      json: { error: "ERR wrong number of arguments for 'get' command" },
    })
  })
  test('#17 unknown command', async () => {
    const reply = await post('/', ['FOO'])
    expect(reply.status).toBe(400)
    expect((reply.json as { error: string }).error).toMatch(/^ERR unknown command/)
  })
  test('#18 EVALSHA of an unknown sha', async () => {
    expect(await post('/', ['EVALSHA', '0'.repeat(40), 0])).toMatchObject({
      status: 400,
      json: { error: 'NOSCRIPT No matching script. Please use EVAL.' },
    })
  })
  test('#19 SCRIPT LOAD returns the SHA-1', async () => {
    const reply = await post('/', ['SCRIPT', 'LOAD', 'return 1'], { b64: true })
    expect(reply.json).toEqual({ result: b64('e0e1f9fabfc9d4800c877a703b823ac0578ff8db') })
  })
})

describe('authentication', () => {
  test('#20 no Authorization header → 401', async () => {
    const reply = await post('/', ['GET', 'x'], { token: null })
    expect(reply.status).toBe(401)
    expect(typeof (reply.json as { error: unknown }).error).toBe('string')
  })
  test('#21 wrong token → 401', async () => {
    const reply = await post('/', ['GET', 'x'], { token: 'wrong' })
    expect(reply.status).toBe(401)
    expect(typeof (reply.json as { error: unknown }).error).toBe('string')
  })
  test('#27 read-only token cannot write', async () => {
    const reply = await post('/', ['SET', 'a', '1'], { token: READONLY })
    expect(reply.status).toBe(400)
    expect((reply.json as { error: string }).error).toMatch(/^NOPERM/)
    expect(await h.io.exists('a')).toBe(0)
  })
  test('#28 read-only token can read', async () => {
    await h.io.set('a', '1')
    expect(await post('/', ['GET', 'a'], { token: READONLY })).toMatchObject({ status: 200, json: { result: '1' } })
  })
  test('#29 SDK headers are ignored; a sync token comes back', async () => {
    const reply = await post('/', ['PING'], {
      headers: {
        'upstash-sync-token': '',
        'Upstash-Telemetry-Sdk': '@upstash/redis@v1.39.0',
        'Upstash-Telemetry-Runtime': 'node@v20',
        'Upstash-Telemetry-Platform': 'unknown',
        'Accept-Language': '*',
      },
    })
    expect(reply).toMatchObject({ status: 200, json: { result: 'PONG' } })
    expect(reply.headers.get('upstash-sync-token')).toMatch(/^\d+$/)
  })
})

describe('pipeline and multi-exec', () => {
  test('#22 pipeline: 200, per-item errors without a result key', async () => {
    const reply = await post(
      '/pipeline',
      [
        ['SET', 'k', 'v'],
        ['INCR', 'k'],
        ['GET', 'k'],
      ],
      { b64: true },
    )
    expect(reply.status).toBe(200)
    expect(reply.json).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 'dg==' },
    ])
  })
  test('#23 pipeline: NOSCRIPT item, then the rest still runs', async () => {
    const reply = await post('/pipeline', [['EVALSHA', 'f'.repeat(40), 0], ['PING']])
    expect(reply).toMatchObject({
      status: 200,
      json: [{ error: 'NOSCRIPT No matching script. Please use EVAL.' }, { result: 'PONG' }],
    })
  })
  test('#24 multi-exec', async () => {
    expect(
      await post('/multi-exec', [
        ['SET', 'm', '1'],
        ['INCR', 'm'],
      ]),
    ).toMatchObject({
      status: 200,
      json: [{ result: 'OK' }, { result: 2 }],
    })
  })
  test('#25 multi-exec: a runtime error stays in its slot', async () => {
    const reply = await post(
      '/multi-exec',
      [
        ['SET', 'm', 'x'],
        ['INCR', 'm'],
        ['GET', 'm'],
      ],
      { b64: true },
    )
    expect(reply.status).toBe(200)
    expect(reply.json).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 'eA==' },
    ])
  })
  test('#26 multi-exec: a discarded transaction is a non-2xx object', async () => {
    const reply = await post('/multi-exec', [
      ['SET', 'm', 'x'],
      ['SET', 'm'],
    ])
    expect(reply.status).toBe(400)
    expect(reply.json).toEqual({ error: 'EXECABORT Transaction discarded because of previous errors.' })
    expect(await h.io.exists('m')).toBe(0)
  })
})

describe('scripts with Upstash-only shebang flags', () => {
  const script =
    "#!lua flags=allow-key-locking\nlocal used = redis.call('INCR', KEYS[1])\nreturn {tonumber(ARGV[1]) - used, tonumber(ARGV[1])}"
  const sha = sha1(script)

  test('#30 EVALSHA → NOSCRIPT, then EVAL runs (no "Unexpected flag")', async () => {
    const first = await post('/pipeline', [['evalsha', sha, 2, 'rl:1', 'rl:0', 2, 1795755385354, 10000, 1]])
    expect(first.status).toBe(200)
    expect((first.json as Array<{ error: string }>)[0]?.error).toContain('NOSCRIPT')
    const second = await post('/pipeline', [['eval', script, 2, 'rl:1', 'rl:0', 2, 1795755385357, 10000, 1]])
    expect(second).toMatchObject({ status: 200, json: [{ result: [1, 2] }] })
  })
  test('#31 EVALSHA of the original sha works after EVAL', async () => {
    await post('/pipeline', [['eval', script, 2, 'rl:1', 'rl:0', 2, 1, 10000, 1]])
    expect(await post('/pipeline', [['evalsha', sha, 2, 'rl:1', 'rl:0', 2, 2, 10000, 1]])).toMatchObject({
      status: 200,
      json: [{ result: [0, 2] }],
    })
  })
  test('#32 an empty-string KEY is accepted', async () => {
    await post('/', ['eval', script, 3, 'a:1', 'a:0', '', 2, 1, 1000, 1])
    expect(await post('/pipeline', [['evalsha', sha, 3, 'a:1', 'a:0', '', 2, 1, 1000, 1]])).toMatchObject({
      status: 200,
      json: [{ result: [0, 2] }],
    })
  })
})

describe('path style, query token, headers, methods', () => {
  test('#33 GET /set/foo/bar then GET /get/foo', async () => {
    expect(await post('/set/foo/bar', undefined, { method: 'GET' })).toMatchObject({
      status: 200,
      json: { result: 'OK' },
    })
    expect(await post('/get/foo', undefined, { method: 'GET' })).toMatchObject({ status: 200, json: { result: 'bar' } })
  })
  test('#34 POST /set/foo?EX=100 with a raw body', async () => {
    expect(await post('/set/foo?EX=100', undefined, { raw: 'hello' })).toMatchObject({
      status: 200,
      json: { result: 'OK' },
    })
    const ttl = (await post('/', ['TTL', 'foo'])).json as { result: number }
    expect(ttl.result).toBeGreaterThanOrEqual(1)
    expect(ttl.result).toBeLessThanOrEqual(100)
    expect(await h.io.get('foo')).toBe('hello')
  })
  test('#35 _token query parameter', async () => {
    expect((await post('/get/foo?_token=T', undefined, { token: null })).status).toBe(200)
    expect((await post('/get/foo?_token=nope', undefined, { token: null })).status).toBe(401)
  })
  test('#36 Upstash-Response-Format: resp2 is not supported here (400), json is', async () => {
    const resp2 = await post('/', ['SET', 'foo', 'bar'], { headers: { 'Upstash-Response-Format': 'resp2' } })
    expect(resp2.status).toBe(400)
    expect((resp2.json as { error: string }).error).toMatch(/not supported/)
    expect(
      (await post('/', ['SET', 'foo', 'bar'], { b64: true, headers: { 'Upstash-Response-Format': 'resp2' } })).status,
    ).toBe(400)
    expect((await post('/', ['PING'], { headers: { 'Upstash-Response-Format': 'json' } })).json).toEqual({
      result: 'PONG',
    })
  })
  test('#37 DELETE → 405', async () => {
    const reply = await post('/', undefined, { method: 'DELETE' })
    expect(reply.status).toBe(405)
    expect(typeof (reply.json as { error: unknown }).error).toBe('string')
  })
  test('#38 SUBSCRIBE, MULTI, BLPOP are refused and the pool stays healthy', async () => {
    for (const command of [['SUBSCRIBE', 'c'], ['MULTI'], ['BLPOP', 'l', 0]]) {
      const reply = await post('/', command)
      expect(reply.status).toBe(400)
      expect((reply.json as { error: string }).error).toMatch(/^ERR /)
    }
    const pings = await Promise.all(Array.from({ length: 8 }, () => post('/', ['PING'])))
    expect(pings.map((ping) => ping.json)).toEqual(Array.from({ length: 8 }, () => ({ result: 'PONG' })))
  })
})

describe('server-sent events', () => {
  async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, seen: string[], line: string) {
    const decoder = new TextDecoder()
    let buffer = seen.join('')
    while (!buffer.includes(line)) {
      const { value, done } = await reader.read()
      if (done) throw new Error(`stream ended before "${line}"; got ${buffer}`)
      const text = decoder.decode(value)
      seen.push(text)
      buffer += text
    }
  }

  test('#39 /subscribe/chat receives subscribe and message lines', async () => {
    const abort = new AbortController()
    const res = await fetch(`${base}/subscribe/chat`, {
      method: 'POST',
      headers: { authorization: 'Bearer T', accept: 'text/event-stream' },
      body: '[]',
      signal: abort.signal,
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const body = res.body
    if (body === null) throw new Error('no body')
    const reader = body.getReader()
    const seen: string[] = []
    await readUntil(reader, seen, 'data: subscribe,chat,1')
    expect((await post('/', ['PUBLISH', 'chat', 'hello'])).json).toEqual({ result: 1 })
    await readUntil(reader, seen, 'data: message,chat,hello')
    abort.abort()
    await reader.cancel().catch(() => undefined)
  })

  test('/psubscribe/<pattern> receives pmessage lines; auth is required', async () => {
    expect((await post('/psubscribe/news.*', [], { token: 'wrong' })).status).toBe(401)
    const abort = new AbortController()
    const res = await fetch(`${base}/psubscribe/news.*`, {
      method: 'POST',
      headers: { authorization: 'Bearer T', accept: 'text/event-stream' },
      body: '[]',
      signal: abort.signal,
    })
    const body = res.body
    if (body === null) throw new Error('no body')
    const reader = body.getReader()
    const seen: string[] = []
    await readUntil(reader, seen, 'data: psubscribe,news.*,1')
    await post('/', ['PUBLISH', 'news.tech', 'hi there'])
    await readUntil(reader, seen, 'data: pmessage,news.*,news.tech,hi there')
    abort.abort()
    await reader.cancel().catch(() => undefined)
  })
})
