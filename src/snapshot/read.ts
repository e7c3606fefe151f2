// Reads a live database's catalog into a Snapshot: one read-only transaction, so every table,
// size and version row comes from the same moment.
import type { Database } from '../verify/drivers.js';
import { DatabaseError } from '../verify/drivers.js';
import { readVersionTable, VERSION_KINDS, VERSION_TABLES, versionSpecFor, type VersionSpec } from '../verify/version-table.js';
import { SNAPSHOT_FORMAT, type ConstraintKind, type Snapshot, type SnapshotApplied, type SnapshotTable } from './format.js';

/** The oldest server whose catalog the queries below read (pg_index.indnkeyatts, reltuples semantics). */
export const OLDEST_SERVER = 12;

/** A server migralint cannot read (exit 2). */
export class SnapshotServerError extends DatabaseError {}

const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

const TABLES = `
SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, c.reltuples::float8 AS reltuples, c.relpages::float8 AS relpages,
       COALESCE(s.n_live_tup, 0)::float8 AS live, pg_total_relation_size(c.oid)::float8 AS bytes
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.relkind IN ('r', 'p') AND ${SYSTEM_SCHEMAS}`;

const COLUMNS = `
SELECT a.attrelid::text AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
       pg_get_expr(d.adbin, d.adrelid) AS def
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND ${SYSTEM_SCHEMAS}`;

const INDEXES = `
SELECT i.indrelid::text AS oid, ic.relname AS name, i.indisunique AS "unique", i.indisvalid AS valid, i.indpred IS NOT NULL AS partial,
       am.amname AS method,
       ARRAY(SELECT CASE WHEN i.indkey[k - 1] = 0 THEN '(' || pg_get_indexdef(i.indexrelid, k, true) || ')'
                         ELSE pg_get_indexdef(i.indexrelid, k, true) END
             FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS columns
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE c.relkind IN ('r', 'p') AND ${SYSTEM_SCHEMAS}`;

const CONSTRAINTS = `
SELECT con.conrelid::text AS oid, con.conname AS name, con.contype::text AS type, con.convalidated AS validated,
       pg_get_constraintdef(con.oid, true) AS def,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND ${SYSTEM_SCHEMAS}`;

const KINDS: Record<string, ConstraintKind> = { c: 'check', f: 'foreign_key', p: 'primary_key', u: 'unique', x: 'exclude', n: 'not_null' };

export interface SnapshotOptions {
  /** --version-table: read only this version table (`kind:table`, or a kind). */
  versionTable?: string;
}

export async function takeSnapshot(db: Database, opts: SnapshotOptions = {}): Promise<Snapshot> {
  const num = Number(Object.values((await db.query('SHOW server_version_num'))[0] ?? {})[0]);
  const server = String(Object.values((await db.query('SHOW server_version'))[0] ?? {})[0] ?? '');
  const major = Math.floor(num / 10000);
  if (!Number.isFinite(num) || num <= 0) throw new SnapshotServerError(`${db.label}: cannot tell the server version (server_version_num is "${num}")`);
  if (major < OLDEST_SERVER) {
    throw new SnapshotServerError(`${db.label}: PostgreSQL ${server} is older than ${OLDEST_SERVER}, the oldest server migralint snapshot reads`);
  }
  // Repeatable read: every query sees the same moment; read only: nothing we run can write.
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const tables = await readTables(db);
    const applied = await readApplied(db, opts.versionTable);
    return { format: SNAPSHOT_FORMAT, server, serverMajor: major, redacted: false, applied, tables };
  } finally {
    await db.query('ROLLBACK').catch(() => {});
  }
}

async function readTables(db: Database): Promise<SnapshotTable[]> {
  type T = { oid: string; schema: string; name: string; reltuples: number; relpages: number; live: number; bytes: number };
  const byOid = new Map<string, SnapshotTable>();
  for (const r of await db.query<T>(TABLES)) {
    // reltuples is -1 (PostgreSQL 14+) or 0 with no pages (12, 13) on a table never analyzed.
    const reltuples = Number(r.reltuples);
    const unknown = reltuples < 0 || (reltuples === 0 && Number(r.relpages) === 0);
    byOid.set(String(r.oid), {
      name: r.schema === 'public' ? r.name : `${r.schema}.${r.name}`,
      rows: Math.round(unknown ? Number(r.live) : reltuples),
      bytes: Number(r.bytes),
      columns: [],
      indexes: [],
      constraints: [],
    });
  }
  for (const r of await db.query<{ oid: string; name: string; type: string; notnull: boolean; def: string | null }>(COLUMNS)) {
    byOid.get(String(r.oid))?.columns.push({ name: r.name, type: r.type, nullable: !r.notnull, default: r.def ?? null });
  }
  type I = { oid: string; name: string; unique: boolean; valid: boolean; partial: boolean; method: string; columns: string[] };
  for (const r of await db.query<I>(INDEXES)) {
    byOid.get(String(r.oid))?.indexes.push({
      name: r.name,
      columns: textArray(r.columns),
      unique: r.unique,
      valid: r.valid,
      partial: r.partial,
      method: r.method,
    });
  }
  type C = { oid: string; name: string; type: string; validated: boolean; def: string; columns: string[] };
  for (const r of await db.query<C>(CONSTRAINTS)) {
    const kind = KINDS[r.type];
    if (!kind) continue; // constraint triggers belong to their trigger, not to the table's shape
    byOid.get(String(r.oid))?.constraints.push({ name: r.name, kind, validated: r.validated, columns: textArray(r.columns), definition: r.def });
  }
  return [...byOid.values()];
}

/** `pg` parses text[] into an array; a driver that does not gives the literal `{a,b}`. */
function textArray(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.replace(/^\{|\}$/g, '').split(',').filter((s) => s !== '').map((s) => s.replace(/^"|"$/g, ''));
  return [];
}

/** Every version table a known framework keeps, or the one --version-table names. */
async function readApplied(db: Database, versionTable: string | undefined): Promise<SnapshotApplied[]> {
  const specs: VersionSpec[] = [];
  if (versionTable !== undefined) {
    specs.push(versionSpecFor('', versionTable));
  } else {
    for (const kind of VERSION_KINDS) {
      const table = VERSION_TABLES[kind].table;
      if (specs.some((s) => s.table === table)) continue;
      if (table === 'schema_migrations') {
        // golang-migrate and dbmate share the name; golang-migrate's has a dirty flag.
        const rows = await db.query<{ dirty: boolean | null }>(
          `SELECT bool_or(attname = 'dirty') AS dirty FROM pg_attribute WHERE attrelid = to_regclass('schema_migrations') AND attnum > 0 AND NOT attisdropped`,
        );
        if (rows[0]?.dirty === null || rows[0]?.dirty === undefined) continue;
        specs.push({ kind: rows[0].dirty ? 'golang-migrate' : 'dbmate', table });
        continue;
      }
      specs.push({ kind, table });
    }
  }
  const out: SnapshotApplied[] = [];
  for (const spec of specs) {
    const state = await readVersionTable(db, spec);
    if (!state.exists) continue;
    out.push({ kind: spec.kind, table: spec.table, heads: state.heads, listed: state.listed, failed: state.failed });
  }
  return out;
}
