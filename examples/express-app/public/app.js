// The example page: plain DOM, no build step. Every request goes through `api()`.
'use strict'

const $ = (selector) => document.querySelector(selector)

function el(tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

/** fetch with JSON in and out; never throws for HTTP errors (the page draws them). */
async function api(method, path, body, init = {}) {
  const started = performance.now()
  let response
  try {
    response = await fetch(path, {
      method,
      cache: 'no-store', // no browser cache in the way: every X-Cache is the server's
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      ...init,
    })
  } catch (error) {
    return { status: 0, ok: false, headers: new Headers(), data: { error: String(error) }, ms: performance.now() - started }
  }
  let data = null
  const type = response.headers.get('content-type') || ''
  if (type.includes('json')) data = await response.json().catch(() => null)
  else await response.text()
  return { status: response.status, ok: response.ok, headers: response.headers, data, ms: performance.now() - started }
}

const seconds = (ms) =>
  ms % 86_400_000 === 0 ? `${ms / 86_400_000} d` : ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
const money = (cents) => `€${(cents / 100).toFixed(2)}`
const time = (ms) => new Date(ms).toLocaleTimeString()

// ---- header: backend and database ---------------------------------------------------------------
async function loadInfo() {
  const r = await api('GET', '/api/info')
  if (!r.ok || !r.data) {
    $('#info').textContent = `Could not load /api/info (${r.status}).`
    return
  }
  const { backend, database, limits, productCache } = r.data
  $('#info').textContent = `Backend: ${backend} · database: ${database} · /api: ${limits.api.limit} per ${seconds(limits.api.windowMs)} per IP`
  $('#burst-policy').textContent = `${limits.burst.limit} per ${seconds(limits.burst.windowMs)}`
  $('#cache-ttl').textContent = `${seconds(productCache.ttlMs)} (stale for up to ${seconds(productCache.staleWhileRevalidateMs)} more)`
}

// ---- rate limit: the burst -----------------------------------------------------------------------
$('#burst-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const count = Math.max(1, Math.min(100, Number($('#burst-count').value) || 20))
  const list = $('#burst-results')
  const button = $('#burst-button')
  list.replaceChildren()
  button.disabled = true
  let allowed = 0
  let limited = 0
  const started = performance.now()
  const requests = Array.from({ length: count }, (_, index) =>
    api('GET', '/api/ping').then((r) => {
      // Drawn as each answer arrives, so the order is the order they came back in.
      const tile = el('li', 'result')
      tile.dataset.status = String(r.status)
      tile.append(el('b', '', `#${index + 1} · ${r.status || 'error'}`))
      if (r.status === 429) {
        limited++
        tile.classList.add('limited')
        tile.append(el('span', '', `Retry-After ${r.headers.get('retry-after') ?? '?'} s`))
      } else if (r.ok) {
        allowed++
        tile.classList.add('allowed')
        tile.append(el('span', '', `${r.headers.get('x-ratelimit-remaining') ?? '?'} left`))
      } else {
        tile.classList.add('failed')
        tile.append(el('span', '', r.data?.error ?? 'failed'))
      }
      list.append(tile)
      $('#burst-summary').textContent = `${allowed} allowed, ${limited} limited`
    }),
  )
  await Promise.all(requests)
  $('#burst-summary').textContent = `${allowed} allowed, ${limited} limited, in ${Math.round(performance.now() - started)} ms`
  button.disabled = false
})

// ---- cache: products -----------------------------------------------------------------------------
function logRead(label, r) {
  const xCache = r.headers.get('x-cache') || 'none'
  const age = r.headers.get('age')
  const item = el('li')
  item.append(el('span', `badge ${xCache.toLowerCase()}`, xCache), ` ${label} → ${r.status}`)
  if (age !== null) item.append(`, Age ${age} s`)
  item.append(el('span', 'muted', ` · ${Math.round(r.ms)} ms · ${new Date().toLocaleTimeString()}`))
  $('#cache-log').prepend(item)
}

function drawProducts(products) {
  const body = $('#products tbody')
  body.replaceChildren()
  for (const p of products) {
    const row = el('tr')
    row.dataset.id = String(p.id)
    const read = el('button', 'read', 'Read')
    read.type = 'button'
    read.addEventListener('click', () => readProduct(p.id))
    const bump = el('button', 'bump', '+ €1')
    bump.type = 'button'
    bump.title = 'PUT /api/products/:id (needs a login)'
    bump.addEventListener('click', () => bumpPrice(p.id))
    const actions = el('td')
    actions.append(read, ' ', bump)
    row.append(el('td', 'num', String(p.id)), el('td', '', p.name), el('td', 'num price', money(p.priceCents)), el('td', 'num stock', String(p.stock)), actions)
    body.append(row)
  }
}

async function readList() {
  const r = await api('GET', '/api/products')
  logRead('GET /api/products', r)
  if (r.ok && r.data) drawProducts(r.data.products)
}

async function readProduct(id) {
  const r = await api('GET', `/api/products/${id}`)
  logRead(`GET /api/products/${id}`, r)
  if (r.ok && r.data) {
    const cell = document.querySelector(`#products tr[data-id="${id}"] .price`)
    if (cell) cell.textContent = money(r.data.product.priceCents)
  }
}

async function bumpPrice(id) {
  const current = await api('GET', `/api/products/${id}`)
  if (!current.ok || !current.data) return logRead(`GET /api/products/${id}`, current)
  const r = await api('PUT', `/api/products/${id}`, { priceCents: current.data.product.priceCents + 100 })
  const item = el('li')
  item.append(el('span', 'badge none', 'PUT'), ` /api/products/${id} → ${r.status}`)
  item.append(el('span', 'muted', r.ok ? ' · database written, tags invalidated: the next read is a MISS' : ` · ${r.data?.error ?? ''}`))
  $('#cache-log').prepend(item)
  if (r.ok) await readProduct(id)
}

