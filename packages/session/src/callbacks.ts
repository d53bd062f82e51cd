const noop = (): void => undefined

/**
 * Serves both calling styles: calls `callback` when given (outside the promise chain, so a throwing
 * callback is not turned into a rejection), and returns the promise, marked as handled so that a
 * caller who ignores it never causes an unhandled rejection.
 */
export function settle<T>(promise: Promise<T>, callback?: (error: unknown, value?: T) => void): Promise<T> {
  promise.catch(noop)
  if (typeof callback === 'function') {
    promise.then(
      (value) => queueMicrotask(() => callback(null, value)),
      (error: unknown) => queueMicrotask(() => callback(error)),
    )
  }
  return promise
}
