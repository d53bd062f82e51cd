import { describeExpress } from '@rediware/test-utils'
import type { Request } from 'express'
import request from 'supertest'
import { ipKey, normalizeIp, rateLimit } from '@rediware/rate-limit'
import { memoryClient } from '@rediware/redis'

describe('normalizeIp / ipKey', () => {
  test.each([
    ['1.2.3.4', '1.2.3.4'],
    ['1.2.3.4:5678', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
    ['::ffff:102:304', '1.2.3.4'],
    ['0:0:0:0:0:ffff:0102:0304', '1.2.3.4'],
    ['[::ffff:1.2.3.4]:443', '1.2.3.4'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:0:0:0:0/64'],
    ['2001:db8:1:2:ffff::1', '2001:db8:1:2:0:0:0:0/64'],
    ['[2001:db8:1:2::9]:8080', '2001:db8:1:2:0:0:0:0/64'],
    ['fe80::1%eth0', 'fe80:0:0:0:0:0:0:0/64'],
    ['::1', '0:0:0:0:0:0:0:0/64'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected)
  })

  test('ipv6Subnet groups by a configurable prefix, or not at all', () => {
    expect(normalizeIp('2001:db8:abcd:1234::1', { ipv6Subnet: 48 })).toBe('2001:db8:abcd:0:0:0:0:0/48')
    expect(normalizeIp('2001:db8:abcd:1234::1', { ipv6Subnet: 56 })).toBe('2001:db8:abcd:1200:0:0:0:0/56')
    expect(normalizeIp('2001:db8::1', { ipv6Subnet: false })).toBe('2001:db8:0:0:0:0:0:1/128')
    // Mapped addresses are IPv4 whatever the subnet.
    expect(normalizeIp('::ffff:8.8.8.8', { ipv6Subnet: 32 })).toBe('8.8.8.8')
  })

  test('two addresses in one /64 share a key; different /64s do not', () => {
    expect(normalizeIp('2001:db8:0:1::a')).toBe(normalizeIp('2001:db8:0:1:ffff:ffff:ffff:ffff'))
    expect(normalizeIp('2001:db8:0:1::a')).not.toBe(normalizeIp('2001:db8:0:2::a'))
  })

  test('not an IP → undefined; ipKey falls back to the raw value', () => {
    expect(normalizeIp('example.com')).toBeUndefined()
    expect(ipKey({ ip: '::ffff:127.0.0.1' } as Request)).toBe('127.0.0.1')
    expect(() => ipKey({ ip: '::1' } as Request, { ipv6Subnet: 0 })).toThrow(RangeError)
  })
})

/** Warnings of the proxy tests, across the Express 4 and 5 runs: warnOnce reports a code once per process. */
const proxyWarnings: string[] = []
const countOf = (code: string): number => proxyWarnings.filter((message) => message.includes(code)).length

describeExpress('proxies', (createApp) => {
  test('a spoofed X-Forwarded-For does not change the key while trust proxy is off (and warns once)', async () => {
    const warnings = proxyWarnings
    const app = createApp()
    app.get(
      '/',
      rateLimit({ redis: memoryClient(), limit: 2, window: '1 h', warn: (message) => warnings.push(message) }),
      (req, res) => {
        res.json(req.rateLimit?.key)
      },
    )
    const first = await request(app).get('/').set('X-Forwarded-For', '203.0.113.1')
    expect(first.status).toBe(200)
    expect(first.body).toMatch(/^(127\.0\.0\.1|0:0:0:0:0:0:0:0\/64)$/)
    expect((await request(app).get('/').set('X-Forwarded-For', '203.0.113.2')).status).toBe(200)
    expect((await request(app).get('/').set('X-Forwarded-For', '203.0.113.3')).status).toBe(429)
    expect(countOf('ERR_RL_UNEXPECTED_X_FORWARDED_FOR')).toBe(1)
  })

  test('trust proxy true is flagged once (ERR_RL_PERMISSIVE_TRUST_PROXY)', async () => {
    const warnings = proxyWarnings
    const app = createApp()
    app.set('trust proxy', true)
    app.get(
      '/',
      rateLimit({ redis: memoryClient(), limit: 5, window: '1 h', warn: (message) => warnings.push(message) }),
      (_req, res) => {
        res.send('ok')
      },
    )
    await request(app).get('/').set('X-Forwarded-For', '198.51.100.1')
    await request(app).get('/').set('X-Forwarded-For', '198.51.100.2')
    // warnOnce is per process: the Express 4 run warns, the Express 5 run in the same file does not again.
    expect(countOf('ERR_RL_PERMISSIVE_TRUST_PROXY')).toBe(1)
    expect(
      warnings.every((message) => /ERR_RL_(PERMISSIVE_TRUST_PROXY|UNEXPECTED_X_FORWARDED_FOR)/.test(message)),
    ).toBe(true)
  })

  test('with trust proxy set to 1 hop, X-Forwarded-For decides the key', async () => {
    const app = createApp()
    app.set('trust proxy', 1)
    app.get('/', rateLimit({ redis: memoryClient(), limit: 1, window: '1 h' }), (req, res) => {
      res.json(req.rateLimit?.key)
    })
    const first = await request(app).get('/').set('X-Forwarded-For', '::ffff:198.51.100.7')
    expect(first.body).toBe('198.51.100.7')
    expect((await request(app).get('/').set('X-Forwarded-For', '198.51.100.8')).status).toBe(200)
    expect((await request(app).get('/').set('X-Forwarded-For', '198.51.100.8')).status).toBe(429)
    expect((await request(app).get('/').set('X-Forwarded-For', '2001:db8::1')).status).toBe(200)
    expect((await request(app).get('/').set('X-Forwarded-For', '2001:db8::2')).status).toBe(429)
  })

  test('allowList (IPs and CIDRs) is never limited; skip bypasses counting', async () => {
    const app = createApp()
    app.set('trust proxy', 1)
    app.get(
      '/',
      rateLimit({
        redis: memoryClient(),
        limit: 1,
        window: '1 h',
        allowList: ['10.0.0.0/8', '2001:db8::/32'],
        skip: (req) => req.query.skip === '1',
      }),
      (_req, res) => {
        res.send('ok')
      },
    )
    for (let index = 0; index < 3; index++) {
      expect((await request(app).get('/').set('X-Forwarded-For', '10.1.2.3')).status).toBe(200)
      expect((await request(app).get('/').set('X-Forwarded-For', '2001:db8:5::1')).status).toBe(200)
      expect((await request(app).get('/?skip=1').set('X-Forwarded-For', '192.0.2.1')).status).toBe(200)
    }
    expect((await request(app).get('/').set('X-Forwarded-For', '192.0.2.1')).status).toBe(200)
    expect((await request(app).get('/').set('X-Forwarded-For', '192.0.2.1')).status).toBe(429)
  })
})
