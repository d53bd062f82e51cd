/** A product as the API returns it. */
export interface Product {
  id: number
  name: string
  description: string
  priceCents: number
  stock: number
  /** ISO 8601. */
  updatedAt: string
}

export interface ProductPatch {
  name?: string
  priceCents?: number
  stock?: number
}

export interface User {
  id: string
  email: string
  name: string
}

export interface UserWithPassword extends User {
  passwordHash: string
}

/**
 * The app's primary data. Two implementations share the SQL (`SqlDatabase`): PostgreSQL through
 * `pg` (DATABASE_URL) and an embedded PGlite when DATABASE_URL is unset. Redis is never the database.
 */
export interface Database {
  /** 'postgres' or 'pglite', for logs and /api/info. */
  readonly kind: 'postgres' | 'pglite'
  listProducts(): Promise<Product[]>
  getProduct(id: number): Promise<Product | undefined>
  /** Resolves to the updated product, or undefined when there is no such product. */
  updateProduct(id: number, patch: ProductPatch): Promise<Product | undefined>
  findUserByEmail(email: string): Promise<UserWithPassword | undefined>
  getUser(id: string): Promise<User | undefined>
  close(): Promise<void>
}
