/** Compiles a Redis glob (`*`, `?`, `[abc]`, `\x`) into a RegExp. */
export function globToRegExp(pattern: string): RegExp {
  let source = ''
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index] ?? ''
    if (char === '*') source += '.*'
    else if (char === '?') source += '.'
    else if (char === '\\' && index + 1 < pattern.length) source += escapeChar(pattern[++index] ?? '')
    else if (char === '[') {
      const close = pattern.indexOf(']', index + 1)
      if (close === -1) source += '\\['
      else {
        const body = pattern.slice(index + 1, close)
        source += body.startsWith('^') ? `[^${escapeClass(body.slice(1))}]` : `[${escapeClass(body)}]`
        index = close
      }
    } else source += escapeChar(char)
  }
  return new RegExp(`^${source}$`, 's')
}

const escapeChar = (char: string): string => char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
const escapeClass = (body: string): string => body.replace(/[\\\]]/g, '\\$&')
