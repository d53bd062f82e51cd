import { memoryClient } from '@rediware/redis'
import { describeExpress } from '@rediware/test-utils'
import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { RedisStore, SessionIdConflictError, SessionTrustProxyError, session } from '../src/index.js'
import { sessionData } from './helpers.js'

describeExpress('session() with safe defaults', (createApp) => {
  test('cookie is HttpOnly, SameSite=Lax; nothing stored until the session is used', async () => {
    const redis = memoryClient()
    const warnings: string[] = []
    const middleware = session({
      redis,
      secret: 'a-secret-of-at-least-thirty-two-chars!!',
      warn: (m) => warnings.push(m),
    })
    expect(middleware.store).toBeInstanceOf(RedisStore)
    const app = createApp()
    app.use(middleware)
    app.get('/visit', (_req: Request, res: Response) => {
      res.json({ ok: true })
    })
    app.post('/login', (req: Request, res: Response) => {
      req.session.userId = 'kim'
      res.json({ ok: true })
    })
    const visit = await request(app).get('/visit').expect(200)
    expect(visit.headers['set-cookie']).toBeUndefined()
    expect(await middleware.store.length()).toBe(0)
    const login = await request(app).post('/login').expect(200)
    const cookie = String(login.headers['set-cookie'])
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).not.toMatch(/Secure/)
    expect(await middleware.store.length()).toBe(1)
    expect(warnings).toEqual([])
  })

  test('secure cookie behind an HTTPS proxy without trust proxy: the request fails with a clear error, reported once', async () => {
    const warnings: string[] = []
    const errors: unknown[] = []
    const app = createApp()
    const middleware = session({
      redis: memoryClient(),
      secret: 'b-secret-of-at-least-thirty-two-chars!!',
      cookie: { secure: true },
      warn: (m) => warnings.push(m),
    })
    app.use(middleware)
    app.post('/login', (req: Request, res: Response) => {
      req.session.userId = 'lee'
      res.json({ ok: true })
    })
    app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      errors.push(error)
      res.status(500).json({ code: (error as { code?: string }).code })
    })
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const refused = await request(app).post('/login').set('X-Forwarded-Proto', 'https').expect(500)
      expect(refused.body).toEqual({ code: 'ERR_SESSION_TRUST_PROXY' })
      expect(refused.headers['set-cookie']).toBeUndefined()
    }
    expect(errors).toHaveLength(2)
    expect(errors[0]).toBeInstanceOf(SessionTrustProxyError)
    expect(String((errors[0] as Error).message)).toMatch(/app\.set\('trust proxy', 1\)/)
    expect(warnings.filter((w) => w.includes('trust proxy'))).toHaveLength(1)
    expect(await middleware.store.length()).toBe(0)

    // A direct request (no proxy header) is not refused; once the proxy is trusted, the cookie is set.
    await request(app).post('/login').expect(200)
    app.set('trust proxy', 1)
    const trusted = await request(app).post('/login').set('X-Forwarded-Proto', 'https').expect(200)
    expect(String(trusted.headers['set-cookie'])).toMatch(/Secure/)
    expect(errors).toHaveLength(2)
  })
})

describe('session() configuration warnings', () => {
  test('risky settings are reported once', () => {
    const warnings: string[] = []
    const options = {
      redis: memoryClient(),
      secret: 'short',
      resave: true,
      saveUninitialized: true,
      cookie: { sameSite: 'none' as const },
      warn: (message: string) => warnings.push(message),
    }
    session(options)
    session(options)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/resave: true/)
    expect(warnings[0]).toMatch(/saveUninitialized: true/)
    expect(warnings[0]).toMatch(/sameSite 'none'/)
    expect(warnings[0]).toMatch(/shorter than 32/)
  })
})

describe('store write rules', () => {
  test('a new session never overwrites an existing id', async () => {
    const store = new RedisStore({ redis: memoryClient() })
    await store.set('taken', sessionData({ owner: 'first' }))
    const fresh = sessionData({ owner: 'second' })
    Object.defineProperty(fresh, 'req', { value: { sessionID: 'taken' }, enumerable: false })
    await expect(store.set('taken', fresh)).rejects.toBeInstanceOf(SessionIdConflictError)
    expect(await store.get('taken')).toEqual(sessionData({ owner: 'first' }))
  })

  test('touch applies a changed cookie maxAge ("remember me") and later reads slide by it', async () => {
    const redis = memoryClient()
    const store = new RedisStore({ redis })
    await store.set(
      'r',
      sessionData({}, { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000).toISOString() }),
    )
    expect(await redis.pttl('sess:r')).toBeLessThanOrEqual(60_000)
    await store.touch('r', sessionData({}, { originalMaxAge: 30 * 86_400_000 }))
    expect(await redis.pttl('sess:r')).toBeGreaterThan(29 * 86_400_000)
    await redis.pexpire('sess:r', 1000)
    await store.get('r')
    expect(await redis.pttl('sess:r')).toBeGreaterThan(29 * 86_400_000)
  })
})
