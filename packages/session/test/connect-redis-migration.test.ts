import { describeBackends, describeExpress } from '@rediware/test-utils'
import type { Request, Response } from 'express'
import expressSession, { type SessionData } from 'express-session'
import request from 'supertest'
import { RedisStore } from '../src/index.js'
import { eventLog, sessionData } from './helpers.js'

/** What a user migrating from connect-redis relies on (issue 13 §4). */
describeBackends('migrating from connect-redis', (backend) => {
  let run = 0
  const newStore = (options: Partial<ConstructorParameters<typeof RedisStore>[0]> = {}) => {
    run += 1
    return new RedisStore({ redis: backend.client(), prefix: `${backend.prefix}mig${run}:`, ...options })
  }

  test('the options it was given are readable on the store, as on connect-redis', () => {
    const serializer = { parse: JSON.parse, stringify: JSON.stringify }
    const ttl = (session: SessionData) => (session.cookie.originalMaxAge ?? 1000) / 1000
    const store = newStore({ prefix: 'app:', ttl, scanCount: 7, serializer, disableTouch: true, disableTTL: true })
    expect({
      prefix: store.prefix,
      ttl: store.ttl,
      scanCount: store.scanCount,
      serializer: store.serializer,
      disableTouch: store.disableTouch,
      disableTTL: store.disableTTL,
    }).toEqual({
      prefix: 'app:',
      ttl,
      scanCount: 7,
      serializer,
      disableTouch: true,
      disableTTL: true,
    })
    const defaults = newStore({ prefix: undefined })
    expect({
      prefix: defaults.prefix,
      ttl: defaults.ttl,
      scanCount: defaults.scanCount,
      serializer: defaults.serializer,
      disableTouch: defaults.disableTouch,
      disableTTL: defaults.disableTTL,
    }).toEqual({
      prefix: 'sess:',
      ttl: 86_400,
      scanCount: 100,
      serializer: JSON,
      disableTouch: false,
      disableTTL: false,
    })
    expect(newStore({ ttl: '2 h' }).ttl).toBe(7200)
  })

  test('touch() with originalMaxAge null and expires set moves the TTL to expires', async () => {
    const store = newStore()
    const key = `${store.prefix}456`
    await store.set('456', sessionData({ foo: 'bar' }, { expires: new Date(Date.now() + 60_000).toISOString() }))
    expect(await backend.client().pttl(key)).toBeLessThanOrEqual(60_000)
    await store.touch('456', sessionData({ foo: 'bar' }, { expires: new Date(Date.now() + 90_000).toISOString() }))
    const ttl = await backend.client().pttl(key)
    expect(ttl).toBeGreaterThan(60_000)
    expect(ttl).toBeLessThanOrEqual(90_000)
    // a fixed expiry does not start sliding afterwards
    await store.get('456')
    expect(await backend.client().pttl(key)).toBeLessThanOrEqual(90_000)
  })

  test('set then get returns what was set, for any object, with or without a cookie; nothing accepted is deleted on read', async () => {
    const { events, onEvent } = eventLog()
    const store = newStore({ onEvent })
    const values: [string, Record<string, unknown>][] = [
      ['no-cookie', { foo: 'bar', nested: { list: [1, 'two', null] } }],
      ['empty', {}],
      ['cookie', { n: 1, cookie: { originalMaxAge: null, path: '/', httpOnly: true } }],
      ['odd-names', { __proto_like: 1, constructor_: 'x', 'with space': true, '': 'empty name' }],
    ]
    for (const [sid, value] of values) await store.set(sid, value as unknown as SessionData)
    for (const [sid, value] of values) {
      expect(await store.get(sid)).toEqual(value)
      expect(await store.get(sid)).toEqual(value)
    }
    expect((await store.ids()).sort()).toEqual(values.map(([sid]) => sid).sort())
    expect(events.filter((event) => event.type === 'corrupt-session')).toEqual([])
  })

  test('a cookie express-session could not use is refused by set(), not stored and deleted later', async () => {
    const store = newStore()
    await expect(store.set('bad', { cookie: { originalMaxAge: 'abc' } } as unknown as SessionData)).rejects.toThrow(
      TypeError,
    )
    expect(await backend.client().exists([`${store.prefix}bad`])).toBe(0)
  })

  test('corrupt data (unparseable, not an object) stays "no session"', async () => {
    const { events, onEvent } = eventLog()
    const store = newStore({ onEvent })
    const corrupt = ['{not json', '[]', 'null', '42', '"text"', '{"__rw":"1.1.u"']
    for (const [index, value] of corrupt.entries())
      await backend.client().set(`${store.prefix}c${index}`, value, { px: 60_000 })
    for (const index of corrupt.keys()) expect(await store.get(`c${index}`)).toBeNull()
    expect(events.filter((event) => event.type === 'corrupt-session')).toHaveLength(corrupt.length)
  })

  describeExpress('app', (createApp, version) => {
    test('a session stored without a cookie reads as no session over HTTP (an answer, never a 500 or a hang)', async () => {
      const store = newStore()
      const app = createApp()
      app.use(
        expressSession({
          store,
          secret: 'a-no-cookie-secret-a-no-cookie-secret',
          resave: false,
          saveUninitialized: false,
        }),
      )
      app.post('/login', (req: Request, res: Response) => {
        req.session.userId = `u${version}`
        res.json({ sid: req.sessionID })
      })
      app.get('/me', (req: Request, res: Response) => {
        res.json({ userId: req.session.userId ?? null })
      })
      const agent = request.agent(app)
      const { sid } = (await agent.post('/login').expect(200)).body as { sid: string }
      await store.set(sid, { userId: 'no cookie' } as unknown as SessionData)
      const me = await agent.get('/me').timeout({ response: 3000 })
      expect(me.status).toBe(200)
      expect(me.body).toEqual({ userId: null })
      expect(me.headers['set-cookie']).toBeUndefined()
      // the accepted write is still there for the Store API
      expect(await store.get(sid)).toEqual({ userId: 'no cookie' })
    })

    test('disableTTL with rolling: an active user stays logged in past the first maxAge', async () => {
      const store = newStore({ disableTTL: true })
      const app = createApp()
      app.use(
        expressSession({
          store,
          secret: 'a-rolling-secret-a-rolling-secret-0',
          resave: false,
          saveUninitialized: false,
          rolling: true,
          cookie: { maxAge: 2500 },
        }),
      )
      app.post('/login', (req: Request, res: Response) => {
        req.session.userId = 'active'
        res.json({ ok: true })
      })
      app.get('/me', (req: Request, res: Response) => {
        res.json({ userId: req.session.userId ?? null })
      })
      const agent = request.agent(app)
      await agent.post('/login').expect(200)
      const started = Date.now()
      // active every half second for more than two maxAges (the margin absorbs a loaded machine)
      while (Date.now() - started < 5500) {
        await new Promise((resolve) => setTimeout(resolve, 500))
        expect((await agent.get('/me')).body).toEqual({ userId: 'active' })
      }
      expect(await backend.client().pttl(`${store.prefix}${(await store.ids())[0]}`)).toBe(-1)
    })
  })
})
