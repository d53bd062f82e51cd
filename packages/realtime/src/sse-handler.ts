import type { IncomingMessage, ServerResponse } from 'node:http'
import type { NextFunction, Request, Response } from 'express'
import { jittered, reconnectFrame } from './frames.js'
import { checkChannels, type ResolvedSseOptions } from './options.js'
import type { RouteHandler } from './route-handler.js'

/** What the handler needs from its realtime instance. */
export interface StreamHost {
  readonly closed: boolean
  readonly retry: number
  forbidden(channel: string): void
  /** Opens the stream on `res` (its headers are sent) for these channels, resuming from `lastEventId`. */
  open(res: ServerResponse, channels: readonly string[], lastEventId: string | undefined): void
}

/** `Last-Event-ID` as browsers send it on reconnect, or `?lastEventId=` for clients that cannot set headers. */
function lastEventIdOf(req: IncomingMessage): string | undefined {
  const header = req.headers['last-event-id']
  if (typeof header === 'string') return header.trim()
  const query = (req.url ?? '').indexOf('?')
  if (query === -1) return undefined
  return new URLSearchParams((req.url ?? '').slice(query + 1)).get('lastEventId') ?? undefined
}

function writeStreamHeaders(req: IncomingMessage, res: ServerResponse): void {
  res.statusCode = 200
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8')
  // no-transform: proxies and `compression` must not buffer or re-encode the stream.
  res.setHeader('Cache-Control', 'no-cache, no-transform')
  res.setHeader('X-Accel-Buffering', 'no')
  if (req.httpVersionMajor === 1) res.setHeader('Connection', 'keep-alive')
  res.flushHeaders()
  req.socket?.setNoDelay(true)
}

const gone = (req: IncomingMessage, res: ServerResponse): boolean => req.destroyed || res.writableEnded || res.destroyed

/**
 * The Express handler of `rt.sse()`: resolves the channels, authorizes each (403 before the stream
 * opens), then opens the stream. Errors before the stream opens go to `next`.
 */
export function sseHandler(host: StreamHost, options: ResolvedSseOptions): RouteHandler {
  const shutDown = (req: Request, res: Response): void => {
    // 200 and a retry hint (EventSource gives up on any other status): the browser comes back, to another process.
    writeStreamHeaders(req, res)
    res.end(reconnectFrame(jittered(host.retry), 'shutdown'))
  }
  const handle = async (req: Request, res: Response): Promise<void> => {
    if (host.closed) return shutDown(req, res)
    const channels = checkChannels(await options.channels(req), 'sse(): channels(req)')
    if (options.authorize) {
      const authorize = options.authorize
      const verdicts = await Promise.all(channels.map((channel) => authorize(req, channel)))
      const refused = channels.find((_, index) => verdicts[index] !== true)
      if (refused !== undefined) {
        host.forbidden(refused)
        if (!gone(req, res)) {
          res.statusCode = 403
          res.setHeader('Content-Type', 'text/plain; charset=utf-8')
          res.end('Forbidden')
        }
        return
      }
    }
    if (gone(req, res)) return
    if (host.closed) return shutDown(req, res)
    writeStreamHeaders(req, res)
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    host.open(res, channels, lastEventIdOf(req))
  }
  const handler = (req: Request, res: Response, next: NextFunction): void => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) next(error)
      else res.destroy()
    })
  }
  return handler as RouteHandler
}
