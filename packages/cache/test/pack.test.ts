import { describeInstalledTarballs } from '@rediware/test-utils'

// Runs against dist/: `pnpm test` builds first.
describeInstalledTarballs('@rediware/cache', {
  packages: ['packages/redis', 'packages/cache'],
  imports: {
    commonjs:
      "const { cache, createCache } = require('@rediware/cache')\nconst { memoryClient } = require('@rediware/redis')",
    module: "import { cache, createCache } from '@rediware/cache'\nimport { memoryClient } from '@rediware/redis'",
  },
  smoke: `
  const c = createCache({ redis: memoryClient() })
  c.getOrSet('k', () => 'v', { ttl: '1 m' }).then((value) => {
    console.log([typeof cache, typeof c.route({ ttl: '1 m' }), value].join(','))
  })
`,
  expected: 'function,function,v',
})
