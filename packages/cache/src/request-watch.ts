import type { Request } from 'express'

/**
 * Request properties whose content identifies the user, and the `reads-…` reason each gives:
 * express-session (`session`, `sessionID`), passport (`user`, `isAuthenticated()`), express-jwt
 * (`auth`), express-openid-connect (`oidc`), cookie-parser (`cookies`, `signedCookies`).
 */
const identityProperties: Readonly<Record<string, string>> = {
  session: 'session',
  sessionID: 'session',
  user: 'user',
  isAuthenticated: 'user',
  auth: 'auth',
  oidc: 'oidc',
  cookies: 'cookies',
  signedCookies: 'cookies',
}
const identityHeaders: Readonly<Record<string, string>> = { cookie: 'cookie', authorization: 'authorization' }
const authorityHeaders = new Set(['host', 'x-forwarded-host', 'forwarded'])
/** Express getters derived from headers that are part of the key: reading them reads nothing unkeyed. */
const keyedGetters = ['hostname', 'subdomains'] as const

export interface RequestWatch {
  /** Why the response is personal (`reads-session`, `reads-cookie`, …), or undefined. */
  readonly personal: string | undefined
  /** Whether the Host, X-Forwarded-Host or Forwarded header was read (the page may carry its port). */
  readonly readAuthority: boolean
  /** Runs `call` without recording reads: layers outside the cache (express-session's header hook). */
  unwatched<T>(call: () => T): T
  /** Stops watching and puts plain properties back. */
  stop(): void
}

/**
 * Whether a value read could carry someone's identity. A read that finds nothing (`undefined`,
 * `null`, `false`, `''`, `{}`: express-jwt's `req.auth` and passport's `req.user` of an anonymous
 * request, cookie-parser's `req.cookies` without cookies) cannot put anyone in the page.
 */
function identifies(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return false
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.keys(value).length > 0
  return true
}

function prototypeGetter(object: object, name: string): (() => unknown) | undefined {
  for (
    let proto = Object.getPrototypeOf(object) as object | null;
    proto !== null;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name)
    if (descriptor !== undefined) return descriptor.get
  }
  return undefined
}

/**
 * Watches, while the handler runs, for reads that make a response unfit for other requests:
 * identity (`identity: true`, routes without `scope`: the properties above and the Cookie and
 * Authorization headers, when they hold something, and `req.rawHeaders` of a request that carries
 * those headers) and the authority headers (always). Getters and a Proxy are installed on this
 * request only.
 */
export function watchRequest(req: Request, { identity }: { identity: boolean }): RequestWatch {
  let active = true
  let paused = false
  let personal: string | undefined
  let readAuthority = false
  const flag = (what: string): void => {
    if (active && !paused && personal === undefined) personal = `reads-${what}`
  }
  const target = req as unknown as Record<string, unknown>
  const restores: (() => void)[] = []
  const define = (property: string, get: (value: unknown) => unknown): void => {
    const own = Object.getOwnPropertyDescriptor(target, property)
    if (own !== undefined && !own.configurable) return
    let value = own === undefined || 'value' in own ? target[property] : undefined
    const getter = own?.get
    Object.defineProperty(target, property, {
      configurable: true,
      enumerable: own?.enumerable ?? true,
      get: () => get(getter === undefined ? value : getter.call(req)),
      set: (next: unknown) => {
        value = next
      },
    })
    restores.push(() => {
      if (own !== undefined && getter !== undefined) Object.defineProperty(target, property, own)
      else if (own === undefined && value === undefined) delete target[property]
      else
        Object.defineProperty(target, property, {
          configurable: true,
          enumerable: own?.enumerable ?? true,
          writable: true,
          value,
        })
    })
  }

  if (identity) {
    for (const [property, reason] of Object.entries(identityProperties)) {
      define(property, (value) => {
        if (identifies(value)) flag(reason)
        return value
      })
    }
  }
  const credentialed = req.headers.cookie !== undefined || req.headers.authorization !== undefined
  define('rawHeaders', (value) => {
    if (active && !paused) readAuthority = true
    if (identity && credentialed) flag('raw-headers')
    return value
  })
  for (const name of keyedGetters) {
    const getter = prototypeGetter(req, name)
    if (getter === undefined || Object.getOwnPropertyDescriptor(target, name) !== undefined) continue
    Object.defineProperty(target, name, {
      configurable: true,
      enumerable: false,
      get: () => unwatched(() => getter.call(req)),
    })
    restores.push(() => delete target[name])
  }

  const headers = req.headers
  const proxy = new Proxy(headers, {
    get(object, property, receiver) {
      if (typeof property === 'string') {
        const reason = identityHeaders[property]
        if (reason !== undefined) {
          if (identity && identifies(object[property])) flag(reason)
        } else if (authorityHeaders.has(property) && active && !paused) {
          readAuthority = true
        }
      }
      return Reflect.get(object, property, receiver)
    },
  })
  const ownHeaders = Object.getOwnPropertyDescriptor(target, 'headers')
  Object.defineProperty(target, 'headers', { configurable: true, enumerable: true, writable: true, value: proxy })
  restores.push(() => {
    if (ownHeaders === undefined) {
      delete target.headers
      if (target.headers === headers) return
    }
    Object.defineProperty(target, 'headers', { configurable: true, enumerable: true, writable: true, value: headers })
  })

  function unwatched<T>(call: () => T): T {
    if (paused) return call()
    paused = true
    try {
      return call()
    } finally {
      paused = false
    }
  }

  return {
    get personal() {
      return personal
    },
    get readAuthority() {
      return readAuthority
    },
    unwatched,
    stop() {
      if (!active) return
      active = false
      for (const restore of restores.reverse()) restore()
    },
  }
}
