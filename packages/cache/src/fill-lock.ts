import { randomBytes } from 'node:crypto'
import type { Request } from 'express'
import { decodeEntry, type Entry } from './envelope.js'
import type { RequestContext, Route } from './route.js'

/** `lock: 'distributed'`: the outcome of trying to take the fill lock of an entry. */
export type FillLock =
  /** This instance fills; `release` once the fill is over (after its store, if any). */
  | { held: true; release(stored?: Promise<void>): void }
  /** Another instance filled: its entry. */
  | { held: false; entry: Entry }
  /** Another instance held the lock and stored nothing usable in time (or the backend failed): fill without the lock. */
  | { held: false; entry: undefined }

/**
 * Takes the fill lock (`SET l:<hash> <token> NX PX lockTimeout`). When another instance holds it,
 * polls for its entry until the lock is released (an uncacheable response: fill at once) or
 * `lockTimeout` passes.
 */
export async function takeFillLock(route: Route, req: Request, context: RequestContext): Promise<FillLock> {
  const { core, options } = route
  const key = core.keys.lockKey(context.hash)
  const token = randomBytes(8).toString('hex')
  try {
    if (await core.client.set(key, token, { nx: true, px: options.lockTimeout, ...core.callOptions })) {
      return {
        held: true,
        release: (stored) => {
          // released as soon as this fill is over, whatever its outcome, so waiting instances go on at once
          const del = (): void => {
            core.client.del(key, core.callOptions).catch(core.failed)
          }
          if (stored === undefined) del()
          else void stored.finally(del)
        },
      }
    }
    return { held: false, entry: await waitForOtherInstance(route, req, context) }
  } catch (error) {
    core.failed(error)
    return { held: false, entry: undefined }
  }
}

async function waitForOtherInstance(route: Route, req: Request, context: RequestContext): Promise<Entry | undefined> {
  const { core, options } = route
  core.emit({ type: 'lock-wait', path: context.path })
  const deadline = Date.now() + options.lockTimeout
  let pause = 20
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pause))
    pause = Math.min(pause * 2, 200)
    const [{ text, versions }, locked] = await Promise.all([
      core.versions.lookup(core.keys.entryKey(context.hash, context.canonical), context.tags),
      core.client.exists(core.keys.lockKey(context.hash), core.callOptions),
    ])
    const entry = decodeEntry(text)
    if (entry !== undefined && route.valid(entry, versions, req, context) && core.now() < entry.freshUntil) return entry
    if (locked === 0) return undefined
  }
  return undefined
}
