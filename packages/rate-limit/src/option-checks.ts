import { describeValue } from '@rediware/redis'

/** rateLimit's value checks: every message names the option and the fix. */

export function fn<T extends (...args: never[]) => unknown>(value: unknown, name: string, what: string): T | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function')
    throw new TypeError(`rateLimit: ${name} must be ${what}; got ${describeValue(value)}.`)
  return value as T
}

export function bool(value: unknown, name: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean')
    throw new TypeError(`rateLimit: ${name} must be true or false; got ${describeValue(value)}.`)
  return value
}

export function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`rateLimit: ${name} must be a positive integer (e.g. 100); got ${describeValue(value)}.`)
  }
  return value
}
