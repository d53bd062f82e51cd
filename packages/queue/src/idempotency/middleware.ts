import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type Duration,
  hashKeyPart,
  type HookOptions,
  KeyLayout,
  type OptionNames,
  optionReader,
  OutageReporter,
  type RedisInput,
  resolveHooks,
  resolveRedisOption,
} from '@rediware/redis'
import type { RequestHandler } from '../router/http.js'
import { captureResponse, replay, type StoredResponse } from './capture.js'
import { requestFingerprint } from './fingerprint.js'
import { type BeginOutcome, beginScript } from './begin.js'
import { finishScript } from './finish.js'

export type IdempotencyEvent =
  | { type: 'stored'; key: string; status: number }
  | { type: 'replayed'; key: string; status: number }
  | { type: 'conflict'; key: string; reason: 'in-flight' | 'different-request' }
  | { type: 'not-stored'; key: string; status: number }

export interface IdempotencyOptions<Req extends IncomingMessage = IncomingMessage>
  extends HookOptions<IdempotencyEvent> {
  /** ioredis `Redis`/`Cluster`, node-redis client/cluster, `@upstash/redis` `Redis`, or a `RedisClient`. Omitted: in-process (one warning). */
  redis?: RedisInput
  /** How long a finished response is replayed for its key. Default `'24 h'`, at most `'30 d'`. */
  ttl?: Duration
  /** How long a request that never finishes (its process died) holds its key. Default `'1 m'`. */
  lockTimeout?: Duration
  /** Scope of keys, e.g. the user: the same key from two users is two keys. Default: one scope. */
  scope?: (req: Req) => string | undefined
  /** Answer 400 to requests without an Idempotency-Key. Default false: they pass through unprotected. */
  required?: boolean
  /** Largest response body stored for replay, in bytes; past it only the status and headers are replayed. Default 1 MB. */
  maxBodySize?: number
  /** When Redis fails: `'fail'` answers 503 (the default; no duplicate can slip through), `'pass'` runs the request unprotected. */
  onUnavailable?: 'fail' | 'pass'
  /** Key prefix. Default `'idempotency:'`. */
  prefix?: string
  /** Deadline of each Redis call. Default: the client's. */
  timeout?: Duration
}

const reader = optionReader('@rediware/queue: idempotency')
const names: OptionNames<IdempotencyOptions> = {
  redis: true,
  ttl: true,
  lockTimeout: true,
  scope: true,
  required: true,
  maxBodySize: true,
  onUnavailable: true,
  prefix: true,
  timeout: true,
  onError: true,
  onEvent: true,
  warn: true,
}
const MAX_TTL = 30 * 86_400_000
const validKey = /^[\x21-\x7e]{1,255}$/
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

function problem(res: ServerResponse, status: number, title: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: title })
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  })
  res.end(body)
}

/**
 * Idempotency-Key for POST (and other unsafe) routes, with Stripe's semantics: the same key and the
 * same request replays the stored response (`Idempotent-Replayed: true`); the same key with another
 * request → 422; the same key while the first request runs → 409. Responses of 5xx are not stored,
 * so a failed request can be retried. Put it after your body parser.
 */
