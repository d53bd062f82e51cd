export { createQueue, Queue } from './queue.js'
export { type CloseOptions, Worker } from './worker.js'
export type { ScheduleHandle } from './scheduler.js'
export { QueueError, type QueueErrorCode, UnrecoverableError } from './errors.js'
export type { DashboardOptions } from './router/dashboard.js'
export type { JobEventData, JobEventType, LiveEventsOptions, LivePublisher, LiveStreamHandler } from './live-events.js'
export type { RequestHandler } from './router/http.js'
export type {
  AddedJob,
  Backoff,
  Counts,
  Job,
  JobHandler,
  JobInfo,
  JobOptions,
  JobState,
  QueueEvent,
  QueueOptions,
  Retention,
  Schedule,
  WorkerHealth,
  WorkerOptions,
} from './types.js'
export { idempotency, type IdempotencyEvent, type IdempotencyOptions } from './idempotency/middleware.js'
