/**
 * The commands Upstash's REST endpoint runs, from Upstash's command reference (`redis/commands/**` of
 * upstash/docs) and its "REST - Redis API Compatibility" table. Everything else is refused before it
 * reaches Redis: an allowlist, so that a command Redis adds later, or a name Redis does not know at
 * all, can never change the state of a pooled connection.
 *
 * A name maps to `'any'` (every form), or to the subcommands allowed for it.
 */
export type Allowed = 'any' | ReadonlySet<string>

const subs = (...names: string[]): ReadonlySet<string> => new Set(names)

const PLAIN = `
  BITCOUNT BITFIELD BITFIELD_RO BITOP BITPOS GETBIT SETBIT
  ECHO PING
  FCALL FCALL_RO
  COPY DEL DUMP EXISTS EXPIRE EXPIREAT EXPIRETIME KEYS PERSIST PEXPIRE PEXPIREAT PEXPIRETIME PTTL RANDOMKEY
  RENAME RENAMENX RESTORE SCAN TOUCH TTL TYPE UNLINK
  GEOADD GEODIST GEOHASH GEOPOS GEORADIUS GEORADIUS_RO GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO GEOSEARCH GEOSEARCHSTORE
  HDEL HEXISTS HEXPIRE HEXPIREAT HEXPIRETIME HGET HGETALL HGETDEL HGETEX HINCRBY HINCRBYFLOAT HKEYS HLEN HMGET HMSET
  HPERSIST HPEXPIRE HPEXPIREAT HPEXPIRETIME HPTTL HRANDFIELD HSCAN HSET HSETEX HSETNX HSTRLEN HTTL HVALS
  PFADD PFCOUNT PFMERGE
  JSON.ARRAPPEND JSON.ARRINDEX JSON.ARRINSERT JSON.ARRLEN JSON.ARRPOP JSON.ARRTRIM JSON.CLEAR JSON.DEL JSON.FORGET
  JSON.GET JSON.MERGE JSON.MGET JSON.MSET JSON.NUMINCRBY JSON.NUMMULTBY JSON.OBJKEYS JSON.OBJLEN JSON.RESP JSON.SET
  JSON.STRAPPEND JSON.STRLEN JSON.TOGGLE JSON.TYPE
  LINDEX LINSERT LLEN LMOVE LMPOP LPOP LPOS LPUSH LPUSHX LRANGE LREM LSET LTRIM RPOP RPOPLPUSH RPUSH RPUSHX
  PUBLISH
  EVAL EVAL_RO EVALSHA EVALSHA_RO
  DBSIZE FLUSHALL FLUSHDB INFO TIME
  SADD SCARD SDIFF SDIFFSTORE SINTER SINTERCARD SINTERSTORE SISMEMBER SMEMBERS SMISMEMBER SMOVE SPOP SRANDMEMBER SREM
  SSCAN SUNION SUNIONSTORE
  ZADD ZCARD ZCOUNT ZDIFF ZDIFFSTORE ZINCRBY ZINTER ZINTERCARD ZINTERSTORE ZLEXCOUNT ZMPOP ZMSCORE ZPOPMAX ZPOPMIN
  ZRANDMEMBER ZRANGE ZRANGEBYLEX ZRANGEBYSCORE ZRANGESTORE ZRANK ZREM ZREMRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE
  ZREVRANGE ZREVRANGEBYLEX ZREVRANGEBYSCORE ZREVRANK ZSCAN ZSCORE ZUNION ZUNIONSTORE
  XACK XACKDEL XADD XAUTOCLAIM XCLAIM XDEL XDELEX XLEN XPENDING XRANGE XREAD XREADGROUP XREVRANGE XTRIM
  APPEND DECR DECRBY DELEX DIGEST GET GETDEL GETEX GETRANGE GETSET INCR INCRBY INCRBYFLOAT MGET MSET MSETNX PSETEX SET
  SETEX SETNX SETRANGE STRLEN
`

export const UPSTASH_REST_COMMANDS: ReadonlyMap<string, Allowed> = new Map<string, Allowed>([
  ...PLAIN.split(/\s+/)
    .filter(Boolean)
    .map((name) => [name, 'any'] as const),
  ['FUNCTION', subs('DELETE', 'FLUSH', 'KILL', 'LIST', 'LOAD', 'STATS')],
  ['MEMORY', subs('USAGE')],
  ['PUBSUB', subs('CHANNELS', 'NUMSUB', 'NUMPAT')],
  ['SCRIPT', subs('EXISTS', 'FLUSH', 'KILL', 'LOAD')],
  ['XGROUP', subs('CREATE', 'CREATECONSUMER', 'DELCONSUMER', 'DESTROY', 'SETID')],
  ['XINFO', subs('CONSUMERS', 'GROUPS', 'STREAM')],
  // Emulated or narrowed (see emulation.ts): Upstash answers COMMAND with an empty array, SELECT only
  // for database 0, and CONFIG only for notify-keyspace-events.
  ['COMMAND', subs()],
  ['SELECT', 'any'],
  ['CONFIG', subs('GET', 'SET')],
  // Upstash's other ACL subcommands manage its REST tokens and users; forwarded to a local Redis they
  // would manage the users upstash-local itself connects as, so only the harmless ones run.
  ['ACL', subs('CAT', 'GENPASS', 'WHOAMI')],
])

const groups: Array<[reason: string, names: string]> = [
  [
    'blocking commands are not supported over REST',
    'BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP WAIT WAITAOF',
  ],
  ['use the /multi-exec endpoint for transactions', 'MULTI EXEC DISCARD WATCH UNWATCH'],
  [
    'use the /subscribe/<channel> or /psubscribe/<pattern> endpoints',
    'SUBSCRIBE PSUBSCRIBE SSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE SUNSUBSCRIBE',
  ],
  ['MONITOR is not supported over REST', 'MONITOR'],
  [
    'connection commands other than PING and ECHO are not supported over REST',
    'AUTH HELLO QUIT RESET CLIENT READONLY READWRITE',
  ],
  ['cluster commands are not supported by Upstash', 'CLUSTER ASKING'],
]

/** Why a command Upstash documents, but not over REST, is refused (e.g. blocking or connection commands). */
export const REST_REFUSAL_REASONS: ReadonlyMap<string, string> = new Map(
  groups.flatMap(([reason, names]) => names.split(' ').map((name) => [name, reason] as const)),
)
