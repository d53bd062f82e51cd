import { hasMethods } from '../has-methods.js'

/** The public ioredis surface the adapter relies on (ioredis 5 and 6 `Redis` and `Cluster`). */
export type IoredisArg = string | Buffer | number

/**
 * An ioredis `Command` (ioredis 5 and 6): what a command method builds and hands to `sendCommand`.
 * ioredis writes it with the bytes `toWritable` returns, whenever and however often it sends it.
 */
export interface IoredisCommandLike {
  readonly promise: Promise<unknown>
  toWritable(socket: unknown): string | Buffer
}

/** `replyEncoding`: `'utf8'` for string replies (`call`), `null` for Buffers (`callBuffer`). */
export interface IoredisCommandOptions {
  keyPrefix?: string
  replyEncoding: 'utf8' | null
  /** Where the call was made, for ioredis' `showFriendlyErrorStack`. */
  errorStack?: Error
}

export type IoredisCommandClass = new (
  name: string,
  args: IoredisArg[],
  options: IoredisCommandOptions,
) => IoredisCommandLike

export interface IoredisPipelineLike {
  /** Queues a built command (`Pipeline#sendCommand`). */
  sendCommand(command: IoredisCommandLike): IoredisPipelineLike
  exec(): Promise<[Error | null, unknown][] | null>
}

/** The connection's socket, as ioredis exposes it (`redis.stream`). */
export interface SocketLike {
  cork?(): void
  uncork?(): void
}

/** A connection in subscriber mode (an ioredis `Redis` made by `duplicate()`). */
export interface SubscriberConnectionLike {
  readonly status: string
  connect(): Promise<void>
  disconnect(): void
  subscribe(...channels: string[]): Promise<unknown>
  unsubscribe(...channels: string[]): Promise<unknown>
  /** ioredis 5.3 and newer. */
  ssubscribe?(...channels: string[]): Promise<unknown>
  sunsubscribe?(...channels: string[]): Promise<unknown>
  on(event: string, listener: (...args: never[]) => void): unknown
  removeAllListeners(event?: string): unknown
}

export interface IoredisLike {
  status: string
  readonly stream?: SocketLike
  readonly isCluster: boolean
  readonly options: { keyPrefix?: string; host?: string; port?: number; showFriendlyErrorStack?: boolean }
  /** A new connection with the same options (`Redis#duplicate`); the subscriber connection. */
  duplicate?(override?: Record<string, unknown>): SubscriberConnectionLike
  call(command: string, ...args: IoredisArg[]): Promise<unknown>
  callBuffer(command: string, ...args: IoredisArg[]): Promise<unknown>
  /** Sends a built command; ioredis' own command methods end here. */
  sendCommand(command: IoredisCommandLike): Promise<unknown>
  pipeline(): IoredisPipelineLike
  once(event: string, listener: (...args: unknown[]) => void): unknown
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown
  connect(): Promise<void>
  quit(): Promise<unknown>
  disconnect(): void
}

export interface IoredisClusterLike extends IoredisLike {
  readonly isCluster: true
  nodes(role: 'master' | 'slave' | 'all'): IoredisLike[]
  /** Per slot, the node keys (`host:port`) serving it, master first. */
  readonly slots?: readonly (readonly string[] | undefined)[]
  refreshSlotsCache?(callback?: (error?: Error | null) => void): void
  on?(event: string, listener: (...args: never[]) => void): unknown
  off?(event: string, listener: (...args: never[]) => void): unknown
}

export const isIoredisLike = (value: unknown): value is IoredisLike =>
  hasMethods(value, ['callBuffer', 'pipeline', 'once']) &&
  typeof value.status === 'string' &&
  typeof value.isCluster === 'boolean'

export const isIoredisCluster = (value: IoredisLike): value is IoredisClusterLike =>
  value.isCluster && hasMethods(value, ['nodes'])
