import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import type { Application } from 'express'
import { rateLimit, type RateLimitOptions } from '@rediware/rate-limit'

/** A controllable clock for memoryClient({ clock }). */
export function manualClock(start = 1_700_000_000_000) {
  let now = start
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms
    },
    set: (value: number) => {
      now = value
    },
  }
}

/** An app with one limiter in front of GET /, answering 200 with req.rateLimit as JSON. */
export function limitedApp(createApp: () => Application, options: RateLimitOptions) {
  const app = createApp()
  const limiter = rateLimit(options)
  app.get('/', limiter, (req, res) => {
    res.json(req.rateLimit ?? null)
  })
  app.get('/fail', limiter, (_req, res) => {
    res.status(500).send('boom')
  })
  return { app, limiter }
}

export async function listen(app: Application): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started))
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

export interface SfItem {
  value: string
  params: Record<string, string | number | boolean>
}

/**
 * A small RFC 8941 List parser (strings, tokens, integers, booleans as items/params; no inner lists),
 * enough to check our headers parse back to what was meant.
 */
export function parseSfList(input: string): SfItem[] {
  let index = 0
  const text = input
  const skipSpaces = () => {
    while (text[index] === ' ' || text[index] === '\t') index++
  }
  const bareItem = (): string | number | boolean => {
    const char = text[index]
    if (char === '"') {
      index++
      let out = ''
      while (index < text.length) {
        const current = text[index++]
        if (current === '\\') {
          const next = text[index++]
          if (next !== '"' && next !== '\\') throw new SyntaxError(`bad escape at ${index}`)
          out += next
        } else if (current === '"') return out
        else out += current
      }
      throw new SyntaxError('unterminated string')
    }
    if (char === '?') {
      index += 2
      return text[index - 1] === '1'
    }
    const integer = /^-?\d{1,15}/.exec(text.slice(index))
    if (integer) {
      index += integer[0].length
      if (text[index] === '.') throw new SyntaxError('decimals not expected')
      return Number(integer[0])
    }
    const token = /^[A-Za-z*][A-Za-z0-9:/!#$%&'*+\-.^_`|~]*/.exec(text.slice(index))
    if (token) {
      index += token[0].length
      return token[0]
    }
    throw new SyntaxError(`unexpected "${char}" at ${index} in ${input}`)
  }
  const items: SfItem[] = []
  skipSpaces()
  while (index < text.length) {
    const value = bareItem()
    const params: SfItem['params'] = {}
    while (text[index] === ';') {
      index++
      skipSpaces()
      const key = /^[a-z*][a-z0-9_\-.*]*/.exec(text.slice(index))
      if (!key) throw new SyntaxError(`bad parameter key at ${index}`)
      index += key[0].length
      if (text[index] === '=') {
        index++
        params[key[0]] = bareItem()
      } else params[key[0]] = true
    }
    items.push({ value: String(value), params })
    skipSpaces()
    if (index >= text.length) break
    if (text[index] !== ',') throw new SyntaxError(`expected , at ${index} in ${input}`)
    index++
    skipSpaces()
    if (index >= text.length) throw new SyntaxError('trailing comma')
  }
  return items
}
