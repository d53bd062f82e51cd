import { createHmac } from 'node:crypto'
import { describeBackends, describeExpress } from '@rediware/test-utils'
import type { Request, Response } from 'express'
import expressSession from 'express-session'
import request from 'supertest'
import { RedisStore } from '../src/index.js'
import { eventLog, sessionData } from './helpers.js'

const secret = 'corrupt-cookie-secret-corrupt-cookie'
const signed = (sid: string): string =>
  `connect.sid=${encodeURIComponent(`s:${sid}.${createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '')}`)}`

const future = new Date(Date.now() + 3_600_000).toISOString()

/** Stored cookies express-session cannot use (raw JSON: some are not expressible as objects). */
const corruptCookies: [string, string][] = [
  ['originalMaxAge "abc"', '{"originalMaxAge":"abc","path":"/"}'],
  ['originalMaxAge an object', '{"originalMaxAge":{},"path":"/"}'],
  ['originalMaxAge true', '{"originalMaxAge":true}'],
  ['originalMaxAge infinite', '{"originalMaxAge":1e999}'],
  ['expires "garbage"', '{"originalMaxAge":null,"expires":"garbage"}'],
  ['expires a number', '{"originalMaxAge":null,"expires":12345}'],
  ['expires an array', '{"originalMaxAge":null,"expires":[]}'],
  ['maxAge "abc"', '{"maxAge":"abc"}'],
  ['_expires "x"', '{"originalMaxAge":null,"_expires":"x"}'],
  ['serialize overwritten', '{"originalMaxAge":null,"serialize":1}'],
  ['__proto__ replaced', '{"originalMaxAge":null,"__proto__":{"x":1}}'],
  ['path with a control character', '{"originalMaxAge":null,"path":"/\\n"}'],
  ['path a number', '{"originalMaxAge":null,"path":5}'],
  ['domain invalid', '{"originalMaxAge":null,"domain":"bad domain!"}'],
  ['priority unknown', '{"originalMaxAge":null,"priority":"urgent"}'],
  ['sameSite unknown', '{"originalMaxAge":null,"sameSite":"sideways"}'],
  ['httpOnly a string', '{"originalMaxAge":null,"httpOnly":"yes"}'],
  ['secure an object', '{"originalMaxAge":null,"secure":{}}'],
  ['partitioned a number', '{"originalMaxAge":null,"partitioned":1}'],
  ['cookie a string', '"cookie"'],
  ['cookie an array', '[]'],
]

describeBackends('corrupt cookie fields in a stored session (issue 14 item 9)', (backend) => {
  describeExpress('app', (createApp, version) => {
    const build = () => {
      const log = eventLog()
      const store = new RedisStore({
        redis: backend.client(),
        prefix: `${backend.prefix}cc${version}:`,
        onEvent: log.onEvent,
      })
      const app = createApp()
      app.use(expressSession({ store, secret, resave: false, saveUninitialized: false, cookie: { maxAge: 3_600_000 } }))
      app.get('/me', (req: Request, res: Response) => {
        res.json({ userId: req.session.userId ?? null })
      })
      return { app, store, log }
    }

    test.each(corruptCookies)(
      '%s: answered within the deadline, with no session, and removed',
      async (_name, cookieJson) => {
        const { app, store, log } = build()
        const sid = `c${version}${Math.random().toString(36).slice(2)}`
        const key = `${store.prefix}${sid}`
        await backend.client().set(key, `{"userId":"mallory","cookie":${cookieJson}}`, { px: 60_000 })
        const me = await request(app).get('/me').set('Cookie', signed(sid)).timeout({ response: 3000 })
        expect(me.status).toBe(200)
        expect(me.body).toEqual({ userId: null })
        expect(await backend.client().exists([key])).toBe(0)
        expect(log.events.map((event) => event.type)).toContain('corrupt-session')
      },
    )

    test('valid cookie fields in every spelling express-session accepts are still read', async () => {
      const { app, store } = build()
      const sid = `v${version}`
      const cookie = {
        originalMaxAge: 3_600_000,
        expires: future,
        path: '/',
        httpOnly: true,
        secure: false,
        domain: 'example.com',
        sameSite: 'Lax',
        priority: 'High',
        partitioned: false,
      }
      await backend.client().set(`${store.prefix}${sid}`, JSON.stringify({ userId: 'ok', cookie }), { px: 60_000 })
      const me = await request(app).get('/me').set('Cookie', signed(sid)).timeout({ response: 3000 })
      expect(me.body).toEqual({ userId: 'ok' })
      // The read rewrites this connect-redis-style value in our format, with the expiry slid.
      const { expires: _slid, ...rest } = cookie
      expect(await store.get(sid)).toMatchObject(sessionData({ userId: 'ok' }, rest))
    })
  })
})
