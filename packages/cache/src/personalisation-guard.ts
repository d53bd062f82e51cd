import type { Request } from 'express'

/** Request properties whose content identifies the user. */
const watchedProperties = ['session', 'user', 'cookies', 'signedCookies'] as const
const watchedHeaders = ['cookie', 'authorization'] as const

export interface PersonalisationGuard {
  /** Why the response must not be shared (`reads-session`, `reads-cookie`, …), or undefined. */
  readonly reason: string | undefined
  /** Stops watching and puts plain properties back. */
  stop(): void
}

/**
 * Watches, while the handler runs, for reads of `req.session`, `req.user`, `req.cookies`, the Cookie
 * header or the Authorization header: a response built from them is personal and must not be stored
 * under a key shared by every user. Getters and a Proxy are installed on this request only.
 */
export function watchPersonalisation(req: Request): PersonalisationGuard {
  let active = true
  let reason: string | undefined
  const flag = (what: string): void => {
    if (active && reason === undefined) reason = `reads-${what}`
  }
  const target = req as unknown as Record<string, unknown>
  const restores: (() => void)[] = []

  for (const property of watchedProperties) {
    const own = Object.getOwnPropertyDescriptor(target, property)
    if (own !== undefined && !own.configurable) continue
    let value = target[property]
    Object.defineProperty(target, property, {
      configurable: true,
      enumerable: own?.enumerable ?? true,
      get: () => {
        flag(property === 'signedCookies' ? 'cookies' : property)
        return value
      },
      set: (next: unknown) => {
        value = next
      },
    })
    restores.push(() => {
      if (own === undefined && value === undefined) {
        delete target[property]
      } else {
        Object.defineProperty(target, property, { configurable: true, enumerable: true, writable: true, value })
      }
    })
  }

  const headers = req.headers
  const proxy = new Proxy(headers, {
    get(object, property, receiver) {
      if (property === watchedHeaders[0]) flag('cookie')
      else if (property === watchedHeaders[1]) flag('authorization')
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

  return {
    get reason() {
      return reason
    },
    stop() {
      if (!active) return
      active = false
      for (const restore of restores) restore()
    },
  }
}
