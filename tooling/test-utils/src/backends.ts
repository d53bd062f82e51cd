import { randomBytes } from 'node:crypto'
import { fromIoredis, fromUpstash, memoryClient, type RedisClient } from '@rediware/redis'
import { Redis as UpstashRedis } from '@upstash/redis'
import { Cluster, Redis } from 'ioredis'
import { ENV, requireEnv } from './env.js'
import { clusterNodes, redisOptions, suiteClientOptions } from './suite-client.js'
import { nodeRedisClusterFactory, nodeRedisFactory, type NodeRedis, type NodeRedisCluster } from './node-redis.js'

export type BackendName = 'ioredis' | 'cluster' | 'node-redis' | 'node-redis-cluster' | 'upstash' | 'memory'

/**
 * Every backend a suite runs on. node-redis over the local Cluster joins when
 * `REDIWARE_TEST_NODE_REDIS_CLUSTER=1` (it doubles the Cluster runs of every suite).
 */
export const backendNames: readonly BackendName[] = [
  'ioredis',
  'cluster',
  'node-redis',
  ...(process.env.REDIWARE_TEST_NODE_REDIS_CLUSTER === '1' ? (['node-redis-cluster'] as const) : []),
  'upstash',
  'memory',
]

const knownBackendNames: readonly BackendName[] = [
  'ioredis',
  'cluster',
  'node-redis',
  'node-redis-cluster',
  'upstash',
  'memory',
]

interface Backend<N extends BackendName, R> {
  readonly name: N
  /** Key prefix unique to this test file and backend, e.g. `t:ioredis:3f9a1c2b7d4e:`. */
  readonly prefix: string
  /** The suite's RedisClient, created in `beforeAll` and closed in `afterAll`. */
  client(): RedisClient
  /** The raw client under `client()`; undefined for memory. */
  raw(): R
  /** Another raw client on the same server; the caller closes it. Undefined for memory. */
  newRaw(): R
  /** SCRIPT FLUSH on every server behind this backend (no-op for memory, which has no script cache). */
  flushScripts(): Promise<void>
}

export type TestBackend =
  | Backend<'ioredis', Redis>
  | Backend<'cluster', Cluster>
  | Backend<'node-redis', NodeRedis>
  | Backend<'node-redis-cluster', NodeRedisCluster>
  | Backend<'upstash', UpstashRedis>
  | Backend<'memory', undefined>

export type RawClient = Redis | Cluster | NodeRedis | NodeRedisCluster | UpstashRedis | undefined

export interface DescribeBackendsOptions {
  /** Run only on these backends (say why in the test). Default: all of `backendNames`. */
  only?: readonly BackendName[]
}

function upstashRaw(): UpstashRedis {
  const url = process.env[ENV.upstashUrl]
  const token = process.env[ENV.upstashToken]
  if (!url || !token) {
    throw new Error(
      `${ENV.upstashUrl} is not set: the global setup did not start @rediware/upstash-local ` +
        '(see tooling/test-utils/src/upstash.ts), so the upstash backend cannot run.',
    )
  }
  return new UpstashRedis({ url, token, enableTelemetry: false })
}

/** Resolves once an ioredis Redis/Cluster is ready, so the first test never races the connection. */
function ready(raw: Redis | Cluster): Promise<void> {
  if (raw.status === 'ready') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onReady = () => {
      raw.off('error', onError)
      resolve()
    }
    const onError = (error: Error) => {
      raw.off('ready', onReady)
      reject(error)
    }
    raw.once('ready', onReady)
    raw.once('error', onError)
  })
}

export interface Factory<R> {
  newRaw(): R
  wrap(raw: R): RedisClient
  /** Waits until `raw` can serve commands. */
  ready(raw: R): Promise<void>
  close(raw: R): void
  flushScripts(raw: R): Promise<void>
}

const ioredisFactory: Factory<Redis> = {
  newRaw: () => new Redis(requireEnv(ENV.redisUrl), redisOptions),
  wrap: (raw) => fromIoredis(raw, suiteClientOptions),
  ready,
  close: (raw) => raw.disconnect(),
  flushScripts: async (raw) => {
    await raw.script('FLUSH')
  },
}

