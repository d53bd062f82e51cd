import { isIPv4, isIPv6 } from 'node:net'
import type { Request } from 'express'

export interface IpKeyOptions {
  /**
   * Prefix length IPv6 clients are grouped by (one person usually controls a whole /64). 1–128, or
   * `false` to key on the full address. Default 64.
   */
  ipv6Subnet?: number | false
}

/** Strips brackets, ports and zone ids: `[::1]:80` → `::1`, `1.2.3.4:5678` → `1.2.3.4`, `fe80::1%eth0` → `fe80::1`. */
export function stripAddress(raw: string): string {
  let value = raw.trim()
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value)
  if (bracketed?.[1] !== undefined) value = bracketed[1]
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'))
  const zone = value.indexOf('%')
  if (zone !== -1) value = value.slice(0, zone)
  return value
}

/** Expands a valid IPv6 address into its 8 16-bit groups (an embedded IPv4 tail becomes 2 groups). */
export function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase()
  const tail: number[] = []
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text)
  if (v4?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split('.').map(Number)
    tail.push((a << 8) | b, (c << 8) | d)
    text = text.slice(0, -v4[1].length)
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1)
  }
  const [head = '', rest] = text.split('::')
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16))
  const left = parse(head)
  const right = [...parse(rest ?? ''), ...tail]
  if (rest === undefined) return [...left, ...right]
  const zeros = new Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0)
  return [...left, ...zeros, ...right]
}

/**
 * Normalises a client address into a rate-limit key: IPv4 as is; IPv4-mapped IPv6 (`::ffff:a.b.c.d`,
 * in any spelling) → the IPv4 address; other IPv6 → its `/ipv6Subnet` network, e.g. `2001:db8:1:2::/64`.
 * Returns undefined when `raw` is not an IP address.
 */
export function normalizeIp(raw: string, options: IpKeyOptions = {}): string | undefined {
  // The two spellings almost every request has, answered without the general parse below.
  if (isIPv4(raw)) return raw
  if (raw.startsWith('::ffff:') && isIPv4(raw.slice(7))) return raw.slice(7)
  const address = stripAddress(raw)
  if (isIPv4(address)) return address
  if (!isIPv6(address)) return undefined
  const groups = ipv6Groups(address)
  if (groups.length !== 8) return undefined
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const high = groups[6] ?? 0
    const low = groups[7] ?? 0
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`
  }
  const subnet = options.ipv6Subnet ?? 64
  const bits = subnet === false ? 128 : subnet
  const masked = groups.map((group, index) => {
    const keep = Math.min(16, Math.max(0, bits - index * 16))
    return keep === 0 ? 0 : group & ((0xffff << (16 - keep)) & 0xffff)
  })
  return `${masked.map((group) => group.toString(16)).join(':')}/${bits}`
}

export function validateIpv6Subnet(value: unknown, optionName: string): number | false {
  if (value === undefined) return 64
  if (value === false) return false
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 128) {
    throw new RangeError(
      `${optionName} must be an integer prefix length from 1 to 128 (default 64), or false; got ${String(value)}.`,
    )
  }
  return value
}

/**
 * The client IP of `req` as a key: `req.ip` (so Express' `trust proxy` setting decides whether
 * X-Forwarded-For counts), falling back to the socket address, normalised by `normalizeIp`.
 */
export function ipKey(req: Request, options: IpKeyOptions = {}): string {
  return clientAddressKey(req, validateIpv6Subnet(options.ipv6Subnet, 'ipKey: ipv6Subnet'))
}

/** `ipKey` with an already validated subnet (the middleware validates it once, at construction). */
export function clientAddressKey(req: Request, ipv6Subnet: number | false): string {
  return addressKey(req.ip, req, ipv6Subnet)
}

/** The key for `ip` (the value of `req.ip`, which Express recomputes on every read), else the socket address. */
export function addressKey(ip: string | undefined, req: Request, ipv6Subnet: number | false): string {
  const raw = ip ?? req.socket?.remoteAddress
  if (raw === undefined) return 'unknown'
  return normalizeIp(raw, { ipv6Subnet }) ?? raw
}
