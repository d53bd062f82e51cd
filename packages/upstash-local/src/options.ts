/** Options of {@link startUpstashLocal}, parsed and validated once. */
export interface UpstashLocalOptions {
  /** Redis to forward to, e.g. `redis://127.0.0.1:6379` (also `rediss://`, `redis://:pass@host/2`). */
  redisUrl: string
  /** Read-write REST token clients must send as `Authorization: Bearer <token>` or `?_token=`. */
  token: string
  /** Optional read-only token: read commands only; writes, scripts and dangerous commands get `NOPERM`. */
  readonlyToken?: string
  /** TCP port to listen on; 0 (the default) picks a free port. */
  port?: number
  /** Interface to bind; default `127.0.0.1`. */
  host?: string
  /** Largest accepted request body in bytes; larger bodies get 413. Default 10 MiB. */
  maxBodyBytes?: number
  /** Number of pooled Redis connections (at least 2: one is never lent to a transaction). Default 4. */
  poolSize?: number
  /** Open SSE streams (`/subscribe`, `/psubscribe`) allowed at once, each with its own Redis connection; more get 429. Default 256. */
  maxSubscriptions?: number
  /** How long to wait for Redis when starting, in ms. Default 3000. */
  connectTimeoutMs?: number
  /** Per-command deadline in ms; a command still unanswered then fails with a 5xx. Default 10000. */
  commandTimeoutMs?: number
}

export interface ResolvedOptions {
  redisUrl: string
  token: string
  readonlyToken: string | undefined
  port: number
  host: string
  maxBodyBytes: number
  poolSize: number
  maxSubscriptions: number
  connectTimeoutMs: number
  commandTimeoutMs: number
}

function intOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`upstash-local: option "${name}" must be an integer, got ${String(value)}`)
  }
  if (value < min || value > max) {
    throw new RangeError(`upstash-local: option "${name}" must be between ${min} and ${max}, got ${value}`)
  }
  return value
}

function tokenOption(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`upstash-local: option "${name}" must be a non-empty string (the REST token clients send)`)
  }
  if (/\s/.test(value)) {
    throw new TypeError(`upstash-local: option "${name}" must not contain whitespace`)
  }
  return value
}

export function resolveOptions(input: UpstashLocalOptions): ResolvedOptions {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('upstash-local: options must be an object like { redisUrl, token }')
  }
  const { redisUrl } = input
  if (typeof redisUrl !== 'string' || !/^rediss?:\/\//.test(redisUrl)) {
    throw new TypeError(`upstash-local: option "redisUrl" must be a redis:// or rediss:// URL, got ${String(redisUrl)}`)
  }
  const token = tokenOption('token', input.token)
  const readonlyToken =
    input.readonlyToken === undefined ? undefined : tokenOption('readonlyToken', input.readonlyToken)
  if (readonlyToken === token) {
    throw new TypeError('upstash-local: option "readonlyToken" must differ from "token"')
  }
  const host = input.host ?? '127.0.0.1'
  if (typeof host !== 'string' || host.length === 0) {
    throw new TypeError('upstash-local: option "host" must be a non-empty string such as "127.0.0.1"')
  }
  return {
    redisUrl,
    token,
    readonlyToken,
    host,
    port: intOption('port', input.port, 0, 0, 65535),
    maxBodyBytes: intOption('maxBodyBytes', input.maxBodyBytes, 10 * 1024 * 1024, 1, 2 ** 31),
    poolSize: intOption('poolSize', input.poolSize, 4, 2, 256),
    maxSubscriptions: intOption('maxSubscriptions', input.maxSubscriptions, 256, 0, 100_000),
    connectTimeoutMs: intOption('connectTimeoutMs', input.connectTimeoutMs, 3000, 1, 600_000),
    commandTimeoutMs: intOption('commandTimeoutMs', input.commandTimeoutMs, 10_000, 1, 3_600_000),
  }
}
