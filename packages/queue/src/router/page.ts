import type { JobState } from '../record.js'
import type { Counts, JobInfo } from '../types.js'
import { escapeHtml as e, jsString } from './http.js'
import { liveScript } from './live-script.js'

export interface PageView {
  queue: string
  base: string
  counts: Counts
  token: string
  nonce: string
  state: JobState
  offset: number
  limit: number
  list: { total: number; jobs: JobInfo<unknown>[] }
  job: JobInfo<unknown> | null | undefined
  jobId: string | undefined
  /** The queue publishes job events: the page follows `/api/events` (else it polls). */
  live: boolean
}

/** How often a page without the event stream polls the counts. */
const POLL_MS = 5000

const states: readonly JobState[] = ['waiting', 'delayed', 'active', 'completed', 'failed']

const time = (date: Date | null): string => (date ? e(date.toISOString().replace('T', ' ').slice(0, 19)) : '')

function pretty(value: unknown): string {
  try {
    return e(JSON.stringify(value, null, 2) ?? 'null')
  } catch {
    return e(String(value))
  }
}

const style = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2329;background:#f6f7f9}
header{background:#1d2329;color:#fff;padding:12px 20px}header h1{font-size:18px;margin:0}
main{padding:16px 20px}nav a{display:inline-block;margin:0 6px 12px 0;padding:6px 10px;border-radius:6px;background:#fff;border:1px solid #d7dbe0;color:#1d2329;text-decoration:none}
nav a.on{background:#1d2329;color:#fff}.n{font-weight:600;margin-left:4px}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border-bottom:1px solid #e5e7eb;padding:6px 8px;text-align:left;vertical-align:top}
pre{background:#fff;border:1px solid #e5e7eb;padding:8px;overflow:auto;max-height:320px}.err{color:#a11}
button{margin-right:8px;padding:6px 12px;border-radius:6px;border:1px solid #888;background:#fff;cursor:pointer}
.pages a{margin-right:10px}`

function tabs(view: PageView): string {
  return `<nav>${states
    .map(
      (state) =>
        `<a href="${e(view.base)}/?state=${state}" class="${state === view.state && !view.jobId ? 'on' : ''}" data-state="${state}">${state}<span class="n" data-count="${state}">${view.counts[state]}</span></a>`,
    )
    .join('')}</nav>`
}

function jobTable(view: PageView): string {
  const rows = view.list.jobs
    .map(
      (
        job,
      ) => `<tr data-job="${e(job.id)}"><td><a href="${e(view.base)}/?job=${encodeURIComponent(job.id)}">${e(job.id)}</a></td>
<td>${job.attempt}/${job.attempts}</td><td>${time(job.addedAt)}</td><td>${time(job.runAt ?? job.startedAt)}</td><td>${time(job.finishedAt)}</td>
<td class="err">${e((job.error ?? '').split('\n')[0]?.slice(0, 160) ?? '')}</td></tr>`,
    )
    .join('')
  const { offset, limit, list } = view
  const link = (at: number, label: string) => `<a href="${e(view.base)}/?state=${view.state}&offset=${at}">${label}</a>`
  const pages = `<p class="pages">${offset > 0 ? link(Math.max(0, offset - limit), '← newer') : ''}${offset + limit < list.total ? link(offset + limit, 'older →') : ''} ${list.total} ${view.state}</p>`
  return `<table><thead><tr><th>id</th><th>attempt</th><th>added</th><th>due / started</th><th>finished</th><th>last error</th></tr></thead><tbody>${rows || '<tr><td colspan="6">No jobs.</td></tr>'}</tbody></table>${pages}`
}

function jobDetails(view: PageView): string {
  const job = view.job
  if (!job) return `<p>No job <code>${e(view.jobId ?? '')}</code> (it may have been removed).</p>`
  const retryable = job.state === 'failed' || job.state === 'completed'
  return `<h2>Job <code data-field="id">${e(job.id)}</code></h2>
<table><tbody>
<tr><th>state</th><td data-field="state">${job.state}</td></tr>
<tr><th>attempts</th><td data-field="attempt">${job.attempt} of ${job.attempts}${job.stalls ? ` (${job.stalls} stalled)` : ''}</td></tr>
<tr><th>priority</th><td>${job.priority}</td></tr>${job.name ? `<tr><th>schedule</th><td>${e(job.name)}</td></tr>` : ''}
<tr><th>added</th><td>${time(job.addedAt)}</td></tr><tr><th>due</th><td>${time(job.runAt)}</td></tr>
<tr><th>started</th><td>${time(job.startedAt)}</td></tr><tr><th>finished</th><td>${time(job.finishedAt)}</td></tr>
</tbody></table>
<p>${retryable ? `<button data-action="retry" data-id="${e(job.id)}">Retry</button>` : ''}<button data-action="remove" data-id="${e(job.id)}">Remove</button></p>
<h3>Data</h3><pre data-field="data">${pretty(job.data)}</pre>
${job.error ? `<h3>Last error</h3><pre class="err" data-field="error">${e(job.error)}</pre>` : ''}
${job.progress !== null ? `<h3>Progress</h3><pre>${pretty(job.progress)}</pre>` : ''}
${job.result !== null ? `<h3>Result</h3><pre data-field="result">${pretty(job.result)}</pre>` : ''}`
}

// The buttons POST to the JSON API with the CSRF token from the page; nothing else runs.
const script = (base: string) => `
const token = document.querySelector('meta[name=csrf-token]').content
for (const button of document.querySelectorAll('button[data-action]')) {
  button.addEventListener('click', async () => {
    button.disabled = true
    const action = button.dataset.action
    const res = await fetch(${jsString(base)} + '/api/jobs/' + encodeURIComponent(button.dataset.id) + '/' + action, {
      method: 'POST', headers: { 'x-csrf-token': token }, credentials: 'same-origin' })
    const status = document.querySelector('#status')
    status.textContent = res.ok ? action + ' done' : action + ' failed (' + res.status + ')'
    if (res.ok) setTimeout(() => { location.href = action === 'remove' ? ${jsString(base)} + '/' : location.href }, 300)
    else button.disabled = false
  })
}`

export function renderPage(view: PageView): string {
  const body = view.jobId !== undefined ? jobDetails(view) : jobTable(view)
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="csrf-token" content="${e(view.token)}"><title>${e(view.queue)} · queue</title><style nonce="${view.nonce}">${style}</style></head>
<body><header><h1>Queue <span data-field="queue">${e(view.queue)}</span></h1></header><main>${tabs(view)}<p id="status" role="status"></p>${body}</main>
<script nonce="${view.nonce}">${script(view.base)}${liveScript(view.base, view.live, POLL_MS)}</script></body></html>`
}
