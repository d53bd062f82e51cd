export { type HookOptions, type Hooks, resolveHooks } from './hooks.js'
export { KeyGroup, KeyLayout } from './key-layout.js'
export {
  MAX_PREFIX_LENGTH,
  type NumberBounds,
  type ObjectCheck,
  type OptionNames,
  OptionReader,
  optionReader,
} from './options.js'
export { OutageReporter, type OutageReporterOptions } from './outage.js'
export { type MemoryFallback, type ResolvedSharedOptions, resolveRedisOption } from './redis-option.js'
