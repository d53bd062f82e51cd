import { randomBytes } from 'node:crypto'

// 72 random bits per process, then a counter: unique across processes without a randomBytes call
// (about 2 µs) per request.
const processPart = randomBytes(9).toString('base64url')
let counter = 0

/** An id for one request's charge or lease (refunds and releases name it; sliding-log members carry it). */
export function nextRequestId(): string {
  counter = counter === Number.MAX_SAFE_INTEGER ? 0 : counter + 1
  return processPart + counter.toString(36)
}
