import type { RedisClient } from '@rediware/redis'
import { describeBackends, expressVersions } from '@rediware/test-utils'
import fc from 'fast-check'
import { RUNS } from './arbitraries.js'
import {
  badKeys,
  buildSuiteApp,
  type Listening,
  listen,
  processWatch,
  scanKeys,
  send,
  sessionCookie,
  sidOf,
  type SuiteApp,
} from './harness.js'

// Property runs scale with RELIABILITY_RUNS and go over HTTP to every backend: allow them time on a
// loaded 2-core machine (the assertions are per run, so a longer budget hides nothing).
jest.setTimeout(180_000)

type Corruption =
  | { kind: 'truncate'; fraction: number }
  | { kind: 'garbage'; value: string }
  | { kind: 'wrong-type'; type: 'hash' | 'set' | 'zset' }
  | { kind: 'huge'; size: number }
  | { kind: 'shape'; value: string }
  | { kind: 'cookie'; field: string; value: unknown }

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.double({ min: 0, max: 0.99, noNaN: true }).map((fraction) => ({ kind: 'truncate' as const, fraction })),
  fc
    .oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }))
    .map((value) => ({ kind: 'garbage' as const, value })),
  fc.constantFrom('hash', 'set', 'zset').map((type) => ({ kind: 'wrong-type' as const, type })),
  fc.integer({ min: 10_000, max: 200_000 }).map((size) => ({ kind: 'huge' as const, size })),
  fc
    .constantFrom(
      '{}',
      '[]',
      'null',
      '123',
      '-1',
      '"text"',
      '{"v":1}',
      '{"v":1,"s":200,"h":[],"b":"%%%","e":"","t":0,"f":9e99,"w":0,"i":0,"g":{}}',
      '{"__rw":"1.2.x"}',
      '{"__rw":"99999999999999999999.1.u","cookie":{}}',
      '{"__rw":"1.1.u"}',
      '{"cookie":null}',
      '{"cookie":{"expires":"not a date"}}',
      '~rw1|1.1.|',
      '~rw1|',
      '1:2:3',
      '9007199254740993',
      'NaN',
      '1e400',
    )
    .map((value) => ({ kind: 'shape' as const, value })),
  // One field of the stored session's cookie replaced (express-session's own fields, its setters and methods).
  fc.record({
    kind: fc.constant('cookie' as const),
    field: fc.constantFrom(
      'originalMaxAge',
      'expires',
      'secure',
      'httpOnly',
      'partitioned',
      'domain',
      'path',
      'priority',
      'sameSite',
      'maxAge',
      '_expires',
      'serialize',
      'data',
      '__proto__',
    ),
    value: fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('abc', 'garbage', '', 'LAX', 'urgent', '/\n', 'bad domain!', -1, 1e308, true),
    ),
  }),
)

async function corrupt(client: RedisClient, key: string, how: Corruption): Promise<void> {
  switch (how.kind) {
    case 'truncate': {
      const value = (await client.get(key).catch(() => null)) ?? ''
      await client.set(key, value.slice(0, Math.floor(value.length * how.fraction)))
      return
    }
    case 'garbage':
      await client.set(key, how.value)
      return
    case 'huge':
      await client.set(key, 'x'.repeat(how.size))
      return
    case 'shape':
      await client.set(key, how.value)
      return
    case 'cookie': {
      const value = (await client.get(key).catch(() => null)) ?? ''
      const at = value.indexOf('"cookie":{')
      if (at < 0) return
      // Spliced as text: "__proto__" and other names JSON.stringify would not write as own fields.
      const start = at + '"cookie":{'.length
      await client.set(
        key,
        `${value.slice(0, start)}${JSON.stringify(how.field)}:${JSON.stringify(how.value) ?? 'null'},${value.slice(start)}`,
      )
      return
    }
    case 'wrong-type':
      await client.del(key)
      if (how.type === 'hash') await client.hset(key, { f: 'v', cookie: '{}' })
      else if (how.type === 'set') await client.sadd(key, ['a', 'b'])
      else await client.zadd(key, [{ score: 1, member: 'a' }])
      return
  }
}

/**
 * Garbage written with the raw client to the keys the packages use (found by SCAN after a normal
 * round of requests): truncated values, wrong types, huge values, JSON of the wrong shape. Every
 * request afterwards must still get its normal status (200; 401 for logout-everywhere without a
 * user) and never a 500.
 */
/**
 * Answers the property excuses (counted and printed instead of failing). None any more: the two
 * former findings (a wrong-type value at a session key, a corrupt per-user index key in `revokeUser`)
 * are fixed in @rediware/session and covered by the two tests at the end of this file.
 */
function knownBug(_family: string, _how: Corruption, _request: string): boolean {
  return false
}

/**
 * Garbage written with the raw client to the keys the packages use (found by SCAN after a normal
 * round of requests, plus the live session and user-index keys): truncated values, wrong types, huge
 * values, JSON of the wrong shape. Every request afterwards must still get its normal status (200;
 * 401 for logout-everywhere without a user) and never a 500.
 */