$('#read-list').addEventListener('click', readList)

// ---- sessions ------------------------------------------------------------------------------------
function status(text, kind) {
  const node = $('#login-status')
  node.textContent = text
  node.className = kind
}

async function refreshSession() {
  const me = await api('GET', '/api/me')
  const list = $('#session-list')
  if (!me.ok || !me.data) {
    $('#me-text').textContent = me.status === 401 ? 'Not logged in.' : `GET /api/me → ${me.status}`
    list.replaceChildren(el('li', 'muted', 'Log in to see your sessions.'))
    return
  }
  const { user, session } = me.data
  $('#me-text').textContent =
    `${user.name} <${user.email}> · logged in at ${session.loggedInAt ? time(session.loggedInAt) : '?'} · ` +
    `cookie expires ${session.expiresAt ? new Date(session.expiresAt).toLocaleString() : 'with the browser'}`
  const sessions = await api('GET', '/api/sessions')
  if (!sessions.ok || !sessions.data) return
  list.replaceChildren()
  for (const s of sessions.data.sessions) {
    const item = el('li')
    item.dataset.current = String(s.current)
    if (s.current) item.append(el('span', 'badge current', 'this one'), ' ')
    item.append(`session ${s.idHash.slice(0, 10)}… · created ${time(s.createdAt)} · last seen ${time(s.lastSeenAt)} · ${s.expiresAt ? `ends ${new Date(s.expiresAt).toLocaleString()} if idle` : 'no expiry'}`)
    list.append(item)
  }
}

async function login(email, password, init) {
  return api('POST', '/api/login', { email, password }, init)
}

function describeLogin(r) {
  if (r.ok) return [`Logged in as ${r.data.user.name}; the session id was rotated.`, 'ok']
  if (r.status === 429) return [`429 Too Many Requests: retry after ${r.headers.get('retry-after')} s (${r.headers.get('ratelimit') ?? ''})`, 'error']
  return [`${r.status}: ${r.data?.error ?? 'failed'}`, 'error']
}

$('#login-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const r = await login($('#login-email').value, $('#login-password').value)
  status(...describeLogin(r))
  await refreshSession()
})

$('#other-device').addEventListener('click', async () => {
  // credentials: 'omit' = no cookie sent, and the Set-Cookie is ignored: a session this browser never holds.
  const r = await login($('#login-email').value, $('#login-password').value, { credentials: 'omit' })
  const [text, kind] = describeLogin(r)
  status(r.ok ? 'Another device logged in to the same account (a session this browser does not hold).' : text, kind)
  await refreshSession()
})

$('#logout').addEventListener('click', async () => {
  const r = await api('POST', '/api/logout')
  status(r.ok ? 'Logged out: this session is gone from Redis.' : `${r.status}: ${r.data?.error ?? ''}`, r.ok ? 'ok' : 'error')
  await refreshSession()
})

$('#logout-others').addEventListener('click', async () => {
  const r = await api('POST', '/api/logout-all', { keepCurrent: true })
  status(r.ok ? `Revoked ${r.data.revoked} other session(s); this one stays.` : `${r.status}: ${r.data?.error ?? ''}`, r.ok ? 'ok' : 'error')
  await refreshSession()
})

$('#logout-all').addEventListener('click', async () => {
  const r = await api('POST', '/api/logout-all', {})
  status(r.ok ? `Logged out everywhere: ${r.data.revoked} session(s) revoked.` : `${r.status}: ${r.data?.error ?? ''}`, r.ok ? 'ok' : 'error')
  await refreshSession()
})

// ---- background jobs -----------------------------------------------------------------------------
let lastOrderKey

async function placeOrder(key) {
  const r = await api('POST', '/api/orders', { productId: 1, quantity: 1 }, { headers: { 'content-type': 'application/json', 'idempotency-key': key } })
  const item = el('li')
  item.dataset.key = key
  if (!r.ok) {
    item.append(`${r.status}: ${r.data?.error ?? 'failed'}`)
    $('#order-log').prepend(item)
    return
  }
  const replayed = r.headers.get('idempotent-replayed') === 'true'
  const state = el('span', 'badge', r.data.job.state)
  state.dataset.order = r.data.order.id
  const progress = el('span', 'muted', '')
  progress.dataset.orderProgress = r.data.order.id
  item.append(`order ${r.data.order.id.slice(0, 8)}… ${replayed ? '(replayed: same key, no new order) ' : ''}· job `, state, ' ', progress)
  $('#order-log').prepend(item)
  $('#order-again').disabled = false
  // Poll the job until the worker finished it.
  for (let polls = 0; polls < 40 && !['completed', 'failed'].includes(state.textContent); polls += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    const job = await api('GET', `/api/orders/${r.data.order.id}`)
    if (job.ok) state.textContent = job.data.job.state
  }
}

$('#order-button').addEventListener('click', () => {
  lastOrderKey = crypto.randomUUID()
  placeOrder(lastOrderKey)
})
$('#order-again').addEventListener('click', () => placeOrder(lastOrderKey))

// ---- start ---------------------------------------------------------------------------------------
loadInfo()
readList()
refreshSession()
// Notice a logout from another tab or device.
setInterval(() => {
  if (document.visibilityState === 'visible') refreshSession()
}, 10_000)
