/**
 * Whether `value` is an object whose `methods` are all functions: how a client library's object is
 * recognised by its public API, whatever version or subclass it is.
 */
export function hasMethods(value: unknown, methods: readonly string[]): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Record<string, unknown>
  return methods.every((method) => typeof candidate[method] === 'function')
}
