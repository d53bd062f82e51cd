import { createHash } from 'node:crypto'

/**
 * Wraps a key part in a Cluster hash tag so every key built with it lands in one slot. Braces inside
 * the part are replaced so the tag cannot be escaped.
 */
export function hashTag(part: string): string {
  return `{${part.replace(/[{}]/g, '_')}}`
}

/**
 * Turns unbounded, untrusted input (an IP, a URL, a user id) into a bounded key part that cannot
 * carry `{}`, glob characters or separators: a base64url SHA-256 prefix (22 chars, 132 bits).
 */
export function hashKeyPart(input: string | Buffer): string {
  return createHash('sha256').update(input).digest('base64url').slice(0, 22)
}

const safePart = /^[A-Za-z0-9._-]{1,64}$/

/** A key part from input: kept as it is when short and made of safe characters, hashed otherwise. */
export function keyPart(input: string | number): string {
  const text = String(input)
  return safePart.test(text) ? text : hashKeyPart(text)
}

/**
 * Joins a prefix and parts with `:`. Parts that are short and made of safe characters are kept as
 * they are (readable keys for fixed names); anything else is hashed. (`KeyLayout` builds on the same rule.)
 */
export function buildKey(prefix: string, ...parts: readonly string[]): string {
  return prefix + parts.map(keyPart).join(':')
}
