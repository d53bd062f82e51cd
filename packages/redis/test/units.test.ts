import { buildKey, hashKeyPart, hashTag, memoryClient, parseDuration } from '@rediware/redis'

describe('parseDuration', () => {
  it.each([
    [1500, 1500],
    ['10 s', 10_000],
    ['5m', 300_000],
    ['1 h', 3_600_000],
    ['7 d', 604_800_000],
    ['250ms', 250],
    ['1.5 s', 1500],
  ])('%p → %p ms', (input, expected) => {
    expect(parseDuration(input, 'window')).toBe(expected)
  })

  it.each(['ten seconds', '5 weeks', '', '-1 s'])('rejects %p naming the option', (input) => {
    expect(() => parseDuration(input, 'window')).toThrow(/window/)
  })

  it('rejects zero and negatives unless allowed', () => {
    expect(() => parseDuration(0, 'ttl')).toThrow(RangeError)
    expect(parseDuration(0, 'ttl', { allowZero: true })).toBe(0)
    expect(() => parseDuration(-5, 'ttl')).toThrow(RangeError)
    expect(() => parseDuration({}, 'ttl')).toThrow(TypeError)
  })
})

describe('keys', () => {
  it('hashes untrusted input into a bounded part with no braces, globs or separators', () => {
    for (const input of ['{evil}*?[x]:y', 'x'.repeat(10_000), '::1%eth0', 'ü'.repeat(50)]) {
      const part = hashKeyPart(input)
      expect(part).toMatch(/^[A-Za-z0-9_-]{22}$/)
    }
    expect(hashKeyPart('a')).not.toBe(hashKeyPart('b'))
  })

  it('builds keys keeping safe parts readable and hashing the rest', () => {
    expect(buildKey('rl:', 'login', '1.2.3.4')).toBe('rl:login:1.2.3.4')
    expect(buildKey('rl:', 'path', '/a/{b}*')).toMatch(/^rl:path:[A-Za-z0-9_-]{22}$/)
  })

  it('makes hash tags that cannot be escaped', () => {
    expect(hashTag('user:1')).toBe('{user:1}')
    expect(hashTag('a}b{c')).toBe('{a_b_c}')
  })
})

describe('memory backend', () => {
  it('expires keys by its clock, to the millisecond', async () => {
    let now = 1_000_000
    const client = memoryClient({ clock: () => now })
    await client.set('k', 'v', { px: 100 })
    now += 99
    expect(await client.pttl('k')).toBe(1)
    expect(await client.get('k')).toBe('v')
    now += 1
    expect(await client.get('k')).toBeNull()
    expect(await client.pttl('k')).toBe(-2)
    expect(await client.time()).toBe(now)
  })

  it('reports wrong types like Redis', async () => {
    const client = memoryClient()
    await client.hset('h', { a: '1' })
    await expect(client.get('h')).rejects.toThrow(/WRONGTYPE/)
  })

  it('keeps no timer that holds the process open', async () => {
    const { execFileSync } = await import('node:child_process')
    const { resolve } = await import('node:path')
    const dist = resolve(__dirname, '../dist/index.cjs')
    const script = `const { memoryClient } = require(${JSON.stringify(dist)});
      const c = memoryClient(); c.set('k', 'v', { px: 3600000 }).then(() => c.get('k')).then((v) => console.log(v))`
    const started = Date.now()
    const output = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 })
    expect(output.trim()).toBe('v')
    expect(Date.now() - started).toBeLessThan(5000)
  })
})
