import {
  memoryClient,
  type OptionNames,
  optionReader,
  type RedisClient,
  type ResolvedSharedOptions,
  resolveHooks,
  resolveRedisOption,
} from '@rediware/redis'
import { queueNamePattern } from './keys.js'
import type { LiveEventsOptions, LivePublisher } from './live-events.js'
import type { JobTemplate } from './record.js'
import type { Backoff, JobOptions, QueueEvent, QueueOptions, Retention, WorkerOptions } from './types.js'

export const reader = optionReader('@rediware/queue')

export const MAX_PRIORITY = 2_097_152
export const MAX_ID_LENGTH = 256
const MAX_SHARDS = 1024

/** Retention in ms and count per shard; -1 is unbounded. */
export interface ResolvedRetention {
  age: number
  count: number
}

export interface ResolvedQueueOptions extends ResolvedSharedOptions<QueueEvent> {
  name: string
  shards: number
  defaults: JobTemplate
  keepCompleted: ResolvedRetention
  keepFailed: ResolvedRetention
  events: { realtime: LivePublisher; channel: string } | undefined
}

export interface ResolvedWorkerOptions {
  concurrency: number
  lease: number
  pollInterval: number
}

const queueOptionNames: OptionNames<QueueOptions> = {
  redis: true,
  name: true,
  prefix: true,
  timeout: true,
  shards: true,
  defaults: true,
  keep: true,
  events: true,
  onError: true,
  onEvent: true,
  warn: true,
}
const jobOptionNames: OptionNames<JobOptions> = {
  id: true,
  delay: true,
  attempts: true,
  backoff: true,
  priority: true,
  timeout: true,
}
const backoffNames: OptionNames<Backoff> = { type: true, delay: true, jitter: true, max: true }
const retentionNames: OptionNames<Retention> = { age: true, count: true }
const keepNames: OptionNames<NonNullable<QueueOptions['keep']>> = { completed: true, failed: true }
const eventsNames: OptionNames<LiveEventsOptions> = { realtime: true, channel: true }
const workerNames: OptionNames<WorkerOptions> = { concurrency: true, lease: true, pollInterval: true }

const peerHints = {
  connection: '`redis` (an ioredis, node-redis, Cluster or @upstash/redis client)',
  defaultJobOptions: '`defaults`',
  removeOnComplete: '`keep: { completed: { age, count } }`',
  removeOnFail: '`keep: { failed: { age, count } }`',
}

/** The in-process backend shared by every queue created without `redis`, so they see each other's jobs. */
let sharedMemory: RedisClient | undefined

const resolveClient = (redis: unknown, warn: (message: string) => void): RedisClient =>
  resolveRedisOption(reader, redis, {
    code: 'queue-memory-backend',
    warning:
      '@rediware/queue: no `redis` option, so jobs live in this process only (not shared with other processes, lost on restart). Pass an ioredis, node-redis, Cluster or @upstash/redis client in production.',
    warn,
    memory: () => {
      sharedMemory ??= memoryClient()
      return sharedMemory
    },
  })

function resolveEvents(input: unknown, name: string): ResolvedQueueOptions['events'] {
  const options = reader.nested(
    input,
    'events',
    eventsNames,
    "{ realtime: createRealtime({ redis }), channel: 'queue:emails' }",
  )
  if (options === undefined) return undefined
  const realtime = reader.withMethods<LivePublisher>(
    options.realtime,
    'events.realtime',
    ['publish'],
    'must have publish(channel, event), such as createRealtime({ redis }) of @rediware/realtime',
  )
  const channel = reader.string(options.channel, 'events.channel', `queue:${name}`, { maxLength: 256 })
  return { realtime, channel }
}

function resolveRetention(
  input: unknown,
  name: string,
  fallback: ResolvedRetention,
  shards: number,
): ResolvedRetention {
  const options = reader.nested(input, name, retentionNames, "{ age: '1 d', count: 1000 }") ?? {}
  const count = reader.integer(options.count, `${name}.count`, fallback.count, { min: 0 })
  return {
    age: reader.duration(options.age, `${name}.age`, fallback.age, { allowZero: true }),
    count: Math.ceil(count / shards),
  }
}

