import { sign } from 'cookie-signature'
import express, { type Express, type RequestHandler } from 'express'
import expressSession, { type SessionData, type Store } from 'express-session'
import { responseBody } from '../body.js'
import type { Contender, Scenario, ScenarioEnvironment } from '../scenario.js'
import { bareExpress } from './baseline.js'

declare module 'express-session' {
  interface SessionData {
    user?: { id: number; name: string }
    count?: number
  }
}

/** Read-only: the route reads `req.session.user`. Read-modify: it also increments `req.session.count`. */
export type SessionRoute = 'read-only' | 'read-modify'
export const sessionRoutes: readonly SessionRoute[] = ['read-only', 'read-modify']
export const sessionGroup = (route: SessionRoute): string => `session ${route}`

/** The signing secret and cookie lifetime every session scenario uses. */
export const sessionSecret = 'bench-session-secret-not-for-production'
export const sessionMaxAgeMs = 86_400_000
const secret = sessionSecret
const dayMs = sessionMaxAgeMs

/** The id of the one session a scenario's requests all carry (made by `build()` before listening). */
const sessionId = (id: string): string => `bench-${id.replace(/[^a-z0-9]+/gi, '-')}`

/** The signed `connect.sid` cookie of that session, as express-session expects it. */
function sessionHeaders(id: string): Record<string, string> {
  return { cookie: `connect.sid=${encodeURIComponent(`s:${sign(sessionId(id), secret)}`)}` }
}

function saveSession(store: Store, sid: string, data: SessionData): Promise<void> {
  return new Promise((resolve, reject) => {
    store.set(sid, data, (error: unknown) => (error ? reject(error) : resolve()))
  })
}

/** A session middleware and the store it uses (to put the scenario's session in before listening). */
export interface SessionSetup {
  middleware: RequestHandler
  store: Store
}

/** express-session over `store`, as every peer and our RedisStore row are configured. */
const expressSessionOver = (store: Store): SessionSetup => ({
  middleware: expressSession({ store, secret, resave: false, saveUninitialized: false, cookie: { maxAge: dayMs } }),
  store,
})

/**
 * The session middleware, with the session already in its store. A request without a loaded
 * session answers 401, so a cookie the store does not know shows up in the statuses.
 */
async function sessionApp({ middleware, store }: SessionSetup, route: SessionRoute, sid: string): Promise<Express> {
  // What express-session's Cookie({ maxAge }) serialises to.
  const cookie = { originalMaxAge: dayMs, expires: new Date(Date.now() + dayMs), httpOnly: true, path: '/' }
  await saveSession(store, sid, { cookie, user: { id: 42, name: 'bench' } })
  const handler: RequestHandler = (req, res) => {
    if (!req.session.user) {
      res.status(401).send('no session')
      return
    }
    if (route === 'read-modify') req.session.count = (req.session.count ?? 0) + 1
    res.json(responseBody)
  }
  const app = express()
  app.use(middleware)
  app.get('/', handler)
  return app
}

/** A session scenario: express-session over the store `makeStore` builds, on `route`. */
export function sessionScenario(
  route: SessionRoute,
  name: string,
  contender: Contender,
  label: string,
  makeStore: (env: ScenarioEnvironment, prefix: string) => Promise<Store>,
): Scenario {
  return sessionMiddlewareScenario(route, name, contender, label, async (env, prefix) =>
    expressSessionOver(await makeStore(env, prefix)),
  )
}

/** A session scenario over a middleware that brings its own store (our `session()`), on `route`. */
export function sessionMiddlewareScenario(
  route: SessionRoute,
  name: string,
  contender: Contender,
  label: string,
  makeSetup: (env: ScenarioEnvironment, prefix: string) => Promise<SessionSetup>,
): Scenario {
  const group = sessionGroup(route)
  const id = `${group}/${name}`
  return {
    id,
    group,
    contender,
    label,
    path: '/',
    headers: sessionHeaders(id),
    build: async (env) => sessionApp(await makeSetup(env, `bench:sess:${name}:${route}:`), route, sessionId(id)),
  }
}

/** Bare Express on the same request (cookie included), without any session middleware. */
export const sessionBareExpress = (route: SessionRoute): Scenario => {
  const bare = bareExpress(sessionGroup(route))
  return { ...bare, headers: sessionHeaders(bare.id) }
}
