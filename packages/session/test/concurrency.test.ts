import { describeBackends, describeExpress } from '@rediware/test-utils'
import type { NextFunction, Request, Response } from 'express'
import expressSession from 'express-session'
import request from 'supertest'
import { RedisStore } from '../src/index.js'
import { newGate } from './app.js'

describeBackends('concurrent requests', (backend) => {
  describeExpress('app', (createApp, version) => {
    const build = (concurrency: 'lww' | 'merge', suffix: string) => {
      const store = new RedisStore({
        redis: backend.client(),
        prefix: `${backend.prefix}m${version}${suffix}:`,
        concurrency,
      })
      const gates = { a: newGate(), b: newGate() }
      const app = createApp()
      app.use(
        expressSession({
          store,
          secret: 'merge-secret-merge-secret-merge-secret',
          resave: false,
          saveUninitialized: false,
        }),
      )
      app.post('/start', (req: Request, res: Response) => {
        req.session.views = 0
        req.session.note = 'keep me'
        res.json({ sid: req.sessionID })
      })
      app.post('/slow/:which', (req: Request, res: Response, next: NextFunction) => {
        const which = req.params.which === 'a' ? 'a' : 'b'
        const gate = gates[which]
        gate.enter()
        gate
          .wait()
          .then(() => {
            if (which === 'a') req.session.cart = ['apple']
            else req.session.views = (req.session.views ?? 0) + 1
            res.json({ ok: true })
          })
          .catch(next)
      })
      app.get('/me', (req: Request, res: Response) => {
        res.json({ cart: req.session.cart ?? null, views: req.session.views ?? null, note: req.session.note ?? null })
      })
      return { app, gates }
    }

    async function race(concurrency: 'lww' | 'merge', suffix: string) {
      const { app, gates } = build(concurrency, suffix)
      const agent = request.agent(app)
      await agent.post('/start').expect(200)
      const a = agent.post('/slow/a').then((response) => response)
      const b = agent.post('/slow/b').then((response) => response)
      await Promise.all([gates.a.entered, gates.b.entered])
      gates.a.release()
      expect((await a).status).toBe(200)
      gates.b.release()
      expect((await b).status).toBe(200)
      return (await agent.get('/me')).body
    }

    test("concurrency: 'merge' keeps both changes to different fields", async () => {
      expect(await race('merge', 'm')).toEqual({ cart: ['apple'], views: 1, note: 'keep me' })
    })

    test("default 'lww': the last write wins", async () => {
      expect(await race('lww', 'l')).toEqual({ cart: null, views: 1, note: 'keep me' })
    })
  })
})