export function idempotency<Req extends IncomingMessage = IncomingMessage>(
  input: IdempotencyOptions<Req> = {},
): RequestHandler<Req> {
  const options = reader.object<IdempotencyOptions<Req>>(input, names as OptionNames<IdempotencyOptions<Req>>, {
    example: "{ redis, ttl: '24 h' }",
  })
  const hooks = resolveHooks<IdempotencyEvent>(reader, options)
  const warn = reader.fn<(message: string) => void>(options.warn, 'warn', '(message) => void') ?? console.warn
  const client = resolveRedisOption(reader, options.redis, {
    code: 'idempotency-memory-backend',
    warning:
      '@rediware/queue: idempotency() has no `redis` option, so keys live in this process only (not shared between instances).',
    warn,
  })
  const ttl = reader.duration(options.ttl, 'ttl', 86_400_000)
  if (ttl > MAX_TTL) throw reader.rangeError(`ttl must be at most 30 days; got ${ttl} ms.`)
  const lockTimeout = reader.duration(options.lockTimeout, 'lockTimeout', 60_000)
  const scope = reader.fn<(req: Req) => string | undefined>(options.scope, 'scope', '(req) => string | undefined')
  const required = reader.boolean(options.required, 'required', false)
  const maxBodySize = reader.integer(options.maxBodySize, 'maxBodySize', 1_048_576, { min: 0 })
  const onUnavailable = reader.oneOf(options.onUnavailable, 'onUnavailable', ['fail', 'pass'] as const, 'fail')
  const timeout = reader.optionalDuration(options.timeout, 'timeout')
  const layout = new KeyLayout(reader.prefix(options.prefix, 'prefix', 'idempotency:'))
  const outage = new OutageReporter({ onOutage: (error) => hooks.error(error) })
  outage.follow(client)
  const call = timeout === undefined ? {} : { timeout }

  async function handle(req: Req, res: ServerResponse, next: (error?: unknown) => void): Promise<void> {
    if (safeMethods.has(req.method ?? 'GET')) return next()
    const header = req.headers['idempotency-key']
    if (header === undefined) {
      if (required) return problem(res, 400, 'This request needs an Idempotency-Key header.')
      return next()
    }
    if (typeof header !== 'string' || !validKey.test(header)) {
      return problem(res, 400, 'Idempotency-Key must be 1 to 255 visible ASCII characters.')
    }
    const body = (req as { body?: unknown }).body
    if (body === undefined && req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') {
      hooks.warnOnce(
        'no-body',
        '@rediware/queue: idempotency() found no req.body: put a body parser (express.json()) before it, or requests that differ only in their body count as the same.',
      )
    }
    const url = (req as { originalUrl?: unknown }).originalUrl
    const fingerprint = requestFingerprint(req.method ?? 'POST', typeof url === 'string' ? url : (req.url ?? ''), body)
    const key = layout.key(hashKeyPart(`${scope?.(req) ?? ''}\n${header}`))
    const token = randomBytes(12).toString('base64url')
    let begun: BeginOutcome
    try {
      begun = await client.runScript(beginScript, [key], [fingerprint, token, lockTimeout], call)
      outage.succeeded()
    } catch (error) {
      outage.failed(error)
      if (onUnavailable === 'pass') return next()
      return problem(res, 503, 'Idempotency keys are unavailable; retry shortly.', { 'Retry-After': '1' })
    }
    if (begun.kind === 'mismatch') {
      hooks.event({ type: 'conflict', key: header, reason: 'different-request' })
      return problem(res, 422, 'This Idempotency-Key was used with a different request.')
    }
    if (begun.kind === 'busy') {
      hooks.event({ type: 'conflict', key: header, reason: 'in-flight' })
      return problem(res, 409, 'A request with this Idempotency-Key is still being processed.', { 'Retry-After': '1' })
    }
    if (begun.kind === 'done') {
      const stored = JSON.parse(begun.response) as StoredResponse
      hooks.event({ type: 'replayed', key: header, status: stored.status })
      return replay(res, stored)
    }
    captureResponse(res, maxBodySize, (response) => {
      // A 5xx lets the key go, so the client can retry what failed.
      const keepIt = response.status < 500
      hooks.event(
        keepIt
          ? { type: 'stored', key: header, status: response.status }
          : { type: 'not-stored', key: header, status: response.status },
      )
      // Stored before the response leaves: a client that has the answer and retries gets the replay.
      return client.runScript(finishScript, [key], [token, keepIt ? JSON.stringify(response) : '', ttl], call).then(
        () => outage.succeeded(),
        (error: unknown) => outage.failed(error),
      )
    })
    next()
  }

  return (req, res, next) => {
    handle(req, res, next).catch(next)
  }
}
