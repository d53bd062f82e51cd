import { describeInstalledTarballs } from '@rediware/test-utils'

// Runs against dist/: `pnpm test` builds first.
describeInstalledTarballs('@rediware/session', {
  packages: ['packages/redis', 'packages/session'],
  imports: {
    commonjs:
      "const { memoryClient } = require('@rediware/redis')\nconst { RedisStore, rotateSession, session: session_ } = require('@rediware/session')",
    module:
      "import { memoryClient } from '@rediware/redis'\nimport { RedisStore, rotateSession, session as session_ } from '@rediware/session'",
  },
  smoke: `
  const store = new RedisStore({ redis: memoryClient() })
  const data = { cookie: { originalMaxAge: 60000, expires: new Date(Date.now() + 60000).toISOString() }, user: 'ada' }
  store.set('sid-1', data)
    .then(() => store.get('sid-1'))
    .then((session) => console.log([typeof session_, typeof rotateSession, session.user].join('|')))
`,
  expected: 'function|function|ada',
})
