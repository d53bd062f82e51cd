import { type Arg, memoryClient, type RedisClient, type Script } from '@rediware/redis'
import { describeBackends } from '@rediware/test-utils'
import { QueueKeys } from '../src/keys.js'
import { parseStoredJob } from '../src/record.js'
import { addScript } from '../src/scripts/add.js'
import { fireScript } from '../src/scripts/fire.js'
import { listScript } from '../src/scripts/list.js'
import { releaseScript } from '../src/scripts/release.js'
import { removeScript } from '../src/scripts/remove.js'
import { renewScript } from '../src/scripts/renew.js'
import { retryScript } from '../src/scripts/retry.js'
import { takeScript } from '../src/scripts/take.js'
import { beginScript } from '../src/idempotency/begin.js'
import { finishScript } from '../src/idempotency/finish.js'
import { uniqueName, sleep } from './helpers.js'

/** Fields that hold the server's clock: compared as "set or not", since the two runs differ in time. */
const timeFields = new Set(['addedAt', 'runAt', 'startedAt', 'finishedAt', 'now'])

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize)
  if (typeof value === 'string' && value.startsWith('{')) {
    const record = parseStoredJob(value)
    if (record) return normalize(record)
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== undefined)
        .map(([key, field]) => [
          key,
          timeFields.has(key) ? typeof field : key === 'nextAt' ? field === -1 : normalize(field),
        ]),
    )
  }
  return value
}

const template = (fields: Record<string, unknown>) =>
  JSON.stringify({ attempts: 2, backoffType: 'fixed', backoffDelay: 0, ...fields })
const keep = [-1, -1, -1, 1]
const take = (count: number, lease: number, settle: Arg[] = ['', '', '', '']) => [
  'w1',
  lease,
  count,
  0.5,
  ...keep,
  ...settle,
]

/**
 * One scenario through every script: adds with priorities, delays and a duplicate id; claims;
 * a completion, a failure with a retry, a failure for good, a stale token; renewals with progress;
 * a give-back; retry and remove; a schedule tick fired twice; a stall. Each step's reply, with the
 * clock left out, plus every set's listing at the end.
 */
async function scenario(client: RedisClient, prefix: string): Promise<unknown[]> {
  const shard = new QueueKeys(prefix, uniqueName('parity'), 1).shards[0]
  if (!shard) throw new Error('no shard')
  const steps: unknown[] = []
  const run = async <T>(script: Script<T>, args: Arg[]) => {
    const reply = await client.runScript(script, shard.keys, args)
    steps.push([script.name, normalize(reply)])
    return reply
  }
  const takeReply = (reply: unknown) =>
    reply as { now: number; nextAt: number; claimed: { id: string; token: string }[] }
  await run(addScript, [
    'a',
    '{"n":1}',
    template({ priority: 2 }),
    'b',
    '{"n":2}',
    template({}),
    'c',
    '"c"',
    template({ delay: 3_600_000 }),
  ])
  await run(addScript, ['a', '{"n":"dup"}', template({}), 'd', 'null', template({ priority: 2, timeout: 5000 })])
  const first = takeReply(await run(takeScript, take(2, 60_000)))
  const [b, a] = first.claimed
  await run(renewScript, [60_000, b?.id ?? '', b?.token ?? '', '{"step":1}', a?.id ?? '', 'stale-token', ''])
  await run(takeScript, take(1, 60_000, [b?.id ?? '', b?.token ?? '', 'c', '{"ok":true}']))
  await run(takeScript, take(0, 60_000, [a?.id ?? '', a?.token ?? '', 'f', 'Error: first']))
  await run(takeScript, take(0, 60_000, [a?.id ?? '', a?.token ?? '', 'c', 'late']))
  const second = takeReply(await run(takeScript, take(5, 60_000)))
  const d = second.claimed.find((job) => job.id === 'd')
  const again = second.claimed.find((job) => job.id === 'a')
  await run(releaseScript, [d?.id ?? '', d?.token ?? '', 'zzz', '1'])
  await run(takeScript, take(0, 60_000, [again?.id ?? '', again?.token ?? '', 'x', 'Error: for good']))
  await run(retryScript, ['a'])
  await run(retryScript, ['c'])
  await run(retryScript, ['nope'])
  await run(removeScript, ['b'])
  await run(removeScript, ['b'])
  await run(fireScript, ['digest', 1000, 'digest@1000', '{"d":1}', template({ name: 'digest' })])
  await run(fireScript, ['digest', 1000, 'digest@1000', '{"d":1}', template({ name: 'digest' })])
  await run(fireScript, ['digest', 500, 'digest@500', '{"d":1}', template({ name: 'digest' })])
  await run(takeScript, take(10, 1))
  await sleep(20)
  await run(takeScript, take(0, 1))
  for (const state of ['waiting', 'delayed', 'active', 'completed', 'failed']) await run(listScript, [state, 0, 50])
  return steps
}

/** The idempotency scripts: claim, busy, mismatch, store, replay, let go, a stale claim, garbage in the key. */
async function idempotencyScenario(client: RedisClient, prefix: string): Promise<unknown[]> {
  const key = `${prefix}${uniqueName('idem')}`
  const steps: unknown[] = []
  const run = async <T>(script: Script<T>, args: Arg[], at = key) => {
    steps.push([script.name, await client.runScript(script, [at], args)])
  }
  await run(beginScript, ['f1', 't1', 60_000])
  await run(beginScript, ['f1', 't2', 60_000])
  await run(beginScript, ['f2', 't3', 60_000])
  await run(finishScript, ['t-stale', '{"status":201}', 60_000])
  await run(finishScript, ['t1', '{"status":201}', 60_000])
  await run(beginScript, ['f1', 't4', 60_000])
  await run(finishScript, ['t1', '', 60_000])
  await run(beginScript, ['g', 't5', 60_000], `${key}:other`)
  await run(finishScript, ['t5', '', 60_000], `${key}:other`)
  await run(beginScript, ['g', 't6', 60_000], `${key}:other`)
  await client.set(`${key}:garbage`, 'not json')
  await run(beginScript, ['h', 't7', 60_000], `${key}:garbage`)
  return steps
}

// Every Lua script and its TypeScript twin (the memory backend) must answer the same and leave the
// same records.
describeBackends(
  'queue scripts and their local twins agree',
  (backend) => {
    test('one scenario through every script', async () => {
      const real = await scenario(backend.client(), backend.prefix)
      const twin = await scenario(memoryClient(), 'twin:')
      expect(real).toEqual(twin)
      expect(JSON.stringify(real)).toContain('lease')
    })

    test('the idempotency scripts', async () => {
      const real = await idempotencyScenario(backend.client(), backend.prefix)
      expect(real).toEqual(await idempotencyScenario(memoryClient(), 'twin:'))
      expect(real.map((step) => (step as [string, { kind?: string }])[1]?.kind ?? (step as unknown[])[1])).toEqual([
        'new',
        'busy',
        'mismatch',
        false,
        true,
        'done',
        false,
        'new',
        true,
        'new',
        'new',
      ])
    })
  },
  { only: ['ioredis', 'cluster', 'upstash'] },
)