describeBackends('stored data corruption', (backend) => {
  const watch = processWatch()
  const instances: { suite: SuiteApp; http: Listening; keys: string[] }[] = []
  const tried: Record<string, number> = {}
  const failures: string[] = []
  const known: Record<string, number> = {}

  beforeAll(async () => {
    watch.install()
    for (const version of expressVersions) {
      const suite = buildSuiteApp(version.create, backend.client(), `${backend.prefix}${version.name}:`)
      const http = await listen(suite.app)
      const login = await send(http.port, 'POST', '/login/filler')
      const cookie = sessionCookie(login)
      const headers: Record<string, string> = cookie === undefined ? {} : { cookie, authorization: 'Bearer same-token' }
      for (const path of ['/public?a=1', '/item/9?b=2', '/scoped', '/auth', '/unsafe/session'])
        await send(http.port, 'GET', path, headers)
      const keys = (await scanKeys(backend.client(), `${backend.prefix}${version.name}:`)).sort()
      instances.push({ suite, http, keys })
    }
  })
  afterAll(async () => {
    watch.uninstall()
    await Promise.all(instances.map(({ http }) => http.close()))
    console.log(
      `[reliability] stored data [${backend.name}] corruptions tried (key family:kind): ${JSON.stringify(tried)}; known-bug answers: ${JSON.stringify(known)}`,
    )
  })

  test('garbage, truncated and wrong-type values at every package key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), corruption, async (which, keyIndex, how) => {
        const instance = instances[which % instances.length]
        if (instance === undefined) throw new Error('no app')
        const { port } = instance.http
        const user = `user-${which % 7}`
        const login = await send(port, 'POST', `/login/${user}`)
        const cookie = sessionCookie(login)
        if (login.status !== 200 || cookie === undefined) throw new Error(`login: ${login.status}`)
        const base = instance.suite.prefixes.rl.slice(0, -3)
        const live = await scanKeys(backend.client(), instance.suite.prefixes.user)
        const candidates = [...instance.keys, instance.suite.prefixes.sess + sidOf(cookie), ...live]
        const key =
          how.kind === 'cookie'
            ? instance.suite.prefixes.sess + sidOf(cookie)
            : candidates[keyIndex % candidates.length]
        if (key === undefined) throw new Error('no keys to corrupt')
        const family = key.slice(base.length).split(':')[0] ?? '?'
        const label = `${family}:${how.kind}`
        tried[label] = (tried[label] ?? 0) + 1
        await corrupt(backend.client(), key, how)
        instance.suite.errors.length = 0
        const headers = { cookie, authorization: 'Bearer same-token' }
        const statuses: [string, number][] = []
        for (const [method, path] of [
          ['GET', '/me'],
          ['POST', '/views'],
          ['GET', '/public?a=1'],
          ['GET', '/item/9?b=2'],
          ['GET', '/scoped'],
          ['GET', '/auth'],
          ['GET', '/unsafe/session'],
        ] as const) {
          statuses.push([`${method} ${path}`, (await send(port, method, path, headers)).status])
        }
        const again = await send(port, 'POST', `/login/${user}`)
        statuses.push(['POST /login (same user)', again.status])
        const revoke = await send(port, 'POST', '/logout-everywhere', { cookie: sessionCookie(again) ?? cookie })
        statuses.push(['POST /logout-everywhere', revoke.status === 401 ? 200 : revoke.status])
        for (const [request, status] of statuses) {
          if (status === 200) continue
          if (knownBug(family, how, request))
            known[`${family}:${how.kind}:${request}:${status}`] =
              (known[`${family}:${how.kind}:${request}:${status}`] ?? 0) + 1
          else
            failures.push(
              `${key} ← ${JSON.stringify(how).slice(0, 120)}: ${request} → ${status} ${JSON.stringify(instance.suite.errors.map((error) => error.stack?.split('\n').slice(0, 4).join(' | ')))}`,
            )
        }
        // leave the store clean for the next run
        await backend.client().del(key)
      }),
      { numRuns: RUNS },
    )
    expect([...new Set(failures)].slice(0, 20)).toEqual([])
    expect(watch.events).toEqual([])
    const keys = await scanKeys(backend.client(), backend.prefix)
    expect(badKeys(keys, backend.prefix, [])).toEqual([])
  })

  // ---- former findings, fixed in @rediware/session ----------------------------------------------

  test('a wrong-type value at a session key is treated like corrupt data (200, logged out)', async () => {
    const instance = instances[0]
    if (instance === undefined) throw new Error('no app')
    const login = await send(instance.http.port, 'POST', '/login/victim')
    const cookie = sessionCookie(login)
    if (cookie === undefined) throw new Error('no cookie')
    const key = instance.suite.prefixes.sess + sidOf(cookie)
    await backend.client().del(key)
    await backend.client().hset(key, { f: 'v' })
    const me = await send(instance.http.port, 'GET', '/me', { cookie })
    await backend.client().del(key)
    expect(me.status).toBe(200)
  })

  test('a corrupt per-user index key does not make revokeUser reject (logout-everywhere answers 200)', async () => {
    const instance = instances[0]
    if (instance === undefined) throw new Error('no app')
    const login = await send(instance.http.port, 'POST', '/login/index-victim')
    const cookie = sessionCookie(login)
    if (cookie === undefined) throw new Error('no cookie')
    const [indexKey] = await scanKeys(backend.client(), instance.suite.prefixes.user).then((keys) =>
      keys.filter((key) => key.length > 0),
    )
    // find this user's index: the one whose members include the session just created
    const all = await scanKeys(backend.client(), instance.suite.prefixes.user)
    for (const key of all) await backend.client().set(key, 'garbage')
    const revoke = await send(instance.http.port, 'POST', '/logout-everywhere', { cookie })
    for (const key of all) await backend.client().del(key)
    expect(indexKey).toBeDefined()
    expect(revoke.status).toBe(200)
  })
})
