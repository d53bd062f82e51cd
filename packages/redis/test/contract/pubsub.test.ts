import type { RedisClient, Subscription } from '@rediware/redis'
import { describeBackends, waitFor } from '@rediware/test-utils'

interface Received {
  channel: string
  message: string
}

/** Collects what a subscription receives; `until(n)` waits for n messages. */
function collector() {
  const received: Received[] = []
  return {
    received,
    listener: (message: string, channel: string) => {
      received.push({ channel, message })
    },
    until: (count: number) =>
      waitFor(() => received.length >= count, { description: `${count} message(s)`, timeout: 5000 }),
  }
}

describeBackends('RedisClient pub/sub', (backend) => {
  let client: RedisClient
  const open: Subscription[] = []
  let n = 0
  const channel = (name: string) => {
    n += 1
    return `${backend.prefix}{${name}}:${n}`
  }
  const track = (subscription: Subscription) => {
    open.push(subscription)
    return subscription
  }

  beforeAll(() => {
    client = backend.client()
  })

  afterEach(async () => {
    await Promise.all(open.splice(0).map((subscription) => subscription.close()))
  })

  it('delivers what is published after ready(), in order, and counts the receivers', async () => {
    const news = channel('news')
    const seen = collector()
    const subscription = track(client.subscribe(news, seen.listener))
    await subscription.ready({ timeout: 5000 })
    for (let index = 0; index < 20; index += 1) expect(await client.publish(news, `m${index}`)).toBe(1)
    await seen.until(20)
    expect(seen.received.map((item) => item.message)).toEqual(Array.from({ length: 20 }, (_, index) => `m${index}`))
    expect(new Set(seen.received.map((item) => item.channel))).toEqual(new Set([news]))
  })

  it('calls onSubscribe with the channels once they are subscribed', async () => {
    const a = channel('a')
    const b = channel('b')
    const subscribed: string[] = []
    const subscription = track(
      client.subscribe([a, b], () => undefined, { onSubscribe: (list) => subscribed.push(...list) }),
    )
    await subscription.ready({ timeout: 5000 })
    expect(new Set(subscribed)).toEqual(new Set([a, b]))
  })

  it('shares a channel between subscriptions and keeps it until the last one leaves', async () => {
    const shared = channel('shared')
    const first = collector()
    const second = collector()
    const one = track(client.subscribe(shared, first.listener))
    const two = track(client.subscribe(shared, second.listener))
    await Promise.all([one.ready({ timeout: 5000 }), two.ready({ timeout: 5000 })])
    await client.publish(shared, 'both')
    await Promise.all([first.until(1), second.until(1)])
    await one.close()
    await client.publish(shared, 'second only')
    await second.until(2)
    expect(first.received.map((item) => item.message)).toEqual(['both'])
    expect(second.received.map((item) => item.message)).toEqual(['both', 'second only'])
  })

  it('adds and removes channels of one subscription', async () => {
    const a = channel('add-a')
    const b = channel('add-b')
    const seen = collector()
    const subscription = track(client.subscribe(a, seen.listener))
    subscription.add(b)
    await subscription.ready({ timeout: 5000 })
    expect([...subscription.channels].sort()).toEqual([a, b].sort())
    subscription.remove(a)
    await client.publish(a, 'gone')
    await client.publish(b, 'kept')
    await seen.until(1)
    expect(seen.received).toEqual([{ channel: b, message: 'kept' }])
  })

  it('carries any text unchanged', async () => {
    const text = channel('text')
    const lineBreaks = backend.name === 'upstash' ? [] : ['line\nbreak\r\n']
    const messages = ['', 'a,b,c', 'tab\there', 'héllo 👋', '{"json":[1,2]}', 'x'.repeat(20_000), ...lineBreaks]
    const seen = collector()
    const subscription = track(client.subscribe(text, seen.listener))
    await subscription.ready({ timeout: 5000 })
    for (const message of messages) await client.publish(text, message)
    await seen.until(messages.length)
    expect(seen.received.map((item) => item.message)).toEqual(messages)
  })

  if (backend.name === 'upstash') {
    it('refuses a message with a line break (Upstash streams messages as SSE lines)', async () => {
      await expect(client.publish(channel('lines'), 'two\nlines')).rejects.toThrow(/line break/)
    })
  }

  it('counts no receivers on a channel nobody listens to', async () => {
    expect(await client.publish(channel('nobody'), 'x')).toBe(0)
  })

  it('keeps delivering to others when a listener throws, and reports the error to its onError', async () => {
    const noisy = channel('noisy')
    const errors: Error[] = []
    const seen = collector()
    const bad = track(
      client.subscribe(
        noisy,
        () => {
          throw new Error('listener failed')
        },
        { onError: (error) => errors.push(error) },
      ),
    )
    const good = track(client.subscribe(noisy, seen.listener))
    await Promise.all([bad.ready({ timeout: 5000 }), good.ready({ timeout: 5000 })])
    await client.publish(noisy, 'one')
    await seen.until(1)
    expect(errors.map((error) => error.message)).toEqual(['listener failed'])
  })

  it('rejects ready() with ERR_REDIS_CLOSED when closed first, and refuses bad input', async () => {
    const subscription = client.subscribe(channel('closing'), () => undefined)
    const waiting = subscription.ready()
    await subscription.close()
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_REDIS_CLOSED' })
    expect(() => client.subscribe('', () => undefined)).toThrow(TypeError)
    expect(() => client.subscribe([channel('x'), 42 as unknown as string], () => undefined)).toThrow(TypeError)
    await expect(client.publish('', 'x')).rejects.toThrow(TypeError)
  })
})
