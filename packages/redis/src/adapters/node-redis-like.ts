import type { ExpirySignal } from '../deadline.js'
import { hasMethods } from '../has-methods.js'

/** The public node-redis surface the adapter relies on (`redis` 5 and 6, `createClient` and `createCluster`). */
export type NodeRedisArg = string | Buffer

/**
 * node-redis' per-command options: how each RESP type is decoded, and an abort signal (of which
 * node-redis 5 and 6 read only `aborted`, `addEventListener` and `removeEventListener`).
 */
export interface NodeRedisCommandOptions {
  typeMapping?: Readonly<Record<number, unknown>>
  abortSignal?: ExpirySignal
}

export type NodeRedisListener = (message: string, channel: string) => void

interface NodeRedisCommon {
  readonly isOpen: boolean
  readonly options?: { keyPrefix?: string | Buffer }
  connect(): Promise<unknown>
  close?(): Promise<unknown>
  quit?(): Promise<unknown>
  destroy(): void
  on(event: string, listener: (...args: never[]) => void): unknown
  off(event: string, listener: (...args: never[]) => void): unknown
}

/** A client from `createClient()`. */
export interface NodeRedisClientLike extends NodeRedisCommon {
  readonly isReady: boolean
  sendCommand(args: readonly NodeRedisArg[], options?: NodeRedisCommandOptions): Promise<unknown>
  duplicate(overrides?: Record<string, unknown>): NodeRedisClientLike
  subscribe(channels: string | string[], listener: NodeRedisListener): Promise<unknown>
  unsubscribe(channels?: string | string[], listener?: NodeRedisListener): Promise<unknown>
}

/** A cluster from `createCluster()`. */
export interface NodeRedisClusterLike extends NodeRedisCommon {
  /** node-redis 6 only. */
  readonly isReady?: boolean
  sendCommand(
    firstKey: NodeRedisArg | undefined,
    isReadonly: boolean | undefined,
    args: readonly NodeRedisArg[],
    options?: NodeRedisCommandOptions,
  ): Promise<unknown>
  readonly masters: readonly object[]
  nodeClient(node: object): Promise<NodeRedisClientLike> | NodeRedisClientLike
  duplicate(overrides?: Record<string, unknown>): NodeRedisClusterLike
  sSubscribe(channels: string | string[], listener: NodeRedisListener): Promise<unknown>
  sUnsubscribe(channels: string | string[], listener?: NodeRedisListener): Promise<unknown>
}

export type NodeRedisLike = NodeRedisClientLike | NodeRedisClusterLike

/** A node-redis client or cluster (not legacy mode), recognised by its public API. */
export const isNodeRedisLike = (value: unknown): value is NodeRedisLike =>
  hasMethods(value, ['sendCommand', 'duplicate', 'withTypeMapping']) && typeof value.isOpen === 'boolean'

export const isNodeRedisCluster = (value: NodeRedisLike): value is NodeRedisClusterLike =>
  hasMethods(value, ['nodeClient']) && Array.isArray(value.masters)

/**
 * Whether a command can be written now. A cluster reconnects its nodes by itself; node-redis 6 says
 * when it has discovered its slots, node-redis 5 only whether it is open.
 */
export const isWritable = (client: NodeRedisLike): boolean =>
  isNodeRedisCluster(client) ? client.isOpen && client.isReady !== false : client.isReady

/** The event that says a connection became writable: a client's `ready`, a cluster's `connect`. */
export const readyEvent = (client: NodeRedisLike): string => (isNodeRedisCluster(client) ? 'connect' : 'ready')

/** The client's `keyPrefix` (node-redis 6), as text; node-redis 5 has none. */
export function keyPrefixOf(client: NodeRedisLike): string {
  const prefix = client.options?.keyPrefix
  if (prefix === undefined) return ''
  return typeof prefix === 'string' ? prefix : prefix.toString('utf8')
}
