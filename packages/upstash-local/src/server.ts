import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { Access, Authenticator } from './auth.js'
import { commandFromJson, commandsFromJson, makeCommand, type RedisCommand } from './command.js'
import { errorBody, resultBody } from './encode-reply.js'
import type { Executor, Outcome } from './executor.js'
import { readBody, sendJson } from './http-io.js'
import type { CommandPolicy } from './command-policy.js'
import { type Subscriptions, TooManyStreamsError } from './sse.js'
import { describeError } from './errors.js'

/** HTTP routing: auth, body parsing, dispatch to the executor, JSON envelopes and status codes. */
export interface RouterDeps {
  auth: Authenticator
  executor: Executor
  policy: CommandPolicy
  subscriptions: Subscriptions
  maxBodyBytes: number
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT'])

function outcomeItem(outcome: Outcome, base64: boolean): string {
  return outcome.kind === 'result' ? resultBody(outcome.reply, base64) : errorBody(outcome.message)
}

function outcomeStatus(outcome: Outcome): number {
  if (outcome.kind === 'result') return 200
  return outcome.kind === 'error' ? 400 : 503
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown }
  } catch {
    return { ok: false }
  }
}

export function createRouter(deps: RouterDeps): RequestListener {
  let syncToken = 0

  async function jsonBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const body = await readBody(req, deps.maxBodyBytes)
    if (body === 'too-large') {
      sendJson(req, res, 413, errorBody(`ERR request body is larger than the limit of ${deps.maxBodyBytes} bytes`))
      return undefined
    }
    const parsed = parseJson(body)
    if (!parsed.ok) {
      sendJson(req, res, 400, errorBody('ERR the request body is not valid JSON'))
      return undefined
    }
    return parsed.value
  }

  async function single(
    req: IncomingMessage,
    res: ServerResponse,
    command: RedisCommand,
    access: Access,
    base64: boolean,
  ) {
    const outcome = await deps.executor.runOne(command, access)
    sendJson(req, res, outcomeStatus(outcome), outcomeItem(outcome, base64))
  }

  async function pathStyle(req: IncomingMessage, res: ServerResponse, url: URL, access: Access, base64: boolean) {
    const segments = url.pathname.split('/').slice(1).map(decodeSegment)
    if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop()
    const [name, ...args] = segments as [string, ...string[]]
    const fullArgs: Array<string | Buffer> = args
    if (req.method === 'POST' || req.method === 'PUT') {
      const body = await readBody(req, deps.maxBodyBytes)
      if (body === 'too-large') {
        sendJson(req, res, 413, errorBody(`ERR request body is larger than the limit of ${deps.maxBodyBytes} bytes`))
        return
      }
      if (body.length > 0) fullArgs.push(body)
    } else {
      req.resume()
    }
    for (const [key, value] of url.searchParams) {
      if (key === '_token') continue
      fullArgs.push(key)
      if (value !== '') fullArgs.push(value)
    }
    if (name === '') {
      sendJson(
        req,
        res,
        400,
        errorBody('ERR no command given: POST a JSON array like ["PING"] or use /<command>/<arg>…'),
      )
      return
    }
    await single(req, res, makeCommand(name, fullArgs), access, base64)
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://upstash-local')
    const method = req.method ?? 'GET'
    if (!METHODS.has(method)) {
      req.resume()
      sendJson(req, res, 405, errorBody(`ERR method ${method} is not allowed; use POST, PUT, GET or HEAD`))
      return
    }
    const access = deps.auth.check(req.headers, url.searchParams)
    if (access === undefined) {
      req.resume()
      sendJson(
        req,
        res,
        401,
        errorBody('Unauthorized: missing or invalid REST token (send Authorization: Bearer <token>)'),
      )
      return
    }
    const format = req.headers['upstash-response-format']
    if (format !== undefined && String(format).toLowerCase() !== 'json') {
      req.resume()
      sendJson(
        req,
        res,
        400,
        errorBody(`ERR Upstash-Response-Format "${String(format)}" is not supported by upstash-local (only json)`),
      )
      return
    }
    const base64 =
      String(req.headers['upstash-encoding'] ?? '')
        .trim()
        .toLowerCase() === 'base64'
    res.setHeader('upstash-sync-token', String(++syncToken))
    const path = url.pathname

    if (path === '/' && (method === 'POST' || method === 'PUT')) {
      const value = await jsonBody(req, res)
      if (value === undefined) return
      const command = commandFromJson(value)
      if (typeof command === 'string') sendJson(req, res, 400, errorBody(command))
      else await single(req, res, command, access, base64)
      return
    }

    if (path === '/pipeline' || path === '/multi-exec') {
      if (method !== 'POST' && method !== 'PUT') {
        req.resume()
        sendJson(req, res, 405, errorBody(`ERR ${path} accepts POST only`))
        return
      }
      const value = await jsonBody(req, res)
      if (value === undefined) return
      const commands = commandsFromJson(value)
      if (typeof commands === 'string') {
        sendJson(req, res, 400, errorBody(commands))
        return
      }
      if (path === '/pipeline') {
        const outcomes = await deps.executor.runPipeline(commands, access)
        const down = outcomes.find((outcome) => outcome.kind === 'unavailable')
        if (down !== undefined) sendJson(req, res, 503, errorBody(down.message))
        else sendJson(req, res, 200, `[${outcomes.map((outcome) => outcomeItem(outcome, base64)).join(',')}]`)
        return
      }
      const outcome = await deps.executor.runTransaction(commands, access)
      if (outcome.kind === 'done') {
        sendJson(req, res, 200, `[${outcome.items.map((item) => outcomeItem(item, base64)).join(',')}]`)
      } else {
        sendJson(req, res, outcomeStatus(outcome), errorBody(outcome.message))
      }
      return
    }

    const sse = /^\/(subscribe|psubscribe)\/(.+)$/.exec(path)
    if (sse !== null) {
      req.resume()
      const kind = sse[1] === 'psubscribe' ? 'psubscribe' : 'subscribe'
      const target = decodeSegment(sse[2] ?? '')
      const refused = deps.policy.checkSubscription(kind === 'psubscribe' ? 'PSUBSCRIBE' : 'SUBSCRIBE', access)
      if (refused !== undefined) {
        sendJson(req, res, 400, errorBody(refused))
        return
      }
      try {
        await deps.subscriptions.serve(res, kind, target)
      } catch (error) {
        if (error instanceof TooManyStreamsError) {
          res.setHeader('retry-after', '1')
          sendJson(req, res, 429, errorBody(error.message))
          return
        }
        const detail = describeError(error)
        sendJson(req, res, 503, errorBody(`ERR upstash-local: Redis is unavailable (${detail})`))
      }
      return
    }

    await pathStyle(req, res, url, access, base64)
  }

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      const detail = describeError(error)
      sendJson(req, res, 500, errorBody(`ERR upstash-local internal error: ${detail}`))
    })
  }
}
