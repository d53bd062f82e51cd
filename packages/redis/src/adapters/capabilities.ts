import type { ClientCapabilities } from '../types.js'

/** A TCP connection to one server (`sharded: false`) or to a Redis Cluster (`sharded: true`). */
export const tcpCapabilities = (sharded: boolean): ClientCapabilities =>
  Object.freeze({ shardedKeys: sharded, shardedPubSub: sharded, requestPerCall: false })

/** A REST endpoint: one HTTP request per call, one server as far as keys go. */
export const httpCapabilities: ClientCapabilities = Object.freeze({
  shardedKeys: false,
  shardedPubSub: false,
  requestPerCall: true,
})

/** The in-process keyspace: no I/O, no slots. */
export const memoryCapabilities: ClientCapabilities = Object.freeze({
  shardedKeys: false,
  shardedPubSub: false,
  requestPerCall: false,
})
