import { ipKey, type RateLimitEvent, rateLimit } from '@rediware/rate-limit'
import type { RedisClient } from '@rediware/redis'
import type { Request, RequestHandler, Response } from 'express'
import type { AppConfig } from './config.js'
import { DeviceCookies } from './device-cookie.js'
import { loginBody } from './schemas.js'
import { inputOf } from './validation.js'

/**
 * The login policy (README "Login limits"), after OWASP's Authentication and Credential Stuffing
 * cheat sheets and its device-cookie scheme. Only wrong passwords (401) count; every limit is
 * charged before the password is checked and refunded afterwards for any other answer, so
 * concurrent guesses cannot slip past a limit.
 *
 * - A known device (a valid device cookie for this account) has its own limit, and no other: the
 *   owner's browsers are never blocked by what strangers send.
 * - Any other client is limited per IP (across accounts: one source stuffing many accounts), per
 *   IP and account (one source guessing one password), and per account across every IP, by a token
 *   bucket that refills one attempt per interval of at most a minute: a botnet guessing one account
 *   is slowed to one attempt a minute, and no burst of failures can block the account for longer
 *   than that interval.
 */
interface LoginAttempt {
  account: string
  /** The nonce of a valid device cookie for `account`, when the request carries one. */
  device: string | undefined
}

export interface LoginLimits {
  /** Runs after the body is validated: identifies the attempt, then applies the limits. */
  guard: RequestHandler[]
  /** After a successful login: remembers this browser as a known device of the account. */
  rememberDevice(req: Request, res: Response): void
}

export function normaliseAccount(email: string): string {
  return email.trim().toLowerCase()
}

/** `observe(name)` gives each limiter its `onEvent` hook (the app's metrics). */
export function loginLimits(
  redis: RedisClient,
  config: AppConfig,
  warn: (message: string) => void,
  observe: (limiter: string) => (event: RateLimitEvent) => void = () => () => undefined,
): LoginLimits {
  const devices = new DeviceCookies(config.session.secrets)
  const prefix = `${config.keyPrefix}rl:login-`
  const login = (res: Response): LoginAttempt =>
    (res.locals.login as LoginAttempt | undefined) ?? { account: '', device: undefined }
  const known = (_req: Request, res: Response) => login(res).device !== undefined
  const unknown = (req: Request, res: Response) => !known(req, res)
  const failuresOnly = {
    redis,
    warn,
    algorithm: 'sliding-log' as const,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req: Request, res: Response) => res.statusCode !== 401,
  }

  const identify: RequestHandler = (req, res, next) => {
    const { email } = inputOf(res.locals, loginBody)
    const account = normaliseAccount(email)
    const attempt: LoginAttempt = { account, device: devices.knownDevice(req, account) }
    res.locals.login = attempt
    next()
  }
  const perDevice = rateLimit({
    ...failuresOnly,
    prefix: `${prefix}device:`,
    onEvent: observe('login-device'),
    key: (_req, res) => `device:${login(res).device ?? ''}`,
    skip: unknown,
    policies: [{ name: 'device', limit: config.loginDevice.limit, window: config.loginDevice.windowMs }],
  })
  const perIp = rateLimit({
    ...failuresOnly,
    prefix: `${prefix}ip:`,
    onEvent: observe('login-ip'),
    skip: known,
    policies: [
      { name: 'ip', limit: config.loginIp.short.limit, window: config.loginIp.short.windowMs },
      { name: 'ip-daily', limit: config.loginIp.daily, window: '1 d' },
    ],
  })
  const perIpAccount = rateLimit({
    ...failuresOnly,
    prefix: `${prefix}ip-account:`,
    onEvent: observe('login-ip-account'),
    key: (req, res) => `${ipKey(req)}\n${login(res).account}`,
    skip: known,
    policies: [{ name: 'ip-account', limit: config.loginIpAccount.limit, window: config.loginIpAccount.windowMs }],
  })
  const perAccount = rateLimit({
    ...failuresOnly,
    algorithm: 'token-bucket',
    prefix: `${prefix}account:`,
    onEvent: observe('login-account'),
    key: (_req, res) => `account:${login(res).account}`,
    skip: known,
    policies: [
      {
        name: 'account',
        limit: config.loginAccount.burst,
        window: config.loginAccount.burst * config.loginAccount.intervalMs,
      },
    ],
  })
  return {
    guard: [identify, perDevice, perIp, perIpAccount, perAccount],
    rememberDevice: (req, res) => devices.issue(req, res, login(res).account),
  }
}
