import Module from 'node:module'

/**
 * jest loads `globalSetup`/`globalTeardown` with plain Node `require` (its transform, but not its
 * `moduleNameMapper`), so the NodeNext-style `./file.js` imports of this repo's TypeScript sources
 * would not resolve there. This hook retries a failed relative `./x.js` request from a file outside
 * node_modules as `./x.ts`. Installed once, only in the jest parent process.
 */
type ResolveFilename = (this: unknown, request: string, parent: unknown, ...rest: unknown[]) => string

const INSTALLED = Symbol.for('rediware.test-utils.ts-resolution')
const internals = Module as unknown as { _resolveFilename: ResolveFilename }

const parentFilename = (parent: unknown): string | undefined =>
  typeof parent === 'object' && parent !== null && 'filename' in parent && typeof parent.filename === 'string'
    ? parent.filename
    : undefined

export function installTsResolution(): void {
  const holder = globalThis as { [INSTALLED]?: true }
  if (holder[INSTALLED]) return
  holder[INSTALLED] = true
  const original = internals._resolveFilename
  internals._resolveFilename = function resolveWithTs(request, parent, ...rest) {
    try {
      return original.call(this, request, parent, ...rest)
    } catch (error) {
      const from = parentFilename(parent)
      if (
        !/^\.\.?\//.test(request) ||
        !request.endsWith('.js') ||
        from === undefined ||
        from.includes('node_modules')
      ) {
        throw error
      }
      return original.call(this, `${request.slice(0, -3)}.ts`, parent, ...rest)
    }
  }
}
