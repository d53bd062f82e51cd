import { randomBytes } from 'node:crypto'
import { describeBackends } from '@rediware/test-utils'
import { RedisStore } from '../src/index.js'
import { eventLog, sessionData } from './helpers.js'

describeBackends('encryption at rest', (backend) => {
  const oldKey = randomBytes(32)
  const newKey = randomBytes(32).toString('base64')

  test('data is unreadable in Redis, readable through the store, and survives key rotation', async () => {
    const prefix = `${backend.prefix}enc:`
    const client = backend.client()
    const before = new RedisStore({ redis: client, prefix, encryption: { keys: [oldKey] } })
    const data = sessionData(
      { secret: 'card-4242' },
      { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000).toISOString() },
    )
    await before.set('e1', data)
    const raw = await client.get(`${prefix}e1`)
    expect(raw).not.toContain('card-4242')
    expect(await before.get('e1')).toEqual(data)

    const rotated = new RedisStore({ redis: client, prefix, encryption: { keys: [newKey, oldKey] } })
    expect(await rotated.get('e1')).toEqual(data)
    await rotated.set('e1', data)
    const { events, onEvent } = eventLog()
    const onlyOld = new RedisStore({ redis: client, prefix, encryption: { keys: [oldKey] }, onEvent })
    expect(await onlyOld.get('e1')).toBeNull()
    expect(events.map((event) => event.type)).toEqual(['corrupt-session'])
  })

  test('a value copied to another session id does not decrypt; plaintext data is still read', async () => {
    const prefix = `${backend.prefix}enc2:`
    const client = backend.client()
    const store = new RedisStore({ redis: client, prefix, encryption: { keys: [oldKey] }, onEvent: () => undefined })
    await store.set('victim', sessionData({ userId: 'admin' }))
    const stolen = await client.get(`${prefix}victim`)
    await client.set(`${prefix}attacker`, stolen ?? '', { px: 60_000 })
    expect(await store.get('attacker')).toBeNull()

    await client.set(`${prefix}plain`, JSON.stringify(sessionData({ n: 1 })), { px: 60_000 })
    expect(await store.get('plain')).toEqual(sessionData({ n: 1 }))
  })

  test('bad keys are rejected at construction', () => {
    expect(() => new RedisStore({ redis: backend.client(), encryption: { keys: [] } })).toThrow(TypeError)
    expect(() => new RedisStore({ redis: backend.client(), encryption: { keys: [randomBytes(16)] } })).toThrow(
      /32 bytes/,
    )
  })
})
