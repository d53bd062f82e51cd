export {
  type BackendName,
  backendNames,
  type DescribeBackendsOptions,
  describeBackends,
  type RawClient,
  type TestBackend,
} from './backends.js'
export { clusterConnected as nodeRedisClusterConnected } from './node-redis.js'
export { ENV, requireEnv } from './env.js'
export { describeExpress, type ExpressVersion, type ExpressVersionName, expressVersions } from './express-apps.js'
export { findFreePort } from './free-port.js'
export { type HeadlessChromium, type HeadlessChromiumOptions, launchHeadlessChromium } from './headless-chromium.js'
export { isAlive } from './process-control.js'
export { type Address, ping, rawCommand } from './raw-command.js'
export { type RedisClusterHandle, type RedisClusterOptions, startRedisCluster } from './redis-cluster.js'
export {
  type FailoverResult,
  type ReplicatedClusterHandle,
  type ReplicatedClusterOptions,
  startReplicatedCluster,
} from './redis-cluster-replicas.js'
export { type RedisServerHandle, type RedisServerOptions, startRedisServer } from './redis-server.js'
export type { RespValue } from './resp.js'
export { waitFor, type WaitForOptions } from './wait-for.js'
export {
  createPackedProject,
  describeInstalledTarballs,
  type PackedProject,
  packPackages,
  type TarballSmokeTest,
} from './pack.js'
export { openStream, type SseEvent, type SseStream } from './sse-client.js'
