import { memoryClient } from '@rediware/redis'
import { expressVersions } from '@rediware/test-utils'
import request from 'supertest'
import { RedisStore } from '../src/index.js'
import { buildApp } from './app.js'
import { sessionData } from './helpers.js'

const MINUTE = 60_000

function controlledClock(start = Date.UTC(2030, 0, 1)) {
  let now = start
  return {
    clock: () => now,
    advance: (ms: number) => {
      now += ms
    },
  }
}

describe('absoluteTimeout (memory backend, controlled clock)', () => {
  test('a session dies absoluteTimeout after creation, however active', async () => {
    const time = controlledClock()
    const redis = memoryClient({ clock: time.clock })
    const store = new RedisStore({ redis, absoluteTimeout: '1 h', ttl: 3600 })
    await store.set('s', sessionData({ n: 1 }))
    for (let step = 0; step < 5; step += 1) {
      time.advance(10 * MINUTE)
      expect(await store.get('s')).not.toBeNull()
      // the slide never goes past the absolute deadline
      expect(await redis.pttl('sess:s')).toBeLessThanOrEqual(60 * MINUTE - (step + 1) * 10 * MINUTE)
    }
    time.advance(9 * MINUTE)
    await store.set('s', sessionData({ n: 2 }))
    expect(await store.get('s')).toEqual(sessionData({ n: 2 }))
    time.advance(2 * MINUTE)
    expect(await store.get('s')).toBeNull()
    expect(await redis.exists(['sess:s'])).toBe(0)
  })

  test('idle expiry still applies within the absolute lifetime', async () => {
    const time = controlledClock()
    const redis = memoryClient({ clock: time.clock })
    const store = new RedisStore({ redis, absoluteTimeout: '1 d', ttl: 600 })
    await store.set('idle', sessionData())
    time.advance(11 * MINUTE)
    expect(await store.get('idle')).toBeNull()
  })

  test.each(expressVersions)('rotation keeps the original creation time ($name)', async ({ create }) => {
    const time = controlledClock()
    const redis = memoryClient({ clock: time.clock })
    const store = new RedisStore({ redis, absoluteTimeout: '1 h', userId: (s) => s.userId })
    const agent = request.agent(buildApp(create, store, { maxAge: 24 * 60 * MINUTE }))
    await agent.post('/login/hana').expect(200)
    time.advance(50 * MINUTE)
    await agent.post('/login/hana').expect(200) // rotates again: the new id inherits the creation time
    expect((await agent.get('/me')).body.userId).toBe('hana')
    time.advance(11 * MINUTE)
    expect((await agent.get('/me')).body.userId).toBeNull()
    expect(await store.listUserSessions('hana')).toEqual([])
  })
})
