/** What the store knows about the session a request loaded or wrote (keyed by the request). */
export interface RequestState {
  /** The id this request loaded or last wrote; writes for it are updates (never resurrect). */
  sid: string | undefined
  /** Idle ms the read slid the TTL by (-1: written in this request; 0: not slid). */
  slid: number
  /** Creation time of that session (Redis clock, ms; 0 when unknown). */
  created: number
  /** For a rotated session: the creation time to carry over to the new id. */
  carryCreated: number
  /** The stored value as loaded or last written (for `concurrency: 'merge'`). */
  raw: string | undefined
  /** Loaded a value without our metadata (written by connect-redis): the end-of-request touch rewrites it. */
  legacy?: boolean
}

/** What `get` learned about the session it returned, for `createSession` to hand to the request. */
export interface LoadedSession {
  slid: number
  created: number
  raw: string
  legacy: boolean
}
