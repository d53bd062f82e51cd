const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * Three-way merge at top-level fields: a field this request changed (or deleted) since it loaded
 * `base` takes this request's value; every other field takes the value stored meanwhile (`theirs`),
 * including deletions. `cookie` always comes from this request. Without a base, this request wins.
 */
export function mergeSessions(
  base: Record<string, unknown> | undefined,
  theirs: Record<string, unknown>,
  mine: object,
): Record<string, unknown> {
  const own = Object.fromEntries(Object.entries(mine)) as Record<string, unknown>
  if (base === undefined) return own
  const merged: Record<string, unknown> = {}
  const names = new Set([...Object.keys(base), ...Object.keys(theirs), ...Object.keys(own)])
  names.delete('__rw')
  for (const name of names) {
    if (name === 'cookie') continue
    const changedByMe = name in own !== name in base || !same(own[name], base[name])
    const source = changedByMe ? own : theirs
    if (name in source) merged[name] = source[name]
  }
  merged.cookie = (mine as { cookie?: unknown }).cookie ?? theirs.cookie
  return merged
}
