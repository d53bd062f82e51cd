// Catalog changes pushed by the server (GET /api/live, Server-Sent Events via @rediware/realtime).
// In its own function: classic scripts share one global scope with app.js.
;(() => {
  'use strict'

  const money = (cents) => `€${(cents / 100).toFixed(2)}`
  const stream = new EventSource('/api/live')
  const state = document.getElementById('live-state')

  stream.addEventListener('open', () => {
    state.textContent = 'connected'
  })
  stream.addEventListener('error', () => {
    state.textContent = 'reconnecting…'
  })
  stream.addEventListener('product', (event) => {
    const product = JSON.parse(event.data)
    const cell = document.querySelector(`#products tr[data-id="${product.id}"] .price`)
    if (cell) cell.textContent = money(product.priceCents)
    const item = document.createElement('li')
    item.textContent = `${new Date().toLocaleTimeString()} · ${product.name} now costs ${money(product.priceCents)} (pushed to every open page)`
    document.getElementById('live-log').prepend(item)
  })
})()
