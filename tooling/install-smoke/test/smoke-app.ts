/**
 * The source of the smoke app each fresh project runs, in the project's own module flavour. It
 * drives rate-limit, cache and session over HTTP on every backend it is given: memory always,
 * the installed ioredis and node-redis when SMOKE_REDIS_URL is set, the installed @upstash/redis when
 * SMOKE_UPSTASH_URL and SMOKE_UPSTASH_TOKEN are set. It prints one JSON line and must exit by
 * itself: it closes the ioredis and node-redis connections it passed in, and nothing else may hold the process.
 */

export type Flavour = 'commonjs' | 'module' | 'typescript'

const imports: Record<Flavour, string> = {
  commonjs: `const express = require('express')
const request = require('supertest')
const { Redis } = require('ioredis')
const { createClient } = require('redis')
const { Redis: UpstashRedis } = require('@upstash/redis')
const { memoryClient } = require('@rediware/redis')
const { rateLimit } = require('@rediware/rate-limit')
const { createCache } = require('@rediware/cache')
const { RedisStore, session } = require('@rediware/session')
const { createQueue } = require('@rediware/queue')
const { createRealtime } = require('@rediware/realtime')
const { startUpstashLocal } = require('@rediware/upstash-local')`,
  module: `import express from 'express'
import request from 'supertest'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { Redis as UpstashRedis } from '@upstash/redis'
import { memoryClient } from '@rediware/redis'
import { rateLimit } from '@rediware/rate-limit'
import { createCache } from '@rediware/cache'
import { RedisStore, session } from '@rediware/session'
import { createQueue } from '@rediware/queue'
import { createRealtime } from '@rediware/realtime'
import { startUpstashLocal } from '@rediware/upstash-local'`,
  typescript: `import express, { type Request, type Response } from 'express'
import request from 'supertest'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { Redis as UpstashRedis } from '@upstash/redis'
import { memoryClient, type RedisInput } from '@rediware/redis'
import { rateLimit } from '@rediware/rate-limit'
import { createCache } from '@rediware/cache'
import { RedisStore, session } from '@rediware/session'
import { createQueue } from '@rediware/queue'
import { createRealtime } from '@rediware/realtime'
import { startUpstashLocal } from '@rediware/upstash-local'`,
}

const body = (typed: boolean) => {
  const t = (annotation: string) => (typed ? annotation : '')
  const sessionUser = typed ? '(req.session as unknown as { user?: string })' : 'req.session'
  return `
async function check(redis${t(': RedisInput')}, prefix${t(': string')}) {
  const app = express()
  app.use('/limited', rateLimit({ redis, prefix: prefix + 'rl:', limit: 2, window: '1 m', warn: () => undefined }))
  app.get('/limited', (_req${t(': Request')}, res${t(': Response')}) => { res.send('ok') })
  const cache = createCache({ redis, prefix: prefix + 'c:' })
  let runs = 0
  app.get('/cached', cache.route({ ttl: '1 m' }), (_req${t(': Request')}, res${t(': Response')}) => { runs += 1; res.json({ runs }) })
  const sessions = session({ redis, prefix: prefix + 's:', secret: 'smoke-secret-that-is-long-enough-0123456789', warn: () => undefined })
  const storeIsOurs = sessions.store instanceof RedisStore
  app.use('/s', sessions)
  app.get('/s/login', (req${t(': Request')}, res${t(': Response')}) => {
    ${sessionUser}.user = 'ada'
    res.send('in')
  })
  app.get('/s/me', (req${t(': Request')}, res${t(': Response')}) => {
    res.send(String(${sessionUser}.user))
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const address = server.address()
  const base = 'http://127.0.0.1:' + (typeof address === 'object' && address ? address.port : 0)
  const statuses${t(': number[]')} = []
  for (let i = 0; i < 3; i += 1) statuses.push((await request(base).get('/limited')).status)
  const first = await request(base).get('/cached')
  const second = await request(base).get('/cached')
  const login = await request(base).get('/s/login')
  const cookie = login.headers['set-cookie']
  const me = await request(base).get('/s/me').set('Cookie', Array.isArray(cookie) ? cookie : [])
  await new Promise((resolve) => server.close(resolve))
  return {
    limited: statuses,
    cache: [first.headers['x-cache'], second.headers['x-cache'], second.body.runs],
    session: me.text,
    storeIsOurs,
  }
}

async function main()${t(': Promise<void>')} {
  const prefix = 'smoke:' + process.pid + ':' + Date.now() + ':'
  const results${t(': Record<string, unknown>')} = { memory: await check(memoryClient(), prefix + 'memory:') }
  if (process.env.SMOKE_REDIS_URL) {
    const redis = new Redis(process.env.SMOKE_REDIS_URL)
    results.ioredis = await check(redis, prefix + 'ioredis:')
    await redis.quit()
    const nodeRedis = await createClient({ url: process.env.SMOKE_REDIS_URL }).connect()
    results['node-redis'] = await check(nodeRedis, prefix + 'node-redis:')
    await nodeRedis.close()
  }
  if (process.env.SMOKE_UPSTASH_URL && process.env.SMOKE_UPSTASH_TOKEN) {
    const upstash = new UpstashRedis({ url: process.env.SMOKE_UPSTASH_URL, token: process.env.SMOKE_UPSTASH_TOKEN, enableTelemetry: false })
    results.upstash = await check(upstash, prefix + 'upstash:')
  }
  console.log(JSON.stringify({
    node: Number(process.versions.node.split('.')[0]),
    results,
    exports: [typeof createQueue, typeof createRealtime, typeof startUpstashLocal],
  }))
}
main().catch((error) => { console.error(error); process.exit(1) })
`
}

export function smokeSource(flavour: Flavour): string {
  return `${imports[flavour]}\n${body(flavour === 'typescript')}`
}

const onEachBackend = { limited: [200, 200, 429], cache: ['MISS', 'HIT', 1], session: 'ada', storeIsOurs: true }

/** What the smoke app prints when run under Node `node` with the given backends. */
export function expectedOutput(node: number, backends: readonly string[]): unknown {
  return {
    node,
    results: Object.fromEntries(backends.map((backend) => [backend, onEachBackend])),
    exports: ['function', 'function', 'function'],
  }
}
