import { readFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createCache } from '@rediware/cache'
import { describeBackends, expressVersions } from '@rediware/test-utils'
import type { Application, NextFunction, Request, RequestHandler, Response } from 'express'
import { expressjwt } from 'express-jwt'
import session from 'express-session'
import jwt from 'jsonwebtoken'
import { Passport } from 'passport'
import { Strategy as CustomStrategy } from 'passport-custom'
import request from 'supertest'
import { listen } from './helpers.js'

/**
 * (The apps listen once, so that the Host header, port included, is the same for every request.)
 *
 * Identity resolved BEFORE the cache (auth middleware in front of the cached route), the way real apps
 * do it: express-jwt's `req.auth`, passport's user property and `req.isAuthenticated()`,
 * express-openid-connect's `req.oidc`, `res.locals.user` set by an app middleware, and a handler that
 * reads `req.rawHeaders`. No response rendered for a user may ever reach another user or an anonymous client.
 */

const secret = 'identity-test-secret'
const users = ['alice', 'bob'] as const

function cookieNamed(req: Request, name: string): string | undefined {
  const header = req.headers.cookie ?? ''
  const match = new RegExp(`(?:^|;\\s*)${name}=([^;]*)`).exec(header)
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1])
}

type Requester = (path: string, user: string | undefined) => request.Test

interface Scenario {
  name: string
  /** Builds the app; `route` is the cache middleware under test. */
  build(app: Application, route: RequestHandler): void
  /** Logs a user in (when the app has a login step) and returns the request headers that carry the identity. */
  credentials(url: string, user: string): Promise<Record<string, string>>
  /**
   * Why the anonymous page is not stored either, when its handler reads an identity property that
   * holds something even for anonymous requests (passport's `req.isAuthenticated`, `req.oidc`).
   */
  anonymousNotStored?: string
}

const viaJwtCookie: Scenario = {
  name: 'express-jwt, token in a cookie (req.auth)',
  build(app, route) {
    app.use(
      expressjwt({
        secret,
        algorithms: ['HS256'],
        credentialsRequired: false,
        getToken: (req) => cookieNamed(req, 'token'),
      }),
    )
    app.get('/balance', route, (req, res) => {
      res.send(`balance of ${(req as Request & { auth?: { sub?: string } }).auth?.sub ?? 'nobody'}`)
    })
  },
  credentials: async (_app, user) => ({ Cookie: `token=${jwt.sign({ sub: user }, secret, { algorithm: 'HS256' })}` }),
}

const viaJwtBearer: Scenario = {
  name: 'express-jwt, bearer token, identity copied to res.locals',
  build(app, route) {
    app.use(expressjwt({ secret, algorithms: ['HS256'], credentialsRequired: false }))
    app.use((req: Request, res: Response, next: NextFunction) => {
      res.locals.user = (req as Request & { auth?: { sub?: string } }).auth?.sub
      next()
    })
    app.get('/balance', route, (_req, res) => {
      res.send(`balance of ${String(res.locals.user ?? 'nobody')}`)
    })
  },
  credentials: async (_app, user) => ({
    Authorization: `Bearer ${jwt.sign({ sub: user }, secret, { algorithm: 'HS256' })}`,
  }),
}

/** passport with express-session, a custom userProperty, and the user copied to res.locals before the routes. */
function passportScenario(render: 'isAuthenticated' | 'locals'): Scenario {
  return {
    name: `passport + express-session (${render === 'locals' ? 'res.locals.user set before the cache' : "req.isAuthenticated() and userProperty 'account'"})`,
    build(app, route) {
      const passport = new Passport()
      passport.use(
        'name',
        new CustomStrategy((req, done) => done(null, { name: String((req as Request).params.name) })),
      )
      passport.serializeUser((user, done) => done(null, (user as { name: string }).name))
      passport.deserializeUser((name: string, done) => done(null, { name }))
      app.use(session({ secret, resave: false, saveUninitialized: false }))
      app.use(passport.initialize({ userProperty: 'account' }))
      app.use(passport.session())
      app.post('/login/:name', passport.authenticate('name'), (_req, res) => {
        res.send('logged in')
      })
      app.use((req: Request, res: Response, next: NextFunction) => {
        res.locals.user = (req as Request & { account?: { name: string } }).account?.name
        next()
      })
      app.get('/balance', route, (req, res) => {
        if (render === 'locals') {
          res.send(`balance of ${String(res.locals.user ?? 'nobody')}`)
          return
        }
        const account = (req as Request & { account?: { name: string } }).account
        res.send(`balance of ${req.isAuthenticated() && account !== undefined ? account.name : 'nobody'}`)
      })
    },
    anonymousNotStored: render === 'isAuthenticated' ? 'personalised-reads-user' : undefined,
    async credentials(url, user) {
      const login = await request(url).post(`/login/${user}`).expect(200)
      const cookie = (login.headers['set-cookie'] as unknown as string[] | undefined)?.[0]?.split(';')[0]
      if (cookie === undefined) throw new Error('passport login set no cookie')
      return { Cookie: cookie }
    },
  }
}

