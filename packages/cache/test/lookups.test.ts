import { Lookups, type Read } from '../src/lookups.js'
import { gate } from './helpers.js'

describe('shared lookups', () => {
  it('never hands a request a read sent before it arrived; requests arriving during a read share the next one', async () => {
    const lookups = new Lookups<Read>()
    const started: number[] = []
    const gates = [gate(), gate()]
    const run = () => {
      const index = started.length
      started.push(index)
      return (gates[index] ?? gate()).promise.then(() => ({ text: null, versions: { t: `v${index}` } }))
    }
    const first = lookups.read('k', run)
    // arrive while the first read is in flight: they must not get it
    const second = lookups.read('k', run)
    const third = lookups.read('k', run)
    expect(started).toEqual([0])
    gates[0]?.open()
    expect((await first).versions).toEqual({ t: 'v0' })
    // the next read is sent once the first returned, for both late arrivals
    await new Promise((resolve) => setImmediate(resolve))
    expect(started).toEqual([0, 1])
    gates[1]?.open()
    expect((await second).versions).toEqual({ t: 'v1' })
    expect(await third).toBe(await second)
    // nothing in flight: a new request reads at once
    const fourth = lookups.read('k', () => Promise.resolve({ text: null, versions: { t: 'v2' } }))
    expect((await fourth).versions).toEqual({ t: 'v2' })
  })

  it('keeps keys apart and passes a failed read to the requests that shared it only', async () => {
    const lookups = new Lookups<Read>()
    const failing = gate()
    const first = lookups.read('a', () => failing.promise.then(() => Promise.reject(new Error('down'))))
    const late = lookups.read('a', () => Promise.resolve({ text: null, versions: {} }))
    const other = lookups.read('b', () => Promise.resolve({ text: null, versions: { b: '1' } }))
    expect((await other).versions).toEqual({ b: '1' })
    failing.open()
    await expect(first).rejects.toThrow('down')
    expect((await late).versions).toEqual({})
  })
})
