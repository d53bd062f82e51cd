import type { NamePattern } from './name-pattern.js'

const percentEscape = /%([0-9A-Fa-f]{2})/g

/** RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2d ||
    code === 0x2e ||
    code === 0x5f ||
    code === 0x7e
  )
}

/** RFC 3986 §6.2.2.1–2: upper-case hex digits, escaped unreserved characters decoded. Nothing else. */
function normaliseEscapes(text: string): string {
  return text.replace(percentEscape, (_whole, hex: string) => {
    const code = Number.parseInt(hex, 16)
    return isUnreserved(code) ? String.fromCharCode(code) : `%${hex.toUpperCase()}`
  })
}

function rawName(pair: string): string {
  const equals = pair.indexOf('=')
  return equals === -1 ? pair : pair.slice(0, equals)
}

/**
 * A parameter's name as the app's query parser reads it, for `allow`/`ignore`: `+` is a space, escapes
 * are decoded, and `page[x]` (qs, Express 4's default) is part of `page`.
 */
function parsedName(pair: string): string {
  let name = rawName(pair)
  if (name.includes('+')) name = name.replace(/\+/g, ' ')
  if (name.includes('%')) {
    try {
      name = decodeURIComponent(name)
    } catch {
      // not UTF-8: matched as written
    }
  }
  const bracket = name.indexOf('[')
  return bracket > 0 ? name.slice(0, bracket) : name
}

/**
 * The query part of the key, from the raw query bytes: never from a decoding, which would merge
 * queries the app reads differently (`%FF`, `%E9` and `%EF%BF%BD` all decode to U+FFFD).
 *
 * Merged: the order of different parameter names (sorted; repeated names keep their order), and what
 * RFC 3986 declares equivalent in every URI (`%c3%a9` = `%C3%A9`, `%61` = `a`). Kept apart: `+` and
 * `%20`, `a` and `a=`, empty pairs (`a=1&&b=2`), repeated values, `;` (never a separator here).
 * `allow`/`ignore` match names as the app's parser reads them, so no spelling can hide a parameter
 * the app uses from the key.
 */
export function normaliseQuery(
  search: string,
  query: { ignore: NamePattern | undefined; allow: NamePattern | undefined },
): string {
  if (search === '') return ''
  let pairs = (search.includes('%') ? normaliseEscapes(search) : search).split('&')
  if (query.allow !== undefined) {
    const allow = query.allow
    pairs = pairs.filter((pair) => allow.matches(parsedName(pair)))
  } else if (query.ignore !== undefined) {
    const ignore = query.ignore
    pairs = pairs.filter((pair) => !ignore.matches(parsedName(pair)))
  }
  if (pairs.length < 2) return pairs.join('&')
  const named = pairs.map((pair) => ({ name: rawName(pair), pair }))
  // Array.prototype.sort is stable: repeated names keep their order
  named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return named.map((item) => item.pair).join('&')
}
