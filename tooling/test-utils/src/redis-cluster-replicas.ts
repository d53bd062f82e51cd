import { type Address, rawCommand } from './raw-command.js'
import { parseInfo, type RedisClusterHandle, startRedisCluster } from './redis-cluster.js'
import type { RedisServerHandle } from './redis-server.js'
import { waitFor } from './wait-for.js'

export interface ReplicatedClusterOptions {
  /** `cluster-node-timeout` in ms: how long a silent master stays a master. Default 2000. */
  nodeTimeout?: number
  /** Append-only file with `appendfsync always`, so a killed node comes back with its data. Default true. */
  persistent?: boolean
  /** How long to wait for the cluster (and for a failover) to settle, in ms. Default 30 000. */
  readyTimeout?: number
}

export interface FailoverResult {
  /** Port of the master that was killed (now back as a replica). */
  killedPort: number
  /** Port of the replica that took over. */
  promotedPort: number
  /** ms from the kill until the replica was master and every live node reported `cluster_state:ok`. */
  promotionMs: number
}

export interface ReplicatedClusterHandle extends RedisClusterHandle {
  /** Current masters, from CLUSTER NODES (roles change with failovers). */
  masters(): Promise<RedisServerHandle[]>
  /** SIGKILLs one master, waits until its replica is promoted, restarts it and waits until it is a synced replica. */
  failover(): Promise<FailoverResult>
  /** SIGKILLs every node, restarts them all, waits for `cluster_state:ok` everywhere. */
  restartAll(): Promise<void>
}

interface NodeLine {
  id: string
  port: number
  role: 'master' | 'slave'
  masterId: string
  failed: boolean
}

async function clusterNodes(node: Address): Promise<NodeLine[]> {
  const reply = await rawCommand(node, ['CLUSTER', 'NODES'])
  return String(reply)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', masterId = ''] = line.split(' ')
      const port = Number(address.split('@')[0]?.split(':').pop())
      return { id, port, role: flags.includes('master') ? 'master' : 'slave', masterId, failed: flags.includes('fail') }
    })
}

async function healthy(node: Address, total: number): Promise<boolean> {
  const info = parseInfo(String(await rawCommand(node, ['CLUSTER', 'INFO'])))
  if (info.cluster_state !== 'ok' || info.cluster_known_nodes !== String(total)) return false
  const nodes = await clusterNodes(node)
  if (nodes.some((each) => each.failed) || nodes.filter((each) => each.role === 'master').length !== total / 2)
    return false
  // A replica that never finished its first sync cannot take over: its data is "too old".
  const replication = parseInfo(String(await rawCommand(node, ['INFO', 'replication'])))
  return replication.role === 'master' || replication.master_link_status === 'up'
}

/**
 * A local Cluster of 3 masters with one replica each, tuned for failover tests: a short node timeout
 * and (by default) persistence, so a killed node restarts with its data.
 */
export async function startReplicatedCluster(options: ReplicatedClusterOptions = {}): Promise<ReplicatedClusterHandle> {
  const { nodeTimeout = 2000, persistent = true, readyTimeout = 30_000 } = options
  const cluster = await startRedisCluster({
    masters: 3,
    replicas: 1,
    readyTimeout,
    serverArgs: () => [
      ...['--cluster-node-timeout', String(nodeTimeout)],
      ...(persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : []),
    ],
  })
  const total = cluster.servers.length
  const byPort = (port: number) => cluster.servers.find((server) => server.port === port)
  const allHealthy = (servers: readonly RedisServerHandle[]) =>
    Promise.all(
      servers.map((server) =>
        waitFor(() => healthy(server, total), {
          description: `a healthy cluster on port ${server.port}`,
          timeout: readyTimeout,
          interval: 50,
        }),
      ),
    )

  const masters = async (): Promise<RedisServerHandle[]> => {
    const lines = await clusterNodes(cluster.servers[0] as RedisServerHandle)
    return lines.filter((line) => line.role === 'master' && !line.failed).flatMap((line) => byPort(line.port) ?? [])
  }

  const failover = async (): Promise<FailoverResult> => {
    const lines = await clusterNodes(cluster.servers[0] as RedisServerHandle)
    const master = lines.find((line) => line.role === 'master' && lines.some((other) => other.masterId === line.id))
    const replica = lines.find((line) => line.masterId === master?.id)
    const victim = master && byPort(master.port)
    const heir = replica && byPort(replica.port)
    if (!victim || !heir) throw new Error('failover(): no master with a replica in CLUSTER NODES')
    const started = Date.now()
    await victim.kill()
    const survivors = cluster.servers.filter((server) => server !== victim)
    await waitFor(async () => parseInfo(String(await rawCommand(heir, ['INFO', 'replication']))).role === 'master', {
      description: `replica on port ${heir.port} to be promoted`,
      timeout: readyTimeout,
      interval: 50,
    })
    await Promise.all(
      survivors.map((server) =>
        waitFor(async () => parseInfo(String(await rawCommand(server, ['CLUSTER', 'INFO']))).cluster_state === 'ok', {
          description: `cluster_state:ok on port ${server.port} after the failover`,
          timeout: readyTimeout,
          interval: 50,
        }),
      ),
    )
    const promotionMs = Date.now() - started
    await victim.restart()
    await allHealthy(cluster.servers)
    return { killedPort: victim.port, promotedPort: heir.port, promotionMs }
  }

  const restartAll = async (): Promise<void> => {
    await Promise.all(cluster.servers.map((server) => server.kill()))
    await Promise.all(cluster.servers.map((server) => server.restart()))
    await allHealthy(cluster.servers)
  }

  try {
    // `--cluster create` returns before every node has heard of every replica.
    await allHealthy(cluster.servers)
  } catch (error) {
    await cluster.stop()
    throw error
  }
  return { ...cluster, masters, failover, restartAll }
}
