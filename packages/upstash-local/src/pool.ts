import { Redis, type RedisOptions } from 'ioredis'
import { asError, describeError } from './errors.js'

/**
 * A fixed set of Redis connections.
 * - Plain commands and pipelines go round-robin to connections that are not lent out.
 * - A transaction borrows a connection exclusively (`lease`) so that nothing else is ever sent on it
 *   between MULTI and EXEC. At most `size - 1` connections are lent at once, so plain commands always
 *   have a connection; further transactions wait in line.
 * - Connections fail fast while Redis is unreachable (no offline queue), so requests get a 5xx at
 *   once instead of hanging; ioredis keeps reconnecting in the background.
 */
export interface PoolSettings {
  redisUrl: string
  size: number
  connectTimeoutMs: number
  commandTimeoutMs: number
  /** Transactions that may wait for a connection at once; more are refused (503). Default 1000. */
  maxWaitingTransactions?: number
}

export interface Lease {
  connection: Redis
  release(): void
}

function connectionOptions(settings: PoolSettings): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    // Upstash answers as Redis does over RESP2: ioredis 6 speaks RESP3 by default, where a double
    // (ZSCORE) arrives as a JS string instead of a Buffer and would skip base64 encoding.
    protocol: 2,
    // Replies stay RESP2-shaped: integers arrive as digit strings, strings as Buffers (callBuffer).
    stringNumbers: true,
    maxRetriesPerRequest: 1,
    // disconnect() of a connection still connecting waits this long before destroying the socket.
    disconnectTimeout: 100,
    connectTimeout: settings.connectTimeoutMs,
    commandTimeout: settings.commandTimeoutMs,
    retryStrategy: (times: number) => Math.min(times * 100, 1000),
  }
}

/** Connects, or rejects with the most telling error (e.g. `connect ECONNREFUSED …`, not `Connection is closed.`). */
async function connectOrThrow(connection: Redis, settings: PoolSettings): Promise<void> {
  let firstError: Error | undefined
  const onError = (error: unknown) => {
    const found = asError(error)
    if (found !== undefined) firstError ??= new Error(found.message)
  }
  connection.on('error', onError)
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${settings.connectTimeoutMs} ms`)),
      settings.connectTimeoutMs,
    )
    timer.unref()
  })
  try {
    await Promise.race([connection.connect(), timeout])
  } catch (error) {
    // The socket's own error may be emitted just after the close that rejected connect().
    await new Promise((resolve) => setImmediate(resolve))
    throw firstError ?? error
  } finally {
    clearTimeout(timer)
    connection.off('error', onError)
  }
}

function safeUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@')
}

export class RedisPool {
  private readonly leased = new Set<Redis>()
  private readonly waiting: Array<(connection: Redis) => void> = []
  private readonly extra = new Set<Redis>()
  private next = 0
  private closed = false
  /** The last connection error seen, for clearer 5xx messages. */
  lastError: Error | undefined

  private constructor(
    private readonly settings: PoolSettings,
    private readonly connections: Redis[],
  ) {
    for (const connection of connections) this.watch(connection)
  }

  /** Opens every connection; rejects with a clear message when Redis cannot be reached. */
  static async open(settings: PoolSettings): Promise<RedisPool> {
    const connections = Array.from(
      { length: settings.size },
      () => new Redis(settings.redisUrl, connectionOptions(settings)),
    )
    const pool = new RedisPool(settings, connections)
    try {
      await Promise.all(connections.map((connection) => connectOrThrow(connection, settings)))
    } catch (error) {
      for (const connection of connections) connection.disconnect()
      const reason = describeError(error)
      throw new Error(`upstash-local: cannot reach Redis at ${safeUrl(settings.redisUrl)}: ${reason}`)
    }
    return pool
  }

  private watch(connection: Redis): void {
    connection.on('error', (error: unknown) => {
      const found = asError(error)
      if (found !== undefined) this.lastError = new Error(found.message)
    })
  }

  /** A connection for plain commands (never one lent to a transaction). */
  shared(): Redis {
    const count = this.connections.length
    for (let attempt = 0; attempt < count; attempt++) {
      const connection = this.connections[(this.next + attempt) % count]
      if (connection !== undefined && !this.leased.has(connection)) {
        this.next = (this.next + attempt + 1) % count
        return connection
      }
    }
    throw new Error('upstash-local: no free Redis connection (pool invariant broken)')
  }

  /** Borrows a connection exclusively (for MULTI … EXEC). Always call `release()`. */
  async lease(): Promise<Lease> {
    if (this.closed) throw new Error('upstash-local: server is closing')
    const connection =
      this.leased.size < this.connections.length - 1
        ? this.connections.find((candidate) => !this.leased.has(candidate))
        : undefined
    if (connection === undefined && this.waiting.length >= (this.settings.maxWaitingTransactions ?? 1000)) {
      throw new Error(
        `upstash-local: too many transactions waiting for a connection (${this.waiting.length}); retry shortly`,
      )
    }
    const chosen = connection ?? (await new Promise<Redis>((resolve) => this.waiting.push(resolve)))
    this.leased.add(chosen)
    let released = false
    return {
      connection: chosen,
      release: () => {
        if (released) return
        released = true
        this.leased.delete(chosen)
        const waiter = this.waiting.shift()
        if (waiter !== undefined) waiter(chosen)
      },
    }
  }

  /** A new dedicated connection (for a subscriber); closed with the pool. */
  async dedicated(): Promise<Redis> {
    const connection = new Redis(this.settings.redisUrl, {
      ...connectionOptions(this.settings),
      commandTimeout: undefined,
    })
    this.watch(connection)
    this.extra.add(connection)
    connection.once('end', () => this.extra.delete(connection))
    try {
      await connectOrThrow(connection, this.settings)
    } catch (error) {
      this.release(connection)
      throw error
    }
    return connection
  }

  /** Closes a dedicated connection. */
  release(connection: Redis): void {
    this.extra.delete(connection)
    connection.disconnect()
  }

  /** Ends every connection: QUIT where Redis answers, a hard disconnect otherwise. */
  async close(): Promise<void> {
    this.closed = true
    const all = [...this.connections, ...this.extra]
    this.extra.clear()
    await Promise.all(
      all.map(async (connection) => {
        if (connection.status === 'ready') {
          let timer: NodeJS.Timeout | undefined
          await Promise.race([
            connection.quit().catch(() => undefined),
            new Promise((resolve) => {
              timer = setTimeout(resolve, 1000)
            }),
          ])
          clearTimeout(timer)
        }
        connection.disconnect()
      }),
    )
  }
}
