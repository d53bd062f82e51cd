import { hashPassword } from '../passwords.js'
import type { Database, Product, ProductPatch, User, UserWithPassword } from './database.js'
import { demoPassword, seedProducts, seedUsers } from './seed.js'

/** What both drivers offer: `pg.Pool#query` and `PGlite#query` have this shape. */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>
}

/** A PostgreSQL schema name we create and quote ourselves: lower-case letters, digits, underscores. */
export function checkSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new TypeError(
      `DATABASE_SCHEMA must be a lower-case PostgreSQL identifier such as "public" or "rediware_example"; got "${schema}".`,
    )
  }
  return schema
}

function record(row: unknown): Record<string, unknown> {
  if (typeof row !== 'object' || row === null)
    throw new TypeError(`database returned a row that is not an object: ${String(row)}`)
  return row as Record<string, unknown>
}

function toProduct(row: unknown): Product {
  const r = record(row)
  const updated = r.updated_at
  return {
    id: Number(r.id),
    name: String(r.name),
    description: String(r.description),
    priceCents: Number(r.price_cents),
    stock: Number(r.stock),
    updatedAt: updated instanceof Date ? updated.toISOString() : new Date(String(updated)).toISOString(),
  }
}

function toUser(row: unknown): UserWithPassword {
  const r = record(row)
  return { id: String(r.id), email: String(r.email), name: String(r.name), passwordHash: String(r.password_hash) }
}

/** The SQL shared by the PostgreSQL and PGlite implementations. */
export abstract class SqlDatabase implements Database {
  abstract readonly kind: 'postgres' | 'pglite'
  readonly #db: Queryable
  readonly #products: string
  readonly #users: string
  readonly #schema: string

  protected constructor(db: Queryable, schema: string) {
    this.#db = db
    this.#schema = checkSchema(schema)
    this.#products = `"${schema}".products`
    this.#users = `"${schema}".users`
  }

  /** Creates the schema and tables when missing and inserts the demo rows that are not there yet. */
  protected async migrateAndSeed(): Promise<void> {
    await this.#db.query(`CREATE SCHEMA IF NOT EXISTS "${this.#schema}"`)
    await this.#db.query(`CREATE TABLE IF NOT EXISTS ${this.#products} (
      id integer PRIMARY KEY,
      name text NOT NULL,
      description text NOT NULL,
      price_cents integer NOT NULL CHECK (price_cents >= 0),
      stock integer NOT NULL CHECK (stock >= 0),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`)
    await this.#db.query(`CREATE TABLE IF NOT EXISTS ${this.#users} (
      id text PRIMARY KEY,
      email text NOT NULL UNIQUE,
      name text NOT NULL,
      password_hash text NOT NULL
    )`)
    for (const p of seedProducts) {
      await this.#db.query(
        `INSERT INTO ${this.#products} (id, name, description, price_cents, stock) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
        [p.id, p.name, p.description, p.priceCents, p.stock],
      )
    }
    for (const u of seedUsers) {
      if (await this.findUserByEmail(u.email)) continue
      await this.#db.query(
        `INSERT INTO ${this.#users} (id, email, name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [u.id, u.email, u.name, await hashPassword(demoPassword)],
      )
    }
  }

  async listProducts(): Promise<Product[]> {
    const { rows } = await this.#db.query(`SELECT * FROM ${this.#products} ORDER BY id`)
    return rows.map(toProduct)
  }

  async getProduct(id: number): Promise<Product | undefined> {
    const { rows } = await this.#db.query(`SELECT * FROM ${this.#products} WHERE id = $1`, [id])
    return rows[0] === undefined ? undefined : toProduct(rows[0])
  }

  async updateProduct(id: number, patch: ProductPatch): Promise<Product | undefined> {
    const { rows } = await this.#db.query(
      `UPDATE ${this.#products}
         SET name = COALESCE($2, name), price_cents = COALESCE($3, price_cents), stock = COALESCE($4, stock), updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, patch.name ?? null, patch.priceCents ?? null, patch.stock ?? null],
    )
    return rows[0] === undefined ? undefined : toProduct(rows[0])
  }

  async findUserByEmail(email: string): Promise<UserWithPassword | undefined> {
    const { rows } = await this.#db.query(`SELECT * FROM ${this.#users} WHERE email = $1`, [email.trim().toLowerCase()])
    return rows[0] === undefined ? undefined : toUser(rows[0])
  }

  async getUser(id: string): Promise<User | undefined> {
    const { rows } = await this.#db.query(`SELECT id, email, name FROM ${this.#users} WHERE id = $1`, [id])
    if (rows[0] === undefined) return undefined
    const r = record(rows[0])
    return { id: String(r.id), email: String(r.email), name: String(r.name) }
  }

  abstract close(): Promise<void>
}
