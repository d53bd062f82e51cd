import type { Command } from '../types.js'

/** The part of a key Redis Cluster hashes: the first non-empty `{…}`, else the whole key. */
export function slotSource(key: string): string {
  const open = key.indexOf('{')
  if (open === -1) return key
  const close = key.indexOf('}', open + 1)
  if (close === -1 || close === open + 1) return key
  return key.slice(open + 1, close)
}

/** True when every key of every command hashes to the same slot (so they may share a pipeline). */
export function sameSlot(list: readonly Command<unknown>[]): boolean {
  let source: string | undefined
  for (const command of list) {
    for (const index of command.keyIndexes) {
      const key = String(command.args[index])
      const keySource = slotSource(key)
      if (source === undefined) source = keySource
      else if (source !== keySource) return false
    }
  }
  return true
}
