/** A list of names where `'utm_*'` matches every name starting with `utm_`. */
export interface NamePattern {
  matches(name: string): boolean
}

export function namePattern(patterns: readonly string[]): NamePattern {
  const exact = new Set(patterns.filter((pattern) => !pattern.endsWith('*')))
  const prefixes = patterns.filter((pattern) => pattern.endsWith('*')).map((pattern) => pattern.slice(0, -1))
  return { matches: (name) => exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix)) }
}
