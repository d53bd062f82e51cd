import { Cluster } from 'ioredis'
import { fromIoredis, keySlot, type RedisClient } from '@rediware/redis'
import {
  type Address,
  ENV,
  rawCommand,
  type ReplicatedClusterHandle,
  requireEnv,
  startReplicatedCluster,
  waitFor,
} from '@rediware/test-utils'

interface SlotRange {
  from: number
  to: number
  master: Address
}

async function slotRanges(node: Address): Promise<SlotRange[]> {
  const reply = (await rawCommand(node, ['CLUSTER', 'SLOTS'])) as [number, number, [string, number]][]
  return reply.map(([from, to, [host, port]]) => ({ from, to, master: { host, port } }))
}

/** One channel name per master: names whose slots fall in each master's ranges. */
function channelPerMaster(ranges: readonly SlotRange[], prefix: string): Map<string, string> {
  const byMaster = new Map<string, string>()
  for (let index = 0; byMaster.size < new Set(ranges.map((range) => range.master.port)).size; index += 1) {
    const channel = `${prefix}ch${index}`
    const slot = keySlot(channel)
    const range = ranges.find((candidate) => slot >= candidate.from && slot <= candidate.to)
    if (range && !byMaster.has(`${range.master.port}`)) byMaster.set(`${range.master.port}`, channel)
  }
  return byMaster
}

const parseNodes = (text: string): Address[] =>
  text.split(',').map((entry) => ({
    host: entry.slice(0, entry.lastIndexOf(':')),
    port: Number(entry.slice(entry.lastIndexOf(':') + 1)),
  }))

describe('sharded pub/sub on Cluster', () => {
  it('subscribes each channel on the master that owns its slot (channels spread over the shards)', async () => {
    const nodes = parseNodes(requireEnv(ENV.clusterNodes))
    const cluster = new Cluster(nodes)
    const client = fromIoredis(cluster, { timeout: 2000 })
    try {
      const ranges = await slotRanges(nodes[0] as Address)
      const channels = channelPerMaster(ranges, `spread:${Date.now()}:`)
      expect(channels.size).toBe(3)
      const received: string[] = []
      const subscription = client.subscribe([...channels.values()], (message) => received.push(message))
      await subscription.ready({ timeout: 10_000 })
      for (const [port, channel] of channels) {
        const master = ranges.find((range) => String(range.master.port) === port)?.master as Address
        expect(await rawCommand(master, ['PUBSUB', 'SHARDCHANNELS', channel])).toEqual([channel])
        expect(await client.publish(channel, `to ${port}`)).toBe(1)
      }
      await waitFor(() => received.length === 3, { description: 'one message per shard' })
      expect(received.sort()).toEqual([...channels.keys()].map((port) => `to ${port}`).sort())
      await subscription.close()
    } finally {
      await client.close()
      cluster.disconnect()
    }
  })
})

describe('sharded pub/sub through a failover (replicated Cluster)', () => {
  let handle: ReplicatedClusterHandle

  beforeAll(async () => {
    handle = await startReplicatedCluster()
  }, 60_000)

  afterAll(async () => {
    await handle?.stop()
  })

  it('moves the channels of a failed master to its promoted replica and calls onSubscribe again', async () => {
    const cluster = new Cluster([...handle.nodes], { redisOptions: { maxRetriesPerRequest: 1 } })
    const client: RedisClient = fromIoredis(cluster, { timeout: 2000, breaker: { failureThreshold: 1000 } })
    try {
      const ranges = await slotRanges(handle.nodes[0] as Address)
      const channels = [...channelPerMaster(ranges, 'failover:').values()]
      const received: string[] = []
      const subscribed: string[] = []
      const subscription = client.subscribe(channels, (message) => received.push(message), {
        onSubscribe: (list) => subscribed.push(...list),
      })
      await subscription.ready({ timeout: 10_000 })
      const result = await handle.failover()
      const moved = channels.find((channel) => {
        const slot = keySlot(channel)
        return ranges.some((range) => range.master.port === result.killedPort && slot >= range.from && slot <= range.to)
      })
      expect(moved).toBeDefined()
      await waitFor(() => subscribed.filter((channel) => channel === moved).length >= 2, {
        description: `${moved} subscribed again on the promoted master`,
        timeout: 20_000,
      })
      for (const channel of channels) {
        await waitFor(async () => (await client.publish(channel, `after:${channel}`).catch(() => 0)) === 1, {
          description: `a receiver on ${channel}`,
          timeout: 10_000,
        })
      }
      await waitFor(() => channels.every((channel) => received.includes(`after:${channel}`)), {
        description: 'every shard delivering after the failover',
      })
      await subscription.close()
    } finally {
      await client.close()
      cluster.disconnect()
    }
  }, 90_000)
})
