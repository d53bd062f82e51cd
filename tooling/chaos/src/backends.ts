import { randomBytes } from 'node:crypto'
import {
  type RedisServerHandle,
  type ReplicatedClusterHandle,
  startRedisServer,
  startReplicatedCluster,
} from '@rediware/test-utils'
import { startUpstashLocal, type UpstashLocal } from '@rediware/upstash-local'

export type ChaosBackendName = 'ioredis' | 'cluster' | 'upstash'
export const chaosBackendNames: readonly ChaosBackendName[] = ['ioredis', 'cluster', 'upstash']

export interface ChaosBackend {
  name: ChaosBackendName
  /** What the app processes read through `createClient(env)`. */
  env: Record<string, string>
  /** Every redis-server of the backend (behind upstash-local for Upstash). */
  servers(): readonly RedisServerHandle[]
  /** Servers that take writes now (Cluster masters change with failovers). */
  primaries(): Promise<readonly RedisServerHandle[]>
  cluster?: ReplicatedClusterHandle
  /** Stops upstash-local, waits `downMs`, starts it again on the same port. */
  restartUpstash?: (downMs: number) => Promise<void>
  stop(): Promise<void>
}

// appendfsync always: a killed server restarts with every acknowledged write, so a lost
// session after a restart is the middleware's fault, not the test setup's.
const persistence = ['--appendonly', 'yes', '--appendfsync', 'always']

async function standalone(): Promise<ChaosBackend> {
  const server = await startRedisServer({ args: persistence })
  return {
    name: 'ioredis',
    env: { REDIS_URL: server.url },
    servers: () => [server],
    primaries: async () => [server],
    stop: () => server.stop(),
  }
}

async function cluster(): Promise<ChaosBackend> {
  const handle = await startReplicatedCluster()
  return {
    name: 'cluster',
    env: { REDIS_CLUSTER_NODES: handle.nodesString },
    servers: () => handle.servers,
    primaries: () => handle.masters(),
    cluster: handle,
    stop: () => handle.stop(),
  }
}

async function upstash(): Promise<ChaosBackend> {
  const server = await startRedisServer({ args: persistence })
  const token = randomBytes(24).toString('hex')
  let local: UpstashLocal
  try {
    local = await startUpstashLocal({ redisUrl: server.url, token, port: 0 })
  } catch (error) {
    await server.stop()
    throw error
  }
  const port = Number(new URL(local.url).port)
  return {
    name: 'upstash',
    env: { UPSTASH_REDIS_REST_URL: local.url, UPSTASH_REDIS_REST_TOKEN: token },
    servers: () => [server],
    primaries: async () => [server],
    async restartUpstash(downMs) {
      await local.close()
      await new Promise((resolve) => setTimeout(resolve, downMs))
      local = await startUpstashLocal({ redisUrl: server.url, token, port })
    },
    async stop() {
      await local.close().catch(() => undefined)
      await server.stop()
    },
  }
}

export function startChaosBackend(name: ChaosBackendName): Promise<ChaosBackend> {
  if (name === 'ioredis') return standalone()
  if (name === 'cluster') return cluster()
  return upstash()
}
