import type { Deadline } from '../deadline.js'
import { RedisClientError } from '../errors.js'
import type { Command } from '../types.js'
import type { IoredisClusterLike, IoredisLike } from './ioredis-like.js'
import { keySlot } from './slots.js'

/**
 * True when the node's connection is up. A lazy one (`wait`, how a Cluster opens its node
 * connections) is told to connect now: a command handed to it would be parked until it is.
 */
function isConnected(node: IoredisLike): boolean {
  if (node.status === 'wait') node.connect().catch(() => undefined)
  return node.status === 'ready'
}

const RECHECK_MS = 20

/**
 * True when the Cluster can write `command` at once: the Cluster is ready and the master serving the
 * slot of the command's first key (for a keyless command, any master) has a live connection.
 * Otherwise ioredis would park the command, in the node's offline queue or in the Cluster's, and
 * write it once the node is back: after our deadline had already reported it as failed, so a write
 * the caller was told did not happen would happen later.
 */
export function clusterCanWrite(cluster: IoredisClusterLike, command: Command<unknown>, prefix: string): boolean {
  if (cluster.status !== 'ready') return false
  const masters = cluster.nodes('master')
  const keyIndex = command.keyIndexes[0]
  if (keyIndex === undefined) return masters.some(isConnected)
  const owner = cluster.slots?.[keySlot(prefix + String(command.args[keyIndex]))]?.[0]
  const node = owner === undefined ? undefined : masters.find((master) => nodeKey(master) === owner)
  // The slot's master left the pool (its connection ended): only a new slot map brings it back, and
  // ioredis asks for one on its own only when a command fails or on a slow timer.
  if (node === undefined) cluster.refreshSlotsCache?.()
  return node !== undefined && isConnected(node)
}

const nodeKey = (node: IoredisLike): string => `${node.options.host}:${node.options.port}`

/**
 * Resolves once `clusterCanWrite` holds, looking again every few milliseconds (a node coming back or
 * a new slot map after a failover has no single event to wait for); rejects when the deadline passes.
 */
export function whenClusterCanWrite(
  cluster: IoredisClusterLike,
  command: Command<unknown>,
  prefix: string,
  deadline: Deadline,
): Promise<void> {
  if (clusterCanWrite(cluster, command, prefix)) return Promise.resolve()
  if (cluster.status === 'end') return Promise.reject(closedError())
  const signal = deadline.signal
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (clusterCanWrite(cluster, command, prefix)) finish(resolve)
      else if (cluster.status === 'end') finish(() => reject(closedError()))
    }, RECHECK_MS)
    const onAbort = () => finish(() => reject(signal.reason))
    const finish = (settle: () => void) => {
      clearInterval(timer)
      signal.removeEventListener('abort', onAbort)
      settle()
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

const closedError = () => new RedisClientError('ERR_REDIS_UNAVAILABLE', 'The Redis Cluster connection has ended.')
