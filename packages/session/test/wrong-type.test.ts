import { commands, hashKeyPart, type RedisClient } from '@rediware/redis'
import { describeBackends } from '@rediware/test-utils'
import { RedisStore } from '../src/index.js'
import { countingClient, eventLog, sessionData } from './helpers.js'

type WrongType = 'string' | 'hash' | 'set' | 'zset' | 'list'

/** Replaces whatever is at `key` with a value of another Redis type, as a manual edit or a bug would. */
async function plant(client: RedisClient, key: string, type: WrongType): Promise<void> {
  await client.del(key)
  if (type === 'string') await client.set(key, 'garbage')
  else if (type === 'hash') await client.hset(key, { f: 'v', cookie: '{}' })
  else if (type === 'set') await client.sadd(key, ['a', 'b'])
  else if (type === 'zset') await client.zadd(key, [{ score: 1, member: 'a' }])
  else await client.batch([commands.raw('RPUSH', [key, 'a', 'b'], [0])])
}

const typeOf = async (client: RedisClient, key: string): Promise<unknown> =>
  (await client.batch([commands.raw('TYPE', [key], [0])]))[0]

describeBackends('wrong-type data at the store keys', (backend) => {
  // The memory backend has no lists; every other type is tried on every backend.
  const sessionTypes: WrongType[] =
    backend.name === 'memory' ? ['hash', 'set', 'zset'] : ['hash', 'set', 'zset', 'list']
  const indexTypes: WrongType[] = ['string', ...sessionTypes.filter((type) => type !== 'zset')]
  let counter = 0
  const newStore = (extra: Record<string, unknown> = {}) => {
    counter += 1
    const log = eventLog()
    const prefix = `${backend.prefix}w${counter}:`
    const store = new RedisStore({ redis: backend.client(), prefix, onEvent: log.onEvent, ...extra })
    const corrupt = () => log.events.filter((event) => event.type === 'corrupt-session')
    return { store, log, corrupt, prefix }
  }
  const withUsers = () => newStore({ userId: (s: { userId?: string }) => s.userId, absoluteTimeout: '1 d' })
  const client = () => backend.client()

  describe.each(sessionTypes)('a %s at a session key', (type) => {
    test('get: no session, the key is deleted, reported once, in one Redis call', async () => {
      const { prefix, corrupt, log } = newStore()
      const counting = countingClient(client())
      const store = new RedisStore({ redis: counting.client, prefix, onEvent: log.onEvent })
      await plant(client(), `${prefix}s1`, type)
      const before = counting.calls()
      expect(await store.get('s1')).toBeNull()
      expect(counting.calls() - before).toBe(1)
      expect(await client().exists(`${prefix}s1`)).toBe(0)
      expect(corrupt()).toEqual([{ type: 'corrupt-session', idHash: hashKeyPart('s1'), error: expect.any(TypeError) }])
      expect(await store.get('s1')).toBeNull()
      expect(corrupt()).toHaveLength(1)
    })

    test('set writes over it, touch and destroy remove it, none of them rejects', async () => {
      const { store, prefix, corrupt } = newStore()
      await plant(client(), `${prefix}s1`, type)
      await store.set('s1', sessionData({ n: 1 }))
      expect(await store.get('s1')).toEqual(sessionData({ n: 1 }))
      expect(corrupt()).toHaveLength(1)

      await plant(client(), `${prefix}s2`, type)
      await expect(store.touch('s2', sessionData({}, { originalMaxAge: 60_000 }))).resolves.toBeUndefined()
      expect(await client().exists(`${prefix}s2`)).toBe(0)
      expect(corrupt()).toHaveLength(2)

      await plant(client(), `${prefix}s3`, type)
      await expect(store.destroy('s3')).resolves.toBeUndefined()
      expect(await client().exists(`${prefix}s3`)).toBe(0)
      expect(corrupt()).toHaveLength(3)
    })

    test('all, ids, length and clear do not reject; all() removes it and returns the rest', async () => {
      const { store, prefix, corrupt } = newStore()
      await store.set('good', sessionData({ ok: true }))
      await plant(client(), `${prefix}bad`, type)
      expect((await store.ids()).sort()).toEqual(['bad', 'good'])
      expect(await store.length()).toBe(2)
      expect(await store.all()).toEqual([{ ...sessionData({ ok: true }), id: 'good' }])
      expect(await client().exists(`${prefix}bad`)).toBe(0)
      expect(corrupt()).toHaveLength(1)
      await plant(client(), `${prefix}bad`, type)
      await store.clear()
      expect(await store.length()).toBe(0)
    })

    test('listUserSessions and revokeUser skip it, remove it and do not reject', async () => {
      const { store, prefix, corrupt } = withUsers()
      await store.set('a', sessionData({ userId: 'u1' }))
      await store.set('b', sessionData({ userId: 'u1' }))
      await plant(client(), `${prefix}b`, type)
      const listed = await store.listUserSessions('u1', { current: 'a' })
      expect(listed.map((entry) => [entry.idHash, entry.current])).toEqual([[hashKeyPart('a'), true]])
      expect(await client().exists(`${prefix}b`)).toBe(0)
      expect(corrupt()).toHaveLength(1)

      await store.set('c', sessionData({ userId: 'u1' }))
      await plant(client(), `${prefix}c`, type)
      expect(await store.revokeUser('u1')).toBe(2)
      expect(await client().exists(`${prefix}a`)).toBe(0)
      expect(await client().exists(`${prefix}c`)).toBe(0)
    })
  })

  describe.each(indexTypes)('a %s at a per-user index key', (type) => {
    // The default userIndexPrefix: the session prefix without its ':' plus '-user:'.
    const indexKeyOf = (store: RedisStore, userId: string): string =>
      `${store.prefix.slice(0, -1)}-user:${hashKeyPart(userId)}`
    const setup = async () => {
      const made = withUsers()
      const { store } = made
      await store.set('a', sessionData({ userId: 'u1' }))
      await store.set('b', sessionData({ userId: 'u1' }))
      await store.set('other', sessionData({ userId: 'u2' }))
      const indexKey = indexKeyOf(store, 'u1')
      expect(await typeOf(client(), indexKey)).toBe('zset')
      await plant(client(), indexKey, type)
      return { ...made, indexKey }
    }
    test('revokeUser still revokes every session of the user, removes the index and reports it', async () => {
      const { store, prefix, corrupt, indexKey } = await setup()
      expect(await store.revokeUser('u1', { except: 'b' })).toBe(1)
      expect(await client().exists(`${prefix}a`)).toBe(0)
      expect(await client().exists(`${prefix}b`)).toBe(1)
      expect(await client().exists(`${prefix}other`)).toBe(1)
      expect(corrupt()).toEqual([{ type: 'corrupt-session', idHash: hashKeyPart('u1'), error: expect.any(TypeError) }])
      expect(['zset', 'none']).toContain(await typeOf(client(), indexKey))
      expect(await store.revokeUser('u1')).toBe(1)
      expect(await client().exists(`${prefix}b`)).toBe(0)
      expect(corrupt()).toHaveLength(1)
    })

    test('listUserSessions lists the sessions and rebuilds the index', async () => {
      const { store, corrupt, indexKey } = await setup()
      const listed = await store.listUserSessions('u1', { current: 'b' })
      expect(listed.map((entry) => entry.idHash).sort()).toEqual([hashKeyPart('a'), hashKeyPart('b')].sort())
      expect(await typeOf(client(), indexKey)).toBe('zset')
      expect(await client().pttl(indexKey)).toBeGreaterThan(0)
      expect(corrupt()).toHaveLength(1)
    })

    test('login (a new session for the user) works and rebuilds the index with every session', async () => {
      const { store, corrupt, indexKey } = await setup()
      await store.set('c', sessionData({ userId: 'u1' }))
      expect(await typeOf(client(), indexKey)).toBe('zset')
      expect((await store.listUserSessions('u1')).map((entry) => entry.idHash).sort()).toEqual(
        [hashKeyPart('a'), hashKeyPart('b'), hashKeyPart('c')].sort(),
      )
      expect(corrupt()).toHaveLength(1)
      expect(await store.revokeUser('u1')).toBe(3)
    })

    test('logout (destroy) works and leaves an index of the remaining sessions', async () => {
      const { store, prefix, corrupt } = await setup()
      await expect(store.destroy('a')).resolves.toBeUndefined()
      expect(await client().exists(`${prefix}a`)).toBe(0)
      expect(corrupt()).toHaveLength(1)
      expect((await store.listUserSessions('u1')).map((entry) => entry.idHash)).toEqual([hashKeyPart('b')])
      expect(await store.revokeUser('u1')).toBe(1)
    })
  })
})
