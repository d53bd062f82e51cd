/** The position before the first event of any channel (a log that was empty or did not exist). */
export const ORIGIN = '0-0'

const eventId = /^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,19})$/

/** A Redis stream id, `<ms>-<seq>`, as our event ids are (no leading zeros, 20 digits at most). */
export const isEventId = (text: string): boolean => eventId.test(text)

function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1
  return a === b ? 0 : a < b ? -1 : 1
}

/** Orders two event ids as Redis orders stream ids (numerically, ms then seq). */
export function compareIds(a: string, b: string): number {
  const aDash = a.indexOf('-')
  const bDash = b.indexOf('-')
  return compareNumbers(a.slice(0, aDash), b.slice(0, bDash)) || compareNumbers(a.slice(aDash + 1), b.slice(bDash + 1))
}
