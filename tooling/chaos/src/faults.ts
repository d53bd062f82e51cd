import { rawCommand } from '@rediware/test-utils'
import type { ChaosBackend, ChaosBackendName } from './backends.js'

export type FaultName = 'kill-restart' | 'client-pause' | 'script-flush' | 'oom' | 'failover' | 'upstash-restart'

export interface Fault {
  name: FaultName
  /** How the report describes it. */
  label: string
  appliesTo: readonly ChaosBackendName[]
  /** Injects the fault and undoes it; resolves once the backend itself is back (not the apps). Returns a note for the report. */
  inject(backend: ChaosBackend, holdMs: number): Promise<string>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const every = ['ioredis', 'cluster', 'upstash'] as const

export const faults: readonly Fault[] = [
  {
    name: 'kill-restart',
    label: 'Redis killed (SIGKILL), restarted after the hold',
    appliesTo: every,
    async inject(backend, holdMs) {
      await Promise.all(backend.servers().map((server) => server.kill()))
      await sleep(holdMs)
      if (backend.cluster) await backend.cluster.restartAll()
      else await Promise.all(backend.servers().map((server) => server.restart()))
      return `${backend.servers().length} server(s) down ${holdMs} ms`
    },
  },
  {
    name: 'client-pause',
    label: '`CLIENT PAUSE 2000`',
    appliesTo: every,
    async inject(backend) {
      const servers = backend.servers()
      await Promise.all(servers.map((server) => server.pause(2000)))
      await sleep(2000)
      return `${servers.length} server(s) paused 2000 ms`
    },
  },
  {
    name: 'script-flush',
    label: '`SCRIPT FLUSH`',
    appliesTo: every,
    async inject(backend) {
      const servers = backend.servers()
      await Promise.all(servers.map((server) => rawCommand(server, ['SCRIPT', 'FLUSH'])))
      return `script cache flushed on ${servers.length} server(s)`
    },
  },
  {
    name: 'oom',
    label: '`CONFIG SET maxmemory 1` (every write answers OOM), restored after the hold',
    appliesTo: every,
    async inject(backend, holdMs) {
      const primaries = await backend.primaries()
      await Promise.all(primaries.map((server) => rawCommand(server, ['CONFIG', 'SET', 'maxmemory', '1'])))
      try {
        await sleep(holdMs)
      } finally {
        await Promise.all(primaries.map((server) => rawCommand(server, ['CONFIG', 'SET', 'maxmemory', '0'])))
      }
      return `${primaries.length} primary(ies) OOM for ${holdMs} ms`
    },
  },
  {
    name: 'failover',
    label: 'Cluster master killed, its replica promoted (old master rejoins as replica)',
    appliesTo: ['cluster'],
    async inject(backend) {
      if (!backend.cluster) throw new Error('failover needs a Cluster backend')
      const result = await backend.cluster.failover()
      return `master :${result.killedPort} killed, replica :${result.promotedPort} serving after ${result.promotionMs} ms`
    },
  },
  {
    name: 'upstash-restart',
    label: 'upstash-local stopped, restarted on the same port after the hold',
    appliesTo: ['upstash'],
    async inject(backend, holdMs) {
      if (!backend.restartUpstash) throw new Error('upstash-restart needs the Upstash backend')
      await backend.restartUpstash(holdMs)
      return `upstash-local down ${holdMs} ms`
    },
  },
]
