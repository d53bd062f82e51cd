export { createRealtime, type Realtime, type RealtimeStats, type Unsubscribe } from './realtime.js'
export type { RealtimeEvent, RealtimeListener } from './listener.js'
export type { CloseReason, RealtimeActivity, RealtimeOptions, SseOptions } from './options.js'
export type { PublishedEvent } from './publisher.js'
