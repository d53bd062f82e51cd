import { jsString } from './http.js'

/** Every event type the queue publishes (see live-events.ts), and `reset` after a gap. */
const eventTypes = ['waiting', 'delayed', 'active', 'progress', 'completed', 'failed', 'stalled', 'removed', 'reset']

/**
 * Keeps the counts (and the job shown) current: refreshed on each job event of the stream when the
 * queue publishes events, else (or once the stream is gone for good) polled.
 */
export const liveScript = (base: string, live: boolean, pollMs: number): string => `{
const base = ${jsString(base)}
const shown = document.querySelector('[data-field=id]')?.textContent
let timer
async function refresh() {
  timer = undefined
  const counts = await fetch(base + '/api/counts', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null), () => null)
  if (counts) for (const [state, n] of Object.entries(counts)) {
    const cell = document.querySelector('[data-count="' + state + '"]')
    if (cell) cell.textContent = String(n)
  }
  if (shown === undefined) return
  const job = await fetch(base + '/api/jobs/' + encodeURIComponent(shown), { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null), () => null)
  const cell = document.querySelector('[data-field=state]')
  if (job && cell) cell.textContent = job.state
}
const soon = () => { timer ??= setTimeout(refresh, 150) }
const poll = () => { document.body.dataset.live = 'polling'; setInterval(refresh, ${pollMs}) }
if (${live} && typeof EventSource === 'function') {
  const source = new EventSource(base + '/api/events')
  source.addEventListener('open', () => { document.body.dataset.live = 'stream'; soon() })
  for (const type of ${JSON.stringify(eventTypes)}) source.addEventListener(type, soon)
  source.addEventListener('error', () => { if (source.readyState === EventSource.CLOSED) poll() })
} else poll()
}`
