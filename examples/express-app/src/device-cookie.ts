import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Request, Response } from 'express'

/**
 * OWASP's "device cookie" (Slow Down Online Guessing Attacks with Device Cookies): a browser that has
 * logged in to an account gets a signed cookie naming that account. A later login attempt for the same
 * account carrying it comes from a known device, which the account-wide limit for unknown clients
 * does not block: strangers cannot lock the owner's own devices out, whatever they send.
 *
 * Value: `<nonce>.<HMAC-SHA256(key, account + "\n" + nonce)>`, base64url; the account (normalised
 * e-mail) is not in the cookie, only bound by the signature. The key derives from the session
 * secrets; every secret verifies (rotation), the newest signs.
 */
export const DEVICE_COOKIE = 'rw.device'
const MAX_AGE_MS = 180 * 24 * 60 * 60 * 1000

function deriveKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('rediware example: login device cookie v1').digest()
}

function sign(key: Buffer, account: string, nonce: string): Buffer {
  return createHmac('sha256', key).update(`${account}\n${nonce}`).digest()
}

/** The value of cookie `name` in a Cookie header, or undefined (first occurrence; no decoding needed for base64url). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

export class DeviceCookies {
  private readonly keys: Buffer[]

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new TypeError('DeviceCookies needs at least one secret')
    this.keys = secrets.map(deriveKey)
  }

  /** Sets a new device cookie for `account` (after a successful login). */
  issue(req: Request, res: Response, account: string): void {
    const nonce = randomBytes(16).toString('base64url')
    const key = this.keys[0] as Buffer
    res.cookie(DEVICE_COOKIE, `${nonce}.${sign(key, account, nonce).toString('base64url')}`, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      path: '/api/login',
      maxAge: MAX_AGE_MS,
    })
  }

  /** The device's nonce when the request carries a valid device cookie for `account`, else undefined. */
  knownDevice(req: Request, account: string): string | undefined {
    const value = readCookie(req.headers.cookie, DEVICE_COOKIE)
    const match = value === undefined ? null : /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(value)
    if (match === null) return undefined
    const [, nonce = '', signature = ''] = match
    const given = Buffer.from(signature, 'base64url')
    for (const key of this.keys) {
      const expected = sign(key, account, nonce)
      if (given.length === expected.length && timingSafeEqual(given, expected)) return nonce
    }
    return undefined
  }
}
