const unitMilliseconds: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd'
/** Milliseconds, or a string such as `'10 s'`, `'5m'`, `'1 h'`, `'7 d'`. */
export type Duration = number | `${number}${DurationUnit}` | `${number} ${DurationUnit}`

const durationPattern = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)\s*$/

/**
 * Parses a duration option into whole milliseconds, throwing a TypeError/RangeError that names the
 * option when it is not a positive duration.
 */
export function parseDuration(value: unknown, optionName: string, { allowZero = false } = {}): number {
  let milliseconds: number
  if (typeof value === 'number') {
    milliseconds = value
  } else if (typeof value === 'string') {
    const match = durationPattern.exec(value)
    const unit = match?.[2]
    if (!match || unit === undefined) {
      throw new TypeError(
        `${optionName}: "${value}" is not a duration. Use milliseconds (60000) or a string such as '10 s', '5m', '1 h', '7 d'.`,
      )
    }
    milliseconds = Number(match[1]) * (unitMilliseconds[unit] ?? 1)
  } else {
    throw new TypeError(
      `${optionName} must be a duration: milliseconds (60000) or a string such as '10 s', '5m', '1 h'; got ${describeValue(value)}.`,
    )
  }
  if (!Number.isFinite(milliseconds) || milliseconds < 0 || (!allowZero && milliseconds === 0)) {
    throw new RangeError(
      `${optionName} must be a ${allowZero ? 'non-negative' : 'positive'} duration; got ${String(value)}.`,
    )
  }
  return Math.round(milliseconds)
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name
    return typeof name === 'string' && name !== 'Object' ? `an instance of ${name}` : 'an object'
  }
  if (typeof value === 'string') return `the string "${value}"`
  return `${typeof value} ${String(value)}`
}
