// jest requires this file outside its module mapper: import only node builtins and ./ts-resolution.ts
// here, and everything else dynamically once the hook is in place.
import { installTsResolution } from './ts-resolution.ts'

/** jest globalSetup: see `startServices` in ./services.ts. */
export default async function globalSetup(): Promise<void> {
  installTsResolution()
  const { startServices } = await import('./services.js')
  await startServices()
}
