import { createHash } from 'node:crypto'
import { stripUpstashFlags } from '@rediware/upstash-local'
import { type Harness, rest, startHarness } from './helpers.js'

const strip = (text: string) => stripUpstashFlags(Buffer.from(text))?.toString()
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex')

describe('stripUpstashFlags', () => {
  test('drops allow-key-locking; an emptied shebang becomes an empty line', () => {
    expect(strip('#!lua flags=allow-key-locking\nreturn 1')).toBe('\nreturn 1')
    expect(strip('#!lua flags=allow-key-locking')).toBe('')
    expect(strip('#!lua flags=allow-key-locking\r\nreturn 1')).toBe('\nreturn 1')
  })
  test('keeps the flags Redis knows', () => {
    expect(strip('#!lua flags=no-writes,allow-key-locking\nreturn 1')).toBe('#!lua flags=no-writes\nreturn 1')
    expect(strip('#!lua flags=allow-key-locking,allow-stale,no-cluster\nreturn 1')).toBe(
      '#!lua flags=allow-stale,no-cluster\nreturn 1',
    )
  })
  test('leaves other scripts alone', () => {
    expect(strip('return 1')).toBeUndefined()
    expect(strip('#!lua\nreturn 1')).toBeUndefined()
    expect(strip('#!lua flags=no-writes\nreturn 1')).toBeUndefined()
    expect(strip('#!lua name=mylib\nredis.register_function("f", function() return 1 end)')).toBeUndefined()
    expect(strip('-- #!lua flags=allow-key-locking\nreturn 1')).toBeUndefined()
  })
})

describe('SHA mapping over REST', () => {
  let h: Harness
  const post = (body: unknown) => rest(h.server.url, '/', body)
  const script = "#!lua flags=allow-key-locking,no-writes\nreturn redis.call('GET', KEYS[1])"
  const sha = sha1(script)

  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(async () => {
    await h.stop()
  })
  beforeEach(async () => {
    await h.io.flushdb()
    await h.io.script('FLUSH')
  })

  test('SCRIPT LOAD returns the SHA of the script as sent; EVALSHA and SCRIPT EXISTS accept it', async () => {
    await h.io.set('k', 'v')
    expect((await post(['SCRIPT', 'LOAD', script])).json).toEqual({ result: sha })
    expect((await post(['EVALSHA', sha, 1, 'k'])).json).toEqual({ result: 'v' })
    expect((await post(['EVALSHA_RO', sha.toUpperCase(), 1, 'k'])).json).toEqual({ result: 'v' })
    expect((await post(['SCRIPT', 'EXISTS', sha, '0'.repeat(40)])).json).toEqual({ result: [1, 0] })
  })

  test('the remaining no-writes flag is still enforced by Redis', async () => {
    const writer = "#!lua flags=allow-key-locking,no-writes\nreturn redis.call('SET', KEYS[1], 'x')"
    const reply = await post(['EVAL', writer, 1, 'k'])
    expect(reply.status).toBe(400)
    expect((reply.json as { error: string }).error).toMatch(/Write commands are not allowed/)
  })

  test('after SCRIPT FLUSH, EVALSHA answers NOSCRIPT again and EVAL re-registers', async () => {
    await post(['EVAL', script, 1, 'k'])
    expect((await post(['EVALSHA', sha, 1, 'k'])).status).toBe(200)
    expect((await post(['SCRIPT', 'FLUSH'])).json).toEqual({ result: 'OK' })
    const flushed = await post(['EVALSHA', sha, 1, 'k'])
    expect(flushed.status).toBe(400)
    expect((flushed.json as { error: string }).error).toMatch(/^NOSCRIPT/)
    await post(['EVAL', script, 1, 'k'])
    expect((await post(['EVALSHA', sha, 1, 'k'])).status).toBe(200)
  })

  test('scripts work inside /multi-exec too', async () => {
    const reply = await rest(h.server.url, '/multi-exec', [
      ['SET', 'k', 'v'],
      ['EVAL', script, 1, 'k'],
      ['EVALSHA', sha, 1, 'k'],
    ])
    expect(reply.json).toEqual([{ result: 'OK' }, { result: 'v' }, { result: 'v' }])
  })
})
