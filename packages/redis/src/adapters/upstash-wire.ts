import type { Arg, Command } from '../types.js'

/**
 * @upstash/redis decodes every reply through UTF-8 and can only send JSON strings, so bytes that are
 * not valid UTF-8 cannot cross it as they are. Such commands run inside this script instead: each
 * argument is tagged `s` (text) or `h` (hex), and with ARGV[1] = '1' every bulk reply comes back hex.
 */
export const BINARY_BRIDGE_LUA = `
local function unhex(s) return (s:gsub('..', function(h) return string.char(tonumber(h, 16)) end)) end
local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', string.byte(c)) end)) end
local function encode(r)
  if type(r) == 'string' then return hex(r) end
  if type(r) == 'table' and r.ok == nil and r.err == nil then
    local out = {}
    for i, v in ipairs(r) do out[i] = encode(v) end
    return out
  end
  return r
end
local args = {}
for i = 2, #ARGV do
  local v = ARGV[i]
  if string.sub(v, 1, 1) == 'h' then args[i - 1] = unhex(string.sub(v, 2)) else args[i - 1] = string.sub(v, 2) end
end
local reply = redis.call(unpack(args))
if ARGV[1] == '1' then return encode(reply) end
return reply
`.trim()

const isUtf8Safe = (buffer: Buffer): boolean => Buffer.from(buffer.toString('utf8'), 'utf8').equals(buffer)

const argText = (arg: Arg): string => (Buffer.isBuffer(arg) ? arg.toString('utf8') : String(arg))

/** The JSON array one command becomes on the wire, and whether its string replies are hex. */
export function toWire(command: Command<unknown>): { body: string[]; hexReplies: boolean } {
  const needsBridge =
    command.wantsBuffers === true || command.args.some((arg) => Buffer.isBuffer(arg) && !isUtf8Safe(arg))
  if (!needsBridge) return { body: [command.name, ...command.args.map(argText)], hexReplies: false }
  const keys = command.keyIndexes.map((index) => argText(command.args[index] ?? ''))
  const tagged = [command.name, ...command.args].map((arg) =>
    Buffer.isBuffer(arg) ? `h${arg.toString('hex')}` : `s${String(arg)}`,
  )
  const hexReplies = command.wantsBuffers === true
  return {
    body: ['EVAL', BINARY_BRIDGE_LUA, String(keys.length), ...keys, hexReplies ? '1' : '0', ...tagged],
    hexReplies,
  }
}
