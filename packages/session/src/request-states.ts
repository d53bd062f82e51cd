import type { RequestState } from './request-state.js'
import { isObject } from './session-codec.js'

/** The request a session belongs to (express-session puts it on the session, not enumerable). */
export function requestOf(session: unknown): object | undefined {
  if (!isObject(session)) return undefined
  const req = (session as { req?: unknown }).req
  return isObject(req) ? req : undefined
}

/**
 * What each request loaded or wrote, for one store. It rides on the request's session object
 * (`req.session`, the object express-session passes to `set` and `touch`) under a symbol of this
 * store: a WeakMap entry per request measured about two microseconds (V8's ephemeron tables),
 * as much as the rest of a session read. A request whose session object was replaced after it
 * loaded (`generate`, as `rotateSession` does) is found by the request itself instead; that rare
 * path keeps the WeakMap.
 */
export class RequestStates {
  readonly #key = Symbol('rediware-session-state')
  readonly #byRequest = new WeakMap<object, RequestState>()

  /** The state of the request `session` belongs to (the session's own first, then its request's). */
  of(session: unknown): RequestState | undefined {
    if (!isObject(session)) return undefined
    const own = (session as Record<symbol, RequestState | undefined>)[this.#key]
    if (own !== undefined) return own
    const req = requestOf(session)
    return req === undefined ? undefined : this.#byRequest.get(req)
  }

  /** Records what the request of `session` (which must carry its `req`) loaded or wrote. */
  set(session: object, state: RequestState): void {
    Object.defineProperty(session, this.#key, { value: state, writable: true, configurable: true })
  }

  /** The state of a request whose session object is about to be replaced. */
  ofRequest(req: object): RequestState | undefined {
    return this.of((req as { session?: unknown }).session) ?? this.#byRequest.get(req)
  }

  /** Sets the state of a request for the session object it gets next (see `ofRequest`). */
  setForRequest(req: object, state: RequestState): void {
    this.#forgetOwn(req)
    this.#byRequest.set(req, state)
  }

  /** Forgets a request's state, on its current session object and on the request. */
  forget(req: object): void {
    this.#forgetOwn(req)
    this.#byRequest.delete(req)
  }

  #forgetOwn(req: object): void {
    const session = (req as { session?: unknown }).session
    if (isObject(session) && (session as Record<symbol, unknown>)[this.#key] !== undefined) {
      Reflect.deleteProperty(session, this.#key)
    }
  }
}
