import { randomBytes } from 'node:crypto'
import { request, sessionCookie } from './http.js'

export interface TrackedSession {
  cookie: string
  value: string
  /** Where it was made, for the report: e.g. `before failover #1 on :4001`. */
  origin: string
}

const CHECK_DEADLINE_MS = 10_000

/** Creates one session per process; returns their cookies and values. */
export async function createSessions(ports: readonly number[], origin = 'fresh'): Promise<TrackedSession[]> {
  return Promise.all(
    ports.map(async (port) => {
      const value = randomBytes(8).toString('hex')
      const answer = await request(port, 'POST', `/api/session?value=${value}`, CHECK_DEADLINE_MS)
      const cookie = sessionCookie(answer)
      if (answer.status !== 200 || cookie === undefined)
        throw new Error(`could not create a session on :${port}: ${answer.status} ${answer.body}`)
      return { cookie, value, origin: `${origin} on :${port}` }
    }),
  )
}

/**
 * Sessions that no longer read back their value, each asked on another process than the one that
 * created it; one line per lost session saying where it was made and what the read answered.
 */
export async function lostSessions(ports: readonly number[], sessions: readonly TrackedSession[]): Promise<string[]> {
  const lost = await Promise.all(
    // createSessions makes session i on process i % n: read it on the next one.
    sessions.map(async (tracked, index) => {
      const port = ports[(index + 1) % ports.length] as number
      const answer = await request(port, 'GET', '/api/session', CHECK_DEADLINE_MS, tracked.cookie)
      if (answer.status === 200 && answer.body.includes(tracked.value)) return []
      return [`session made ${tracked.origin}, read on :${port}: ${answer.status} ${answer.body.slice(0, 200)}`]
    }),
  )
  return lost.flat()
}

/**
 * Logs out one fresh session per process, on another process, while every process serves a write
 * to it at the same time; then reads it on every process. Returns how many came back to life
 * anywhere (an in-flight write that saved a logged-out session again).
 */
export async function revivedAfterLogout(ports: readonly number[]): Promise<{ checked: number; revived: number }> {
  const sessions = await createSessions(ports)
  const revived = await Promise.all(
    sessions.map(async (tracked, index) => {
      const writes = ports.map((port) => request(port, 'POST', '/api/session/bump', CHECK_DEADLINE_MS, tracked.cookie))
      const logout = request(
        ports[(index + 1) % ports.length] as number,
        'POST',
        '/api/session/logout',
        CHECK_DEADLINE_MS,
        tracked.cookie,
      )
      const [loggedOut] = await Promise.all([logout, ...writes])
      if (loggedOut.status !== 200)
        throw new Error(`logout on another process answered ${loggedOut.status} ${loggedOut.body}`)
      const reads = await Promise.all(
        ports.map((port) => request(port, 'GET', '/api/session', CHECK_DEADLINE_MS, tracked.cookie)),
      )
      return reads.some((answer) => answer.status !== 401)
    }),
  )
  return { checked: sessions.length, revived: revived.filter(Boolean).length }
}

/** Sends `2 × limit` concurrent requests for a fresh key spread over the processes; returns how many were admitted. */
export async function admitsForFreshKey(ports: readonly number[], limit: number): Promise<number> {
  const key = randomBytes(6).toString('hex')
  const answers = await Promise.all(
    Array.from({ length: 2 * limit }, (_, index) =>
      request(ports[index % ports.length] as number, 'GET', `/probe/limit/${key}`, CHECK_DEADLINE_MS),
    ),
  )
  return answers.filter((answer) => answer.status === 200).length
}

/** Fills the cache for `path` on one process; true once every process is served a HIT for it (the store may finish after the answer). */
export async function cacheHitsEverywhere(ports: readonly number[], path: string): Promise<boolean> {
  await request(ports[0] as number, 'GET', path, CHECK_DEADLINE_MS)
  const hits = await Promise.all(
    ports.map(async (port) => {
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const answer = await request(port, 'GET', path, CHECK_DEADLINE_MS)
        if (answer.status === 200 && answer.headers.get('x-cache') === 'HIT') return true
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return false
    }),
  )
  return hits.every(Boolean)
}

/** Polls `/health` on every process until all report the backend ready; resolves to the ms it took, or -1 after `timeoutMs`. */
export async function waitHealthy(ports: readonly number[], timeoutMs: number): Promise<number> {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    const answers = await Promise.all(ports.map((port) => request(port, 'GET', '/health', 2000)))
    if (answers.every((answer) => answer.status === 200)) return Date.now() - started
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return -1
}
