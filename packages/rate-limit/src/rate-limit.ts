import { warnOnce } from '@rediware/redis'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { bindingPolicy, retryAfterSeconds, setRateLimitHeaders } from './headers.js'
import { ipKey } from './ip-key.js'
import { type Decision, type Lease, Limiter } from './limiter.js'
import { type ResolvedOptions, resolveOptions } from './options.js'
import type { PolicyState, RateLimitInfo, RateLimitOptions, UpstashRatelimitLike } from './types.js'

export interface RateLimitMiddleware extends RequestHandler {
  /** Forgets everything counted for `key` (as returned by the `key` option; default the normalised IP). */
  reset(key: string): Promise<void>
  /** The state of `key` per policy, without charging it. */
  get(key: string): Promise<PolicyState[]>
}

const QUOTA_EXCEEDED = 'https://iana.org/assignments/http-problem-types#quota-exceeded'

function defaultKey(req: Request, options: ResolvedOptions): string {
  const trust: unknown = req.app?.get('trust proxy')
  if (trust === true) {
    warnOnce(
      'ERR_RL_PERMISSIVE_TRUST_PROXY',
      "[@rediware/rate-limit] ERR_RL_PERMISSIVE_TRUST_PROXY: app.set('trust proxy', true) trusts every X-Forwarded-For hop, so any client can choose its own rate-limit key. Set the number of proxies (e.g. 1) or their addresses instead.",
      options.warn,
    )
  } else if (!trust && req.headers['x-forwarded-for'] !== undefined) {
    warnOnce(
      'ERR_RL_UNEXPECTED_X_FORWARDED_FOR',
      "[@rediware/rate-limit] ERR_RL_UNEXPECTED_X_FORWARDED_FOR: a request carries X-Forwarded-For but 'trust proxy' is off, so every client behind the proxy shares one key (the proxy's). If the app is behind a proxy, app.set('trust proxy', 1).",
      options.warn,
    )
  }
  if (req.ip === undefined) {
    warnOnce(
      'ERR_RL_UNDEFINED_IP',
      '[@rediware/rate-limit] ERR_RL_UNDEFINED_IP: req.ip is undefined (socket closed or a non-HTTP transport); falling back to the socket address.',
      options.warn,
    )
  }
  return ipKey(req, { ipv6Subnet: options.ipv6Subnet })
}

function toInfo(key: string, cost: number, decision: Decision): RateLimitInfo {
  const binding = bindingPolicy(decision.policies)
  const violated = decision.policies.filter((policy) => !policy.allowed)
  const retryAfterMs = decision.allowed
    ? 0
    : Math.max(0, ...violated.map((policy) => (policy.retryAfterMs < 0 ? policy.windowMs : policy.retryAfterMs)))
  return {
    key,
    allowed: decision.allowed,
    cost,
    limit: binding?.limit ?? 0,
    remaining: binding?.remaining ?? 0,
    resetMs: binding?.resetMs ?? 0,
    retryAfterMs,
    policies: decision.policies,
    source: decision.source,
    violated: violated.map((policy) => policy.name),
  }
}

async function upstashDecision(limiter: UpstashRatelimitLike, key: string, cost: number): Promise<Decision> {
  const result = await limiter.limit(key, cost === 1 ? undefined : { rate: cost })
  result.pending?.catch(() => undefined)
  const resetMs = Math.max(0, result.reset - Date.now())
  return {
    allowed: result.success,
    source: 'upstash',
    policies: [
      {
        name: 'default',
        limit: result.limit,
        windowMs: resetMs,
        remaining: Math.max(0, result.remaining),
        resetMs,
        retryAfterMs: result.success ? 0 : Math.max(1, resetMs),
        allowed: result.success,
      },
    ],
  }
}

async function sendLimited(req: Request, res: Response, next: NextFunction, info: RateLimitInfo, options: ResolvedOptions) {
  res.setHeader('Retry-After', String(retryAfterSeconds(info)))
  if (options.handler) {
    await options.handler(req, res, next, info)
    return
  }
  res.status(options.statusCode)
  const message = typeof options.message === 'function' ? await options.message(req, res, info) : options.message
  if (typeof message === 'string') {
    res.type('text/plain').send(message)
  } else if (message !== undefined) {
    res.json(message)
  } else {
    res.type('application/problem+json').send(
      JSON.stringify({
        type: QUOTA_EXCEEDED,
        title: 'Too Many Requests',
        status: options.statusCode,
        detail: `Rate limit exceeded; retry in ${retryAfterSeconds(info)} s.`,
        'violated-policies': info.violated,
      }),
    )
  }
}

