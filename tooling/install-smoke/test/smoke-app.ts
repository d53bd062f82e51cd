/** The source of the smoke test each fresh project runs, in the project's own module flavour. */

export type Flavour = 'commonjs' | 'module' | 'typescript'

const imports: Record<Flavour, string> = {
  commonjs: `const express = require('express')
const request = require('supertest')
const { memoryClient } = require('@rediware/redis')
const { rateLimit } = require('@rediware/rate-limit')
const { createCache } = require('@rediware/cache')
const { RedisStore, session } = require('@rediware/session')
const { startUpstashLocal } = require('@rediware/upstash-local')`,
  module: `import express from 'express'
import request from 'supertest'
import { memoryClient } from '@rediware/redis'
import { rateLimit } from '@rediware/rate-limit'
import { createCache } from '@rediware/cache'
import { RedisStore, session } from '@rediware/session'
import { startUpstashLocal } from '@rediware/upstash-local'`,
  typescript: `import express, { type Request, type Response } from 'express'
import request from 'supertest'
import { memoryClient, type RedisClient } from '@rediware/redis'
import { rateLimit, type RateLimitOptions } from '@rediware/rate-limit'
import { createCache } from '@rediware/cache'
import { RedisStore, session } from '@rediware/session'
import { startUpstashLocal } from '@rediware/upstash-local'`,
}

const body = (typed: boolean) => `
async function main()${typed ? ': Promise<void>' : ''} {
  const redis${typed ? ': RedisClient' : ''} = memoryClient()
  const app = express()
  const limits${typed ? ': RateLimitOptions' : ''} = { redis, limit: 2, window: '1 m', warn: () => undefined }
  app.use('/limited', rateLimit(limits))
  app.get('/limited', (_req${typed ? ': Request' : ''}, res${typed ? ': Response' : ''}) => { res.send('ok') })
  const cache = createCache({ redis, prefix: 'smoke:' })
  let runs = 0
  app.get('/cached', cache.route({ ttl: '1 m' }), (_req${typed ? ': Request' : ''}, res${typed ? ': Response' : ''}) => { runs += 1; res.json({ runs }) })
  const sessions = session({ redis, secret: 'smoke-secret-that-is-long-enough-0123456789', warn: () => undefined })
  const storeIsOurs = sessions.store instanceof RedisStore
  app.use('/s', sessions)
  app.get('/s/login', (req${typed ? ': Request' : ''}, res${typed ? ': Response' : ''}) => {
    ${typed ? '(req.session as unknown as { user?: string })' : 'req.session'}.user = 'ada'
    res.send('in')
  })
  app.get('/s/me', (req${typed ? ': Request' : ''}, res${typed ? ': Response' : ''}) => {
    res.send(String(${typed ? '(req.session as unknown as { user?: string })' : 'req.session'}.user))
  })
  const server = app.listen(0)
  const address = server.address()
  const base = 'http://127.0.0.1:' + (typeof address === 'object' && address ? address.port : 0)
  const statuses = []
  for (let i = 0; i < 3; i += 1) statuses.push((await request(base).get('/limited')).status)
  const first = await request(base).get('/cached')
  const second = await request(base).get('/cached')
  const login = await request(base).get('/s/login')
  const cookie = login.headers['set-cookie']
  const me = await request(base).get('/s/me').set('Cookie', Array.isArray(cookie) ? cookie : [])
  server.close()
  console.log(JSON.stringify({
    limited: statuses,
    cache: [first.headers['x-cache'], second.headers['x-cache'], second.body.runs],
    session: me.text,
    storeIsOurs,
    upstashLocal: typeof startUpstashLocal,
  }))
}
main().catch((error) => { console.error(error); process.exit(1) })
`

export function smokeSource(flavour: Flavour): string {
  return `${imports[flavour]}\n${body(flavour === 'typescript').replace('const statuses = []', flavour === 'typescript' ? 'const statuses: number[] = []' : 'const statuses = []')}`
}

export const expectedOutput = {
  limited: [200, 200, 429],
  cache: ['MISS', 'HIT', 1],
  session: 'ada',
  storeIsOurs: true,
  upstashLocal: 'function',
}
