import { randomUUID } from 'node:crypto'
import { Cluster, type ClusterOptions } from 'ioredis'
import { commands, fromIoredis, keySlot, type RedisClient } from '@rediware/redis'
import {
  type Address,
  type RedisClusterHandle,
  type RedisServerHandle,
  rawCommand,
  startRedisCluster,
  waitFor,
} from '@rediware/test-utils'
import { expectOnlyTheControlWrote, withSetup } from './replay-check.js'

/**
 * ioredis' Cluster sends a command again on its own: after its node connection closed (while the
 * Cluster stays ready, every `retryDelayOnFailover`), after MOVED or CLUSTERDOWN, and from its
 * offline queue. Each test issues one write through the client and the same write straight through
 * ioredis (the control) to a key of the same slot, lets the deadline report the client's write
 * failed, brings the node back, and waits for ioredis to settle the control: by then it has sent
 * the client's write too (same slot, same connection, issued first), so its key shows whether that
 * write ran after it was reported failed.
 */
interface Setup {
  cluster: RedisClusterHandle
  redis: Cluster
  client: RedisClient
}

async function setUp(nodeTimeout: number, options: ClusterOptions): Promise<Setup> {
  const cluster = await startRedisCluster({ serverArgs: () => ['--cluster-node-timeout', String(nodeTimeout)] })
  const redis = new Cluster(
    cluster.nodes.map(({ host, port }) => ({ host, port })),
    { clusterRetryStrategy: () => 50, redisOptions: { maxRetriesPerRequest: 1 }, ...options },
  )
  redis.on('error', () => undefined)
  const client = fromIoredis(redis, { timeout: 150, breaker: { failureThreshold: 1000 } })
  await client.ping({ timeout: 5000 })
  return { cluster, redis, client }
}

async function tearDown({ cluster, redis, client }: Setup): Promise<void> {
  await client.close()
  redis.disconnect()
  await cluster.stop()
}

const everyNode = ({ cluster }: Setup, act: (server: RedisServerHandle) => Promise<void>): Promise<unknown> =>
  Promise.all(cluster.servers.map(act))

/** The node serving `key`'s slot, as CLUSTER SLOTS reports it. */
async function ownerOf(cluster: RedisClusterHandle, key: string): Promise<RedisServerHandle> {
  const [first] = cluster.nodes
  if (!first) throw new Error('The cluster has no nodes.')
  const ranges = (await rawCommand(first, ['CLUSTER', 'SLOTS'])) as [number, number, [string, number]][]
  const slot = keySlot(key)
  const range = ranges.find(([from, to]) => slot >= from && slot <= to)
  const server = cluster.servers.find((candidate) => candidate.port === range?.[2][1])
  if (!server) throw new Error(`No node serves slot ${slot}.`)
  return server
}

const clusterState = async (node: Address): Promise<string | undefined> => {
  const info = await rawCommand(node, ['CLUSTER', 'INFO']).catch(() => '')
  return /cluster_state:(\w+)/.exec(String(info))?.[1]
}

/** Two keys in one slot: one the client writes, one written straight through ioredis. */
function keyPair(): { guarded: string; control: string } {
  const tag = randomUUID()
  return { guarded: `replay:{${tag}}:guarded`, control: `replay:{${tag}}:control` }
}

const withCluster = (nodeTimeout: number, options: ClusterOptions, body: (setup: Setup) => Promise<void>) =>
  withSetup(() => setUp(nodeTimeout, options), tearDown, body)

/** The check for one SET through the client, with the control sent straight through ioredis after it. */
const afterOneWrite = (setup: Setup, guarded: string, controlKey: string, recover: () => Promise<void>) =>
  expectOnlyTheControlWrote({
    client: setup.client,
    writes: [setup.client.set(guarded, 'v')],
    guardedKeys: [guarded],
    control: setup.redis.set(controlKey, 'v'),
    controlKey,
    recover,
  })

/** The check once every node was paused (they read the writes and hold them), then killed and restarted. */
const afterEveryNodeDied = (setup: Setup, writes: Promise<unknown>[], guardedKeys: string[], controlKey: string) =>
  expectOnlyTheControlWrote({
    client: setup.client,
    writes,
    guardedKeys,
    control: setup.redis.set(controlKey, 'v'),
    controlKey,
    recover: async () => {
      await everyNode(setup, (server) => server.kill())
      await everyNode(setup, (server) => server.restart())
    },
  })

describe('a Cluster write reported failed is never written afterwards', () => {
  it('when ioredis retries it after its node connection closed, and the node comes back', () =>
    // Retries every 50 ms for as long as the test needs: the node is back long before they run out.
    withCluster(15_000, { retryDelayOnFailover: 50, maxRedirections: 1000 }, async (setup) => {
      const { guarded, control } = keyPair()
      const owner = await ownerOf(setup.cluster, guarded)
      await owner.kill()
      await afterOneWrite(setup, guarded, control, () => owner.restart())
    }))

  it('when ioredis retries it on CLUSTERDOWN, and the cluster recovers', () =>
    withCluster(1000, { retryDelayOnClusterDown: 50, maxRedirections: 1000 }, async (setup) => {
      const { guarded, control } = keyPair()
      const owner = await ownerOf(setup.cluster, guarded)
      const other = setup.cluster.servers.find((server) => server !== owner)
      if (!other) throw new Error('The cluster has one node.')
      // The guarded key's node stays up and answers CLUSTERDOWN while another master is down.
      await other.kill()
      await waitFor(async () => (await clusterState(owner)) === 'fail', {
        description: 'cluster_state:fail',
        timeout: 15_000,
        interval: 50,
      })
      await afterOneWrite(setup, guarded, control, () => other.restart())
    }))

  it('when it was written just before every node died, and ioredis sends it again once they are back', () =>
    withCluster(15_000, { retryDelayOnClusterDown: 50, maxRedirections: 1000 }, async (setup) => {
      const { guarded, control } = keyPair()
      await everyNode(setup, (server) => server.pause(10_000))
      await afterEveryNodeDied(setup, [setup.client.set(guarded, 'v')], [guarded], control)
    }))

  it('in a batch, the same way', () =>
    withCluster(15_000, { retryDelayOnClusterDown: 50, maxRedirections: 1000 }, async (setup) => {
      const { guarded, control } = keyPair()
      const keys = [guarded, `${guarded}:2`]
      await everyNode(setup, (server) => server.pause(10_000))
      await afterEveryNodeDied(setup, [setup.client.batch(keys.map((key) => commands.set(key, 'v')))], keys, control)
    }))
})
