// The database a trace runs on: an embedded PGlite (in memory, started once per run, optionally
// from a cached template data directory) or a PostgreSQL server reached through `pg`. Both are
// loaded only when a trace asks for them. Errors keep PostgreSQL's SQLSTATE and position, which
// `migration-fails` reports.

/** A statement PostgreSQL rejected. */
export interface PgFailure {
  message: string;
  /** SQLSTATE, e.g. 42703 (undefined column). */
  code: string | null;
  /** 1-based character offset in the statement, when PostgreSQL gives one. */
  position: number | null;
  detail: string | null;
  hint: string | null;
}

export interface TraceDb {
  kind: 'pglite' | 'postgres';
  label: string;
  /** Major server version, e.g. 18 for PGlite 0.5. */
  version: number;
  /** Runs one statement (simple protocol); a failure is returned, not thrown. */
  run(sql: string): Promise<PgFailure | null>;
  /** A catalog query; a failure here is ours and throws. */
  rows<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The data directory as a tarball (PGlite only), for the template cache. */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
}

/** The database cannot be reached or started (exit 2: nothing was traced). */
export class TraceConnectionError extends Error {
  override name = 'TraceConnectionError';
}

export function toFailure(err: unknown): PgFailure {
  const e = err as { message?: string; code?: unknown; position?: unknown; detail?: unknown; hint?: unknown };
  const position = e.position !== undefined && e.position !== null && e.position !== '' ? Number(e.position) : null;
  return {
    message: e.message ?? String(err),
    code: typeof e.code === 'string' ? e.code : null,
    position: position !== null && Number.isFinite(position) ? position : null,
    detail: typeof e.detail === 'string' && e.detail !== '' ? e.detail : null,
    hint: typeof e.hint === 'string' && e.hint !== '' ? e.hint : null,
  };
}

interface PGliteInstance {
  exec(sql: string): Promise<unknown>;
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  dumpDataDir(compression?: 'none' | 'gzip' | 'auto'): Promise<Blob>;
  close(): Promise<void>;
}

/** An in-memory PGlite, empty or loaded from a template tarball. */
export async function openPGliteTrace(template?: Blob): Promise<TraceDb> {
  // Liftoff only: PGlite's module is compiled once by the baseline tier, which roughly halves
  // start-up (see src/verify/drivers.ts); a trace runs short statements, not long computations.
  const v8 = await import('node:v8');
  v8.setFlagsFromString('--liftoff-only');
  let db: PGliteInstance;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    db = (await PGlite.create(template ? { loadDataDir: template } : {})) as unknown as PGliteInstance;
  } catch (err) {
    throw new TraceConnectionError(`cannot start PGlite: ${(err as Error).message}`);
  }
  return pgliteTraceDb(db, 'PGlite (in memory)');
}

/** Wraps an open PGlite instance (tests share one). */
export async function pgliteTraceDb(db: PGliteInstance, label: string, opts: { keepOpen?: boolean } = {}): Promise<TraceDb> {
  const version = Number((await db.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v) / 10000;
  return {
    kind: 'pglite',
    label,
    version: Math.floor(version),
    async run(sql) {
      try {
        await db.exec(sql);
        return null;
      } catch (err) {
        return toFailure(err);
      }
    },
    async rows<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      return (await db.query<T>(sql, params)).rows;
    },
    dump: () => db.dumpDataDir('none'),
    async close() {
      if (!opts.keepOpen) await db.close().catch(() => {});
    },
  };
}

export async function openPostgresTrace(url: string, label: string): Promise<TraceDb> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'migralint trace' });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new TraceConnectionError(`cannot connect to the database at ${label}: ${(err as Error).message || String(err)}`);
  }
  const version = Math.floor(Number((await client.query(`SELECT current_setting('server_version_num') AS v`)).rows[0].v) / 10000);
  return {
    kind: 'postgres',
    label,
    version,
    async run(sql) {
      try {
        await client.query(sql);
        return null;
      } catch (err) {
        return toFailure(err);
      }
    },
    async rows<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}
