import { describeBackends, describeExpress } from '@rediware/test-utils'
import type { Application, NextFunction, Request, Response } from 'express'
import expressSession from 'express-session'
import request from 'supertest'
import { RedisStore, saveBeforeResponse, session } from '../src/index.js'
import { countingClient } from './helpers.js'

const secret = 'a-save-before-response-secret-of-32+'

/** JSON, except that a session whose note is 'unstorable' cannot be written (a save that fails). */
const failingSerializer = {
  parse: (text: string): unknown => JSON.parse(text),
  stringify: (value: unknown): string => {
    if ((value as { note?: unknown }).note === 'unstorable') throw new Error('this session cannot be stored')
    return JSON.stringify(value)
  },
}

function routes(app: Application): Application {
  app.post('/note/:note', (req: Request, res: Response) => {
    req.session.note = String(req.params.note)
    res.set('ETag', '"handler"').json({ note: req.session.note })
  })
  app.get('/note', (req: Request, res: Response) => {
    res.json({ note: req.session.note ?? null })
  })
  app.post('/stream/:note', (req: Request, res: Response) => {
    req.session.note = String(req.params.note)
    res.type('text/plain')
    res.write('part one, ')
    res.end('part two')
  })
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: error.message })
  })
  return app
}

describeBackends('a changed session is saved before the response goes out', (backend) => {
  describeExpress('app', (createApp, version) => {
    let counter = 0
    const prefix = () => {
      counter += 1
      return `${backend.prefix}sbr${version}${counter}:`
    }
    const viaSession = (redis = backend.client()) => {
      const middleware = session({
        redis,
        secret,
        prefix: prefix(),
        serializer: failingSerializer,
        cookie: { maxAge: 60_000 },
      })
      const app = createApp()
      app.use(middleware)
      return { app: routes(app), store: middleware.store }
    }
    const viaExpressSession = () => {
      const store = new RedisStore({ redis: backend.client(), prefix: prefix(), serializer: failingSerializer })
      const app = createApp()
      app.use(expressSession({ store, secret, resave: false, saveUninitialized: false, cookie: { maxAge: 60_000 } }))
      app.use(saveBeforeResponse())
      return { app: routes(app), store }
    }

    test.each([
      ['session()', viaSession],
      ['express-session + saveBeforeResponse()', viaExpressSession],
    ])('a failed save answers the error handler’s status, not a 200 or a reset (%s)', async (_name, build) => {
      const { app, store } = build()
      const agent = request.agent(app)
      await agent.post('/note/first').expect(200, { note: 'first' })
      const failed = await agent.post('/note/unstorable')
      expect(failed.status).toBe(500)
      expect(failed.body).toEqual({ error: 'this session cannot be stored' })
      expect(failed.headers.etag).not.toBe('"handler"')
      // The stored session is the one before the failed change; the same connection still works.
      await agent.get('/note').expect(200, { note: 'first' })
      expect(await store.length()).toBe(1)
    })

    test('a new session whose first save fails stores nothing', async () => {
      const { app, store } = viaSession()
      const agent = request.agent(app)
      const failed = await agent.post('/note/unstorable')
      expect(failed.status).toBe(500)
      expect(await store.length()).toBe(0)
      await agent.get('/note').expect(200, { note: null })
    })

    test('a changed session still costs one read and one write; an unchanged one, one read', async () => {
      const counting = countingClient(backend.client())
      const { app } = viaSession(counting.client)
      const agent = request.agent(app)
      await agent.post('/note/one').expect(200)
      const beforeWrite = counting.calls()
      await agent.post('/note/two').expect(200, { note: 'two' })
      expect(counting.names.slice(beforeWrite)).toEqual(['script:session-read', 'script:session-write'])
      const beforeRead = counting.calls()
      await agent.get('/note').expect(200, { note: 'two' })
      expect(counting.names.slice(beforeRead)).toEqual(['script:session-read'])
    })

    test('a streamed response saves as express-session does', async () => {
      const { app } = viaSession()
      const agent = request.agent(app)
      const streamed = await agent.post('/stream/streamed').expect(200)
      expect(streamed.text).toBe('part one, part two')
      await agent.get('/note').expect(200, { note: 'streamed' })
    })
  })
})
