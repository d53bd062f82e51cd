import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Authenticator } from './auth.js'
import { CommandPolicy } from './command-policy.js'
import { Executor } from './executor.js'
import { resolveOptions, type UpstashLocalOptions } from './options.js'
import { RedisPool } from './pool.js'
import { RedisCommandTable } from './redis-commands.js'
import { ScriptRegistry } from './script-flags.js'
import { createRouter } from './server.js'
import { Subscriptions } from './sse.js'
import { describeError } from './errors.js'

export interface UpstashLocal {
  /** Base URL for `new Redis({ url, token })` / `UPSTASH_REDIS_REST_URL`. */
  url: string
  /** The read-write token (`UPSTASH_REDIS_REST_TOKEN`). */
  token: string
  /** The read-only token, when one was configured. */
  readonlyToken: string | undefined
  /** Stops accepting requests, ends open streams and keep-alive sockets, then closes every Redis connection. */
  close(): Promise<void>
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      const address = server.address()
      if (address === null || typeof address === 'string') reject(new Error('upstash-local: unexpected server address'))
      else resolve(address)
    })
  })
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

/** Starts an Upstash-REST-compatible server in front of the Redis at `redisUrl`. */
export async function startUpstashLocal(options: UpstashLocalOptions): Promise<UpstashLocal> {
  const settings = resolveOptions(options)
  const pool = await RedisPool.open({
    redisUrl: settings.redisUrl,
    size: settings.poolSize,
    connectTimeoutMs: settings.connectTimeoutMs,
    commandTimeoutMs: settings.commandTimeoutMs,
  })
  let table: RedisCommandTable
  try {
    table = RedisCommandTable.fromCommandReply(await pool.shared().callBuffer('COMMAND'))
  } catch (error) {
    await pool.close()
    throw new Error(`upstash-local: cannot read the command table of Redis (COMMAND): ${describeError(error)}`)
  }
  const policy = new CommandPolicy(table)
  const executor = new Executor(pool, new ScriptRegistry(), policy)
  const subscriptions = new Subscriptions(pool, settings.maxSubscriptions)
  const server = createServer(
    createRouter({
      auth: new Authenticator(settings.token, settings.readonlyToken),
      executor,
      policy,
      subscriptions,
      maxBodyBytes: settings.maxBodyBytes,
    }),
  )
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
  })

  let address: AddressInfo
  try {
    address = await listen(server, settings.port, settings.host)
  } catch (error) {
    await pool.close()
    const detail = describeError(error)
    throw new Error(`upstash-local: cannot listen on ${settings.host}:${settings.port}: ${detail}`)
  }

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      subscriptions.closeAll()
      server.closeIdleConnections()
      const force = setTimeout(() => server.closeAllConnections(), 2000)
      await stopped
      clearTimeout(force)
      await pool.close()
    })()
    return closing
  }

  return {
    url: `http://${urlHost(settings.host)}:${address.port}`,
    token: settings.token,
    readonlyToken: settings.readonlyToken,
    close,
  }
}
