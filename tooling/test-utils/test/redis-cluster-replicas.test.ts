import {
  type Address,
  rawCommand,
  type ReplicatedClusterHandle,
  type RespValue,
  startReplicatedCluster,
} from '@rediware/test-utils'

const KEY_COUNT = 60
const keys = Array.from({ length: KEY_COUNT }, (_, index) => `replicated:${index}`)

function asList(reply: RespValue): RespValue[] {
  if (!Array.isArray(reply)) throw new Error(`expected an array reply, got ${JSON.stringify(reply)}`)
  return reply
}

/** Port of the master serving each slot range, from CLUSTER SLOTS. */
async function slotOwners(node: Address): Promise<{ start: number; end: number; port: number }[]> {
  return asList(await rawCommand(node, ['CLUSTER', 'SLOTS'])).map((range) => {
    const [start, end, master] = asList(range)
    return { start: Number(start), end: Number(end), port: Number(asList(master ?? [])[1]) }
  })
}

async function ownerOf(node: Address, key: string): Promise<number> {
  const slot = Number(await rawCommand(node, ['CLUSTER', 'KEYSLOT', key]))
  const range = (await slotOwners(node)).find((each) => each.start <= slot && slot <= each.end)
  if (range === undefined) throw new Error(`no master serves slot ${slot}`)
  return range.port
}

/** Every key a node holds (KEYS runs locally, on a replica too). */
async function keysOn(node: Address): Promise<string[]> {
  return asList(await rawCommand(node, ['KEYS', 'replicated:*']))
    .map(String)
    .sort()
}

/** For each master: its own keys and, for each of its replicas, the keys that replica holds. */
async function shards(
  cluster: ReplicatedClusterHandle,
): Promise<{ port: number; keys: string[]; replicas: string[][] }[]> {
  const masters = await cluster.masters()
  return Promise.all(
    masters.map(async (master) => {
      const replicas = await Promise.all(
        cluster.servers.map(async (server) => {
          const [role, , masterPort] = asList(await rawCommand(server, ['ROLE']))
          return role === 'slave' && Number(masterPort) === master.port ? [await keysOn(server)] : []
        }),
      )
      return { port: master.port, keys: await keysOn(master), replicas: replicas.flat() }
    }),
  )
}

/** Every written key is on the master of its slot and nowhere else, and each replica holds exactly its master's keys. */
async function expectEveryShardWhole(cluster: ReplicatedClusterHandle): Promise<void> {
  const first = cluster.servers[0] as Address
  const expected = new Map<number, string[]>()
  for (const key of keys) {
    const port = await ownerOf(first, key)
    expected.set(port, [...(expected.get(port) ?? []), key].sort())
  }
  const found = await shards(cluster)
  expect(found.map((shard) => ({ port: shard.port, keys: shard.keys })).sort((a, b) => a.port - b.port)).toEqual(
    [...expected].map(([port, owned]) => ({ port, keys: owned })).sort((a, b) => a.port - b.port),
  )
  for (const shard of found) expect(shard.replicas).toEqual([shard.keys])
}

describe('startReplicatedCluster', () => {
  let cluster: ReplicatedClusterHandle

  beforeAll(async () => {
    cluster = await startReplicatedCluster()
    const first = cluster.servers[0] as Address
    for (const key of keys) await rawCommand({ host: first.host, port: await ownerOf(first, key) }, ['SET', key, key])
  }, 60_000)

  afterAll(() => cluster?.stop())

  test('gives every node a dir of its own', async () => {
    const dirs = await Promise.all(
      cluster.servers.map(async (server) => String(asList(await rawCommand(server, ['CONFIG', 'GET', 'dir']))[1])),
    )
    expect(new Set(dirs).size).toBe(cluster.servers.length)
  })

  // All replicas full-sync at the same moment after a restart of every node: with a shared dir,
  // one could load another shard's snapshot (`dump.rdb`) and lose its own shard on the next failover.
  test("restartAll(): every replica holds its own master's keys afterwards", async () => {
    await cluster.restartAll()
    await expectEveryShardWhole(cluster)
  }, 60_000)

  test('failover(): the promoted replica serves its whole shard, and the old master rejoins as its replica', async () => {
    const { killedPort, promotedPort } = await cluster.failover()
    const masterPorts = (await cluster.masters()).map((master) => master.port)
    expect(masterPorts).toContain(promotedPort)
    expect(masterPorts).not.toContain(killedPort)
    const killed = cluster.servers.find((server) => server.port === killedPort) as Address
    const [role, , masterPort] = asList(await rawCommand(killed, ['ROLE']))
    expect({ role, masterPort: Number(masterPort) }).toEqual({ role: 'slave', masterPort: promotedPort })
    await expectEveryShardWhole(cluster)
  }, 60_000)
})
