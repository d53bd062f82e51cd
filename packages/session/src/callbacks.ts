const noop = (): void => undefined

/** A callback's exception is rethrown outside the promise chain (uncaught), never a rejection. */
function rethrow(thrown: unknown): void {
  queueMicrotask(() => {
    throw thrown
  })
}

function succeed<T>(callback: (error: unknown, value?: T) => void, value: T): void {
  try {
    callback(null, value)
  } catch (thrown) {
    rethrow(thrown)
  }
}

function fail(callback: (error: unknown) => void, error: unknown): void {
  try {
    callback(error)
  } catch (thrown) {
    rethrow(thrown)
  }
}

/**
 * Serves both calling styles: calls `callback` when given (a throwing callback is not turned into a
 * rejection), and returns the promise, marked as handled so that a caller who ignores it never
 * causes an unhandled rejection. With a callback, its own rejection handler marks it handled, and
 * the callback runs in the same tick the promise settles (express-session calls back on every
 * request, so no extra promise or microtask is spent on it).
 */
export function settle<T>(promise: Promise<T>, callback?: (error: unknown, value?: T) => void): Promise<T> {
  if (typeof callback !== 'function') {
    promise.catch(noop)
    return promise
  }
  promise.then(
    (value) => succeed(callback, value),
    (error: unknown) => fail(callback, error),
  )
  return promise
}
