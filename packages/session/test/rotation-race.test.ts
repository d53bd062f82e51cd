import { describeBackends, describeExpress } from '@rediware/test-utils'
import type { Application, NextFunction, Request, Response } from 'express'
import expressSession from 'express-session'
import request from 'supertest'
import { RedisStore, rotateSession } from '../src/index.js'
import { newGate } from './app.js'

/**
 * A request that loaded a session before it was logged out, revoked or timed out, and rotates its
 * id afterwards, must not bring the session back under the new id.
 */
describeBackends('rotateSession() after the session ended (issue 14 item 8)', (backend) => {
  describeExpress('app', (createApp, version) => {
    let run = 0
    const build = (options: { absoluteTimeout?: number } = {}) => {
      run += 1
      const store = new RedisStore({
        redis: backend.client(),
        prefix: `${backend.prefix}rot${version}${run}:`,
        userId: (session) => session.userId,
        ...options,
      })
      const gate = newGate()
      const app: Application = createApp()
      app.use(
        expressSession({
          store,
          secret: 'rotation-race-secret-rotation-race',
          resave: false,
          saveUninitialized: false,
        }),
      )
      app.post('/login/:user', (req: Request, res: Response, next: NextFunction) => {
        rotateSession(req)
          .then(() => {
            req.session.userId = String(req.params.user)
            res.json({ sid: req.sessionID })
          })
          .catch(next)
      })
      app.post('/elevate', (req: Request, res: Response, next: NextFunction) => {
        gate.enter()
        gate
          .wait()
          .then(() => rotateSession(req))
          .then(() => {
            req.session.note = 'elevated'
            res.json({ userId: req.session.userId ?? null })
          })
          .catch(next)
      })
      app.get('/me', (req: Request, res: Response) => {
        res.json({ userId: req.session.userId ?? null })
      })
      app.post('/logout', (req: Request, res: Response, next: NextFunction) => {
        req.session.destroy((error: unknown) => (error ? next(error) : res.json({ ok: true })))
      })
      app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
        res.status(500).json({ error: error.message })
      })
      return { app, gate, store }
    }

    /** The cookie the slow request's answer set, if any, reads no logged-in session. */
    async function expectLoggedOut(app: Application, elevated: request.Response) {
      expect(elevated.status).toBe(200)
      expect(elevated.body).toEqual({ userId: null })
      const cookie = elevated.headers['set-cookie']
      if (cookie !== undefined) {
        const me = await request(app).get('/me').set('Cookie', cookie)
        expect(me.body).toEqual({ userId: null })
      }
    }

    test('against logout: a request in flight during logout does not log the user back in', async () => {
      const { app, gate, store } = build()
      const agent = request.agent(app)
      await agent.post('/login/alice').expect(200)
      const elevated = agent.post('/elevate').then((response) => response)
      await gate.entered
      await agent.post('/logout').expect(200)
      gate.release()
      await expectLoggedOut(app, await elevated)
      expect(await store.listUserSessions('alice')).toEqual([])
    })

    test('against revokeUser: a request in flight during "log out everywhere" does not survive it', async () => {
      const { app, gate, store } = build()
      const agent = request.agent(app)
      await agent.post('/login/bob').expect(200)
      const elevated = agent.post('/elevate').then((response) => response)
      await gate.entered
      expect(await store.revokeUser('bob')).toBe(1)
      gate.release()
      await expectLoggedOut(app, await elevated)
      expect(await store.listUserSessions('bob')).toEqual([])
    })

    test('against the absolute timeout: a rotation after the deadline does not extend the session', async () => {
      const { app, gate, store } = build({ absoluteTimeout: 1000 })
      const agent = request.agent(app)
      const { sid } = (await agent.post('/login/carol').expect(200)).body as { sid: string }
      const elevated = agent.post('/elevate').then((response) => response)
      await gate.entered
      // Wait until Redis itself has expired the session at its absolute deadline.
      const key = `${store.prefix}${sid}`
      while ((await backend.client().exists([key])) === 1) await new Promise((resolve) => setTimeout(resolve, 50))
      gate.release()
      await expectLoggedOut(app, await elevated)
      expect(await store.listUserSessions('carol')).toEqual([])
    })

    test('a rotation with nothing in the way keeps the data under the new id and drops the old id', async () => {
      const { app, gate } = build()
      const agent = request.agent(app)
      const { sid } = (await agent.post('/login/dana').expect(200)).body as { sid: string }
      const elevated = agent.post('/elevate').then((response) => response)
      await gate.entered
      gate.release()
      expect((await elevated).body).toEqual({ userId: 'dana' })
      expect((await agent.get('/me')).body).toEqual({ userId: 'dana' })
      const old = (
        await request(app)
          .get('/me')
          .set('Cookie', `connect.sid=${encodeURIComponent(`s:${sid}`)}`)
      ).body
      expect(old).toEqual({ userId: null })
    })
  })
})
