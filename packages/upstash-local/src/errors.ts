/**
 * Error detection without `instanceof Error`, which fails for errors created in another realm
 * (e.g. Node core errors seen from a jest sandbox).
 */
export interface ErrorLike {
  name: string
  message: string
}

export function asError(value: unknown): ErrorLike | undefined {
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value) || Array.isArray(value)) return undefined
  const { name, message } = value as { name?: unknown; message?: unknown }
  return typeof message === 'string' ? { name: typeof name === 'string' ? name : 'Error', message } : undefined
}

/** A Redis error reply (as opposed to a connection failure or timeout). */
export function isReplyError(value: unknown): boolean {
  return asError(value)?.name === 'ReplyError'
}

export function describeError(value: unknown): string {
  return asError(value)?.message ?? String(value)
}
