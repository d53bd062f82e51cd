import { describeBackends } from '@rediware/test-utils'
import { writeArgs, writeSession } from '../src/scripts/write-session.js'
import { encodeParts } from '../src/stored-value.js'

const plain = { mode: 'upsert', ttlMs: 60_000, absoluteMs: 0, created: 0, check: '' } as const

describe('writeArgs', () => {
  test('leaves out trailing defaults, keeps every argument before the last one given', () => {
    expect(writeArgs('h', 't', plain)).toEqual(['h', 't', 'a', 60_000])
    expect(writeArgs('h', 't', { ...plain, absoluteMs: 5 })).toEqual(['h', 't', 'a', 60_000, 5])
    expect(writeArgs('h', 't', { ...plain, created: 7 })).toEqual(['h', 't', 'a', 60_000, 0, 7])
    expect(writeArgs('h', 't', { ...plain, mode: 'update', check: 'abc' })).toEqual([
      'h',
      't',
      'u',
      60_000,
      0,
      0,
      'abc',
    ])
  })
})

describeBackends('the session write script', (backend) => {
  let counter = 0
  const key = () => {
    counter += 1
    return `${backend.prefix}ws${counter}`
  }
  const parts = (user: string) => encodeParts('{"cookie":{"path":"/"},"n":1}', 60_000, user)

  test('a write without the optional arguments equals one with them given as defaults', async () => {
    const client = backend.client()
    const [short, long] = [key(), key()]
    const { head, tail } = parts('')
    const first = await client.runScript(writeSession, [short], writeArgs(head, tail, plain))
    const second = await client.runScript(writeSession, [long], [head, tail, 'a', 60_000, 0, 0, ''])
    expect(first).toEqual({
      kind: 'written',
      created: expect.any(Number),
      previousUser: '',
      now: expect.any(Number),
      corrupt: false,
    })
    expect(second).toEqual({ ...first, created: expect.any(Number), now: expect.any(Number) })
    const update = await client.runScript(writeSession, [short], writeArgs(head, tail, { ...plain, mode: 'update' }))
    // The plain update (creation time kept, clock not read, no user) gets the short reply.
    expect(update).toEqual({
      kind: 'written',
      created: first.kind === 'written' ? first.created : -1,
      previousUser: '',
      now: 0,
      corrupt: false,
    })
    expect(await client.get(short)).toBe(`${head}${update.kind === 'written' ? update.created : ''}${tail}`)
  })

  test('a write over a session with a user reports that user (the full reply)', async () => {
    const client = backend.client()
    const target = key()
    const withUser = parts('u1')
    await client.runScript(writeSession, [target], writeArgs(withUser.head, withUser.tail, plain))
    const { head, tail } = parts('')
    const update = await client.runScript(writeSession, [target], writeArgs(head, tail, { ...plain, mode: 'update' }))
    expect(update).toEqual({ kind: 'written', created: expect.any(Number), previousUser: 'u1', now: 0, corrupt: false })
  })
})
