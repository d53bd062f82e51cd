import { memoryClient } from '@rediware/redis'
import { createQueue } from '@rediware/queue'
import { closeAll } from './helpers.js'

afterEach(closeAll)

const redis = memoryClient()
const base = { redis, name: 'opts' }

describe('options are checked at construction, with messages that name the option and the fix', () => {
  test.each([
    [undefined, TypeError, /^@rediware\/queue: options must be an object such as/],
    [{ redis }, TypeError, /name must be 1–64 letters, digits, '-' or '_'/],
    [{ ...base, name: 'a:b' }, TypeError, /name must be/],
    [{ ...base, name: 'x'.repeat(65) }, TypeError, /name must be/],
    [{ ...base, shards: 0 }, RangeError, /shards must be a whole number from 1 to 1024; got 0/],
    [{ ...base, shards: 1.5 }, RangeError, /shards must be a whole number from 1 to 1024; got 1.5/],
    [{ ...base, prefix: 'a{b}' }, TypeError, /prefix must be at most 64 characters without braces/],
    [{ ...base, connection: {} }, TypeError, /unknown option "connection"; use `redis`/],
    [{ ...base, removeOnComplete: true }, TypeError, /use `keep: \{ completed: \{ age, count \} \}`/],
    [{ ...base, colour: 'red' }, TypeError, /unknown option "colour". Known options: redis, name, prefix/],
    [
      { ...base, keep: { completed: { count: -1 } } },
      RangeError,
      /keep.completed.count must be a whole number of at least 0; got -1/,
    ],
    [{ ...base, keep: { done: {} } }, TypeError, /keep: unknown option "done"/],
    [{ ...base, defaults: { attempts: 0 } }, RangeError, /defaults.attempts must be a whole number from 1 to 1000/],
    [{ ...base, defaults: { id: 'x' } }, TypeError, /defaults cannot set an id/],
    [
      { ...base, defaults: { backoff: { type: 'linear', delay: 1 } } },
      TypeError,
      /defaults.backoff.type must be one of 'fixed', 'exponential'/,
    ],
    [{ ...base, defaults: { backoff: { type: 'fixed' } } }, TypeError, /defaults.backoff.delay is required/],
    [
      { ...base, defaults: { backoff: { type: 'fixed', delay: 1, jitter: 2 } } },
      RangeError,
      /jitter must be a finite number from 0 to 1/,
    ],
    [{ ...base, onEvent: 'log' }, TypeError, /onEvent must be a function/],
    [{ ...base, redis: 'redis://localhost' }, TypeError, /redis must be an ioredis Redis or Cluster/],
  ])('%j', (options, type, message) => {
    expect(() => createQueue(options as never)).toThrow(type)
    expect(() => createQueue(options as never)).toThrow(message)
  })

  test('job options are checked at add; nothing is written for a bad one', async () => {
    const queue = createQueue({ ...base, name: 'opts-add' })
    await expect(queue.add(1, { priority: -1 })).rejects.toThrow(
      /add options.priority must be a whole number from 0 to 2097152/,
    )
    await expect(queue.add(1, { delay: 'soon' as never })).rejects.toThrow(
      /add options.delay: "soon" is not a duration/,
    )
    await expect(queue.add(1, { id: '' })).rejects.toThrow(/add options.id must be a string of 1 to 256 characters/)
    await expect(queue.add(1, { attemps: 3 } as never)).rejects.toThrow(/unknown option "attemps"/)
    await expect(queue.add(10n as never)).rejects.toThrow(/job data must be JSON-serialisable/)
    await expect(queue.addBulk([{ data: 1 }, { data: 2, options: { timeout: -5 } }])).rejects.toThrow(
      /addBulk\[1\] options.timeout/,
    )
    expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 })
  })

  test('worker, schedule and router options', () => {
    const queue = createQueue({ ...base, name: 'opts-worker' })
    expect(() => queue.process('handler' as never)).toThrow(/process\(handler\) needs a function/)
    expect(() => queue.process(() => 1, { concurrency: 0 })).toThrow(
      /concurrency must be a whole number from 1 to 10000; got 0/,
    )
    expect(() => queue.process(() => 1, { lease: 50 })).toThrow(/lease must be at least 100 ms/)
    expect(() => queue.process(() => 1, { lockDuration: 1 } as never)).toThrow(
      /unknown option "lockDuration"; use `lease`/,
    )
    expect(() => queue.schedule('d', { cron: 'every day' }, null)).toThrow(
      /schedule cron "every day" is not a cron expression/,
    )
    expect(() => queue.schedule('d', { every: 10 }, null)).toThrow(/every must be at least 100 ms/)
    expect(() => queue.schedule('d', {} as never, null)).toThrow(/schedule needs \{ cron/)
    expect(() => queue.router({} as never)).toThrow(/router needs authorize/)
    expect(() => queue.router({ authorize: true } as never)).toThrow(/router authorize must be a function/)
  })
})

test('without redis: the in-process backend, one warning for the process, shared by every queue of that name', async () => {
  const warnings: string[] = []
  const first = createQueue<number>({ name: 'no-redis', warn: (message) => warnings.push(message) })
  const second = createQueue<number>({ name: 'no-redis', warn: (message) => warnings.push(message) })
  const added = await first.add(7)
  expect((await second.getJob(added.id))?.data).toBe(7)
  expect(warnings).toHaveLength(1)
  expect(warnings[0]).toMatch(/no `redis` option, so jobs live in this process only/)
})
