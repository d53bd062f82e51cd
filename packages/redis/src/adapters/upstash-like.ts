import { hasMethods } from '../has-methods.js'
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

export const isUpstashLike = (value: unknown): value is UpstashLike =>
  hasMethods(value, ['exec', 'use', 'evalsha', 'createScript'])
