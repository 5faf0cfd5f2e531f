import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** The typed database handle services receive; the same type over PostgreSQL and PGlite. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface Database {
  readonly db: Db;
  readonly kind: 'postgres' | 'pglite';
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent an embedded PGlite database lives under `dataDir`. */
  readonly url: string | undefined;
  readonly dataDir: string;
  readonly poolSize?: number;
  /** Errors of idle pooled connections (a server restart, an admin's terminate); they must not crash the process. */
  readonly onConnectionError?: (error: Error) => void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : await openPglite(options.dataDir);
}

function openPostgres(url: string, options: DatabaseOptions): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // Without a listener, an idle connection dropped by the server would throw from the socket and end the process;
  // the pool replaces the connection on its next checkout.
  pool.on('error', (error) => options.onConnectionError?.(error));
  const db = drizzleNodePg(pool, { schema });
  return {
    db,
    kind: 'postgres',
    async migrate() {
      await migrateNodePg(db, { migrationsFolder });
    },
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * PGlite and its drizzle driver are loaded only here: the embedded database's WebAssembly adds about 20 MB to
 * every process that imports it, and a deployment on PostgreSQL never needs it.
 */
async function openPglite(dataDir: string): Promise<Database> {
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const dir = join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const releaseLock = lockForThisProcess(join(dataDir, 'pglite.lock'));
  const client = new PGlite(dir);
  const db = drizzlePglite(client, { schema });
  return {
    db,
    kind: 'pglite',
    async migrate() {
      await migratePglite(db, { migrationsFolder });
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      await client.close();
      releaseLock();
    },
  };
}

/**
 * PGlite is an embedded database: two processes opening the same folder would corrupt it. The lock file names
 * the process holding it; a lock left by a process that no longer runs is taken over.
 */
function lockForThisProcess(file: string): () => void {
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(file, 'utf8'));
    if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
      throw new Error(
        `the embedded database in ${file.replace(/pglite\.lock$/, 'pglite')} is in use by process ${holder}; stop it first, or set DATABASE_URL to a PostgreSQL server`,
      );
    }
    writeFileSync(file, String(process.pid));
  }
  return () => rmSync(file, { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
