export type RedisErrorCode =
  | 'ERR_REDIS_TIMEOUT'
  | 'ERR_REDIS_UNAVAILABLE'
  | 'ERR_REDIS_CIRCUIT_OPEN'
  | 'ERR_REDIS_REPLY'
  | 'ERR_REDIS_NOSCRIPT'
  | 'ERR_REDIS_CLOSED'

/** An error with a stable `code` to branch on; each package's error classes extend it. */
export class CodedError<Code extends string> extends Error {
  readonly code: Code

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** Every failure of a `RedisClient` call is one of these, with a stable `code`. */
export class RedisClientError extends CodedError<RedisErrorCode> {
  override readonly name = 'RedisClientError'
}

export const isRedisClientError = (error: unknown): error is RedisClientError => error instanceof RedisClientError

/** True for failures that say nothing about the data: the backend could not be asked. */
export const isUnavailableError = (error: unknown): boolean =>
  isRedisClientError(error) &&
  (error.code === 'ERR_REDIS_TIMEOUT' ||
    error.code === 'ERR_REDIS_UNAVAILABLE' ||
    error.code === 'ERR_REDIS_CIRCUIT_OPEN')
