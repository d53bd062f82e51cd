import { describeBackends, expressVersions } from '@rediware/test-utils'
import fc from 'fast-check'
import { RUNS, xffList } from './arbitraries.js'
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
  signedCookie,
  type SuiteApp,
} from './harness.js'

// Property runs scale with RELIABILITY_RUNS and go over HTTP to every backend: allow them time on a
// loaded 2-core machine (the assertions are per run, so a longer budget hides nothing).
jest.setTimeout(180_000)

describeBackends('security', (backend) => {
  const watch = processWatch()
  const opened: { suite: SuiteApp; http: Listening }[] = []
  let serial = 0
  const open = async (index: number, options: Parameters<typeof buildSuiteApp>[3] = {}, shared?: string) => {
    const version = expressVersions[index % expressVersions.length] ?? expressVersions[0]
    serial += 1
    const suite = buildSuiteApp(version.create, backend.client(), shared ?? `${backend.prefix}app${serial}:`, options)
    const http = await listen(suite.app)
    opened.push({ suite, http })
    return { suite, http }
  }
  beforeAll(() => watch.install())
  afterEach(() => {
    expect(opened.flatMap(({ suite }) => suite.errors.filter((error) => error.status >= 500))).toEqual([])
    expect(watch.events).toEqual([])
  })
  afterAll(async () => {
    watch.uninstall()
    await Promise.all(opened.map(({ http }) => http.close()))
  })

  test('a spoofed X-Forwarded-For cannot dodge the limit while trust proxy is off', async () => {
    for (const index of [0, 1]) {
      const { http } = await open(index, { limit: 3 })
      const spoofs = fc.sample(xffList, 20)
      const statuses: number[] = []
      for (const xff of spoofs)
        statuses.push((await send(http.port, 'GET', '/public', { 'x-forwarded-for': xff })).status)
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200])
      expect(statuses.slice(3)).toEqual(Array(17).fill(429))
    }
  })

  test('IPv6 clients in one /64 share a limit (any spelling, zone or port); another /64 does not', async () => {
    for (const index of [0, 1]) {
      const { http } = await open(index, { limit: 3, trustProxy: 'loopback' })
      const spellings = fc.sample(
        fc
          .tuple(
            fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 }),
            fc.constantFrom('plain', 'upper', 'full', 'zone'),
          )
          .map(([low, form]) => {
            const tail = low.map((group) => group.toString(16)).join(':')
            if (form === 'upper') return `2001:DB8:AA:BB:${tail.toUpperCase()}`
            if (form === 'full')
              return `2001:0db8:00aa:00bb:${low.map((group) => group.toString(16).padStart(4, '0')).join(':')}`
            if (form === 'zone') return `2001:db8:aa:bb:${tail}%eth0`
            return `2001:db8:aa:bb:${tail}`
          }),
        12,
      )
      const statuses: number[] = []
      for (const address of spellings)
        statuses.push((await send(http.port, 'GET', '/public', { 'x-forwarded-for': address })).status)
      expect(statuses).toEqual([200, 200, 200, ...Array(9).fill(429)])
      const other = await send(http.port, 'GET', '/public', { 'x-forwarded-for': '2001:db8:aa:bc::1' })
      expect(other.status).toBe(200)
    }
  })

  test('no cache entry is ever served across users (fuzzed users, handlers reading cookie, session, authorization)', async () => {
    const { http } = await open(backend.name.length)
    const users = ['alice', 'bob', 'carol', 'dave']
    const cookies = new Map<string, string>()
    for (const user of users) {
      const cookie = sessionCookie(await send(http.port, 'POST', `/login/${user}`))
      if (cookie === undefined) throw new Error('login failed')
      cookies.set(user, cookie)
    }
    let served = 0
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...users),
        fc.constantFrom('/scoped', '/auth', '/unsafe/session', '/unsafe/cookie', '/unsafe/authorization'),
        fc.constantFrom('', '?a=1', '?a=1&a=2', '?utm_source=x'),
        async (user, path, query) => {
          const cookie = cookies.get(user) ?? ''
          const answer = await send(http.port, 'GET', `${path}${query}`, { cookie, authorization: `Bearer ${user}` })
          expect(answer.status).toBe(200)
          const { user: seen } = JSON.parse(answer.body) as { user: string | null }
          const expected =
            path === '/unsafe/cookie'
              ? cookie
              : path.endsWith('authorization') || path === '/auth'
                ? `Bearer ${user}`
                : user
          expect(seen).toBe(expected)
          served += 1
        },
      ),
      { numRuns: RUNS * 2 },
    )
    expect(served).toBe(RUNS * 2)
  })

  test('a logged-out or revoked session stays dead across 4 app instances under concurrent requests', async () => {
    // 4 Express apps (2× Express 4, 2× Express 5) in this process over the same backend and client.
    const apps = await Promise.all([0, 1, 2, 3].map((index) => open(index, {}, `${backend.prefix}shared:`)))
    const port = (index: number) => apps[index % 4]?.http.port ?? 0
    const sessions: { user: string; cookie: string }[] = []
    for (let index = 0; index < 12; index += 1) {
      const user = `u${index % 4}`
      const cookie = sessionCookie(await send(port(index), 'POST', `/login/${user}`))
      if (cookie === undefined) throw new Error('login failed')
      sessions.push({ user, cookie })
    }
    const killed = new Set<string>()
    let stop = false
    const load = Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7].map(async (worker) => {
        let count = 0
        while (!stop) {
          const session = sessions[(worker + count) % sessions.length]
          if (session === undefined) break
          const deadBefore = killed.has(session.cookie)
          const method = count % 3 === 0 ? 'POST' : 'GET'
          const answer = await send(port(worker + count), method, method === 'POST' ? '/views' : '/me', {
            cookie: session.cookie,
          })
          expect(answer.status).toBe(200)
          const { userId } = JSON.parse(answer.body) as { userId: string | null }
          if (deadBefore) expect(userId).toBeNull()
          count += 1
        }
      }),
    )
    // log out u0's sessions one by one (on different instances), then revoke u1 everywhere
    for (const [index, session] of sessions.entries()) {
      if (session.user !== 'u0') continue
      expect((await send(port(index + 1), 'POST', '/logout', { cookie: session.cookie })).status).toBe(200)
      killed.add(session.cookie)
    }
    const u1 = sessions.find((session) => session.user === 'u1')
    if (u1 === undefined) throw new Error('no u1')
    const revoked = await send(port(2), 'POST', '/logout-everywhere', { cookie: u1.cookie })
    expect(JSON.parse(revoked.body)).toEqual({ revoked: 3 })
    for (const session of sessions) if (session.user === 'u1') killed.add(session.cookie)
    await new Promise<void>((resolve) => setTimeout(resolve, 300)) // let the load run on after the kills
    stop = true
    await load
    for (const session of sessions) {
      for (const index of [0, 1, 2, 3]) {
        const { userId } = JSON.parse((await send(port(index), 'GET', '/me', { cookie: session.cookie })).body) as {
          userId: string | null
        }
        expect(userId).toBe(killed.has(session.cookie) ? null : session.user)
      }
      const key = (apps[0]?.suite.prefixes.sess ?? '') + sidOf(session.cookie)
      if (killed.has(session.cookie)) expect(await backend.client().exists(key)).toBe(0)
    }
  })

  test('session fixation: a session id chosen by the client is never adopted', async () => {
    const { http, suite } = await open(1)
    const chosen = 'attacker-chosen-session-id-1234567890'
    for (const cookie of [
      `connect.sid=${chosen}`,
      `connect.sid=s%3A${chosen}.bogus`,
      signedCookie(chosen, 'wrong-secret'),
      signedCookie(chosen),
    ]) {
      const login = await send(http.port, 'POST', '/login/victim', { cookie })
      const issued = sessionCookie(login)
      expect(issued).toBeDefined()
      expect(sidOf(issued ?? '')).not.toBe(chosen)
      expect(await backend.client().exists(suite.prefixes.sess + chosen)).toBe(0)
      const planted = await send(http.port, 'GET', '/me', { cookie })
      expect(JSON.parse(planted.body)).toMatchObject({ userId: null })
    }
    // an id the attacker got from the server (pre-login) and planted on the victim dies at login
    const pre = sessionCookie(await send(http.port, 'POST', '/views'))
    if (pre === undefined) throw new Error('no pre-login session')
    const login = await send(http.port, 'POST', '/login/victim', { cookie: pre })
    expect(sidOf(sessionCookie(login) ?? pre)).not.toBe(sidOf(pre))
    expect(JSON.parse((await send(http.port, 'GET', '/me', { cookie: pre })).body)).toMatchObject({ userId: null })
  })

  test('keys never contain raw user input', async () => {
    const { http } = await open(0, { trustProxy: 'loopback' })
    const marker = 'MARKER-user-input-7f3a9c'
    const login = await send(http.port, 'POST', `/login/${marker}-user`)
    const cookie = sessionCookie(login) ?? ''
    const headers = {
      cookie: `${cookie}; ${marker}=1`,
      authorization: `Bearer ${marker}`,
      'x-forwarded-for': `${marker}, 10.0.0.1`,
    }
    for (const path of [`/public?${marker}=1`, `/item/${marker}`, '/scoped', '/auth', `/unsafe/session?q=${marker}`]) {
      expect((await send(http.port, 'GET', path, headers)).status).toBe(200)
    }
    const keys = await scanKeys(backend.client(), backend.prefix)
    expect(keys.length).toBeGreaterThan(0)
    expect(badKeys(keys, backend.prefix, [marker], 8)).toEqual([])
  })
})