const viaLocals: Scenario = {
  name: 'res.locals.user set by an app middleware from a session cookie',
  build(app, route) {
    app.use((req: Request, res: Response, next: NextFunction) => {
      res.locals.user = cookieNamed(req, 'sid')
      next()
    })
    app.get('/balance', route, (_req, res) => {
      res.send(`balance of ${String(res.locals.user ?? 'nobody')}`)
    })
  },
  credentials: async (_app, user) => ({ Cookie: `sid=${user}` }),
}

const viaOidc: Scenario = {
  name: 'express-openid-connect shape (req.oidc from the appSession cookie)',
  build(app, route) {
    app.use((req: Request, _res: Response, next: NextFunction) => {
      const sub = cookieNamed(req, 'appSession')
      ;(req as Request & { oidc?: unknown }).oidc = {
        user: sub === undefined ? undefined : { sub },
        isAuthenticated: () => sub !== undefined,
      }
      next()
    })
    app.get('/balance', route, (req, res) => {
      const oidc = (req as Request & { oidc: { user?: { sub: string } } }).oidc
      res.send(`balance of ${oidc.user?.sub ?? 'nobody'}`)
    })
  },
  credentials: async (_app, user) => ({ Cookie: `appSession=${user}` }),
  anonymousNotStored: 'personalised-reads-oidc',
}

const viaRawHeaders: Scenario = {
  name: 'a handler reading req.rawHeaders',
  build(app, route) {
    app.get('/balance', route, (req, res) => {
      const index = req.rawHeaders.findIndex((name, position) => position % 2 === 0 && name.toLowerCase() === 'cookie')
      const cookie = index === -1 ? '' : (req.rawHeaders[index + 1] ?? '')
      res.send(`balance of ${/user=(\w+)/.exec(cookie)?.[1] ?? 'nobody'}`)
    })
  },
  credentials: async (_app, user) => ({ Cookie: `user=${user}` }),
}

const scenarios = [
  viaJwtCookie,
  viaJwtBearer,
  passportScenario('isAuthenticated'),
  passportScenario('locals'),
  viaLocals,
  viaOidc,
  viaRawHeaders,
]

let sequence = 0

