import { startUpstashLocal, type UpstashLocal } from '@rediware/upstash-local'
import { Redis } from 'ioredis'
import { startRedis, type TestRedis } from './redis-server.js'

export const TOKEN = 'T'
export const READONLY = 'R'

export interface Harness {
  redis: TestRedis
  server: UpstashLocal
  io: Redis
  stop(): Promise<void>
}

/** redis-server + upstash-local (tokens T and R) + an ioredis client on the same Redis. */
export async function startHarness(extra: { maxBodyBytes?: number } = {}): Promise<Harness> {
  const redis = await startRedis()
  const server = await startUpstashLocal({ redisUrl: redis.url, token: TOKEN, readonlyToken: READONLY, ...extra })
  const io = new Redis(redis.url)
  return {
    redis,
    server,
    io,
    stop: async () => {
      io.disconnect()
      await server.close()
      await redis.stop()
    },
  }
}

export interface RestReply {
  status: number
  json: unknown
  text: string
  headers: Headers
}

export interface RestOptions {
  b64?: boolean
  /** `null` sends no Authorization header. */
  token?: string | null
  headers?: Record<string, string>
  method?: string
  /** A raw body instead of JSON. */
  raw?: string
}

export async function rest(base: string, path: string, body?: unknown, options: RestOptions = {}): Promise<RestReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers }
  const token = options.token === undefined ? TOKEN : options.token
  if (token !== null) headers.authorization = `Bearer ${token}`
  if (options.b64) headers['upstash-encoding'] = 'base64'
  const method = options.method ?? 'POST'
  const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body))
  const res = await fetch(base + path, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : payload,
  })
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, json, text, headers: res.headers }
}

export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64')
}
