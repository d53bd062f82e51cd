import type { Flavour } from './smoke-app.js'

/**
 * One fresh project per row: our tarballs plus `install`, as a user types it (`npm install ...`, no
 * flags). Bare names get whatever npm's `latest` is today. The smoke app then runs as CommonJS and
 * ESM under each Node major in `nodes`, on memory, the installed ioredis and node-redis and the installed
 * @upstash/redis; the TypeScript flavour is type-checked with `tsc` and run on the first of `nodes`. The root README's
 * "Supported versions" table is backed by these rows: a new combination is one more line.
 */
export interface InstallRow {
  title: string
  install: readonly string[]
  flavours: readonly Flavour[]
  nodes: readonly NodeMajor[]
}

export type NodeMajor = 20 | 22 | 24

const allFlavours: readonly Flavour[] = ['commonjs', 'module', 'typescript']

/** What the TypeScript flavour needs besides the user's clients; pinned, since it is our tooling. */
const tools = [
  'supertest@7.3.2',
  'typescript@5.9.3',
  'tsx@4.21.0',
  '@types/node@20.19.43',
  '@types/supertest@6.0.3',
  '@types/express-session@1.18.2',
]

export const rows: readonly InstallRow[] = [
  {
    title: "today's latest: express, ioredis, node-redis, @upstash/redis",
    install: ['express', '@types/express', 'ioredis', 'redis', 'express-session', '@upstash/redis', ...tools],
    flavours: allFlavours,
    nodes: [20, 22, 24],
  },
  {
    title: 'Express 4, ioredis 5 and node-redis 5',
    install: ['express@4', '@types/express@4', 'ioredis@5', 'redis@5', 'express-session', '@upstash/redis', ...tools],
    flavours: allFlavours,
    nodes: [20, 22, 24],
  },
]
