import type { SessionData } from 'express-session'
import type { RequestStates } from './request-states.js'
import type { SessionKeys } from './session-keys.js'
import type { SessionWrites } from './session-writes.js'
import type { StoreEvents } from './store-events.js'

/** What a rotation needs of its store. */
export interface RotationParts {
  states: RequestStates
  writes: SessionWrites
  events: StoreEvents
  keys: SessionKeys
}

/**
 * The request's next write inserts the new id and keeps the old creation time. Returns whether this
 * request loaded (or wrote) the session `sid`.
 */
export function prepareRotation(states: RequestStates, req: object, sid: string): boolean {
  const previous = states.ofRequest(req)
  states.setForRequest(req, {
    sid: undefined,
    slid: 0,
    created: 0,
    carryCreated: previous?.created || previous?.carryCreated || 0,
    raw: undefined,
  })
  return previous?.sid === sid
}

/**
 * For a session this request loaded: writes the new id first (indexed under its user, so a
 * `revokeUser` from now on finds it), then deletes the old id in one script that also tells whether
 * it still existed. That script is the rotation's moment: a logout, `revokeUser` or absolute deadline
 * that came before it leaves nothing to carry over, and the new id is deleted again (it was never
 * sent to the client). Resolves to whether it kept.
 */
export async function commitRotation(
  { states, writes, events, keys }: RotationParts,
  req: object,
  oldSid: string,
  newSid: string,
  session: SessionData,
): Promise<boolean> {
  const written = (await writes.set(newSid, session)) === 'written'
  const existed = await writes.destroy(oldSid)
  if (written && existed) return true
  states.forget(req)
  if (written) {
    await writes.destroy(newSid).catch((error: unknown) => {
      // Unreachable anyway: the new id was never sent; its TTL removes it.
      events.background('removing the id of a rotation that came too late', error)
    })
  }
  events.refused(keys.member(oldSid), 'destroyed')
  return false
}
