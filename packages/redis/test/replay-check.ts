import type { RedisClient } from '@rediware/redis'

/**
 * What every replay test checks once its client's write was issued, with the same write sent
 * straight through ioredis after it (the control): the deadline reports the client's write failed;
 * once the servers are back, ioredis settles the control, and by then it has sent the client's
 * write too (same connection, issued first). Only the control's key may hold a value.
 */
export interface ReplayCheck {
  client: RedisClient
  /** The client's write(s), each to be reported failed by its deadline. */
  writes: readonly Promise<unknown>[]
  /** Every key those writes would set. */
  guardedKeys: readonly string[]
  /** The control write (it sets `controlKey` to 'v') and its key. */
  control: Promise<unknown>
  controlKey: string
  /** Brings the servers back (restart, or end a pause). */
  recover(): Promise<void>
}

export async function expectOnlyTheControlWrote(check: ReplayCheck): Promise<void> {
  const { client, writes, guardedKeys, control, controlKey } = check
  for (const write of writes) await expect(write).rejects.toMatchObject({ code: 'ERR_REDIS_TIMEOUT' })
  await check.recover()
  await expect(control).resolves.toBe('OK')
  await expect(client.get(controlKey, { timeout: 2000 })).resolves.toBe('v')
  await expect(client.mget(guardedKeys, { timeout: 2000 })).resolves.toEqual(guardedKeys.map(() => null))
}

/** Runs `body` against a fresh setup and always tears it down. */
export async function withSetup<S>(
  setUp: () => Promise<S>,
  tearDown: (setup: S) => Promise<void>,
  body: (setup: S) => Promise<void>,
): Promise<void> {
  const setup = await setUp()
  try {
    await body(setup)
  } finally {
    await tearDown(setup)
  }
}
