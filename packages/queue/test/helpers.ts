import { randomBytes } from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RedisClient } from '@rediware/redis'
import { type TestBackend, waitFor } from '@rediware/test-utils'
import { createQueue, type Queue, type QueueEvent, type QueueOptions } from '@rediware/queue'
import type { Application } from 'express'

/** A unique queue name per test, so tests never see each other's jobs. */
export const uniqueName = (label = 'q'): string => `${label}-${randomBytes(4).toString('hex')}`

/** Collects a queue's events. */
export class Events {
  readonly list: QueueEvent[] = []
  readonly onEvent = (event: QueueEvent): void => {
    this.list.push(event)
  }

  of<K extends QueueEvent['type']>(type: K): Extract<QueueEvent, { type: K }>[] {
    return this.list.filter((event): event is Extract<QueueEvent, { type: K }> => event.type === type)
  }
}

export interface TestQueue<T> {
  queue: Queue<T>
  events: Events
  warnings: string[]
}

/** A queue over the backend's suite client with a unique name and prefix; closed by `closeAll`. */
export function makeQueue<T>(
  backend: TestBackend,
  options: Partial<QueueOptions> = {},
  client?: RedisClient,
): TestQueue<T> {
  const events = new Events()
  const warnings: string[] = []
  const queue = createQueue<T>({
    redis: client ?? backend.client(),
    name: uniqueName(),
    prefix: backend.prefix,
    onEvent: events.onEvent,
    warn: (message) => warnings.push(message),
    ...options,
  })
  opened.push(queue)
  return { queue, events, warnings }
}

const opened: { close(options?: { timeout?: number }): Promise<void> }[] = []

export async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((queue) => queue.close({ timeout: 1000 })))
}

export async function waitForState<T>(queue: Queue<T>, id: string, state: string, timeout = 10_000): Promise<void> {
  await waitFor(async () => (await queue.getJob(id))?.state === state, {
    description: `job ${id} to be ${state}`,
    timeout,
  })
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Serves `app` on a free localhost port; `base` is its URL. */
export async function listenLocally(app: Application): Promise<{ server: Server; base: string }> {
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}
