import { boolean, idParam, integer, object, optional, text } from './validation.js'

/** The shapes every route accepts (checked by `validate()` in app.ts before any handler runs). */
export const email = text({
  max: 254,
  trim: true,
  pattern: { regex: /^[^\s@]+@[^\s@]+$/, says: 'must be an e-mail address such as alice@example.com' },
})

/** Any characters but NUL, up to 1024 (scrypt's cost does not depend on it). */
export const password = text({ max: 1024, allowControl: true })

export const loginBody = object({ email, password })

export const productPatch = object(
  {
    name: optional(text({ max: 100, trim: true })),
    priceCents: optional(integer(0, 100_000_000)),
    stock: optional(integer(0, 100_000_000)),
  },
  { atLeastOne: true },
)

/** `{}`, `{"keepCurrent": true}` or no body at all. */
export const logoutAllBody = optional(object({ keepCurrent: optional(boolean) }))

export const productParams = { id: idParam(999_999_999) }

/** POST /api/orders: a product and how many (one by default). */
export const orderBody = object({ productId: integer(1, 999_999_999), quantity: optional(integer(1, 99)) })
