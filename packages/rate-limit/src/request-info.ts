import { IncomingMessage } from 'node:http'
import type { Request } from 'express'
import type { RateLimitInfo } from './types.js'

const infos = new WeakMap<object, RateLimitInfo | undefined>()
const patched = new WeakSet<object>()

/**
 * True when `req` inherits the `rateLimit` accessor from Express's shared request prototype (what
 * every app's `app.request` inherits from), defining it there the first time; false when `req` is
 * not an Express request.
 */
function hasRateLimitAccessor(req: Request): boolean {
  const appRequest: object | null = Object.getPrototypeOf(req)
  if (appRequest === null) return false
  const base: object | null = Object.getPrototypeOf(appRequest)
  if (base === null) return false
  if (patched.has(base)) return true
  if (!Object.hasOwn(appRequest, 'app') || base === IncomingMessage.prototype || !(base instanceof IncomingMessage))
    return false
  if (Object.hasOwn(base, 'rateLimit')) return false
  // Another middleware already gave this request an own `rateLimit`, which would hide the accessor.
  if (Object.hasOwn(req, 'rateLimit')) return false
  Object.defineProperty(base, 'rateLimit', {
    configurable: true,
    enumerable: false,
    get(this: object) {
      return infos.get(this)
    },
    set(this: object, value: RateLimitInfo | undefined) {
      infos.set(this, value)
    },
  })
  patched.add(base)
  return true
}

/**
 * Sets `req.rateLimit`. On Express it lives in a WeakMap behind an accessor on Express's request
 * prototype: Express re-prototypes every request (`Object.setPrototypeOf`), so each request object
 * has a hidden class of its own and adding a property to it costs V8 a new one, several µs per
 * request, the most expensive line of the allowed path. Elsewhere it is a plain property.
 */
export function setRequestInfo(req: Request, info: RateLimitInfo, property = 'rateLimit'): void {
  if (property !== 'rateLimit') (req as unknown as Record<string, unknown>)[property] = info
  else if (hasRateLimitAccessor(req)) infos.set(req, info)
  else req.rateLimit = info
}
