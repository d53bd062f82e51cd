import { nowMs } from './protocol.js'

/**
 * What the clients of the load process received: per client, which sequence numbers arrived, and
 * the publish→receive latency of every delivery while `measuring` is on.
 */
export class Receipts {
  private readonly seen: Uint8Array[] = []
  private latencies = new Float64Array(1 << 16)
  private latencyCount = 0
  /** Deliveries of non-negative sequence numbers, across all clients. */
  delivered = 0
  /** Deliveries of one sequence number to one client more than once. */
  duplicates = 0
  /** Warm-up deliveries (negative sequence numbers), per client. */
  readonly warmedUp: boolean[] = []
  measuring = false

  constructor(private readonly capacity: number) {}

  addClient(): number {
    this.seen.push(new Uint8Array(this.capacity))
    this.warmedUp.push(false)
    return this.seen.length - 1
  }

  record(client: number, n: number, at: number): void {
    if (n < 0) {
      this.warmedUp[client] = true
      return
    }
    const seen = this.seen[client]
    if (!seen || n >= seen.length) return
    if (seen[n] === 1) {
      this.duplicates += 1
      return
    }
    seen[n] = 1
    this.delivered += 1
    if (this.measuring) this.addLatency(nowMs() - at)
  }

  has(client: number, n: number): boolean {
    return this.seen[client]?.[n] === 1
  }

  /** How many of `from`…`to - 1` client `client` never got. */
  missing(client: number, from: number, to: number): number {
    let count = 0
    for (let n = from; n < to; n += 1) if (!this.has(client, n)) count += 1
    return count
  }

  /** Latency percentiles (ms) of the deliveries recorded while measuring, then forgets them. */
  takeLatencies(): { p50: number; p99: number; samples: number } {
    const sorted = this.latencies.subarray(0, this.latencyCount).sort()
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN
    const result = { p50: at(50), p99: at(99), samples: sorted.length }
    this.latencyCount = 0
    return result
  }

  private addLatency(ms: number): void {
    if (this.latencyCount === this.latencies.length) {
      const grown = new Float64Array(this.latencies.length * 2)
      grown.set(this.latencies)
      this.latencies = grown
    }
    this.latencies[this.latencyCount] = ms
    this.latencyCount += 1
  }
}
