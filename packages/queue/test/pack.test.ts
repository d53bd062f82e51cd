import { describeInstalledTarballs } from '@rediware/test-utils'

// Runs against dist/: `pnpm test` builds first.
describeInstalledTarballs('@rediware/queue', {
  packages: ['packages/redis', 'packages/queue'],
  imports: {
    commonjs:
      "const { memoryClient } = require('@rediware/redis')\nconst { createQueue, idempotency, UnrecoverableError } = require('@rediware/queue')",
    module:
      "import { memoryClient } from '@rediware/redis'\nimport { createQueue, idempotency, UnrecoverableError } from '@rediware/queue'",
  },
  smoke: `
;(async () => {
  const queue = createQueue({ redis: memoryClient(), name: 'smoke' })
  const added = await queue.add({ n: 20 })
  const worker = queue.process((job) => job.data.n + 1)
  while ((await queue.getJob(added.id)).state !== 'completed') await new Promise((resolve) => setTimeout(resolve, 10))
  const job = await queue.getJob(added.id)
  await worker.close()
  console.log([typeof idempotency, typeof UnrecoverableError, job.state, job.result].join('|'))
})()
`,
  expected: 'function|function|completed|21',
})
