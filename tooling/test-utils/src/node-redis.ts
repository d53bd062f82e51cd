import { fromNodeRedis } from '@rediware/redis'
import { createClient, createCluster } from 'redis'
import { createClient as createClient5, createCluster as createCluster5 } from 'redis5'
import type { Factory } from './backends.js'
import { ENV, requireEnv } from './env.js'
import { clusterNodes, suiteClientOptions } from './suite-client.js'

/**
 * The node-redis backends use `redis` 6 (RESP3, its default) unless `REDIWARE_TEST_NODE_REDIS=5`
 * picks `redis` 5 (RESP2, its default), so both majors and both protocols can run every suite.
 */
const useV5 = (): boolean => process.env.REDIWARE_TEST_NODE_REDIS === '5'

const newV6Client = (url: string) => createClient({ url })
const newV6Cluster = (rootNodes: { url: string }[]) => createCluster({ rootNodes })

/** The raw types are node-redis 6's; a node-redis 5 client is used through the same methods. */
export type NodeRedis = ReturnType<typeof newV6Client>
export type NodeRedisCluster = ReturnType<typeof newV6Cluster>

/** A socket error would otherwise be an unhandled 'error' event. */
const ignoreErrors = (): undefined => undefined

function newClient(): NodeRedis {
  const url = requireEnv(ENV.redisUrl)
  const client = useV5() ? (createClient5({ url }) as unknown as NodeRedis) : newV6Client(url)
  client.on('error', ignoreErrors)
  client.connect().catch(ignoreErrors)
  return client
}

function newCluster(): NodeRedisCluster {
  const rootNodes = clusterNodes().map(({ host, port }) => ({ url: `redis://${host}:${port}` }))
  const cluster = useV5() ? (createCluster5({ rootNodes }) as unknown as NodeRedisCluster) : newV6Cluster(rootNodes)
  cluster.on('error', ignoreErrors)
  return cluster
}

/** Resolves once a node-redis client is ready (commands sent meanwhile wait in its offline queue). */
async function clientReady(raw: NodeRedis): Promise<void> {
  await raw.ping()
}

export const nodeRedisFactory: Factory<NodeRedis> = {
  newRaw: newClient,
  wrap: (raw) => fromNodeRedis(raw, suiteClientOptions),
  ready: clientReady,
  close: (raw) => raw.destroy(),
  flushScripts: async (raw) => {
    await raw.sendCommand(['SCRIPT', 'FLUSH'])
  },
}

/** Connecting the cluster is what discovers its slots; a cluster from `newRaw()` connects by itself. */
const connecting = new WeakMap<NodeRedisCluster, Promise<unknown>>()

/**
 * Resolves once a node-redis cluster from `newRaw()` has discovered its slots: before that, its
 * commands fail with "The client is offline" (a cluster has no offline queue of its own).
 */
export async function clusterConnected(raw: NodeRedisCluster): Promise<void> {
  await connecting.get(raw)
}

export const nodeRedisClusterFactory: Factory<NodeRedisCluster> = {
  newRaw: () => {
    const cluster = newCluster()
    connecting.set(cluster, cluster.connect().catch(ignoreErrors))
    return cluster
  },
  wrap: (raw) => fromNodeRedis(raw, suiteClientOptions),
  ready: async (raw) => {
    await connecting.get(raw)
    if (!raw.isOpen) throw new Error('node-redis cluster did not connect.')
  },
  close: (raw) => raw.destroy(),
  flushScripts: async (raw) => {
    await Promise.all(
      raw.masters.map(async (master) => (await raw.nodeClient(master)).sendCommand(['SCRIPT', 'FLUSH'])),
    )
  },
}
