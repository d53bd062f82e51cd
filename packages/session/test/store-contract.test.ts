import { describeBackends } from '@rediware/test-utils'
import type { SessionData } from 'express-session'
import { RedisStore } from '../src/index.js'
import { eventLog, sessionData } from './helpers.js'

describeBackends('RedisStore contract', (backend) => {
  let counter = 0
  const newStore = (extra: Record<string, unknown> = {}) => {
    counter += 1
    return new RedisStore({ redis: backend.client(), prefix: `${backend.prefix}c${counter}:`, ...extra })
  }

  test('connect-redis lifecycle (promises)', async () => {
    const store = newStore()
    const client = backend.client()
    await store.clear()
    await store.set('123', sessionData({ foo: 'bar' }))
    expect(await store.get('123')).toEqual(sessionData({ foo: 'bar' }))
    expect(await client.pttl(`${store.prefix}123`)).toBeGreaterThan(86_000_000)

    const in60 = new Date(Date.now() + 60_000).toISOString()
    await store.set('456', sessionData({ foo: 'bar' }, { expires: in60 }))
    const ttl456 = await client.pttl(`${store.prefix}456`)
    expect(ttl456).toBeLessThanOrEqual(60_000)
    expect(ttl456).toBeGreaterThan(50_000)

    await store.touch(
      '456',
      sessionData({ foo: 'bar' }, { expires: new Date(Date.now() + 90_000).toISOString(), originalMaxAge: 90_000 }),
    )
    expect(await client.pttl(`${store.prefix}456`)).toBeGreaterThan(60_000)

    expect(await store.length()).toBe(2)
    expect((await store.ids()).sort()).toEqual(['123', '456'])
    const all = await store.all()
    expect(all.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { ...sessionData({ foo: 'bar' }), id: '123' },
      { ...sessionData({ foo: 'bar' }, { expires: expect.any(String) }), id: '456' },
    ])

    await store.destroy('456')
    expect(await store.length()).toBe(1)
    await store.clear()
    expect(await store.length()).toBe(0)

    const many = 150
    await Promise.all(Array.from({ length: many }, (_, index) => store.set(`s${index}`, sessionData({ index }))))
    expect(await store.length()).toBe(many)
    expect((await store.all()).length).toBe(many)
    await store.clear()
    expect(await store.length()).toBe(0)

    await store.set('789', sessionData({}, { expires: new Date(Date.now() + 10_000).toISOString() }))
    expect(await store.length()).toBe(1)
    await store.set('789', sessionData({}, { expires: new Date(Date.now() - 10_000).toISOString() }))
    expect(await store.length()).toBe(0)
    expect(await store.get('789')).toBeNull()
  })

  test('callback style', async () => {
    const store = newStore()
    const call = <T>(fn: (cb: (error: unknown, value?: T) => void) => unknown) =>
      new Promise<T | undefined>((resolve, reject) => {
        fn((error, value) => (error ? reject(error) : resolve(value)))
      })
    await call<void>((cb) => store.set('a', sessionData({ n: 1 }), cb))
    expect(await call<SessionData | null>((cb) => store.get('a', cb))).toEqual(sessionData({ n: 1 }))
    await call<void>((cb) => store.touch('a', sessionData({ n: 1 }), cb))
    expect(await call<number>((cb) => store.length(cb))).toBe(1)
    expect(await call<string[]>((cb) => store.ids(cb))).toEqual(['a'])
    expect(await call((cb) => store.all(cb))).toHaveLength(1)
    await call<void>((cb) => store.destroy('a', cb))
    expect(await call<SessionData | null>((cb) => store.get('a', cb))).toBeNull()
    await call<void>((cb) => store.clear(cb))
  })

  test('reads sessions written by connect-redis (plain JSON at sess:<id>)', async () => {
    const store = newStore()
    const key = `${store.prefix}legacy`
    const legacy = {
      cookie: {
        originalMaxAge: 3_600_000,
        expires: new Date(Date.now() + 3_600_000).toISOString(),
        httpOnly: true,
        path: '/',
      },
      userId: 'u1',
      cart: [1, 2],
    }
    await backend.client().set(key, JSON.stringify(legacy), { px: 3_600_000 })
    expect(await store.get('legacy')).toEqual(legacy)
    // A later write keeps it readable as JSON for connect-redis (one extra string field).
    await store.set('legacy', { ...legacy, cart: [3] } as unknown as SessionData)
    const raw = await backend.client().get(key)
    expect(JSON.parse(raw ?? '')).toMatchObject({ ...legacy, cart: [3] })
    expect(await store.get('legacy')).toEqual({ ...legacy, cart: [3] })
  })

  test('corrupt data is treated as no session and removed', async () => {
    const { events, onEvent } = eventLog()
    const store = newStore({ onEvent })
    const client = backend.client()
    await client.set(`${store.prefix}bad1`, '{not json', { px: 60_000 })
    await client.set(`${store.prefix}bad2`, JSON.stringify({ no: 'cookie' }), { px: 60_000 })
    expect(await store.get('bad1')).toBeNull()
    expect(await store.get('bad2')).toBeNull()
    expect(await client.exists([`${store.prefix}bad1`])).toBe(0)
    expect(await client.exists([`${store.prefix}bad2`])).toBe(0)
    expect(events.filter((event) => event.type === 'corrupt-session')).toHaveLength(2)
  })

  test('ttl function, disableTouch and disableTTL', async () => {
    const client = backend.client()
    const fnStore = newStore({ ttl: () => 30 })
    await fnStore.set('f', sessionData())
    const ttl = await client.pttl(`${fnStore.prefix}f`)
    expect(ttl).toBeLessThanOrEqual(30_000)
    expect(ttl).toBeGreaterThan(20_000)

    const noTtl = newStore({ disableTTL: true })
    await noTtl.set('n', sessionData())
    expect(await client.pttl(`${noTtl.prefix}n`)).toBe(-1)
    // expiry is still enforced on read
    await noTtl.set('old', sessionData({}, { expires: new Date(Date.now() + 50).toISOString() }))
    await client.set(
      `${noTtl.prefix}old`,
      JSON.stringify(sessionData({}, { expires: new Date(Date.now() - 1000).toISOString() })),
    )
    expect(await noTtl.get('old')).toBeNull()

    const noTouch = newStore({ disableTouch: true, ttl: 100 })
    await noTouch.set('t', sessionData())
    await client.pexpire(`${noTouch.prefix}t`, 50_000)
    await noTouch.get('t')
    await noTouch.touch('t', sessionData())
    expect(await client.pttl(`${noTouch.prefix}t`)).toBeLessThanOrEqual(50_000)
  })

  test('get slides the TTL by the stored idle time in the same call', async () => {
    const store = newStore()
    const client = backend.client()
    await store.set(
      'slide',
      sessionData({}, { originalMaxAge: 600_000, expires: new Date(Date.now() + 600_000).toISOString() }),
    )
    await client.pexpire(`${store.prefix}slide`, 5000)
    await store.get('slide')
    expect(await client.pttl(`${store.prefix}slide`)).toBeGreaterThan(590_000)
  })

  test('clear() refuses an empty prefix', async () => {
    const store = new RedisStore({ redis: backend.client(), prefix: '' })
    await expect(store.clear()).rejects.toThrow(/empty prefix/)
  })
})

describeBackends('RedisStore with a non-JSON serializer', (backend) => {
  test('metadata header round-trips and the TTL slides', async () => {
    const serializer = {
      stringify: (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64'),
      parse: async (text: string) => JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as unknown,
    }
    const store = new RedisStore({
      redis: backend.client(),
      prefix: `${backend.prefix}b64:`,
      serializer,
      absoluteTimeout: '1 d',
    })
    const data = sessionData(
      { n: 7 },
      { originalMaxAge: 600_000, expires: new Date(Date.now() + 600_000).toISOString() },
    )
    await store.set('b', data)
    const raw = await backend.client().get(`${store.prefix}b`)
    expect(raw?.startsWith('~rw1|')).toBe(true)
    await backend.client().pexpire(`${store.prefix}b`, 5000)
    expect(await store.get('b')).toEqual(data)
    expect(await backend.client().pttl(`${store.prefix}b`)).toBeGreaterThan(590_000)
    expect(await store.all()).toEqual([{ ...data, id: 'b' }])
  })
})
