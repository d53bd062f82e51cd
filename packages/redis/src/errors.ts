export type RedisErrorCode =
  | 'ERR_REDIS_TIMEOUT'
  | 'ERR_REDIS_UNAVAILABLE'
  | 'ERR_REDIS_CIRCUIT_OPEN'
  | 'ERR_REDIS_REPLY'
  | 'ERR_REDIS_NOSCRIPT'
  | 'ERR_REDIS_CLOSED'

/** Every failure of a `RedisClient` call is one of these, with a stable `code`. */
export class RedisClientError extends Error {
  readonly code: RedisErrorCode

  constructor(code: RedisErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RedisClientError'
    this.code = code
  }
}

export const isRedisClientError = (error: unknown): error is RedisClientError =>
  error instanceof RedisClientError

/** True for failures that say nothing about the data: the backend could not be asked. */
export const isUnavailableError = (error: unknown): boolean =>
  isRedisClientError(error) &&
  (error.code === 'ERR_REDIS_TIMEOUT' || error.code === 'ERR_REDIS_UNAVAILABLE' || error.code === 'ERR_REDIS_CIRCUIT_OPEN')
