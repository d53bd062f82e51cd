import type { NextFunction, Request, Response } from 'express'
import type { RouteHandler } from './route-handler.js'

type End = Response['end']
type EndArgs = Parameters<End>

/** Headers that describe the handler's body; they must not go out with the error response instead. */
const bodyHeaders = ['content-length', 'content-type', 'etag', 'last-modified', 'content-encoding'] as const

/**
 * The session's data without its cookie: what express-session compares to decide whether to save.
 * A copy without `cookie` is stringified rather than passing a replacer: JSON.stringify with a
 * replacer function leaves V8's fast path and calls back for every value.
 */
function fingerprint(session: object): string {
  const { cookie: _cookie, ...data } = session as Record<string, unknown>
  return JSON.stringify(data)
}

/**
 * Saves a changed session before the response's status and headers go out, not after.
 *
 * express-session writes the response first and saves at the end, so a save that fails (Redis down,
 * out of memory) reaches `next(err)` after the headers were sent: Express can only destroy the
 * socket, the client sees a reset (or a 200 for a change that was never stored), and a keep-alive
 * neighbour request may be cut too. With this middleware after express-session, a response ended
 * with `res.end()` (so `res.send`, `res.json`, `res.redirect`, …) waits for the save; when it fails,
 * the handler's response is dropped and the error goes to `next(err)` while an error status can
 * still be sent (`SessionStoreUnavailableError` answers 503). The error handler's own answer then
 * goes out as it is, without a second save and without a cookie for the session that was not
 * stored; so does a server-error answer (5xx) whose save fails: the error has no later handler to
 * go to. A streamed response (`res.write` before `end`) has sent its headers already and keeps
 * express-session's behaviour.
 *
 * `session()` installs it; add it yourself after `expressSession({ store })`.
 */
export function saveBeforeResponse(): RouteHandler {
  const handler = (req: Request, res: Response, next: NextFunction): void => {
    const loaded = req.session
    if (loaded === undefined) {
      next()
      return
    }
    const loadedId = req.sessionID
    const loadedFingerprint = fingerprint(loaded)
    const end = res.end
    /**
     * express-session's end for a request whose save failed: its "no session" path, so it neither
     * saves again (a second failure would go to a `next` whose chain is already spent: Express's
     * default HTML page) nor sets a cookie for a session that was not stored. `req.session` is only
     * hidden for the length of the call, so the app's error handler and loggers still read it.
     */
    const endUnsaved = function endUnsaved(this: Response, ...args: EndArgs): Response {
      res.end = end
      const session = req.session
      const sessionID = req.sessionID
      const hidden = req as unknown as { session: unknown; sessionID: unknown }
      hidden.session = undefined
      hidden.sessionID = undefined
      try {
        return end.apply(this, args)
      } finally {
        hidden.session = session
        hidden.sessionID = sessionID
      }
    } as End
    res.end = function endAfterSave(this: Response, ...args: EndArgs): Response {
      res.end = end
      const session = req.session
      const unchanged =
        session === undefined || (req.sessionID === loadedId && fingerprint(session) === loadedFingerprint)
      if (unchanged || res.headersSent) return end.apply(this, args)
      // As express-session does at the end: the stored expiry counts from now.
      session.touch()
      session.save((error: unknown) => {
        if (error === undefined || error === null) {
          end.apply(res, args)
          return
        }
        if (res.headersSent) {
          end.apply(res, args)
          next(error)
          return
        }
        if (res.statusCode >= 500) {
          // Already a server error (the app's error handler answering): it goes out as it is.
          endUnsaved.apply(res, args)
          return
        }
        for (const name of bodyHeaders) res.removeHeader(name)
        res.end = endUnsaved
        next(error)
      })
      return res
    } as End
    next()
  }
  return handler as RouteHandler
}
