import { Cluster } from 'ioredis'
import { createRealtime } from '@rediware/realtime'
import { type Address, ENV, rawCommand, requireEnv, waitFor } from '@rediware/test-utils'

const parseNodes = (text: string): Address[] =>
  text.split(',').map((entry) => ({
    host: entry.slice(0, entry.lastIndexOf(':')),
    port: Number(entry.slice(entry.lastIndexOf(':') + 1)),
  }))

describe('realtime on Cluster', () => {
  it('spreads channels over the shards: each is its own hash tag, announced by sharded pub/sub on its master', async () => {
    const nodes = parseNodes(requireEnv(ENV.clusterNodes))
    const cluster = new Cluster(nodes)
    const prefix = `spread:${process.pid}:`
    const rt = createRealtime({ redis: cluster, prefix, timeout: '3 s', warn: () => undefined })
    try {
      const channels = Array.from({ length: 30 }, (_, index) => `room-${index}`)
      const received = new Set<string>()
      const stops = channels.map((channel) => rt.subscribe(channel, (event) => received.add(event.channel)))
      await Promise.all(stops.map((stop) => stop.ready))
      const masters = (
        (await rawCommand(nodes[0] as Address, ['CLUSTER', 'SLOTS'])) as [number, number, [string, number]][]
      ).map(([, , [host, port]]) => ({ host, port }))
      const perMaster = await Promise.all(
        masters.map(
          async (master) => ((await rawCommand(master, ['PUBSUB', 'SHARDCHANNELS', `${prefix}*`])) as string[]).length,
        ),
      )
      expect(perMaster.reduce((sum, count) => sum + count, 0)).toBe(30)
      expect(perMaster.every((count) => count > 0)).toBe(true)
      await Promise.all(channels.map((channel) => rt.publish(channel, { type: 'hello', data: channel })))
      await waitFor(() => received.size === 30, { description: 'an event on each of the 30 channels' })
      for (const stop of stops) stop()
    } finally {
      await rt.close()
      cluster.disconnect()
    }
  })
})
