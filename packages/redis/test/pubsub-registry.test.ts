import { SubscriberRegistry } from '../src/pubsub/registry.js'
import type { PubSubWire, WireEvents } from '../src/pubsub/wire.js'

/** A wire driven by the test: it records what the registry asks and lets the test emit events in any order. */
function scriptedWire() {
  const calls: string[] = []
  let events: WireEvents | undefined
  const open = (wireEvents: WireEvents): PubSubWire => {
    events = wireEvents
    calls.push('open')
    return {
      subscribe: (channels) => calls.push(`subscribe ${channels.join(',')}`),
      unsubscribe: (channels) => calls.push(`unsubscribe ${channels.join(',')}`),
      close: async () => {
        calls.push('close')
      },
    }
  }
  return {
    calls,
    open,
    emit: () => {
      if (!events) throw new Error('the wire was not opened')
      return events
    },
  }
}

describe('SubscriberRegistry (the subscriptions sharing one subscriber connection)', () => {
  it('reports onSubscribe before the messages that arrived ahead of the confirmation, after a reconnect too', () => {
    const wire = scriptedWire()
    const registry = new SubscriberRegistry(wire.open)
    const seen: string[] = []
    registry.subscribe('news', (message) => seen.push(`message ${message}`), {
      onSubscribe: () => seen.push('subscribed'),
    })
    wire.emit().message('news', 'early')
    wire.emit().subscribed(['news'])
    wire.emit().message('news', 'live')
    wire.emit().lost(['news'], new Error('connection closed'))
    wire.emit().message('news', 'after reconnect')
    wire.emit().subscribed(['news'])
    expect(seen).toEqual(['subscribed', 'message early', 'message live', 'subscribed', 'message after reconnect'])
  })

  it('subscribes a channel on the wire once for all subscriptions, and opens and closes the wire with them', async () => {
    const wire = scriptedWire()
    const registry = new SubscriberRegistry(wire.open)
    const one = registry.subscribe(['a', 'b'], () => undefined, {})
    const two = registry.subscribe(['b', 'c'], () => undefined, {})
    await one.close()
    two.remove('c')
    await two.close()
    expect(wire.calls).toEqual([
      'open',
      'subscribe a,b',
      'subscribe c',
      'unsubscribe a',
      'unsubscribe c',
      'unsubscribe b',
      'close',
    ])
  })
})
