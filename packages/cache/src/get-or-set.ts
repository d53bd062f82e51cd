import type { CacheCore } from './core.js'
import type { GetOrSetOptions } from './options.js'
import { reader, resolveGetOrSetOptions } from './resolve-options.js'
import type { Versions } from './flights.js'
import { tagsMatch } from './tag-versions.js'

interface ValueWire {
  v: 1
  /** The value; absent for a cached null/undefined (negative entry). */
  d?: unknown
  n?: 1
  g: Record<string, string>
}

/** Every helper key carries an implicit tag, so `delete(key)` also defeats a fill racing it. */
export const keyTag = (key: string): string => `k:${key}`

function decode(text: string | null): ValueWire | undefined {
  if (text === null) return undefined
  try {
    const wire = JSON.parse(text) as unknown
    if (typeof wire !== 'object' || wire === null) return undefined
    const w = wire as Partial<ValueWire>
    if (w.v !== 1 || typeof w.g !== 'object' || w.g === null) return undefined
    return w as ValueWire
  } catch {
    return undefined
  }
}

/** A loader running in this process, that calls for its key may share. */
export interface Loading {
  /** The versions its call read (undefined: the read failed). */
  read: Versions | undefined
  /** The versions it will store with, once seeded (undefined: it will not store). */
  snapshot: Promise<Record<string, string> | undefined>
  value: Promise<unknown>
}

/**
 * Whether a running loader may answer a call that read `versions` after it arrived: no invalidation
 * (`invalidate`, `delete`) came between the loader's read and this one.
 */
async function mayShare(loading: Loading, versions: Versions | undefined, tags: readonly string[]): Promise<boolean> {
  if (versions === undefined || loading.read === undefined) return versions === loading.read
  if (tags.every((tag) => versions[tag] === loading.read?.[tag])) return true
  const snapshot = await loading.snapshot
  return snapshot !== undefined && tagsMatch(snapshot, versions)
}

export function valueKey(core: CacheCore, key: string): string {
  return core.keys.valueKey(key)
}

/**
 * Cache-aside: returns the cached value for `key`, or runs `loader` once per process for concurrent
 * callers, stores its result (JSON) and returns it. Cache failures fall back to the loader.
 */
export async function getOrSet<T>(
  core: CacheCore,
  key: string,
  loader: () => T | Promise<T>,
  rawOptions: GetOrSetOptions,
): Promise<Awaited<T>> {
  if (typeof key !== 'string' || key.length === 0) throw reader.typeError('getOrSet: key must be a non-empty string.')
  if (typeof loader !== 'function')
    throw reader.typeError('getOrSet: loader must be a function returning the value (or a promise of it).')
  const options = resolveGetOrSetOptions(rawOptions)
  const tags = [...new Set([keyTag(key), ...options.tags])]
  const storageKey = valueKey(core, key)
  let versions: Versions | undefined
  try {
    const found = await core.valueLookups.read(storageKey, () => core.versions.lookup(storageKey, tags))
    core.succeeded()
    versions = found.versions
    const wire = decode(found.text)
    if (wire !== undefined && Object.keys(wire.g).length === tags.length && tagsMatch(wire.g, versions)) {
      return (wire.n === 1 ? null : wire.d) as Awaited<T>
    }
  } catch (error) {
    core.failed(error)
  }
  const running = core.loading.get(key)
  if (running !== undefined && (await mayShare(running, versions, tags))) return running.value as Promise<Awaited<T>>
  const read = versions
  let seeded: (snapshot: Record<string, string> | undefined) => void = () => undefined
  const loading: Loading = {
    read,
    snapshot: new Promise((resolve) => {
      seeded = resolve
    }),
    value: Promise.resolve(undefined),
  }
  const work = (async (): Promise<Awaited<T>> => {
    let snapshot: Record<string, string> | undefined
    if (read !== undefined) {
      try {
        // counters seeded now must outlive the longest entry this call may store (extended at the store)
        snapshot = await core.versions.snapshot(tags, Math.max(options.ttl, options.negativeTtl ?? 0), read)
      } catch (error) {
        core.failed(error)
      }
    }
    seeded(snapshot)
    const value = await loader()
    if (snapshot === undefined) return value
    const negative = value === null || value === undefined
    const baseTtl = negative ? options.negativeTtl : options.ttl
    if (baseTtl === undefined) return value
    const ttl = Math.max(1, Math.round(baseTtl * (1 - Math.random() * options.jitter)))
    const wire: ValueWire = negative ? { v: 1, n: 1, g: snapshot } : { v: 1, d: value, g: snapshot }
    let text: string
    try {
      text = JSON.stringify(wire)
    } catch (error) {
      throw reader.typeError(
        `getOrSet("${key}"): the loader's value cannot be stored as JSON (${(error as Error).message}).`,
      )
    }
    // awaited (bounded by the client's deadline) so that once getOrSet resolves, other instances see the value
    // the value's PX and the extension of its counters' TTLs go in one batch (one round trip)
    await core.versions.store(storageKey, text, ttl, tags).catch(core.failed)
    return value
  })()
  loading.value = work
  core.loading.set(key, loading)
  try {
    return await work
  } finally {
    seeded(undefined)
    if (core.loading.get(key) === loading) core.loading.delete(key)
  }
}
