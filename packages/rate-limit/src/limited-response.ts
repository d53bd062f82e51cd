import type { NextFunction, Request, Response } from 'express'
import { retryAfterSeconds } from './headers.js'
import type { ResolvedOptions } from './options.js'
import type { LimitedHandlerOptions, RateLimitInfo } from './types.js'

const QUOTA_EXCEEDED = 'https://iana.org/assignments/http-problem-types#quota-exceeded'

/** The default 429 body, built from constant parts (the same bytes JSON.stringify gives). */
function problemBody(statusCode: number, retryAfter: number, violated: readonly string[]): string {
  return `{"type":"${QUOTA_EXCEEDED}","title":"Too Many Requests","status":${statusCode},"detail":"Rate limit exceeded; retry in ${retryAfter} s.","violated-policies":${JSON.stringify(violated)}}`
}

function sendMessage(
  res: Response,
  message: unknown,
  info: RateLimitInfo,
  retryAfter: number,
  statusCode: number,
): void {
  if (typeof message === 'string') {
    res.type('text/plain').send(message)
  } else if (message !== undefined) {
    res.json(message)
  } else {
    // Written directly: res.send would hash the body for an ETag no 429 needs.
    const body = problemBody(statusCode, retryAfter, info.violated)
    res.setHeader('Content-Type', 'application/problem+json; charset=utf-8')
    res.setHeader('Content-Length', Buffer.byteLength(body))
    res.end(body)
  }
}

async function callHandler(
  req: Request,
  res: Response,
  next: NextFunction,
  info: RateLimitInfo,
  retryAfter: number,
  options: ResolvedOptions,
): Promise<void> {
  const handler = options.handler
  if (!handler) return
  const configured = options.message
  const message = typeof configured === 'function' ? await configured(req, res, info) : configured
  const binding = info.policies.find((policy) => policy.limit === info.limit && policy.remaining === info.remaining)
  const handed: LimitedHandlerOptions = {
    ...info,
    statusCode: options.statusCode,
    message: message ?? JSON.parse(problemBody(options.statusCode, retryAfter, info.violated)),
    windowMs: binding?.windowMs ?? 0,
  }
  await handler(req, res, next, handed)
}

/** Answers a limited request; synchronous unless a `handler` or `message` function is configured. */
export function sendLimited(
  req: Request,
  res: Response,
  next: NextFunction,
  info: RateLimitInfo,
  options: ResolvedOptions,
): void | Promise<void> {
  const retryAfter = retryAfterSeconds(info)
  res.setHeader('Retry-After', String(retryAfter))
  if (options.handler) return callHandler(req, res, next, info, retryAfter, options)
  res.status(options.statusCode)
  const message = options.message
  if (typeof message === 'function') {
    return Promise.resolve(message(req, res, info)).then((value: unknown) =>
      sendMessage(res, value, info, retryAfter, options.statusCode),
    )
  }
  sendMessage(res, message, info, retryAfter, options.statusCode)
}

export function sendUnavailable(res: Response): void {
  res.status(503).setHeader('Retry-After', '1')
  res
    .type('application/problem+json')
    .send(
      JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'The rate limiter cannot reach its store.' }),
    )
}
