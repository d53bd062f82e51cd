import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Queue } from '../queue.js'
import type { LiveStreamHandler } from '../live-events.js'
import { reader } from '../options.js'
import { jobStates, type JobState } from '../record.js'
import { csrfAllowed, pageToken } from './csrf.js'
import { mountPath, type RequestHandler, requestTarget, sendHtml, sendJson } from './http.js'
import { renderPage } from './page.js'

export interface DashboardOptions<Req extends IncomingMessage = IncomingMessage> {
  /** Decides every request (page and API); nothing is served unless it returns true. */
  authorize: (req: Req) => boolean | Promise<boolean>
}

const PAGE_SIZE = 20

const stateOf = (value: string | null): JobState =>
  jobStates.includes(value as JobState) ? (value as JobState) : 'waiting'

function bounded(value: string | null, fallback: number, max: number): number {
  const parsed = Number(value)
  return Number.isInteger(parsed) && parsed >= 0 ? Math.min(parsed, max) : fallback
}

/**
 * The dashboard: `GET /` (the page), `GET /api/events` (the job events stream, with `events`), `GET /api/counts`, `GET /api/jobs?state=&offset=&limit=`,
 * `GET /api/jobs/:id`, `POST /api/jobs/:id/retry`, `POST /api/jobs/:id/remove`.
 */
export function dashboard<Req extends IncomingMessage>(
  queue: Queue<unknown>,
  options: DashboardOptions<Req>,
  stream: LiveStreamHandler | undefined,
): RequestHandler<Req> {
  const checked = reader.object<DashboardOptions<Req>>(
    options,
    { authorize: true },
    { example: '{ authorize: (req) => req.user?.admin === true }' },
  )
  const authorize = reader.fn<(req: Req) => boolean | Promise<boolean>>(
    checked.authorize,
    'router authorize',
    '(req) => boolean',
  )
  if (!authorize)
    throw reader.typeError('router needs authorize: (req) => boolean; the dashboard is never open by default.')

  async function serve(req: Req, res: ServerResponse, next: (error?: unknown) => void): Promise<boolean> {
    const { path, query } = requestTarget(req)
    const method = req.method ?? 'GET'
    const api = path.startsWith('/api/')
    if ((await authorize?.(req)) !== true) {
      if (api) sendJson(res, 403, { error: 'forbidden' })
      else {
        res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
        res.end('Forbidden')
      }
      return true
    }
    if (method === 'GET' && (path === '/' || path === '')) {
      const jobId = query.get('job') ?? undefined
      const state = stateOf(query.get('state'))
      const offset = bounded(query.get('offset'), 0, 10_000)
      const [counts, list, job] = await Promise.all([
        queue.counts(),
        jobId === undefined ? queue.list(state, { offset, limit: PAGE_SIZE }) : Promise.resolve({ total: 0, jobs: [] }),
        jobId === undefined || jobId === '' || jobId.length > 256 ? Promise.resolve(null) : queue.getJob(jobId),
      ])
      const base = mountPath(req)
      const { token, cookie } = pageToken(req, base)
      const nonce = randomBytes(16).toString('base64')
      const live = stream !== undefined
      sendHtml(
        res,
        200,
        renderPage({
          queue: queue.name,
          base,
          counts,
          token,
          nonce,
          state,
          offset,
          limit: PAGE_SIZE,
          list,
          job,
          jobId,
          live,
        }),
        nonce,
        cookie,
      )
      return true
    }
    if (method === 'GET' && path === '/api/events' && stream) {
      stream(req, res, next)
      return true
    }
    if (method === 'GET' && path === '/api/counts') {
      sendJson(res, 200, await queue.counts())
      return true
    }
    if (method === 'GET' && path === '/api/jobs') {
      const limit = Math.max(1, bounded(query.get('limit'), PAGE_SIZE, 500))
      sendJson(
        res,
        200,
        await queue.list(stateOf(query.get('state')), { offset: bounded(query.get('offset'), 0, 10_000), limit }),
      )
      return true
    }
    const match = /^\/api\/jobs\/([^/]+)(?:\/(retry|remove))?$/.exec(path)
    if (!match) return false
    const id = decodeURIComponent(match[1] ?? '')
    if (id.length === 0 || id.length > 256) {
      sendJson(res, 400, { error: 'bad job id' })
      return true
    }
    const action = match[2]
    if (action === undefined && method === 'GET') {
      const job = await queue.getJob(id)
      sendJson(res, job ? 200 : 404, job ?? { error: 'not found' })
      return true
    }
    if (action !== undefined && method === 'POST') {
      if (!csrfAllowed(req)) {
        sendJson(res, 403, {
          error: 'cross-site request refused: send the x-csrf-token header from the dashboard page',
        })
        return true
      }
      const done = action === 'retry' ? await queue.retry(id) : await queue.remove(id)
      sendJson(res, done ? 200 : 409, { id, [action === 'retry' ? 'retried' : 'removed']: done })
      return true
    }
    return false
  }

  return (req, res, next) => {
    serve(req, res, next).then(
      (handled) => {
        if (!handled) next()
      },
      (error: unknown) => next(error),
    )
  }
}
