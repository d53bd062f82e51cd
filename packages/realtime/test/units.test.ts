import { memoryClient } from '@rediware/redis'
import { channelTag, decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from '../src/cursor.js'
import { compareIds, isEventId, ORIGIN } from '../src/event-id.js'
import { type FollowerSink, LogFollower } from '../src/follower.js'
import { History } from '../src/history.js'
import { RealtimeKeys } from '../src/keys.js'
import { LogEntry } from '../src/log-entry.js'
import { appendScript } from '../src/scripts/append.js'

describe('event ids', () => {
  it('orders ids numerically, ms then sequence', () => {
    expect(compareIds('9-0', '10-0')).toBeLessThan(0)
    expect(compareIds('10-2', '10-10')).toBeLessThan(0)
    expect(compareIds('1712345678901-3', '1712345678901-3')).toBe(0)
    expect(compareIds('0-1', ORIGIN)).toBeGreaterThan(0)
  })

  it('accepts only stream ids', () => {
    expect(isEventId('1712345678901-0')).toBe(true)
    for (const bad of ['', '1', '01-0', '1-01', '1-0-0', 'x-1', '1-', '-1', `${'9'.repeat(21)}-0`])
      expect(isEventId(bad)).toBe(false)
  })
})

describe('the stream cursor (Last-Event-ID)', () => {
  const a = channelTag('alpha')
  const b = channelTag('beta')

  it('is the event id itself for one channel, and tag:id pairs for several', () => {
    expect(encodeCursor([{ tag: a, position: '5-1' }])).toBe('5-1')
    expect(
      encodeCursor([
        { tag: a, position: '5-1' },
        { tag: b, position: undefined },
      ]),
    ).toBe(`${a}:5-1`)
    expect(
      encodeCursor([
        { tag: a, position: '5-1' },
        { tag: b, position: '7-0' },
      ]),
    ).toBe(`${a}:5-1,${b}:7-0`)
  })

  it('reads back the positions it names, whatever the order of the channels', () => {
    expect(decodeCursor(undefined, [a])).toBeUndefined()
    expect(decodeCursor('', [a])).toBeUndefined()
    expect(decodeCursor('5-1', [a])).toEqual(new Map([[a, '5-1']]))
    expect(decodeCursor(`${b}:7-0,${a}:5-1`, [a, b])).toEqual(
      new Map([
        [a, '5-1'],
        [b, '7-0'],
      ]),
    )
  })

  it('reads a malformed, foreign or oversized cursor as "no known position" (a reset, never a guess)', () => {
    expect(decodeCursor('5-1', [a, b])).toEqual(new Map())
    expect(decodeCursor('garbage', [a])).toEqual(new Map())
    expect(decodeCursor(`${a}:x-1,zz:5-1`, [a])).toEqual(new Map())
    expect(decodeCursor('9'.repeat(MAX_CURSOR_LENGTH + 1), [a])).toEqual(new Map())
  })
})

describe('LogFollower (the order and gap logic of every reader)', () => {
  const keys = new RealtimeKeys('unit:').of('news')

  async function setup() {
    const client = memoryClient()
    const history = new History(client, undefined)
    const append = (data: number) =>
      client.runScript(appendScript, [keys.log, keys.live], ['n', String(data), 1000, 0, 'PUBLISH'])
    const seen: string[] = []
    const sink: FollowerSink = {
      deliver: (entry) => seen.push(entry.data),
      reset: (from, tail) =>
        seen.push(`reset ${from === ORIGIN ? 'origin' : 'from'}→${tail === ORIGIN ? 'origin' : 'tail'}`),
      failed: (error) => seen.push(`failed ${String(error)}`),
      synced: () => undefined,
      overflow: () => seen.push('overflow'),
    }
    const follower = new LogFollower(history, keys, sink, { maxQueue: 3, pageSize: 2 })
    const entries = async () => (await client.xrange(keys.log, '-', '+')).map(LogEntry.fromStream)
    const settled = () => new Promise((resolve) => setTimeout(resolve, 20))
    return { client, append, seen, follower, entries, settled }
  }

  it('delivers contiguous live events, skips duplicates, and reads the log (in pages) for a gap', async () => {
    const { append, seen, follower, entries, settled } = await setup()
    await append(1)
    follower.sync()
    await settled()
    for (let index = 2; index <= 6; index += 1) await append(index)
    const [, second, third, , , sixth] = await entries()
    follower.offer(second as LogEntry)
    follower.offer(second as LogEntry)
    follower.offer(third as LogEntry)
    follower.offer(sixth as LogEntry)
    await settled()
    expect(seen).toEqual(['2', '3', '4', '5', '6'])
  })

  it('starts from the log’s end when it has no position, and resets when what follows its position is gone', async () => {
    const { client, append, seen, follower, entries, settled } = await setup()
    await append(1)
    follower.sync()
    await settled()
    expect(seen).toEqual([])
    for (let index = 2; index <= 5; index += 1) await append(index)
    await client.xtrim(keys.log, { maxLen: 2, approximate: false })
    const [, last] = await entries()
    follower.offer(last as LogEntry)
    await settled()
    expect(seen).toEqual(['reset from→tail'])
    expect(follower.position).toBe(last?.id)
  })

  it('jumps to a tail below its position when the source says the log is gone, with a reset', async () => {
    const { append, seen, follower, settled } = await setup()
    await append(1)
    follower.sync()
    await settled()
    const from = follower.position as string
    follower.jump(from, ORIGIN)
    expect(seen).toEqual(['reset from→origin'])
    expect(follower.position).toBe(ORIGIN)
  })

  it('takes an event that starts a new log as the next one while live', async () => {
    const { client, append, seen, follower, entries, settled } = await setup()
    await append(1)
    follower.sync()
    await settled()
    await client.del(keys.log)
    await append(2)
    const [fresh] = await entries()
    expect(fresh?.prev).toBe(ORIGIN)
    follower.offer(fresh as LogEntry)
    expect(seen).toEqual(['2'])
  })

  it('drops its queue past maxQueue and reads the log instead', async () => {
    const { append, seen, follower, entries, settled } = await setup()
    await append(0)
    follower.sync()
    await settled()
    for (let index = 1; index <= 5; index += 1) await append(index)
    const all = await entries()
    follower.sync()
    for (const entry of all.slice(1)) follower.offer(entry)
    await settled()
    expect(seen).toEqual(['overflow', '1', '2', '3', '4', '5'])
  })
})
