import { describeInstalledTarballs } from '@rediware/test-utils'

// Runs against dist/: `pnpm test` builds first.
describeInstalledTarballs('@rediware/redis', {
  packages: ['packages/redis'],
  imports: {
    commonjs: "const { memoryClient, createClient, fromIoredis, fromUpstash, toClient } = require('@rediware/redis')",
    module: "import { memoryClient, createClient, fromIoredis, fromUpstash, toClient } from '@rediware/redis'",
  },
  smoke: `
  const client = memoryClient()
  client.set('k', 'v').then(() => client.get('k')).then((value) => {
    console.log([typeof createClient, typeof fromIoredis, typeof fromUpstash, typeof toClient, value].join(','))
  })
`,
  expected: 'function,function,function,function,v',
})
