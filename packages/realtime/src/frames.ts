/** Server-Sent-Events frames (WHATWG HTML, "Server-sent events"). */

/** A comment line: keeps proxies from closing an idle stream; browsers ignore it. */
export const HEARTBEAT = ':\n\n'

/** Sets the browser's last event id without dispatching an event (a frame with an id and no data). */
export const positionFrame = (cursor: string): string => `id: ${cursor}\n\n`

/** Sets the reconnection delay the browser uses when the stream ends. */
export const retryFrame = (milliseconds: number): string => `retry: ${milliseconds}\n\n`

/** The log no longer holds what this client missed on `channel`: it must reload its state. */
export const resetFrame = (cursor: string, channel: string): string =>
  `id: ${cursor}\nevent: reset\ndata: ${JSON.stringify({ channel, reason: 'history' })}\n\n`

export type ReconnectReason = 'backlog' | 'shutdown'

/** The last frame of a stream we end: reconnect after `milliseconds` (and resume from the last id). */
export const reconnectFrame = (milliseconds: number, reason: ReconnectReason): string =>
  `retry: ${milliseconds}\nevent: reconnect\ndata: ${JSON.stringify({ reason })}\n\n`

/** `retry:` values spread over ±50% of `base`, so clients cut off together do not come back together. */
export const jittered = (base: number): number => Math.round(base * (0.5 + Math.random()))
