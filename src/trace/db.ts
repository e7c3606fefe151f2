// The database a trace runs on: an embedded PGlite (in memory, started once per run, optionally
// from a cached template data directory) or a PostgreSQL server reached through `pg`. Both are
// loaded only when a trace asks for them. Errors keep PostgreSQL's SQLSTATE and position, which
// `migration-fails` reports.
import type { PGliteOptions } from '@electric-sql/pglite';
import { loadTemplate, takeTemplate, type EmscriptenFS, type EmscriptenMEMFS, type Template } from './template.js';

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
  /**
   * Shuts the database down cleanly and returns its data directory as a template (PGlite only, for
   * the template cache): a clean shutdown leaves nothing to recover and keeps the relation cache's
   * init files, so a start from the template does not rebuild them. The database is closed after.
   */
  closeAsTemplate?(): Promise<Template>;
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
  close(): Promise<void>;
}

/** Where PGlite keeps its data directory in its in-memory file system (PGlite's PGDATA). */
const PGDATA = '/pglite/data';

/**
 * PGlite's start-up arguments plus a smaller buffer pool: 128MB of shared buffers (the initdb
 * default) cost a sixth of a warm start's CPU and ~110 MB of RSS to set up, for schemas that fit
 * in a few MB. Locks, rewrites and scans do not depend on it.
 */
const START_PARAMS = ['-c', 'shared_buffers=16MB'];

export interface PGliteModule {
  lib: typeof import('@electric-sql/pglite');
  /** The compiled WebAssembly.Module (the compiler options here have no WebAssembly types). */
  module: object;
}

declare const WebAssembly: { compile(bytes: Uint8Array): Promise<object> };

/**
 * Starts what a PGlite start needs before the database itself can be chosen: the module import and
 * the compilation of its WebAssembly (9 MB), which V8 does on background threads while the
 * migrations are read and linted. Liftoff only: the module is compiled once by the baseline tier,
 * which roughly halves start-up (see src/verify/drivers.ts); a trace runs short statements, not
 * long computations.
 */
export function preparePGlite(): Promise<PGliteModule> {
  return (async () => {
    const v8 = await import('node:v8');
    v8.setFlagsFromString('--liftoff-only');
    const { createRequire } = await import('node:module');
    const { readFile } = await import('node:fs/promises');
    const wasm = createRequire(import.meta.url).resolve('@electric-sql/pglite/pglite.wasm');
    const [lib, module] = await Promise.all([import('@electric-sql/pglite'), readFile(wasm).then((b) => WebAssembly.compile(b))]);
    return { lib, module };
  })();
}

/**
 * An in-memory PGlite: empty (initdb), or loaded from a template (src/trace/template.ts) written
 * into its file system before PostgreSQL starts.
 */
export async function openPGliteTrace(
  template?: Template | null,
  prepared?: Promise<PGliteModule>,
  /** Without a template: called with the data directory initdb made, before PostgreSQL starts on it. */
  onInitdb?: (empty: Template) => void,
): Promise<TraceDb> {
  let db: PGliteInstance;
  let taken: Template | null = null;
  let takeOnClose = false;
  try {
    const { lib, module } = await (prepared ?? preparePGlite());
    const { PGlite, MemoryFS } = lib;
    // PGlite's memory file system, filled from the template when PGlite syncs it from "storage" (the
    // step before it looks for a data directory), and read into a template when it is closed (after
    // PostgreSQL's shutdown, before the file system goes).
    class TemplateFS extends MemoryFS {
      private get emfs(): EmscriptenFS {
        return (this.pg!.Module as unknown as { FS: EmscriptenFS }).FS;
      }
      override async initialSyncFs() {
        if (template) loadTemplate(this.pg!.Module as unknown as { FS: EmscriptenFS; MEMFS?: EmscriptenMEMFS }, PGDATA, template);
      }
      // PGlite syncs its file system to "storage" once initdb is done, before it starts PostgreSQL
      // (and after queries, when it is ready): initdb shut its server down cleanly, so this is an
      // empty database's template without a start and a shutdown of its own.
      override async syncToFs() {
        if (!template && onInitdb && !this.pg!.ready) {
          onInitdb(takeTemplate(this.emfs, PGDATA));
          onInitdb = undefined;
        }
      }
      override async closeFs() {
        if (takeOnClose) taken = takeTemplate(this.emfs, PGDATA);
        await super.closeFs();
      }
    }
    db = (await PGlite.create({
      fs: new TemplateFS(),
      pgliteWasmModule: module as NonNullable<PGliteOptions['pgliteWasmModule']>,
      startParams: [...PGlite.defaultStartParams, ...START_PARAMS],
    })) as unknown as PGliteInstance;
  } catch (err) {
    throw new TraceConnectionError(`cannot start PGlite: ${(err as Error).message}`);
  }
  const traceDb = await pgliteTraceDb(db, 'PGlite (in memory)');
  traceDb.closeAsTemplate = async () => {
    // The WAL so far is in the template's data files: start a new segment and let the checkpoint
    // delete the old one instead of recycling it, so the template keeps a WAL segment that is
    // all zeros but its first record (not stored) instead of the history's 16 MB.
    await db.exec(`SET wal_recycle = off; SELECT pg_switch_wal(); CHECKPOINT`);
    takeOnClose = true;
    await db.close();
    if (!taken) throw new Error('PGlite closed without its file system');
    return taken;
  };
  return traceDb;
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
