import { describeInstalledTarballs } from '@rediware/test-utils'

// Runs against dist/: `pnpm test` builds first.
describeInstalledTarballs('@rediware/rate-limit', {
  packages: ['packages/redis', 'packages/rate-limit'],
  imports: {
    commonjs:
      "const { memoryClient } = require('@rediware/redis')\nconst { rateLimit, ipKey, upstashCompat } = require('@rediware/rate-limit')",
    module:
      "import { memoryClient } from '@rediware/redis'\nimport { rateLimit, ipKey, upstashCompat } from '@rediware/rate-limit'",
  },
  smoke: `
  const limiter = rateLimit({ redis: memoryClient(), algorithm: 'fixed-window', limit: 2, window: '1 m' })
  const res = { headers: {}, statusCode: 200, setHeader(n, v) { this.headers[n.toLowerCase()] = v }, getHeader(n) { return this.headers[n.toLowerCase()] },
    hasHeader(n) { return n.toLowerCase() in this.headers }, headersSent: false, once() {} }
  const req = { ip: '::ffff:10.0.0.1', headers: {}, app: { get: () => false }, socket: {} }
  limiter(req, res, (error) => {
    console.log([typeof rateLimit, typeof ipKey, typeof upstashCompat, req.rateLimit.key, res.headers['ratelimit'], error === undefined].join('|'))
  })
`,
  expected: 'function|function|function|10.0.0.1|"default";r=1;t=60|true',
})
