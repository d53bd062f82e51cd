import {
  type Address,
  ENV,
  isAlive,
  rawCommand,
  type RespValue,
  requireEnv,
  startRedisCluster,
} from '@rediware/test-utils'

const parseNodes = (value: string): Address[] =>
  value.split(',').map((entry) => {
    const [host = '', port = ''] = entry.split(':')
    return { host, port: Number(port) }
  })

/** [start, end, [host, port, id], ...replicas] per range, from CLUSTER SLOTS. */
function slotRanges(reply: RespValue): { start: number; end: number; port: number }[] {
  if (!Array.isArray(reply)) throw new Error('CLUSTER SLOTS did not return an array')
  return reply.map((range) => {
    if (!Array.isArray(range)) throw new Error('bad slot range')
    const [start, end, master] = range
    if (typeof start !== 'number' || typeof end !== 'number' || !Array.isArray(master))
      throw new Error('bad slot range')
    return { start, end, port: Number(master[1]) }
  })
}

describe('the global setup cluster', () => {
  const nodes = parseNodes(requireEnv(ENV.clusterNodes))

  test('has 3 masters that cover all 16384 slots', async () => {
    expect(nodes).toHaveLength(3)
    const [first] = nodes
    if (!first) throw new Error('no nodes')
    const ranges = slotRanges(await rawCommand(first, ['CLUSTER', 'SLOTS']))
    const covered = new Set<number>()
    for (const { start, end } of ranges) for (let slot = start; slot <= end; slot++) covered.add(slot)
    expect(covered.size).toBe(16384)
    expect(new Set(ranges.map((range) => range.port))).toEqual(new Set(nodes.map((node) => node.port)))
  })

  test('every node reports cluster_state:ok', async () => {
    for (const node of nodes) {
      await expect(rawCommand(node, ['CLUSTER', 'INFO'])).resolves.toMatch(/cluster_state:ok/)
    }
  })
})

describe('startRedisCluster', () => {
  test('starts, joins and stops a cluster, leaving no process behind', async () => {
    const cluster = await startRedisCluster({ masters: 3 })
    try {
      expect(cluster.nodes).toHaveLength(3)
      expect(cluster.nodesString).toBe(cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(','))
      const info = await rawCommand(cluster.nodes[0] ?? { host: '', port: 0 }, ['CLUSTER', 'INFO'])
      expect(info).toMatch(/cluster_size:3/)
      expect(cluster.pids.every(isAlive)).toBe(true)
    } finally {
      await cluster.stop()
    }
    expect(cluster.pids.some(isAlive)).toBe(false)
  })

  test('rejects fewer than 3 masters', async () => {
    await expect(startRedisCluster({ masters: 2 })).rejects.toThrow(RangeError)
  })
})