export function resolveQueueOptions(input: unknown): ResolvedQueueOptions {
  const options = reader.object<QueueOptions>(input, queueOptionNames, {
    example: "{ redis, name: 'emails' }",
    hints: peerHints,
  })
  const hooks = resolveHooks<QueueEvent>(
    reader,
    options,
    (error) => `Redis is failing (${error.message}); workers back off and retry.`,
  )
  if (typeof options.name !== 'string' || !queueNamePattern.test(options.name)) {
    throw reader.typeError(
      `name must be 1–64 letters, digits, '-' or '_', such as 'emails'; got ${JSON.stringify(options.name)}.`,
    )
  }
  const shards = reader.integer(options.shards, 'shards', 1, { min: 1, max: MAX_SHARDS })
  const keep = reader.nested(options.keep, 'keep', keepNames, "{ completed: { age: '1 d', count: 1000 } }") ?? {}
  const warn = reader.fn<(message: string) => void>(options.warn, 'warn', '(message) => void') ?? console.warn
  return {
    client: resolveClient(options.redis, warn),
    name: options.name,
    prefix: reader.prefix(options.prefix, 'prefix', 'queue:'),
    shards,
    timeout: reader.optionalDuration(options.timeout, 'timeout'),
    defaults: resolveJobTemplate(options.defaults, 'defaults', undefined),
    keepCompleted: resolveRetention(keep.completed, 'keep.completed', { age: 86_400_000, count: 1000 }, shards),
    keepFailed: resolveRetention(keep.failed, 'keep.failed', { age: 7 * 86_400_000, count: 10_000 }, shards),
    hooks,
    events: resolveEvents(options.events, options.name),
  }
}

function resolveBackoff(
  input: unknown,
  name: string,
): Pick<JobTemplate, 'backoffType' | 'backoffDelay' | 'jitter' | 'backoffMax'> | undefined {
  const backoff = reader.nested(input, name, backoffNames, "{ type: 'exponential', delay: '1 s' }")
  if (backoff === undefined) return undefined
  const type = reader.oneOf(backoff.type, `${name}.type`, ['fixed', 'exponential'] as const, 'exponential')
  if (backoff.delay === undefined) throw reader.typeError(`${name}.delay is required, such as '1 s'.`)
  return {
    backoffType: type,
    backoffDelay: reader.duration(backoff.delay, `${name}.delay`, 0, { allowZero: true }),
    jitter: reader.number(backoff.jitter, `${name}.jitter`, type === 'exponential' ? 0.2 : 0, { min: 0, max: 1 }),
    backoffMax: reader.duration(backoff.max, `${name}.max`, 86_400_000),
  }
}

const builtInDefaults: JobTemplate = {
  attempts: 3,
  backoffType: 'exponential',
  backoffDelay: 1000,
  jitter: 0.2,
  backoffMax: 86_400_000,
}

/** Job options → the record template `add` stores. `base` is the queue's defaults (absent: built-in). */
export function resolveJobTemplate(input: unknown, name: string, base: JobTemplate | undefined): JobTemplate {
  const options =
    input === undefined ? {} : (reader.nested(input, name, jobOptionNames, "{ delay: '10 s', attempts: 5 }") ?? {})
  if (base === undefined && options.id !== undefined) throw reader.typeError('defaults cannot set an id.')
  const start = base ?? builtInDefaults
  const template: JobTemplate = { ...start, ...resolveBackoff(options.backoff, `${name}.backoff`) }
  template.attempts = reader.integer(options.attempts, `${name}.attempts`, start.attempts, { min: 1, max: 1000 })
  const priority = reader.integer(options.priority, `${name}.priority`, start.priority ?? 0, {
    min: 0,
    max: MAX_PRIORITY,
  })
  const timeout = reader.optionalDuration(options.timeout, `${name}.timeout`) ?? start.timeout
  const delay = reader.duration(options.delay, `${name}.delay`, start.delay ?? 0, { allowZero: true })
  return withoutZeros({ ...template, priority, timeout, delay })
}

/** Drops fields at their zero value, so records stay small and carry no null. */
function withoutZeros(template: JobTemplate): JobTemplate {
  const out = { ...template }
  if (!out.priority) delete out.priority
  if (!out.timeout) delete out.timeout
  if (!out.delay) delete out.delay
  if (!out.jitter) delete out.jitter
  return out
}

/** A job id: a non-empty string of at most 256 characters. */
export function resolveJobId(id: unknown, name: string): string | undefined {
  if (id === undefined) return undefined
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw reader.typeError(
      `${name}.id must be a string of 1 to ${MAX_ID_LENGTH} characters; got ${JSON.stringify(id)?.slice(0, 80)}.`,
    )
  }
  return id
}

export function resolveWorkerOptions(input: unknown): ResolvedWorkerOptions {
  const options =
    input === undefined
      ? {}
      : reader.object<WorkerOptions>(input, workerNames, {
          example: "{ concurrency: 10, lease: '30 s' }",
          hints: { lockDuration: '`lease`', stalledInterval: '`lease`' },
        })
  const lease = reader.duration(options.lease, 'lease', 30_000)
  if (lease < 100) throw reader.rangeError(`lease must be at least 100 ms; got ${lease} ms.`)
  return {
    concurrency: reader.integer(options.concurrency, 'concurrency', 1, { min: 1, max: 10_000 }),
    lease,
    pollInterval: reader.duration(options.pollInterval, 'pollInterval', 30_000),
  }
}
