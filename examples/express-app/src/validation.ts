import type { RequestHandler } from 'express'

/**
 * The app's one input gate: every route declares the shape of its body and path parameters here, and
 * anything else gets a 400 naming the field and the rule, before a handler, the database or Redis
 * sees it. Text is checked for what PostgreSQL and the logs cannot take (NUL and other control
 * characters, unpaired UTF-16 surrogates), not only for length.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string }
export type Check<T> = (value: unknown, field: string) => Result<T>
export type Output<C> = C extends Check<infer T> ? T : never

const ok = <T>(value: T): Result<T> => ({ ok: true, value })
const fail = (field: string, rule: string): Result<never> => ({ ok: false, error: `${field} ${rule}` })

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** The first C0 control (NUL included), DEL or C1 control in `text`, as `U+XXXX`, or undefined. */
function firstControl(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  }
  return undefined
}

export interface TextRules {
  /** Longest accepted length in UTF-16 code units (after trimming when `trim`). */
  max: number
  /** Shortest, default 1. */
  min?: number
  trim?: boolean
  /** Allow control characters (passwords: any character but NUL). Default false. */
  allowControl?: boolean
  pattern?: { regex: RegExp; says: string }
}

export function text(rules: TextRules): Check<string> {
  return (value, field) => {
    if (typeof value !== 'string') return fail(field, 'must be a string')
    const candidate = rules.trim ? value.trim() : value
    if (candidate.includes('\u0000')) return fail(field, 'must not contain NUL (U+0000)')
    const control = rules.allowControl ? undefined : firstControl(candidate)
    if (control !== undefined) return fail(field, `must not contain control characters (${control})`)
    if (LONE_SURROGATE.test(candidate))
      return fail(field, 'must be well-formed Unicode (an unpaired surrogate was found)')
    const min = rules.min ?? 1
    if (candidate.length < min)
      return fail(field, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
    if (candidate.length > rules.max) return fail(field, `must be at most ${rules.max} characters`)
    if (rules.pattern && !rules.pattern.regex.test(candidate)) return fail(field, rules.pattern.says)
    return ok(candidate)
  }
}

export function integer(min: number, max: number): Check<number> {
  return (value, field) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? ok(value)
      : fail(field, `must be a whole number from ${min} to ${max}`)
}

export const boolean: Check<boolean> = (value, field) =>
  typeof value === 'boolean' ? ok(value) : fail(field, 'must be true or false')

/** A path segment made of digits only, read as a positive integer up to `max`. */
export function idParam(max: number): Check<number> {
  return (value, field) => {
    const id = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN
    return Number.isSafeInteger(id) && id >= 1 && id <= max
      ? ok(id)
      : fail(field, `must be a positive integer up to ${max}`)
  }
}

type Shape = Record<string, Check<unknown>>
type Optional<C> = C & { optional: true }
type ShapeOutput<S extends Shape> = { [K in keyof S as S[K] extends { optional: true } ? never : K]: Output<S[K]> } & {
  [K in keyof S as S[K] extends { optional: true } ? K : never]?: Output<S[K]>
}

export function optional<T>(check: Check<T>): Optional<Check<T | undefined>> {
  const wrapped: Check<T | undefined> = (value, field) => (value === undefined ? ok(undefined) : check(value, field))
  return Object.assign(wrapped, { optional: true as const })
}

/** A JSON object with exactly these fields (unknown fields are refused, naming the allowed ones). */
export function object<S extends Shape>(shape: S, rules: { atLeastOne?: boolean } = {}): Check<ShapeOutput<S>> {
  const names = Object.keys(shape)
  return (value, field) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return fail(field, `must be a JSON object with ${names.join(', ')}`)
    const input = value as Record<string, unknown>
    for (const name of Object.keys(input)) {
      if (!Object.hasOwn(shape, name))
        return fail(field, `has an unknown field "${name.slice(0, 40)}"; allowed: ${names.join(', ')}`)
    }
    const output: Record<string, unknown> = {}
    for (const name of names) {
      const check = shape[name] as Check<unknown>
      const result = check(input[name], name)
      if (!result.ok) return result
      if (result.value !== undefined) output[name] = result.value
    }
    if (rules.atLeastOne && Object.keys(output).length === 0)
      return fail(field, `must set at least one of ${names.join(', ')}`)
    return ok(output as ShapeOutput<S>)
  }
}

/** What `validate()` accepted, kept in `res.locals.input`. */
interface AcceptedInput {
  body?: unknown
  params: Record<string, unknown>
}

function accepted(locals: Record<string, unknown>): AcceptedInput | undefined {
  return locals.input as AcceptedInput | undefined
}

export interface RouteSchema<B, P extends Shape> {
  /** The JSON body; `undefined` when the route takes none. A missing body is checked as `undefined`. */
  body?: Check<B>
  params?: P
}

/** The route's input gate: 400 `{ error }` for anything its schema refuses; otherwise `res.locals.input`. */
export function validate<B, P extends Shape = Shape>(schema: RouteSchema<B, P>): RequestHandler {
  return (req, res, next) => {
    const input: AcceptedInput = { params: {} }
    for (const [name, check] of Object.entries(schema.params ?? {})) {
      const result = check(req.params[name], name)
      if (!result.ok) return void res.status(400).json({ error: result.error })
      input.params[name] = result.value
    }
    if (schema.body !== undefined) {
      const result = schema.body(req.body, 'the body')
      if (!result.ok) {
        const hint =
          req.body === undefined && !req.is('application/json')
            ? ' (send it as JSON: Content-Type: application/json)'
            : ''
        return void res.status(400).json({ error: `${result.error}${hint}` })
      }
      input.body = result.value
    }
    res.locals.input = input
    next()
  }
}

/** The body `validate()` accepted for this route, typed by the schema it was given. */
export function inputOf<B>(locals: Record<string, unknown>, _schema: Check<B>): B {
  return accepted(locals)?.body as B
}

/** A path parameter `validate()` accepted (the `params` checks of this module all produce numbers). */
export function paramOf(locals: Record<string, unknown>, name: string): number {
  return accepted(locals)?.params[name] as number
}
