import { RedisClientError } from './errors.js'

/**
 * Runs `operation` and rejects with ERR_REDIS_TIMEOUT once `milliseconds` pass, aborting the signal
 * it was given so the transport can stop retrying. The timer never keeps the process alive.
 */
export function withDeadline<T>(milliseconds: number, operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new RedisClientError('ERR_REDIS_TIMEOUT', `Redis did not answer within ${milliseconds} ms`)
      controller.abort(error)
      reject(error)
    }, milliseconds)
    timer.unref()
    operation(controller.signal).then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
