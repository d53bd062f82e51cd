import { describeBackends, describeExpress } from '@rediware/test-utils'
import { RedisStore as RedisStore8 } from 'connect-redis8'
import type { Store } from 'express-session'
import request from 'supertest'
import { RedisStore, type Serializer } from '../src/index.js'
import { buildApp } from './app.js'

const isoDate = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

/** The serializers connect-redis users have: each must survive a switch to us and back. */
const jsonObjectSerializers: [string, Serializer | undefined][] = [
  ['the default (JSON)', undefined],
  [
    'JSON with revived dates',
    {
      parse: (text) =>
        JSON.parse(text, (_key, value: unknown) =>
          typeof value === 'string' && isoDate.test(value) ? new Date(value) : value,
        ),
      stringify: (value) => JSON.stringify(value),
    },
  ],
  ['an async parse', { parse: async (text) => JSON.parse(text), stringify: (value) => JSON.stringify(value) }],
]

/** A serializer whose output is not a JSON object: we store it behind a `~rw1|…|` header. */
const base64: Serializer = {
  parse: (text) => JSON.parse(Buffer.from(text, 'base64').toString('utf8')),
  stringify: (value) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64'),
}

// connect-redis 8 is the last version that takes ioredis (9 and 10 take node-redis only).
describeBackends(
  'rollback to connect-redis 8, for every serializer',
  (backend) => {
    describeExpress('app', (createApp, version) => {
      let run = 0
      const stores = (serializer: Serializer | undefined) => {
        run += 1
        const prefix = `${backend.prefix}rb${version}${run}:`
        const peer = new RedisStore8({
          client: backend.raw(),
          prefix,
          ...(serializer ? { serializer: serializer as never } : {}),
        }) as unknown as Store
        const ours = new RedisStore({ redis: backend.client(), prefix, ...(serializer ? { serializer } : {}) })
        return { peer, ours }
      }
      const cookieOf = (response: request.Response): string =>
        String(response.headers['set-cookie']).split(';')[0] ?? ''

      test.each(jsonObjectSerializers)('%s: connect-redis 8 → us → connect-redis 8 → us', async (_name, serializer) => {
        const { peer, ours } = stores(serializer)
        const before = buildApp(createApp, peer as unknown as RedisStore)
        const after = buildApp(createApp, ours)
        const login = await request(before).post('/cart/tea').expect(200)
        const cookie = cookieOf(login)
        expect((await request(after).post('/cart/cake').set('Cookie', cookie).expect(200)).body.cart).toEqual([
          'tea',
          'cake',
        ])
        // rollback: connect-redis reads and writes what we wrote
        expect((await request(before).post('/cart/jam').set('Cookie', cookie).expect(200)).body.cart).toEqual([
          'tea',
          'cake',
          'jam',
        ])
        // and forward again
        const again = await request(after).get('/me').set('Cookie', cookie).expect(200)
        expect(again.body).toMatchObject({ cart: ['tea', 'cake', 'jam'], sid: login.body.sid })
      })

      test('a serializer whose output is not a JSON object: forward works, rollback does not (documented)', async () => {
        const { peer, ours } = stores(base64)
        const before = buildApp(createApp, peer as unknown as RedisStore)
        const after = buildApp(createApp, ours)
        const login = await request(before).post('/cart/tea').expect(200)
        const cookie = cookieOf(login)
        expect((await request(after).post('/cart/cake').set('Cookie', cookie).expect(200)).body.cart).toEqual([
          'tea',
          'cake',
        ])
        // connect-redis hands our header to `parse`, which throws: its app answers 500 for this session
        expect((await request(before).get('/me').set('Cookie', cookie)).status).toBe(500)
      })
    })
  },
  { only: ['ioredis', 'cluster'] },
)
