import { startUpstashLocal } from '../../../packages/upstash-local/src/index.js'

/**
 * >>> UPSTASH-LOCAL PLUG-IN POINT <<<
 * The one place the global setup starts @rediware/upstash-local. Imported by relative path (not by
 * package name) because jest loads the global setup outside its module mapper.
 */
export interface UpstashEndpoint {
  url: string
  token: string
  close(): Promise<void>
}

/** Starts upstash-local on a free port of 127.0.0.1 in front of the Redis at `redisUrl`. */
export async function startUpstash(redisUrl: string, token: string): Promise<UpstashEndpoint | undefined> {
  const local = await startUpstashLocal({ redisUrl, token, port: 0 })
  return { url: local.url, token: local.token, close: () => local.close() }
}
