import { describeBackends, describeExpress } from '@rediware/test-utils'
import type { Application, NextFunction, Request, Response } from 'express'
import expressSession, { type SessionOptions } from 'express-session'
import request from 'supertest'
import { RedisStore } from '../src/index.js'
import { countingClient } from './helpers.js'

const secret = 'express-session-behaviours-secret-0'

/**
 * The store-relevant behaviours of express-session's own test suite (`test/session.js`), written
 * as our tests against our store. Where we differ on purpose, the test says so (see the README).
 */
describeBackends("express-session's behaviours with our store", (backend) => {
  describeExpress('app', (createApp, version) => {
    let run = 0
    const setup = (options: Partial<SessionOptions> = {}, redis = backend.client()) => {
      run += 1
      const store = new RedisStore({ redis, prefix: `${backend.prefix}es${version}${run}:` })
      const app: Application = createApp()
      app.use(expressSession({ store, secret, resave: false, saveUninitialized: false, ...options }))
      app.get('/', (req: Request, res: Response) => {
        res.json({ views: req.session.views ?? null, sid: req.sessionID })
      })
      app.post('/views', (req: Request, res: Response) => {
        req.session.views = (req.session.views ?? 0) + 1
        res.json({ views: req.session.views, sid: req.sessionID })
      })
      app.post('/save-early', (req: Request, res: Response, next: NextFunction) => {
        req.session.views = 42
        req.session.save((error) => (error ? next(error) : res.json({ saved: true })))
      })
      app.post('/max-age/:ms', (req: Request, res: Response) => {
        req.session.cookie.maxAge = Number(req.params.ms)
        res.json({ ok: true })
      })
      app.post('/unset', (req: Request, res: Response) => {
        ;(req as unknown as { session: unknown }).session = null
        res.json({ ok: true })
      })
      app.get('/reload', (req: Request, res: Response) => {
        req.session.reload((error: unknown) => res.json({ error: error instanceof Error ? error.message : null }))
      })
      app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
        res.status(500).json({ error: error.message })
      })
      return { app, store }
    }

    test('saveUninitialized: false stores nothing and sets no cookie for an untouched session', async () => {
      const { app, store } = setup()
      const response = await request(app).get('/').expect(200)
      expect(response.headers['set-cookie']).toBeUndefined()
      expect(await store.length()).toBe(0)
    })

    test('saveUninitialized: true stores the new session and sets its cookie', async () => {
      const { app, store } = setup({ saveUninitialized: true })
      const response = await request(app).get('/').expect(200)
      expect(String(response.headers['set-cookie'])).toMatch(/^connect\.sid=/)
      expect(await store.ids()).toEqual([response.body.sid])
    })

    test('rolling: true sets the cookie on every response; false only when the session changed', async () => {
      for (const rolling of [true, false]) {
        const { app } = setup({ rolling, cookie: { maxAge: 60_000 } })
        const agent = request.agent(app)
        await agent.post('/views').expect(200)
        const unchanged = await agent.get('/').expect(200)
        expect(unchanged.headers['set-cookie'] !== undefined).toBe(rolling)
      }
    })

    test('a session expired in the store gives a new session, a new id, and is gone from all()', async () => {
      const { app, store } = setup({ cookie: { maxAge: 300 } })
      const agent = request.agent(app)
      const { sid } = (await agent.post('/views').expect(200)).body as { sid: string }
      const key = `${store.prefix}${sid}`
      while ((await backend.client().exists([key])) === 1) await new Promise((resolve) => setTimeout(resolve, 50))
      expect((await agent.get('/').expect(200)).body.views).toBeNull()
      const again = (await agent.post('/views').expect(200)).body as { sid: string }
      expect(again.sid).not.toBe(sid)
      expect((await store.all()).map((session) => session.id)).toEqual([again.sid])
    })

    test('save() in the handler stores the session, and the end of the request saves nothing more', async () => {
      const counting = countingClient(backend.client())
      const { app } = setup({}, counting.client)
      const agent = request.agent(app)
      await agent.post('/views').expect(200)
      const before = counting.names.length
      await agent.post('/save-early').expect(200, { saved: true })
      expect(counting.names.slice(before)).toEqual(['script:session-read', 'script:session-write'])
      expect((await agent.get('/').expect(200)).body.views).toBe(42)
    })

    test('a changed cookie.maxAge alone (no data change) is applied by touch: stored and in the TTL', async () => {
      const { app, store } = setup({ cookie: { maxAge: 60_000 } })
      const agent = request.agent(app)
      const { sid } = (await agent.post('/views').expect(200)).body as { sid: string }
      await agent.post('/max-age/600000').expect(200)
      const ttl = await backend.client().pttl(`${store.prefix}${sid}`)
      expect(ttl).toBeGreaterThan(500_000)
      // the next read slides by the new idle time too
      await agent.get('/').expect(200)
      expect(await backend.client().pttl(`${store.prefix}${sid}`)).toBeGreaterThan(500_000)
    })

    test("unset: 'destroy' deletes the stored session when req.session is set to null; 'keep' keeps it", async () => {
      for (const unset of ['destroy', 'keep'] as const) {
        const { app, store } = setup({ unset })
        const agent = request.agent(app)
        await agent.post('/views').expect(200)
        await agent.post('/unset').expect(200)
        expect(await store.length()).toBe(unset === 'destroy' ? 0 : 1)
      }
    })

    test('reload() fails when the session was destroyed meanwhile', async () => {
      const { app, store } = setup()
      const agent = request.agent(app)
      const { sid } = (await agent.post('/views').expect(200)).body as { sid: string }
      await agent.get('/reload').expect(200, { error: null })
      const reloading = agent.get('/reload')
      await store.destroy(sid)
      expect((await reloading).body.error).toMatch(/failed to load session/)
    })

    test('a reserved name in stored data (save, regenerate, id) does not replace the Session methods', async () => {
      const { app, store } = setup()
      const agent = request.agent(app)
      const { sid } = (await agent.post('/views').expect(200)).body as { sid: string }
      await store.set(sid, {
        views: 7,
        save: 'nope',
        regenerate: 1,
        id: 'forged',
        cookie: { originalMaxAge: null, path: '/', httpOnly: true },
      } as never)
      const response = await agent.post('/views').expect(200)
      expect(response.body).toEqual({ views: 8, sid })
    })

    test('deliberate difference: a session stored without a cookie is a new, empty session (express-session answers 500)', async () => {
      const { app, store } = setup()
      const agent = request.agent(app)
      const { sid } = (await agent.post('/views').expect(200)).body as { sid: string }
      await store.set(sid, { views: 3 } as never)
      expect((await agent.get('/').expect(200)).body.views).toBeNull()
    })

    test("deliberate difference: the store never emits 'disconnect' (express-session would then skip sessions)", () => {
      const { store } = setup()
      expect(store.listenerCount('disconnect')).toBeGreaterThan(0)
      const emitted: string[] = []
      store.on('disconnect', () => emitted.push('disconnect'))
      expect(emitted).toEqual([])
    })
  })
})
