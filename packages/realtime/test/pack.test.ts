import { describeInstalledTarballs } from '@rediware/test-utils'

// Runs against dist/: `pnpm test` builds first.
describeInstalledTarballs('@rediware/realtime', {
  packages: ['packages/redis', 'packages/realtime'],
  imports: {
    commonjs:
      "const { createRealtime } = require('@rediware/realtime')\nconst { memoryClient } = require('@rediware/redis')",
    module: "import { createRealtime } from '@rediware/realtime'\nimport { memoryClient } from '@rediware/redis'",
  },
  smoke: `
  const rt = createRealtime({ redis: memoryClient() })
  const stop = rt.subscribe('news', (event) => {
    console.log([typeof rt.sse({ channels: ['news'] }), event.type, JSON.stringify(event.data)].join(','))
    stop()
    rt.close()
  })
  stop.ready.then(() => rt.publish('news', { type: 'hello', data: { n: 1 } }))
`,
  expected: 'function,hello,{"n":1}',
})
