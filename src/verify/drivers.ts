// The database `migralint verify` reads: PostgreSQL through `pg`, or a local PGlite directory.
// Each driver is imported only when a URL asks for it, so no other command ever loads them.
import path from 'node:path';

/** What the checklist needs from a connection: plain queries, and a way to close it. */
export interface Database {
  kind: 'postgres' | 'pglite';
  /** The URL as given, without a password: safe to print. */
  label: string;
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** The database cannot be reached, opened or read (exit 2: nothing was checked). */
export class DatabaseError extends Error {
  override name = 'DatabaseError';
}

/** A --database-url that is not one of ours (exit 2, usage). */
export class DatabaseUrlError extends Error {
  override name = 'UsageError';
}

const PGLITE = /^pglite:(?:\/\/)?(.*)$/;

/** The URL without its password, for messages and output. */
export function redactUrl(url: string): string {
  if (PGLITE.test(url)) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

export async function openDatabase(url: string, cwd: string): Promise<Database> {
  const lite = PGLITE.exec(url);
  if (lite) {
    const dir = lite[1]!;
    if (dir === '') throw new DatabaseUrlError('--database-url pglite: needs a directory, e.g. pglite:./.cache/db');
    return openPGlite(path.resolve(cwd, dir), url);
  }
  if (/^postgres(?:ql)?:\/\//i.test(url)) return openPostgres(url);
  throw new DatabaseUrlError(
    `--database-url must be a postgres:// or postgresql:// URL, or pglite:<directory>; got "${redactUrl(url)}"`,
  );
}

async function openPostgres(url: string): Promise<Database> {
  const label = redactUrl(url);
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'migralint verify' });
  // A connection that breaks later emits 'error'; the query that was running reports it.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new DatabaseError(`cannot connect to the database at ${label}: ${describeError(err)}`);
  }
  return {
    kind: 'postgres',
    label,
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
      try {
        return (await client.query(sql, params)).rows as T[];
      } catch (err) {
        throw new DatabaseError(`query failed on ${label}: ${describeError(err)} (${sql})`);
      }
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}

/** The part of PGlite's API we use. */
export interface PGliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  close(): Promise<void>;
}

async function openPGlite(dir: string, url: string): Promise<Database> {
  // Liftoff only: PGlite's 9 MB module is compiled once, quickly, instead of also by the
  // optimising tier; start-up drops from ~0.7 s to ~0.5 s on a persisted directory.
  const v8 = await import('node:v8');
  v8.setFlagsFromString('--liftoff-only');
  let instance: PGliteLike;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    instance = await PGlite.create(dir);
  } catch (err) {
    throw new DatabaseError(`cannot open the PGlite database in ${dir}: ${describeError(err)}`);
  }
  return pgliteDatabase(instance, url);
}

/** Wraps an open PGlite instance (tests share one per file). Closing the wrapper closes the instance unless `keepOpen`. */
export function pgliteDatabase(instance: PGliteLike, label: string, opts: { keepOpen?: boolean } = {}): Database {
  return {
    kind: 'pglite',
    label,
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
      try {
        return (await instance.query<T>(sql, params)).rows;
      } catch (err) {
        throw new DatabaseError(`query failed on ${label}: ${describeError(err)} (${sql})`);
      }
    },
    async close() {
      if (!opts.keepOpen) await instance.close().catch(() => {});
    },
  };
}

function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map((e) => describeError(e)))].join('; ');
  }
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  return String(err);
}
