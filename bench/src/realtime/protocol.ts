/** What the load process and an app process say to each other over the IPC channel of `fork`-like spawns. */

/** The payload of every published event: its sequence number and when the app published it. */
export interface Tick {
  /** Sequence number in the run; warm-up events are negative. */
  n: number
  /** Epoch milliseconds with a fraction (performance.timeOrigin + performance.now()) just before publishing. */
  at: number
  /** Filler so the event is the size of a small real one. */
  body: string
}

export type ToApp = { type: 'publish'; n: number } | { type: 'usage'; id: number } | { type: 'close' }

export type FromApp =
  | { type: 'ready'; port: number }
  | { type: 'usage'; id: number; cpuMicros: number; rssBytes: number }
  | { type: 'publish-failed'; n: number; message: string }

/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes on one host. */
export const nowMs = (): number => performance.timeOrigin + performance.now()

export const channelName = 'ticks'
export const eventType = 'tick'
export const tickBody = 'x'.repeat(64)
