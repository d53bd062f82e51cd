import { fromIoredis } from '@rediware/redis'
import { expressVersions } from '@rediware/test-utils'
import type { ErrorRequestHandler, Request, Response } from 'express'
import request from 'supertest'
import { rotateSession, SessionStoreUnavailableError, session } from '../src/index.js'
import { newGate } from './app.js'
import { dedicatedRedis } from './helpers.js'

/** An error handler as Express's guide writes it: pass on when headers went out, else answer JSON. */
const errors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) {
    next(error)
    return
  }
  if (error instanceof SessionStoreUnavailableError) {
    res.status(503).set('Retry-After', '5').json({ error: 'the session store is unavailable' })
    return
  }
  res.status(500).json({ error: 'internal error' })
}

describe("a failed save reaches the app's error handler, never Express's default page (issue 14 item 10)", () => {
  const redis = dedicatedRedis({ maxRetriesPerRequest: 0 })

  afterEach(async () => {
    if (redis.raw.status !== 'ready') {
      await redis.server.restart()
      await new Promise<void>((resolve) =>
        redis.raw.status === 'ready' ? resolve() : redis.raw.once('ready', () => resolve()),
      )
    }
    await redis.raw.config('SET', 'maxmemory', '0')
  })

  const expectAppAnswer = (failed: request.Response) => {
    expect({
      status: failed.status,
      type: failed.headers['content-type'],
      retryAfter: failed.headers['retry-after'],
      text: failed.text,
    }).toEqual({
      status: 503,
      type: expect.stringMatching(/^application\/json/),
      retryAfter: '5',
      text: JSON.stringify({ error: 'the session store is unavailable' }),
    })
  }

  const buildApp = (create: () => import('express').Application, name: string) => {
    const app = create()
    const gate = newGate()
    const count = { handled: 0 }
    const client = fromIoredis(redis.raw, { timeout: 300 })
    app.use(
      session({
        redis: client,
        secret: 'an-error-handler-test-secret-0123456',
        prefix: `eh2:${name}:`,
        onEvent: () => undefined,
      }),
    )
    app.post('/login/:user', (req: Request, res: Response, next) => {
      rotateSession(req)
        .then(() => {
          req.session.userId = String(req.params.user)
          res.json({ ok: true })
        })
        .catch(next)
    })
    app.post('/slow', (req: Request, res: Response) => {
      gate.enter()
      void gate.wait().then(() => {
        req.session.views = (req.session.views ?? 0) + 1
        res.json({ views: req.session.views })
      })
    })
    app.use(((error, req, res, next) => {
      count.handled += 1
      errors(error, req, res, next)
    }) satisfies ErrorRequestHandler)
    return { app, gate, count }
  }

  test.each(expressVersions)('Redis killed between the read and the save ($name)', async ({ create, name }) => {
    const { app, gate, count } = buildApp(create, `k${name}`)
    const agent = request.agent(app)
    await agent.post('/login/ann').expect(200)
    const slow = agent.post('/slow').then((response) => response)
    await gate.entered
    await redis.server.kill()
    gate.release()
    expectAppAnswer(await slow)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(count.handled).toBe(1)
  })

  test.each(expressVersions)('login (rotateSession) while Redis is down ($name)', async ({ create, name }) => {
    const { app, count } = buildApp(create, `r${name}`)
    const agent = request.agent(app)
    await agent.post('/login/ann').expect(200)
    await redis.server.kill()
    expectAppAnswer(await agent.post('/login/bea'))
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(count.handled).toBe(1)
  })

  test.each(expressVersions)('a first login while Redis is down ($name)', async ({ create, name }) => {
    const { app, count } = buildApp(create, `n${name}`)
    await redis.server.kill()
    expectAppAnswer(await request(app).post('/login/cid'))
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(count.handled).toBe(1)
  })

  test.each(expressVersions)(
    'writes refused during an outage: the JSON 503 with Retry-After, once ($name)',
    async ({ create, name }) => {
      const { raw, unhandled } = redis
      const app = create()
      let handled = 0
      app.use(
        session({
          redis: fromIoredis(raw),
          secret: 'an-error-handler-test-secret-0123456',
          prefix: `eh:${name}:`,
          onEvent: () => undefined,
        }),
      )
      app.post('/views', (req: Request, res: Response) => {
        req.session.views = (req.session.views ?? 0) + 1
        res.json({ views: req.session.views })
      })
      app.use(((error, req, res, next) => {
        handled += 1
        errors(error, req, res, next)
      }) satisfies ErrorRequestHandler)
      const agent = request.agent(app)
      await agent.post('/views').expect(200, { views: 1 })

      await raw.config('SET', 'maxmemory-policy', 'noeviction')
      await raw.config('SET', 'maxmemory', '1')
      const failed = await agent.post('/views')
      expect(failed.status).toBe(503)
      expect(failed.headers['content-type']).toMatch(/^application\/json/)
      expect(failed.headers['retry-after']).toBe('5')
      expect(failed.body).toEqual({ error: 'the session store is unavailable' })
      expect(failed.text).not.toMatch(/<html|<pre>|at /i)
      await new Promise((resolve) => setImmediate(resolve))
      expect(handled).toBe(1)
      expect(unhandled).toEqual([])
    },
  )
})
