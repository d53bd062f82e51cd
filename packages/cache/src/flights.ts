import type { FillOutcome } from './core.js'
import { tagsMatch } from './tag-versions.js'

/** Tag versions as a lookup read them (`null`: no counter). */
export type Versions = Readonly<Record<string, string | null>>

/** One in-process fill of an entry that other requests for the same key may wait for. */
export interface Flight {
  /** The tag versions the leader read before its fill. */
  readonly read: Versions
  /** What the fill produced (undefined: nothing shareable). */
  readonly outcome: Promise<FillOutcome>
  /** Settles once the fill's entry is stored (or will not be); the flight leaves the registry then. */
  readonly landed: Promise<void>
}

/** How a request that waited for a flight goes on. */
export type Joined =
  | { entry: NonNullable<FillOutcome>['entry']; stale: boolean }
  /** The leader's answer is not shareable: run the handler, unstored. */
  | 'unshared'
  /** The leader took longer than `lockTimeout`: run the handler, unstored. */
  | 'timeout'
  /** The fill read data older than an invalidation this request saw, or its entry has expired since: fill anew once it has landed. */
  | 'outdated'

const sameVersions = (a: Versions, b: Versions, tags: readonly string[]): boolean =>
  tags.every((tag) => a[tag] === b[tag])

/** The leader's handle: settles its flight, whatever the fill's outcome. */
export interface Leader {
  settle(outcome: FillOutcome, stored?: Promise<void>): void
}

/** The in-process fills of one cache, by entry hash (request collapsing). */
export class Flights {
  readonly #flights = new Map<string, Flight>()

  get(hash: string): Flight | undefined {
    return this.#flights.get(hash)
  }

  /** Registers a fill of `hash` by a request that read `read` (replacing a running one); the caller must settle it. */
  lead(hash: string, read: Versions): Leader {
    let resolveOutcome: (outcome: FillOutcome) => void = () => undefined
    let resolveLanded: () => void = () => undefined
    const flight: Flight = {
      read,
      outcome: new Promise((resolve) => {
        resolveOutcome = resolve
      }),
      landed: new Promise((resolve) => {
        resolveLanded = resolve
      }),
    }
    this.#flights.set(hash, flight)
    let settled = false
    return {
      settle: (outcome, stored) => {
        if (settled) return
        settled = true
        resolveOutcome(outcome)
        const land = (): void => {
          if (this.#flights.get(hash) === flight) this.#flights.delete(hash)
          resolveLanded()
        }
        // until the entry is stored, requests that miss it in Redis are served from the flight
        if (stored === undefined) land()
        else void stored.finally(land)
      },
    }
  }
}

/**
 * Waits (at most `timeout` ms) for a flight, on behalf of a request that read `versions` AFTER it
 * arrived. The flight's entry serves it only when no invalidation came between the leader's read and
 * this one: its versions equal the leader's read, or the versions its entry recorded (counters the
 * leader seeded). A completed write is never answered with data read before it, by followers too.
 */
export async function join(
  flight: Flight,
  versions: Versions,
  tags: readonly string[],
  timeout: number,
  now: () => number,
): Promise<Joined> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeout)
  })
  try {
    const outcome = await Promise.race([flight.outcome, expired])
    if (outcome === 'timeout') return 'timeout'
    if (outcome === undefined) return 'unshared'
    if (!outcome.stale && now() >= outcome.entry.freshUntil) return 'outdated'
    const current =
      sameVersions(versions, flight.read, tags) ||
      (Object.keys(outcome.entry.tags).length === tags.length && tagsMatch(outcome.entry.tags, versions))
    return current ? outcome : 'outdated'
  } finally {
    clearTimeout(timer)
  }
}
