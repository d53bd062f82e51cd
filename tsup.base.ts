import { defineConfig, type Options } from 'tsup'

/** The build every publishable package shares: ESM + CJS with types for both, for Node 20. */
export function packageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    // No source maps in the tarballs: dist is unminified, one file per format, with names kept, so stack
    // traces read without them; maps with sourcesContent were two thirds of each install.
    sourcemap: false,
    clean: true,
    target: 'node20',
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  })
}
