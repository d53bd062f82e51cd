/** Passed to `next()` when Redis cannot be reached and `onStoreError` is `'fail'` (the default). */
export class SessionStoreUnavailableError extends Error {
  readonly code = 'ERR_SESSION_STORE_UNAVAILABLE'
  readonly status = 503
  readonly statusCode = 503
  readonly expose = false

  constructor(cause: unknown) {
    super('Session store unavailable: Redis could not be reached in time. Try again shortly.', { cause })
    this.name = 'SessionStoreUnavailableError'
  }
}

/** A new session's id is already taken (a `genid` collision): the store refuses to overwrite it. */
export class SessionIdConflictError extends Error {
  readonly code = 'ERR_SESSION_ID_EXISTS'
  readonly status = 500

  constructor() {
    super('A new session was given an id that already exists; it was not overwritten. Check your genid function.')
    this.name = 'SessionIdConflictError'
  }
}

/**
 * `session()` with a secure cookie saw a request that reached Express through an HTTPS proxy while
 * `trust proxy` is off: Express sees plain HTTP, so express-session would silently never set the
 * cookie (every login would fail without a message). The request fails with this error instead.
 */
export class SessionTrustProxyError extends Error {
  readonly code = 'ERR_SESSION_TRUST_PROXY'
  readonly status = 500
  readonly statusCode = 500
  readonly expose = false

  constructor() {
    super(
      "session(): cookie.secure is on and this request came through an HTTPS proxy (X-Forwarded-Proto: https), but Express does not trust the proxy, so it sees plain HTTP and the session cookie would never be set. Add app.set('trust proxy', 1) (or your number of proxies).",
    )
    this.name = 'SessionTrustProxyError'
  }
}
