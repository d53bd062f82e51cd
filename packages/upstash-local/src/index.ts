export { startUpstashLocal, type UpstashLocal } from './start.js'
export type { UpstashLocalOptions } from './options.js'
export { stripUpstashFlags } from './script-flags.js'
