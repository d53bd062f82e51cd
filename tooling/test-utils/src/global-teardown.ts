// jest requires this file outside its module mapper: see global-setup.ts.
import { installTsResolution } from './ts-resolution.ts'

/** jest globalTeardown: see `stopServices` in ./services.ts. Runs even when tests failed. */
export default async function globalTeardown(): Promise<void> {
  installTsResolution()
  const { stopServices } = await import('./services.js')
  await stopServices()
}
