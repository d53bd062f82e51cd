import type { Application, NextFunction, Request, Response } from 'express'
import expressSession from 'express-session'
import { type RedisStore, rotateSession } from '../src/index.js'

declare module 'express-session' {
  interface SessionData {
    userId?: string
    views?: number
    cart?: string[]
    note?: string
  }
}

export interface Gate {
  /** Resolves when the slow route has loaded the session and is waiting. */
  entered: Promise<void>
  release(): void
}

export function newGate(): Gate & { wait(): Promise<void>; enter(): void } {
  let enter: () => void = () => undefined
  let release: () => void = () => undefined
  const entered = new Promise<void>((resolve) => {
    enter = resolve
  })
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  return { entered, release, enter, wait: () => released }
}

const wrap =
  (handler: (req: Request, res: Response) => Promise<void> | void) =>
  (req: Request, res: Response, next: NextFunction): void => {
    Promise.resolve(handler(req, res)).catch(next)
  }

/** A small app over express-session with our store, as users would write it. */
export function buildApp(
  createApp: () => Application,
  store: RedisStore,
  options: { gate?: ReturnType<typeof newGate>; maxAge?: number } = {},
): Application {
  const app = createApp()
  app.use(
    expressSession({
      store,
      secret: ['a-test-secret-that-is-long-enough-123', 'an-older-secret'],
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: options.maxAge ?? 3_600_000, sameSite: 'lax', httpOnly: true },
    }),
  )
  app.post(
    '/login/:user',
    wrap(async (req, res) => {
      await rotateSession(req)
      req.session.userId = String(req.params.user)
      res.json({ ok: true })
    }),
  )
  app.get('/me', (req, res) => {
    res.json({ userId: req.session.userId ?? null, cart: req.session.cart ?? [], sid: req.sessionID })
  })
  app.post('/views', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1
    res.json({ views: req.session.views })
  })
  app.post('/cart/:item', (req, res) => {
    req.session.cart = [...(req.session.cart ?? []), String(req.params.item)]
    res.json({ cart: req.session.cart, sid: req.sessionID })
  })
  app.post('/logout', (req, res, next) => {
    req.session.destroy((error: unknown) => (error ? next(error) : res.json({ ok: true })))
  })
  app.post(
    '/logout-everywhere',
    wrap(async (req, res) => {
      const userId = req.session.userId
      if (userId === undefined) {
        res.status(401).json({})
        return
      }
      const revoked = await store.revokeUser(userId, { except: req.sessionID })
      res.json({ revoked })
    }),
  )
  app.get(
    '/slow',
    wrap(async (req, res) => {
      const gate = options.gate
      if (gate === undefined) throw new Error('no gate')
      gate.enter()
      await gate.wait()
      req.session.note = 'written by the slow request'
      res.json({ ok: true })
    }),
  )
  app.use((error: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(error.status ?? 500).json({ error: error.message, code: (error as { code?: string }).code })
  })
  return app
}
