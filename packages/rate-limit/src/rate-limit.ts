import { warnOnce } from '@rediware/redis'
import type { NextFunction, Request, Response } from 'express'
import { bindingPolicy, policyItems, retryAfterSeconds, setRateLimitHeaders } from './headers.js'
import { addressKey } from './ip-key.js'
import { type Decision, type Lease, Limiter } from './limiter.js'
import { type ResolvedOptions, resolveOptions } from './options.js'
import { setRequestInfo } from './request-info.js'
import type { PolicyState, RateLimitEvent, RateLimitInfo, RateLimitOptions, UpstashRatelimitLike } from './types.js'

/**
 * The middleware: an Express handler generic over the request's types, so the route parameters Express infers from the path (`/items/:id`) reach the handlers around it.
 */
export interface RateLimitMiddleware {
  <P, ResBody, ReqBody, ReqQuery, Locals extends Record<string, unknown>>(
    req: Request<P, ResBody, ReqBody, ReqQuery, Locals>,
    res: Response<ResBody, Locals>,
    next: NextFunction,
  ): void
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
  const ip = req.ip
  if (ip === undefined) {
    warnOnce(
      'ERR_RL_UNDEFINED_IP',
      '[@rediware/rate-limit] ERR_RL_UNDEFINED_IP: req.ip is undefined (socket closed or a non-HTTP transport); falling back to the socket address.',
      options.warn,
    )
  }
  return addressKey(ip, req, options.ipv6Subnet)
}

