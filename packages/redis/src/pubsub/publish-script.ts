import { defineScript } from '../script.js'

/**
 * PUBLISH or SPUBLISH (ARGV[1]) of ARGV[2] on the channel KEYS[1]. A script, so the channel is
 * routed (Cluster slot) and prefixed (ioredis `keyPrefix`) exactly as a key, by every adapter alike.
 */
export const publishScript = defineScript<number>({
  name: 'publish',
  keys: 1,
  lua: `return redis.call(ARGV[1], KEYS[1], ARGV[2])`,
  local: (redis, [channel = ''], [command = 'PUBLISH', message = '']) => redis.call(command, channel, message),
  parse: Number,
})
