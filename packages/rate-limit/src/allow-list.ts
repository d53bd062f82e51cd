import { describeValue } from '@rediware/redis'
import type { Request, Response } from 'express'
import { BlockList, isIPv4, isIPv6 } from 'node:net'
import { normalizeIp } from './ip-key.js'
import type { RequestFn } from './types.js'

/** The `allowList` option: IPs and CIDRs matched against the request's address, or the user's predicate. */
export function parseAllowList(
  value: unknown,
): ((req: Request, res: Response) => boolean | Promise<boolean>) | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'function') return value as RequestFn<boolean>
  if (!Array.isArray(value)) {
    throw new TypeError(
      `rateLimit: allowList must be an array of IPs/CIDRs or a function (req) => boolean; got ${describeValue(value)}.`,
    )
  }
  const list = new BlockList()
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'string')
      throw new TypeError(`rateLimit: allowList entries must be strings; got ${describeValue(entry)}.`)
    const [address = '', bitsText] = entry.split('/')
    const type = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined
    const bits = bitsText === undefined ? (type === 'ipv4' ? 32 : 128) : Number(bitsText)
    if (type === undefined || !Number.isInteger(bits) || bits < 0 || bits > (type === 'ipv4' ? 32 : 128)) {
      throw new TypeError(
        `rateLimit: allowList entry "${entry}" is not an IP or CIDR such as '10.0.0.0/8' or '2001:db8::/32'.`,
      )
    }
    list.addSubnet(address, bits, type)
  }
  return (req) => {
    const raw = req.ip ?? req.socket?.remoteAddress
    if (raw === undefined) return false
    const ip = normalizeIp(raw, { ipv6Subnet: false })
    if (ip === undefined) return false
    const address = ip.endsWith('/128') ? ip.slice(0, -4) : ip
    return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6')
  }
}
