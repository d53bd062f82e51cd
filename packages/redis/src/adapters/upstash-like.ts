/** The public @upstash/redis surface the adapter relies on (1.34 and newer). */
export interface UpstashRequestLike {
  path?: string[]
  body?: unknown
  signal?: AbortSignal | (() => AbortSignal)
  [other: string]: unknown
}

export interface UpstashResponseLike {
  result?: unknown
  error?: string
}

export type UpstashMiddleware = (
  request: UpstashRequestLike,
  next: (request: UpstashRequestLike) => Promise<unknown>,
) => Promise<UpstashResponseLike>

export interface UpstashLike {
  exec(args: unknown[]): Promise<unknown>
  use(middleware: UpstashMiddleware): void
  evalsha(...args: unknown[]): Promise<unknown>
  createScript(...args: unknown[]): unknown
}

const isFunction = (value: unknown): boolean => typeof value === 'function'

export function isUpstashLike(value: unknown): value is UpstashLike {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Record<string, unknown>
  return (
    isFunction(candidate.exec) &&
    isFunction(candidate.use) &&
    isFunction(candidate.evalsha) &&
    isFunction(candidate.createScript)
  )
}
