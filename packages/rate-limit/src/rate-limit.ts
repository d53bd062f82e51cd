import { warnOnce } from '@rediware/redis'
import type { NextFunction, Request, Response } from 'express'
import { DecisionCore } from './create-limiter.js'
import { policyItems, setRateLimitHeaders } from './headers.js'
import { toInfo } from './info.js'
import { addressKey } from './ip-key.js'
import { sendLimited, sendUnavailable } from './limited-response.js'
import type { Decision, Limiter } from './limiter.js'
import { type ResolvedOptions, resolveOptions } from './options.js'
import type { Lease } from './slots.js'
import type { PolicyState, RateLimitEvent, RateLimitInfo, RateLimitOptions } from './types.js'

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
  /** Alias of `reset` (express-rate-limit's name). */
  resetKey(key: string): Promise<void>
  /** The state of `key` per policy, without charging it; `limit` is the limit to read against when `limit` is a function. */
  get(key: string, limit?: number): Promise<PolicyState[]>
}

/** A request whose key and cost are known: what deciding and answering it need. */
interface KeyedRequest {
  req: Request
  res: Response
  next: NextFunction
  key: string
  cost: number
}

function report(onEvent: (event: RateLimitEvent) => void, decision: Decision, info: RateLimitInfo): void {
  const type = decision.source === 'deny-on-error' ? 'unavailable' : decision.allowed ? 'allowed' : 'limited'
  try {
    onEvent({ type, info })
  } catch {
    // A throwing hook must not fail the request.
  }
}

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

/**
 * Express middleware that counts requests per key in Redis (one atomic script call per request) and
 * answers 429 once any policy is exhausted. See the README for options and failure behaviour.
 */
export function rateLimit(input: RateLimitOptions): RateLimitMiddleware {
  const options = resolveOptions(input)
  const core = new DecisionCore(options)
  const limiter = core.redis

  // The RateLimit-Policy list depends only on the configured policies: built once, for the decisions
  // without and with the concurrency slot.
  const configured = (name: string, limit: number, windowMs: number, kind: PolicyState['kind']): PolicyState => ({
    name,
    limit,
    windowMs,
    remaining: limit,
    resetMs: 0,
    retryAfterMs: 0,
    allowed: true,
    kind,
  })
  const rateStates = options.policies.map((policy) => configured(policy.name, policy.limit, policy.windowMs, 'rate'))
  const ratePolicyList = policyItems(rateStates).join(', ')
  const withSlotList = policyItems([
    ...rateStates,
    configured('concurrency', options.concurrency ?? 0, 0, 'concurrency'),
  ]).join(', ')
  const policyListFor = (policies: readonly PolicyState[]): string | undefined => {
    if (!limiter || options.limitFn) return undefined
    if (policies.length === options.policies.length) return ratePolicyList
    if (policies.length === options.policies.length + 1) return withSlotList
    return undefined
  }

  /** Headers, hooks and the answer for a decided request (synchronous unless a hook is async). */
  const respond = (keyed: KeyedRequest, decision: Decision, lease: Lease | undefined): void | Promise<void> => {
    const { req, res, next, key, cost } = keyed
    if (limiter && lease) {
      const held = lease
      let released = false
      const release = () => {
        if (released) return
        released = true
        void limiter.slots.release(held)
      }
      res.once('finish', release)
      res.once('close', release)
    }
    const info = toInfo(key, cost, decision)
    // A property of this request, as express-rate-limit sets it: nothing shared in the process changes.
    ;(req as unknown as Record<string, unknown>)[options.requestPropertyName] = info
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

  const acquireThenRespond = async (keyed: KeyedRequest, decision: Decision, active: Limiter): Promise<void> => {
    const acquired = await active.slots.acquire(keyed.key)
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
    await respond(keyed, decision, lease)
  }

  const afterDecision = (keyed: KeyedRequest, decision: Decision): void | Promise<void> => {
    if (limiter && options.concurrency !== undefined && decision.allowed && decision.source !== 'deny-on-error') {
      return acquireThenRespond(keyed, decision, limiter)
    }
    return respond(keyed, decision, undefined)
  }

  /** Decides and answers; a block-cache hit is answered synchronously, without Redis. */
  const limit = (keyed: KeyedRequest, limits?: readonly number[]): void | Promise<void> => {
    const blocked = limits === undefined ? core.blocked(keyed.key, keyed.cost) : undefined
    if (blocked) return afterDecision(keyed, blocked)
    return core.consume(keyed.key, keyed.cost, limits).then((decided) => afterDecision(keyed, decided))
  }

  const requestLimits = async (req: Request, res: Response): Promise<readonly number[] | undefined> => {
    if (!options.limitFn) return undefined
    const value = await options.limitFn(req, res)
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`rateLimit: the limit function must return a whole number ≥ 0; got ${String(value)}.`)
    }
    return [value]
  }

  const handleWithHooks = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (options.skip && (await options.skip(req, res))) return next()
    if (options.allowList && (await options.allowList(req, res))) return next()
    const key = options.key ? await options.key(req, res) : defaultKey(req, options)
    if (typeof key !== 'string')
      throw new TypeError(`rateLimit: the key function must return a string; got ${typeof key}.`)
    const cost = typeof options.cost === 'function' ? await options.cost(req, res) : options.cost
    if (!Number.isInteger(cost) || cost < 0) {
      throw new RangeError(`rateLimit: the cost function must return a non-negative integer; got ${String(cost)}.`)
    }
    await limit({ req, res, next, key, cost }, await requestLimits(req, res))
  }

  const fixedCost = typeof options.cost === 'number' ? options.cost : undefined
  const hooked =
    options.skip !== undefined ||
    options.allowList !== undefined ||
    options.key !== undefined ||
    options.limitFn !== undefined

  const middleware = ((req: Request, res: Response, next: NextFunction) => {
    try {
      const pending =
        hooked || fixedCost === undefined
          ? handleWithHooks(req, res, next)
          : limit({ req, res, next, key: defaultKey(req, options), cost: fixedCost })
      if (pending) pending.catch(next)
    } catch (error) {
      next(error)
    }
  }) as RateLimitMiddleware
  middleware.reset = (key: string) => core.reset(key)
  middleware.resetKey = middleware.reset
  middleware.get = (key: string, limit?: number) => core.get(key, limit === undefined ? undefined : [limit])
  return middleware
}
