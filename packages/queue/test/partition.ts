import type { RedisClient } from '@rediware/redis'

/**
 * A client that reaches Redis like `client` except for the scripts named in `cut` while `cut` says so:
 * those fail as if the network dropped them. It stands in for a worker cut off from Redis (a
 * partition) while the rest of the system still reaches it; it is a fault injector, not a mock: every
 * call that goes through runs on the real server.
 */
export function partitioned(client: RedisClient, cut: (scriptName: string) => boolean): RedisClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'runScript') {
        const runScript: RedisClient['runScript'] = (script, keys, args, options) =>
          cut(script.name)
            ? Promise.reject(new Error(`partition: ${script.name} dropped`))
            : target.runScript(script, keys, args, options)
        return runScript
      }
      const value = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