describeBackends('identity resolved before the cache', (backend) => {
  const newCache = (options: Parameters<typeof createCache>[0] = {}) =>
    createCache({ redis: backend.client(), prefix: `${backend.prefix}id${++sequence}:`, ...options })

  for (const version of expressVersions) {
    describe(version.name, () => {
      for (const scenario of scenarios) {
        it(`never serves one user's page to another user or to an anonymous client: ${scenario.name}`, async () => {
          const app = version.create()
          scenario.build(app, newCache().route({ ttl: '1 m' }))
          const url = await listen(app)
          const headers: Record<string, Record<string, string>> = {}
          for (const user of users) headers[user] = await scenario.credentials(url, user)
          const ask: Requester = (path, user) =>
            request(url)
              .get(path)
              .set(user === undefined ? {} : (headers[user] ?? {}))
          const anonymous: string[] = []
          for (const user of [...users, undefined, ...users, undefined]) {
            const answer = await ask('/balance', user)
            expect(answer.status).toBe(200)
            expect(answer.text).toBe(`balance of ${user ?? 'nobody'}`)
            if (user === undefined) {
              anonymous.push(String(answer.headers['x-cache']))
              if (scenario.anonymousNotStored !== undefined)
                expect(answer.headers['cache-status']).toContain(`detail=${scenario.anonymousNotStored}`)
            } else {
              expect(answer.headers['x-cache']).toBe('BYPASS')
              expect(answer.headers['cache-status']).toMatch(/fwd=bypass; detail=(cookie|authorization)$/)
            }
          }
          // the anonymous page is still cached (one fill, then shared by anonymous clients), unless its
          // handler reads an identity property that holds something for anonymous requests too
          expect(anonymous).toEqual(scenario.anonymousNotStored === undefined ? ['MISS', 'HIT'] : ['BYPASS', 'BYPASS'])
        })
      }

      it('public: true shares a credential-independent page with every client, and still refuses a handler that reads the identity', async () => {
        const app = version.create()
        const cache = newCache()
        viaJwtCookie.build(app, cache.route({ public: true }))
        let catalogCalls = 0
        app.get('/catalog', cache.route({ public: true }), (_req, res) => {
          catalogCalls += 1
          res.send('the same catalog for everyone')
        })
        app.get('/raw', cache.route({ public: true }), (req, res) => {
          res.send(`${req.rawHeaders.length} raw header fields`)
        })
        const alice = await viaJwtCookie.credentials('', 'alice')
        const bob = await viaJwtCookie.credentials('', 'bob')
        await request(app)
          .get('/catalog')
          .set(alice)
          .expect(200, 'the same catalog for everyone')
          .expect('X-Cache', 'MISS')
        await request(app)
          .get('/catalog')
          .set(bob)
          .expect(200, 'the same catalog for everyone')
          .expect('X-Cache', 'HIT')
        await request(app).get('/catalog').expect(200, 'the same catalog for everyone').expect('X-Cache', 'HIT')
        expect(catalogCalls).toBe(1)
        // req.auth read by the handler of a public route: personal after all, never stored
        const personal = await request(app).get('/balance').set(alice).expect(200, 'balance of alice')
        expect(personal.headers['cache-status']).toContain('detail=personalised-reads-auth')
        await request(app).get('/balance').set(bob).expect(200, 'balance of bob')
        await request(app).get('/balance').expect(200, 'balance of nobody')
        const raw = await request(app).get('/raw').set(alice).expect(200)
        expect(raw.headers['cache-status']).toContain('detail=personalised-reads-raw-headers')
      })

      it('ignoreCookies: cookies that identify nobody (analytics, consent) do not make a request personal', async () => {
        const app = version.create()
        viaLocals.build(app, newCache().route({ ignoreCookies: ['_ga*', 'consent'] }))
        await request(app)
          .get('/balance')
          .set('Cookie', '_ga=GA1.1.42; _ga_XYZ=1; consent=yes')
          .expect(200, 'balance of nobody')
          .expect('X-Cache', 'MISS')
        await request(app)
          .get('/balance')
          .set('Cookie', 'consent=no')
          .expect(200, 'balance of nobody')
          .expect('X-Cache', 'HIT')
        await request(app).get('/balance').expect(200, 'balance of nobody').expect('X-Cache', 'HIT')
        const alice = await request(app)
          .get('/balance')
          .set('Cookie', '_ga=GA1.1.42; sid=alice')
          .expect(200, 'balance of alice')
        expect(alice.headers['cache-status']).toContain('detail=cookie')
      })

      it('a TLS client certificate is a credential', async () => {
        const tls = (name: string) => readFileSync(join(__dirname, 'fixtures', 'tls', name))
        const app = version.create()
        let calls = 0
        app.get('/whoami', newCache().route(), (req, res) => {
          calls += 1
          const socket = req.socket as import('node:tls').TLSSocket
          res.send(`hello ${socket.getPeerCertificate().subject?.CN ?? 'stranger'}`)
        })
        const server = createHttpsServer(
          {
            key: tls('server.key'),
            cert: tls('server.crt'),
            ca: tls('ca.crt'),
            requestCert: true,
            rejectUnauthorized: false,
          },
          app,
        )
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
        try {
          const url = `https://localhost:${(server.address() as AddressInfo).port}`
          const agent = () => request(url).get('/whoami').ca(tls('ca.crt'))
          const alice = await agent().key(tls('client.key')).cert(tls('client.crt')).expect(200, 'hello alice')
          expect(alice.headers['cache-status']).toContain('detail=client-certificate')
          await agent().expect(200, 'hello stranger').expect('X-Cache', 'MISS')
          await agent().expect(200, 'hello stranger').expect('X-Cache', 'HIT')
          await agent().key(tls('client.key')).cert(tls('client.crt')).expect(200, 'hello alice')
          expect(calls).toBe(3)
        } finally {
          server.closeAllConnections()
          await new Promise<void>((resolve) => server.close(() => resolve()))
        }
      })
    })
  }
})
