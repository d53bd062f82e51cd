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
