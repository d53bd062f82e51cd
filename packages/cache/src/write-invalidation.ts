import type { Request, Response } from 'express'
import type { CacheCore } from './core.js'
import { canonicalPath, pathTag, splitUrl } from './request-url.js'

/**
 * `invalidateOnWrite`: a successful (status < 400) POST/PUT/PATCH/DELETE invalidates its path, every
 * alias included, before the response completes, so the client's next read is fresh.
 */
export function invalidateOnEnd(core: CacheCore, req: Request, res: Response): void {
  const tag = pathTag(canonicalPath(splitUrl(req).path))
  const originalEnd = res.end
  let ended = false
  res.end = function end(this: Response, ...args: unknown[]) {
    if (ended || res.statusCode >= 400) return (originalEnd as (...a: unknown[]) => Response).apply(this, args)
    ended = true
    core
      .invalidate([tag])
      .catch(core.failed)
      .finally(() => (originalEnd as (...a: unknown[]) => Response).apply(this, args))
    return this
  } as Response['end']
}
