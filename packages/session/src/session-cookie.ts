/**
 * Whether a stored `cookie` is one express-session can revive and send: the fields its
 * `Cookie#toJSON` writes, with the types it writes. express-session copies every stored field onto
 * a `Cookie` (setters and methods included) and the `cookie` module throws on values it cannot
 * serialise, so anything else ends in a hung or failed request instead of an answer.
 */

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const absent = (value: unknown): boolean => value === undefined || value === null

const isFlag = (value: unknown): boolean => absent(value) || typeof value === 'boolean'

/** The `cookie` module's own rules for these attributes (the version express-session depends on). */
const domainValue = /^([.]?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)([.][a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i
const pathValue = /^[\u0020-\u003A\u003D-\u007E]*$/
const priorities = new Set(['', 'low', 'medium', 'high'])
const sameSites = new Set(['', 'lax', 'strict', 'none'])

type FieldCheck = (value: unknown) => boolean

const fields = new Map<string, FieldCheck>(
  Object.entries({
    originalMaxAge: (value: unknown) => absent(value) || (typeof value === 'number' && Number.isFinite(value)),
    expires: (value: unknown) =>
      absent(value) ||
      (typeof value === 'string' && !Number.isNaN(Date.parse(value))) ||
      (value instanceof Date && !Number.isNaN(value.getTime())),
    secure: (value: unknown) => isFlag(value) || value === 'auto',
    httpOnly: isFlag,
    partitioned: isFlag,
    domain: (value: unknown) => absent(value) || value === '' || (typeof value === 'string' && domainValue.test(value)),
    path: (value: unknown) => absent(value) || (typeof value === 'string' && pathValue.test(value)),
    priority: (value: unknown) => absent(value) || (typeof value === 'string' && priorities.has(value.toLowerCase())),
    sameSite: (value: unknown) => isFlag(value) || (typeof value === 'string' && sameSites.has(value.toLowerCase())),
  } satisfies Record<string, FieldCheck>),
)

/** The JSON form of a cookie: what express-session's `Cookie#toJSON` returns, else the value itself. */
export function cookieData(cookie: unknown): unknown {
  const toJSON = isObject(cookie) ? (cookie as { toJSON?: unknown }).toJSON : undefined
  return typeof toJSON === 'function' ? toJSON.call(cookie) : cookie
}

/** What is wrong with a stored cookie (undefined when express-session can use it). */
export function cookieProblem(cookie: unknown): string | undefined {
  if (!isObject(cookie)) return 'the stored cookie is not an object'
  for (const name of Object.keys(cookie)) {
    const check = fields.get(name)
    if (check === undefined)
      return `the stored cookie has a field express-session does not write (${JSON.stringify(name).slice(0, 40)})`
    if (!check(cookie[name])) return `the stored cookie's ${name} is not a value express-session writes`
  }
  return undefined
}
