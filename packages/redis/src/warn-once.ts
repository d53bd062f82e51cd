const warned = new Set<string>()

/** Emits `message` the first time `code` is seen in this process. Returns whether it warned. */
export function warnOnce(code: string, message: string, warn: (message: string) => void = console.warn): boolean {
  if (warned.has(code)) return false
  warned.add(code)
  warn(message)
  return true
}
