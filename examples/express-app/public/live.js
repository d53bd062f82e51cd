// Live updates over Server-Sent Events (@rediware/realtime): product changes from any app process,
// and the signed-in user's order progress. Kept apart from app.js; it only reads the DOM app.js draws.
'use strict'

const live = {
  source: undefined,
  /** The last event id seen: a new stream (after a login or logout) resumes from it. */
  lastEventId: '',
  received: 0,
}

function liveLog(text) {
  const item = document.createElement('li')
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`
  document.querySelector('#live-log').prepend(item)
  while (document.querySelector('#live-log').children.length > 20) document.querySelector('#live-log').lastElementChild.remove()
}

function liveStatus(text) {
  document.querySelector('#live-status').textContent = text
}

function onProduct(event) {
  const product = JSON.parse(event.data)
  const row = document.querySelector(`#products tr[data-id="${product.id}"]`)
  if (row) {
    row.querySelector('.stock').textContent = String(product.stock)
    row.querySelector('.price').textContent = `€${(product.priceCents / 100).toFixed(2)}`
    row.classList.add('flash')
    setTimeout(() => row.classList.remove('flash'), 600)
  }
  liveLog(`product ${product.id}: stock ${product.stock}`)
}

/** The newest state per order wins; an update about an older attempt never overwrites a newer one. */
const orderRank = { active: 1, progress: 2, completed: 3, failed: 3 }
const orderSeen = new Map()

function onOrder(event) {
  const update = JSON.parse(event.data)
  const key = [update.attempt, orderRank[update.state], update.done ?? 0]
  const before = orderSeen.get(update.orderId)
  if (before && (before[0] > key[0] || (before[0] === key[0] && (before[1] > key[1] || (before[1] === key[1] && before[2] > key[2]))))) return
  orderSeen.set(update.orderId, key)
  const text = update.state === 'progress' ? `${update.step} (${update.done}/${update.of})` : update.state
  for (const badge of document.querySelectorAll(`[data-order="${update.orderId}"]`)) badge.textContent = update.state === 'progress' ? 'active' : update.state
  for (const cell of document.querySelectorAll(`[data-order-progress="${update.orderId}"]`)) cell.textContent = text
  liveLog(`order ${update.orderId.slice(0, 8)}…: ${text}`)
}

function connect() {
  live.source?.close()
  const url = live.lastEventId ? `/api/events?lastEventId=${encodeURIComponent(live.lastEventId)}` : '/api/events'
  const source = new EventSource(url)
  live.source = source
  const seen = (event) => {
    live.received += 1
    if (event.lastEventId) live.lastEventId = event.lastEventId
    document.body.dataset.liveReceived = String(live.received)
  }
  source.addEventListener('open', () => liveStatus('connected'))
  source.addEventListener('error', () => liveStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting…'))
  source.addEventListener('product', (event) => {
    seen(event)
    onProduct(event)
  })
  source.addEventListener('order', (event) => {
    seen(event)
    onOrder(event)
  })
  // What this page missed is older than the history: read the list again.
  source.addEventListener('reset', (event) => {
    if (JSON.parse(event.data).channel === 'products') document.querySelector('#read-list')?.click()
  })
}

// A login or logout changes which channels this page may read: reconnect when the session text changes.
let sessionText = document.querySelector('#me-text').textContent
new MutationObserver(() => {
  const text = document.querySelector('#me-text').textContent
  if (text === sessionText) return
  sessionText = text
  connect()
}).observe(document.querySelector('#me-text'), { childList: true, characterData: true, subtree: true })

connect()
