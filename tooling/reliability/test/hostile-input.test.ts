import { describeBackends, expressVersions } from '@rediware/test-utils'
import fc from 'fast-check'
import { headerSafe, headerValue, ipish, queryString, RUNS, segment, trackable, xffList } from './arbitraries.js'
import {
  type Answer,
  badKeys,
  buildSuiteApp,
  type Listening,
  listen,
  processWatch,
  scanKeys,
  send,
  sessionCookie,
  signedCookie,
  type SuiteApp,
  wire,
} from './harness.js'

// Property runs scale with RELIABILITY_RUNS and go over HTTP to every backend: allow them time on a
// loaded 2-core machine (the assertions are per run, so a longer budget hides nothing).
jest.setTimeout(180_000)

/**
 * Property-based hostile input against the purpose-built app (rate limit + session + cached routes)
 * on every backend, Express 4 and 5 (each run picks one). After every property: no 5xx reached the
 * error handler, no unhandled rejection or uncaught exception, every key under the test prefix is
 * at most 200 bytes and contains none of the fuzzed values.
 */
describeBackends('hostile input', (backend) => {
  const instances: { suite: SuiteApp; http: Listening; cookie: string }[] = []
  const watch = processWatch()
  const inputs = new Set<string>()
  const counts: Record<string, number> = {}

  const pick = (index: number) => {
    const instance = instances[index % instances.length]
    if (instance === undefined) throw new Error('no app instance')
    return instance
  }
  const track = (...values: string[]) => {
    for (const value of values) for (const item of trackable(value)) inputs.add(item)
  }
  const count = (name: string) => {
    counts[name] = (counts[name] ?? 0) + 1
  }
  const expectStatus = (answer: Answer, allowed: readonly number[], what: string) => {
    if (!allowed.includes(answer.status)) {
      throw new Error(
        `${what}: status ${answer.status} (allowed ${allowed.join(', ')}); body ${answer.body.slice(0, 300)}`,
      )
    }
  }

  beforeAll(async () => {
    watch.install()
    for (const version of expressVersions) {
      const suite = buildSuiteApp(version.create, backend.client(), `${backend.prefix}${version.name}:`)
      const http = await listen(suite.app)
      const login = await send(http.port, 'POST', '/login/fuzz-user')
      const cookie = sessionCookie(login)
      if (login.status !== 200 || cookie === undefined) throw new Error(`login failed: ${login.status} ${login.body}`)
      instances.push({ suite, http, cookie })
    }
  })

  afterEach(async () => {
    const fiveHundreds = instances.flatMap(({ suite }) => suite.errors.filter((error) => error.status >= 500))
    expect(fiveHundreds).toEqual([])
    expect(watch.events).toEqual([])
    const keys = await scanKeys(backend.client(), backend.prefix)
    expect(keys.length).toBeGreaterThan(0)
    expect(badKeys(keys, backend.prefix, inputs)).toEqual([])
  })

  afterAll(async () => {
    watch.uninstall()
    await Promise.all(instances.map(({ http }) => http.close()))
    // The figures for docs/reliability.md.
    console.log(`[reliability] hostile input [${backend.name}] requests per property: ${JSON.stringify(counts)}`)
  })

  test('request headers: X-Forwarded-For lists, IPv6 forms, oversized and non-ASCII values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.record(
          {
            'x-forwarded-for': xffList,
            'x-real-ip': ipish.map(headerSafe),
            forwarded: ipish.map((ip) => headerSafe(`for="${ip}";proto=https`)),
            'x-forwarded-host': headerValue,
            'x-forwarded-proto': headerValue,
            host: headerValue,
            authorization: headerValue,
            'accept-encoding': headerValue,
            'if-none-match': headerValue,
            'cache-control': headerValue,
            'user-agent': headerValue,
            'x-fuzz': headerValue,
          },
          { requiredKeys: ['x-forwarded-for'] },
        ),
        fc.constantFrom('/public', '/item/1', '/auth', '/me', '/scoped', '/unsafe/authorization'),
        async (which, headers, path) => {
          const { http } = pick(which)
          const sent: Record<string, string> = {}
          for (const [name, value] of Object.entries(headers)) if (value !== undefined) sent[name] = value
          track(...Object.values(sent))
          count('headers')
          const answer = await send(http.port, 'GET', path, sent)
          // 400: Node refuses some Host values before Express; 304: a matching If-None-Match.
          expectStatus(answer, [200, 304, 400, 431], `GET ${path} with ${JSON.stringify(sent).slice(0, 300)}`)
        },
      ),
      { numRuns: RUNS },
    )
  })

  test('cookies: malformed, wrongly signed, oversized, many', async () => {
    const cookiePair = fc.oneof(
      fc.string({ maxLength: 40 }).map((value) => `connect.sid=${value}`),
      fc.string({ minLength: 1, maxLength: 40 }).map((sid) => `connect.sid=s%3A${encodeURIComponent(sid)}`),
      fc.string({ minLength: 1, maxLength: 40 }).map((sid) => signedCookie(sid, 'a-wrong-secret-nobody-uses')),
      fc.string({ minLength: 1, maxLength: 40 }).map((sid) => `connect.sid=s:${sid}.`),
      fc.integer({ min: 600, max: 12_000 }).map((size) => `connect.sid=s%3A${'A'.repeat(size)}.sig`),
      fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 30 })).map(([name, value]) => `${name}=${value}`),
      fc.string({ unit: 'binary', maxLength: 30 }).map((text) => wire(text)),
      fc.constant('=;;=; ;connect.sid'),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(cookiePair, { minLength: 1, maxLength: 200 }),
        fc.boolean(),
        fc.constantFrom<['GET' | 'POST', string]>(
          ['GET', '/me'],
          ['POST', '/views'],
          ['GET', '/scoped'],
          ['GET', '/unsafe/cookie'],
          ['GET', '/public'],
        ),
        async (which, pairs, withValid, [method, path]) => {
          const instance = pick(which)
          const all = withValid ? [...pairs, instance.cookie] : pairs
          const cookie = headerSafe(all.join('; ')).slice(0, 60_000)
          for (const pair of pairs) track(...pair.split('=').slice(1))
          count('cookies')
          const answer = await send(instance.http.port, method, path, { cookie })
          expectStatus(answer, [200], `${method} ${path} with Cookie ${cookie.slice(0, 300)}`)
          if (path === '/me') {
            const { userId } = JSON.parse(answer.body) as { userId: string | null }
            // The only session a fuzzed cookie can reach is the real one (and only when it is sent).
            if (userId !== null) expect(withValid && userId === 'fuzz-user').toBe(true)
          }
        },
      ),
      { numRuns: RUNS },
    )
  })

  test('URLs and queries: encodings, huge query strings, duplicate keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.constantFrom('/public', '/item/', '/scoped', '/auth', '/nope/', '/'),
        fc.array(segment, { maxLength: 4 }),
        queryString,
        async (which, base, segments, query) => {
          const { http } = pick(which)
          const path = base.endsWith('/') ? `${base}${segments.join('/') || 'x'}` : base
          const url = `${path}?${query}`
          track(...query.split('&'), ...segments)
          count('urls')
          const answer = await send(http.port, 'GET', url)
          // 400: undecodable path parameter (Express); 404: no such route; 431: request line past 64 KB.
          expectStatus(answer, [200, 400, 404, 431], `GET ${url.slice(0, 300)}`)
          if (base === '/public' && answer.status === 200) {
            // the cached answer (hit or miss) is the one for this URL's query
            const again = await send(http.port, 'GET', url)
            expect(again.body).toBe(answer.body)
          }
        },
      ),
      { numRuns: RUNS },
    )
  })

  test('bodies on cached routes are never cached and never served to GET', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'GET'),
        fc.constantFrom('/public', '/item/7'),
        fc.oneof(
          fc.json().map((text) => Buffer.from(text)),
          fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
          fc.integer({ min: 10_000, max: 300_000 }).map((size) => Buffer.alloc(size, 0x61)),
        ),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/octet-stream',
          '\u00ff/\u00ff',
        ),
        fc.stringMatching(/^[a-z0-9]{16}$/),
        async (which, method, path, body, type, marker) => {
          const { http } = pick(which)
          count('bodies')
          const url = `${path}?marker=${marker}`
          const answer = await send(
            http.port,
            method,
            url,
            { 'content-type': type, 'content-length': String(body.length) },
            body,
          )
          expectStatus(answer, [200], `${method} ${url} with a ${body.length}-byte ${type} body`)
          const follow = await send(http.port, 'GET', url)
          expectStatus(follow, [200], `GET ${url} after ${method}`)
          const parsed = JSON.parse(follow.body) as { method?: string }
          if (path === '/public') expect(parsed.method).toBe('GET')
        },
      ),
      { numRuns: RUNS },
    )
  })
})