function toInfo(key: string, cost: number, decision: Decision): RateLimitInfo {
  const binding = bindingPolicy(decision.policies)
  const violated: string[] = []
  let longestWait = 0
  for (const policy of decision.policies) {
    if (policy.allowed) continue
    violated.push(policy.name)
    longestWait = Math.max(longestWait, policy.retryAfterMs < 0 ? policy.windowMs : policy.retryAfterMs)
  }
  const retryAfterMs = decision.allowed ? 0 : longestWait
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
    violated,
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

/** The default 429 body, built from constant parts (the same bytes JSON.stringify gives). */
function problemBody(statusCode: number, retryAfter: number, violated: readonly string[]): string {
  return `{"type":"${QUOTA_EXCEEDED}","title":"Too Many Requests","status":${statusCode},"detail":"Rate limit exceeded; retry in ${retryAfter} s.","violated-policies":${JSON.stringify(violated)}}`
}

function sendMessage(res: Response, message: unknown, info: RateLimitInfo, retryAfter: number, statusCode: number): void {
  if (typeof message === 'string') {
    res.type('text/plain').send(message)
  } else if (message !== undefined) {
    res.json(message)
  } else {
    // Written directly: res.send would hash the body for an ETag no 429 needs.
    const body = problemBody(statusCode, retryAfter, info.violated)
    res.setHeader('Content-Type', 'application/problem+json; charset=utf-8')
    res.setHeader('Content-Length', Buffer.byteLength(body))
    res.end(body)
  }
}

/** Answers a limited request; synchronous unless a `handler` or `message` function is configured. */
function sendLimited(req: Request, res: Response, next: NextFunction, info: RateLimitInfo, options: ResolvedOptions): void | Promise<void> {
  const retryAfter = retryAfterSeconds(info)
  res.setHeader('Retry-After', String(retryAfter))
  if (options.handler) {
    return Promise.resolve(options.handler(req, res, next, info)).then(() => undefined)
  }
  res.status(options.statusCode)
  const message = options.message
  if (typeof message === 'function') {
    return Promise.resolve(message(req, res, info)).then((value: unknown) => sendMessage(res, value, info, retryAfter, options.statusCode))
  }
  sendMessage(res, message, info, retryAfter, options.statusCode)
}

function report(onEvent: (event: RateLimitEvent) => void, decision: Decision, info: RateLimitInfo): void {
  const type = decision.source === 'deny-on-error' ? 'unavailable' : decision.allowed ? 'allowed' : 'limited'
  try {
    onEvent({ type, info })
  } catch {
    // A throwing hook must not fail the request.
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

  // The RateLimit-Policy list depends only on the configured policies: built once, for the decisions
  // without and with the concurrency slot.
  const configured = (name: string, limit: number, windowMs: number, kind: PolicyState['kind']): PolicyState => ({
    name, limit, windowMs, remaining: limit, resetMs: 0, retryAfterMs: 0, allowed: true, kind,
  })
  const rateStates = options.policies.map((policy) => configured(policy.name, policy.limit, policy.windowMs, 'rate'))
  const ratePolicyList = policyItems(rateStates).join(', ')
  const withSlotList = policyItems([...rateStates, configured('concurrency', options.concurrency ?? 0, 0, 'concurrency')]).join(', ')
  const policyListFor = (policies: readonly PolicyState[]): string | undefined => {
    if (!limiter) return undefined
    if (policies.length === options.policies.length) return ratePolicyList
    if (policies.length === options.policies.length + 1) return withSlotList
    return undefined
  }

  /** Headers, hooks and the answer for a decided request (synchronous unless a hook is async). */
  const respond = (req: Request, res: Response, next: NextFunction, key: string, cost: number, decision: Decision, lease: Lease | undefined): void | Promise<void> => {
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
    setRequestInfo(req, info)
    setRateLimitHeaders(res, options.headers, info, policyListFor(info.policies))

    if (options.onEvent) report(options.onEvent, decision, info)
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

  const acquireThenRespond = async (req: Request, res: Response, next: NextFunction, key: string, cost: number, decision: Decision, active: Limiter): Promise<void> => {
    const acquired = await active.acquire(key)
    let lease: Lease | undefined
    decision.policies = [...decision.policies, acquired.state]
    if (acquired.source !== 'redis') decision.source = acquired.source
    if (acquired.lease) lease = acquired.lease
    else {
      decision.allowed = acquired.source === 'allow-on-error'
      // The rate policies admitted and charged this request: give the charge back.
      if (decision.charge && !decision.allowed) void active.refund(decision.charge)
      decision.charge = undefined
    }
    await respond(req, res, next, key, cost, decision, lease)
  }

  const afterDecision = (req: Request, res: Response, next: NextFunction, key: string, cost: number, decision: Decision): void | Promise<void> => {
    if (limiter && options.concurrency !== undefined && decision.allowed && decision.source !== 'deny-on-error') {
      return acquireThenRespond(req, res, next, key, cost, decision, limiter)
    }
    return respond(req, res, next, key, cost, decision, undefined)
  }

  /** Decides and answers; a block-cache hit is answered synchronously, without Redis. */
  const limit = (req: Request, res: Response, next: NextFunction, key: string, cost: number): void | Promise<void> => {
    const blocked = limiter?.blocked(key, cost)
    if (blocked) return afterDecision(req, res, next, key, cost, blocked)
    const decision = limiter ? limiter.consume(key, cost) : decide(key, cost)
    return decision.then((decided) => afterDecision(req, res, next, key, cost, decided))
  }

  const handleWithHooks = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (options.skip && (await options.skip(req, res))) return next()
    if (options.allowList && (await options.allowList(req, res))) return next()
    const key = options.key ? await options.key(req, res) : defaultKey(req, options)
    if (typeof key !== 'string') throw new TypeError(`rateLimit: the key function must return a string; got ${typeof key}.`)
    const cost = typeof options.cost === 'function' ? await options.cost(req, res) : options.cost
    if (!Number.isInteger(cost) || cost < 0) {
      throw new RangeError(`rateLimit: the cost function must return a non-negative integer; got ${String(cost)}.`)
    }
    await limit(req, res, next, key, cost)
  }

  const fixedCost = typeof options.cost === 'number' ? options.cost : undefined
  const hooked = options.skip !== undefined || options.allowList !== undefined || options.key !== undefined

  const middleware = ((req: Request, res: Response, next: NextFunction) => {
    try {
      const pending = hooked || fixedCost === undefined ? handleWithHooks(req, res, next) : limit(req, res, next, defaultKey(req, options), fixedCost)
      if (pending) pending.catch(next)
    } catch (error) {
      next(error)
    }
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
