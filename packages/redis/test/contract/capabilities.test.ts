import { defineScript, type RedisClient } from '@rediware/redis'
import { describeBackends } from '@rediware/test-utils'

/** Touches two keys; on a sharded keyspace the keys must share a slot. */
const touchBoth = defineScript<number>({
  name: 'touch-both',
  keys: 2,
  lua: `return redis.call('EXISTS', KEYS[1]) + redis.call('EXISTS', KEYS[2])`,
  local: (redis, keys) => Number(redis.call('EXISTS', keys[0] ?? '')) + Number(redis.call('EXISTS', keys[1] ?? '')),
  parse: Number,
})

const expected = {
  ioredis: { shardedKeys: false, shardedPubSub: false, requestPerCall: false },
  cluster: { shardedKeys: true, shardedPubSub: true, requestPerCall: false },
  'node-redis': { shardedKeys: false, shardedPubSub: false, requestPerCall: false },
  'node-redis-cluster': { shardedKeys: true, shardedPubSub: true, requestPerCall: false },
  upstash: { shardedKeys: false, shardedPubSub: false, requestPerCall: true },
  memory: { shardedKeys: false, shardedPubSub: false, requestPerCall: false },
}

describeBackends('RedisClient capabilities', (backend) => {
  let client: RedisClient

  beforeAll(() => {
    client = backend.client()
  })

  it('says what the backend can do', () => {
    expect(client.capabilities).toEqual(expected[backend.name])
    expect(Object.isFrozen(client.capabilities)).toBe(true)
  })

  it('refuses a script over two slots exactly where keys are sharded', async () => {
    const run = client.runScript(touchBoth, [`${backend.prefix}a`, `${backend.prefix}b`], [])
    if (client.capabilities.shardedKeys) await expect(run).rejects.toMatchObject({ code: 'ERR_REDIS_REPLY' })
    else await expect(run).resolves.toBe(0)
  })
})
