import fc from 'fast-check'
import { wire } from './harness.js'

/** Property runs per property per backend (env RELIABILITY_RUNS, default 100). */
export const RUNS = Number(process.env.RELIABILITY_RUNS ?? 100)

/** Drops what Node's HTTP client refuses in a header value (CR, LF, NUL and other controls, > U+00FF). */
export const headerSafe = (text: string): string => text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')

/** Drops what Node's HTTP client refuses in a request path. */
export const pathSafe = (text: string): string => text.replace(/[^\u0021-\u00ff]/g, '')

const hex4 = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16))
const zone = fc.constantFrom('%eth0', '%25eth0', '%1', '%', '%lo0%lo0', '%\u00e9')
const port = fc.integer({ min: 0, max: 99_999 }).map(String)

/** IP-ish strings: valid v4/v6, zoned, bracketed with ports, v4 with ports, mapped, and near-misses. */
export const ipish: fc.Arbitrary<string> = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.tuple(fc.ipV6(), zone).map(([ip, z]) => `${ip}${z}`),
  fc.tuple(fc.ipV6(), port).map(([ip, p]) => `[${ip}]:${p}`),
  fc.tuple(fc.ipV6(), zone, port).map(([ip, z, p]) => `[${ip}${z}]:${p}`),
  fc.tuple(fc.ipV4(), port).map(([ip, p]) => `${ip}:${p}`),
  fc.ipV4().map((ip) => `::ffff:${ip}`),
  fc.ipV4().map((ip) => `::FFFF:${ip}`),
  fc.array(hex4, { minLength: 1, maxLength: 12 }).map((groups) => groups.join(':')),
  fc.constantFrom(
    'unknown',
    '',
    ' ',
    '::',
    '[::]',
    '[]',
    '[::1',
    '::1]:80',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3',
    '0x7f.1',
    'localhost',
    '_',
    '\u00ff',
  ),
  fc.string({ maxLength: 40 }),
)

/** X-Forwarded-For lists, including empty members and odd separators. */
export const xffList: fc.Arbitrary<string> = fc
  .tuple(fc.array(ipish, { minLength: 1, maxLength: 40 }), fc.constantFrom(', ', ',', ' , ', ',,', ' '))
  .map(([items, separator]) => headerSafe(items.join(separator)))

/** Header values: plain, non-ASCII (UTF-8 bytes on the wire), oversized (up to ~24 KB). */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 120 }).map(headerSafe),
  fc.string({ unit: 'grapheme', maxLength: 60 }).map((text) => headerSafe(wire(text))),
  fc.string({ unit: 'binary', maxLength: 60 }).map((text) => headerSafe(wire(text))),
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.integer({ min: 200, max: 2_000 }))
    .map(([unit, times]) => headerSafe(unit.repeat(times)).slice(0, 24_000)),
)

/** A fuzzed value long enough to look for in key names (raw user input must never reach a key). */
export function trackable(value: string): string[] {
  return value.length >= 12 ? [value] : []
}

const percent = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((n) => `%${n.toString(16).padStart(2, '0')}`),
  fc.constantFrom('%', '%z', '%zz', '%0', '%u0041', '%%', '%25', '%2F', '%2f', '%00', '%C0%AF', '%E2%82', '%FF%FE'),
  fc.string({ unit: 'grapheme', maxLength: 6 }).map((text) => encodeURIComponent(text)),
)

/** One path segment: ASCII, encodings (valid and broken), latin1 bytes, dot segments. */
export const segment: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.array(percent, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
    fc.constantFrom('..', '.', '...', ';', ';a=b', '%2e%2e', '~', '@', ':'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }).map(wire),
  )
  .map((text) => pathSafe(text).replace(/[/?#]/g, '') || 'x')

const queryName = fc.oneof(
  fc.constantFrom(
    'a',
    'q',
    'utm_source',
    'utm_',
    '__proto__',
    'constructor',
    'toString',
    'a[]',
    'a[b]',
    'a[b][c][d][e][f][g]',
    'a.b',
    '',
    '[',
    ']',
    'hasOwnProperty',
  ),
  fc.string({ maxLength: 10 }).map((text) => encodeURIComponent(text)),
  fc.array(percent, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('')),
)
const queryValue = fc.oneof(
  fc.string({ maxLength: 20 }).map((text) => encodeURIComponent(text)),
  fc.array(percent, { maxLength: 4 }).map((parts) => parts.join('')),
  fc.constantFrom('', '=', '==', '&', '+', '%20', '[]', 'constructor[prototype][polluted]=1'),
)

/** Query strings: duplicate keys, prototype names, bracket syntax, broken encodings, huge ones (~40 KB). */
export const queryString: fc.Arbitrary<string> = fc
  .oneof(
    fc
      .array(fc.tuple(queryName, queryValue), { maxLength: 30 })
      .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('&')),
    fc
      .tuple(queryName, queryValue, fc.integer({ min: 2, max: 300 }))
      .map(([name, value, times]) => Array(times).fill(`${name}=${value}`).join('&')),
    fc.tuple(queryName, fc.integer({ min: 1_000, max: 40_000 })).map(([name, size]) => `${name}=${'x'.repeat(size)}`),
    fc
      .integer({ min: 1_001, max: 3_000 })
      .map((count) => Array.from({ length: count }, (_, index) => `k${index}=${index}`).join('&')),
    fc.string({ maxLength: 40 }).map(pathSafe),
  )
  .map((query) => pathSafe(query).replace(/#/g, ''))