const clusterFactory: Factory<Cluster> = {
  newRaw: () => new Cluster(clusterNodes(), { redisOptions, enableOfflineQueue: true, lazyConnect: false }),
  wrap: (raw) => fromIoredis(raw, suiteClientOptions),
  ready,
  close: (raw) => raw.disconnect(),
  flushScripts: async (raw) => {
    await Promise.all(raw.nodes('master').map((node) => node.script('FLUSH')))
  },
}

const upstashFactory: Factory<UpstashRedis> = {
  newRaw: upstashRaw,
  wrap: (raw) => fromUpstash(raw, { timeout: 3000 }),
  ready: async (raw) => {
    await raw.ping()
  },
  close: () => undefined,
  flushScripts: async (raw) => {
    await raw.scriptFlush()
  },
}

const memoryFactory: Factory<undefined> = {
  newRaw: () => undefined,
  wrap: () => memoryClient(suiteClientOptions),
  ready: async () => undefined,
  close: () => undefined,
  flushScripts: async () => undefined,
}

/**
 * Body of one backend's describe block: the suite client is opened in a `beforeAll` registered before
 * `fn`'s hooks and closed in an `afterAll` registered after them, so `fn`'s own hooks can use it.
 */
function runBackend<N extends BackendName, R>(
  name: N,
  factory: Factory<R>,
  fn: (backend: Backend<N, R>) => void,
): void {
  let current: { client: RedisClient; raw: R } | undefined
  const need = () => {
    if (current === undefined) {
      throw new Error(`backend.client()/raw() for ${name} is only available inside tests and hooks (after beforeAll).`)
    }
    return current
  }
  beforeAll(async () => {
    const raw = factory.newRaw()
    try {
      await factory.ready(raw)
    } catch (error) {
      factory.close(raw)
      throw error
    }
    current = { raw, client: factory.wrap(raw) }
  })
  fn({
    name,
    prefix: `t:${name}:${randomBytes(6).toString('hex')}:`,
    client: () => need().client,
    raw: () => need().raw,
    newRaw: () => factory.newRaw(),
    flushScripts: () => factory.flushScripts(need().raw),
  })
  afterAll(async () => {
    if (current === undefined) return
    const { client, raw } = current
    current = undefined
    try {
      await client.close()
    } finally {
      factory.close(raw)
    }
  })
}

function runBackendNamed(name: BackendName, fn: (backend: TestBackend) => void): void {
  switch (name) {
    case 'ioredis':
      runBackend(name, ioredisFactory, fn)
      break
    case 'cluster':
      runBackend(name, clusterFactory, fn)
      break
    case 'node-redis':
      runBackend(name, nodeRedisFactory, fn)
      break
    case 'node-redis-cluster':
      runBackend(name, nodeRedisClusterFactory, fn)
      break
    case 'upstash':
      runBackend(name, upstashFactory, fn)
      break
    case 'memory':
      runBackend(name, memoryFactory, fn)
      break
  }
}

/**
 * Runs `fn` in one jest `describe` per backend (`title [ioredis]`, `[cluster]`, `[node-redis]`,
 * `[upstash]`, `[memory]`), each with its own client, created in `beforeAll`, closed in `afterAll`.
 * Upstash is always included: if upstash-local was not started its tests fail, saying so.
 */
export function describeBackends(
  title: string,
  fn: (backend: TestBackend) => void,
  options: DescribeBackendsOptions = {},
): void {
  const names = options.only ?? backendNames
  const unknown = names.filter((name) => !knownBackendNames.includes(name))
  if (unknown.length > 0) {
    throw new TypeError(
      `describeBackends: options.only has unknown backend(s) ${unknown.join(', ')}; use ${knownBackendNames.join(', ')}.`,
    )
  }
  for (const name of backendNames) {
    if (!names.includes(name)) continue
    describe(`${title} [${name}]`, () => runBackendNamed(name, fn))
  }
}