function sendUnavailable(res: Response): void {
  res.status(503).setHeader('Retry-After', '1')
  res.type('application/problem+json').send(
    JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'The rate limiter cannot reach its store.' }),
  )
}

/**
 * Express middleware that counts requests per key in Redis (one atomic script call per request) and
 * answers 429 once any policy is exhausted. See the README for options and failure behaviour.
 */
export function rateLimit(input: RateLimitOptions): RateLimitMiddleware {
  const options = resolveOptions(input)
  const limiter = options.client ? new Limiter(options, options.client) : undefined
  const upstash = options.upstash

  let upstashOutage = false
  const decide = async (key: string, cost: number): Promise<Decision> => {
    if (limiter) return limiter.consume(key, cost)
    if (!upstash) throw new Error('rateLimit: no store configured.')
    let timer: NodeJS.Timeout | undefined
    try {
      const pending = upstashDecision(upstash, key, cost)
      const decision = await (options.timeout === undefined
        ? pending
        : Promise.race([
            pending,
            new Promise<never>((_resolve, reject) => {
              timer = setTimeout(() => reject(new Error(`@upstash/ratelimit did not answer within ${options.timeout} ms.`)), options.timeout)
            }),
          ]))
      upstashOutage = false
      return decision
    } catch (error) {
      if (!upstashOutage) {
        upstashOutage = true
        try {
          options.onError(error)
        } catch {
          // A throwing hook must not fail the request.
        }
      }
      // No local copy of the Ratelimit's policy exists: 'fallback' behaves like 'allow' here.
      const allowed = options.onStoreError !== 'deny'
      return { allowed, source: allowed ? 'allow-on-error' : 'deny-on-error', policies: [] }
    } finally {
      clearTimeout(timer)
    }
  }

  const handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (options.skip && (await options.skip(req, res))) return next()
    if (options.allowList && (await options.allowList(req, res))) return next()
    const key = options.key ? await options.key(req, res) : defaultKey(req, options)
    if (typeof key !== 'string') throw new TypeError(`rateLimit: the key function must return a string; got ${typeof key}.`)
    const cost = typeof options.cost === 'function' ? await options.cost(req, res) : options.cost
    if (!Number.isInteger(cost) || cost < 0) {
      throw new RangeError(`rateLimit: the cost function must return a non-negative integer; got ${String(cost)}.`)
    }
    const decision = await decide(key, cost)
    let lease: Lease | undefined
    if (limiter && options.concurrency !== undefined && decision.allowed && decision.source !== 'deny-on-error') {
      const acquired = await limiter.acquire(key)
      decision.policies = [...decision.policies, acquired.state]
      if (acquired.source !== 'redis') decision.source = acquired.source
      if (acquired.lease) lease = acquired.lease
      else {
        decision.allowed = acquired.source === 'allow-on-error'
        // The rate policies admitted and charged this request: give the charge back.
        if (decision.charge && !decision.allowed) void limiter.refund(decision.charge)
        decision.charge = undefined
      }
    }
    if (limiter && lease) {
      const held = lease
      let released = false
      const release = () => {
        if (released) return
        released = true
        void limiter.release(held)
      }
      res.once('finish', release)
      res.once('close', release)
    }
    const info = toInfo(key, cost, decision)
    req.rateLimit = info
    setRateLimitHeaders(res, options.headers, info)

    if (decision.source === 'deny-on-error' && !options.dryRun) return sendUnavailable(res)
    if (!decision.allowed && decision.source !== 'deny-on-error') {
      options.onLimited?.(req, info)
      if (!options.dryRun) return sendLimited(req, res, next, info, options)
    }

    const charge = decision.charge
    if (limiter && charge && (options.skipSuccessfulRequests || options.skipFailedRequests)) {
      let settled = false
      const settle = (finished: boolean) => {
        if (settled) return
        settled = true
        const success = finished && options.requestWasSuccessful(req, res)
        if ((success && options.skipSuccessfulRequests) || (!success && options.skipFailedRequests)) {
          void limiter.refund(charge)
        }
      }
      res.once('finish', () => settle(true))
      res.once('close', () => settle(res.writableFinished))
    }
    next()
  }

  const middleware = ((req: Request, res: Response, next: NextFunction) => {
    handle(req, res, next).catch(next)
  }) as RateLimitMiddleware
  middleware.reset = async (key: string) => {
    if (limiter) return limiter.reset(key)
    await upstash?.resetUsedTokens?.(key)
  }
  middleware.get = async (key: string) => {
    if (!limiter) throw new TypeError('rateLimit: get() is not available with limiter (use the Ratelimit instance).')
    return limiter.get(key)
  }
  return middleware
}
