import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findExecutable } from './executable.js'
import { findFreePort } from './free-port.js'
import { type Address, rawCommand } from './raw-command.js'
import { type RedisServerHandle, startRedisServer } from './redis-server.js'
import { waitFor } from './wait-for.js'

export interface RedisClusterOptions {
  /** Number of masters; at least 3 (redis-cli refuses fewer). Default 3. */
  masters?: number
  /** Replicas per master. Default 0. */
  replicas?: number
  /** How long to wait for `cluster_state:ok` on every node, in ms. Default 20 000. */
  readyTimeout?: number
  /** Extra redis-server arguments per node, from its port. Default none. */
  serverArgs?: (port: number) => readonly string[]
}

export interface RedisClusterHandle {
  readonly nodes: readonly Address[]
  /** `host:port,host:port,...` (the format of REDIS_CLUSTER_NODES). */
  readonly nodesString: string
  readonly pids: readonly number[]
  /** One handle per node, to kill or pause a single node in a test. */
  readonly servers: readonly RedisServerHandle[]
  /** Stops every node and removes the cluster's temp dir. */
  stop(): Promise<void>
}

function run(file: string, args: readonly string[], timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

/** Parses the `key:value` lines of CLUSTER INFO. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trim()
  }
  return fields
}

async function clusterReady(node: Address, total: number): Promise<boolean> {
  const reply = await rawCommand(node, ['CLUSTER', 'INFO'])
  const info = parseInfo(typeof reply === 'string' ? reply : '')
  return info.cluster_state === 'ok' && info.cluster_slots_ok === '16384' && info.cluster_known_nodes === String(total)
}

/**
 * Starts `masters * (1 + replicas)` cluster-enabled servers, each in its own dir under one temp dir,
 * joins them with `redis-cli --cluster create`, and resolves once every node reports `cluster_state:ok`.
 * Own dirs matter: a replica's full sync writes the master's snapshot to `dump.rdb` in its dir and
 * loads it from there, so two replicas syncing at once in a shared dir could load each other's shard.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const { masters = 3, replicas = 0, readyTimeout = 20_000, serverArgs = () => [] } = options
  if (!Number.isInteger(masters) || masters < 3)
    throw new RangeError(`masters must be an integer >= 3; got ${masters}.`)
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new RangeError(`replicas must be an integer >= 0; got ${replicas}.`)
  const cli = findExecutable('redis-cli')
  const dir = mkdtempSync(join(tmpdir(), 'rediware-cluster-'))
  const servers: RedisServerHandle[] = []
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const total = masters * (1 + replicas)
    const started = await Promise.all(
      Array.from({ length: total }, async () => {
        const port = await findFreePort()
        const nodeDir = join(dir, `node-${port}`)
        const args = [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(nodeDir, 'nodes.conf'),
          ...serverArgs(port),
        ]
        const server = await startRedisServer({ port, dir: nodeDir, args })
        servers.push(server)
        return server
      }),
    )
    const addresses = started.map(({ host, port }) => `${host}:${port}`)
    await run(
      cli,
      ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'],
      readyTimeout,
    )
    await Promise.all(
      started.map((node) =>
        waitFor(() => clusterReady(node, total), {
          description: `cluster_state:ok on ${node.host}:${node.port}`,
          timeout: readyTimeout,
          interval: 50,
        }),
      ),
    )
    return {
      nodes: started.map(({ host, port }) => ({ host, port })),
      nodesString: addresses.join(','),
      pids: started.map((server) => server.pid),
      servers: started,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
