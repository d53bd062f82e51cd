/** Environment variables the global setup exports to every test worker. */
export const ENV = {
  /** `redis://host:port` of the standalone server (or REDIS_URL when that was set). */
  redisUrl: 'REDIWARE_TEST_REDIS_URL',
  /** `host:port,host:port,...` of the local Cluster's masters. */
  clusterNodes: 'REDIWARE_TEST_CLUSTER_NODES',
  /** Base URL of upstash-local in front of the standalone server. */
  upstashUrl: 'REDIWARE_TEST_UPSTASH_URL',
  upstashToken: 'REDIWARE_TEST_UPSTASH_TOKEN',
} as const

/** Reads a variable the global setup must have exported; throws a message that says why it is missing. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name]
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: run tests from the repo root (\`cd /work/main && npx jest ...\`) so that ` +
        'jest.config.ts runs tooling/test-utils/src/global-setup.ts.',
    )
  }
  return value
}
