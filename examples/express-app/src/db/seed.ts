import type { Product } from './database.js'

export const seedProducts: readonly Omit<Product, 'updatedAt'>[] = [
  {
    id: 1,
    name: 'Redis mug',
    description: 'Holds 350 ml of coffee, or one very large hash.',
    priceCents: 1200,
    stock: 40,
  },
  {
    id: 2,
    name: 'Sliding-window socks',
    description: 'A pair that never admits more than two feet per window.',
    priceCents: 900,
    stock: 120,
  },
  {
    id: 3,
    name: 'Cache-hit hoodie',
    description: 'Warm on the first request, warmer on every one after.',
    priceCents: 4500,
    stock: 15,
  },
  {
    id: 4,
    name: 'Lua sticker pack',
    description: 'Six atomic stickers. Applied in one round trip.',
    priceCents: 500,
    stock: 300,
  },
  { id: 5, name: 'Session lanyard', description: 'Rotates on login, sticks on logout.', priceCents: 700, stock: 80 },
  {
    id: 6,
    name: 'Token-bucket hat',
    description: 'Refills continuously at one compliment per second.',
    priceCents: 2200,
    stock: 25,
  },
]

/** The demo accounts. The page pre-fills the first one. */
export const demoPassword = 'rediware-demo'
export const seedUsers: readonly { id: string; email: string; name: string }[] = [
  { id: 'u-alice', email: 'alice@example.com', name: 'Alice' },
  { id: 'u-bob', email: 'bob@example.com', name: 'Bob' },
]
