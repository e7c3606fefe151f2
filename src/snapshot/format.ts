// The snapshot file: what `migralint snapshot` read from a live database (tables with their
// columns, indexes, constraints and sizes, and the migration framework's applied set), written
// deterministically so that it diffs well when committed, and read back with its format checked.
import { createHash } from 'node:crypto';

/** Bumped when a reader of the old format would misread the new one. */
export const SNAPSHOT_FORMAT = 1;

export interface SnapshotColumn {
  name: string;
  /** format_type(): `character varying(255)`, `timestamp with time zone`, `integer[]`. */
  type: string;
  nullable: boolean;
  /** The default expression as the server prints it; null when none. */
  default: string | null;
}

export interface SnapshotIndex {
  name: string;
  /** Key columns in order; an expression key is `(expression)`. */
  columns: string[];
  unique: boolean;
  /** false for an index a failed CREATE INDEX CONCURRENTLY left behind. */
  valid: boolean;
  partial: boolean;
  /** btree, gin, gist, brin, hash, ... */
  method: string;
}

export type ConstraintKind = 'check' | 'foreign_key' | 'primary_key' | 'unique' | 'exclude' | 'not_null';

export interface SnapshotConstraint {
  name: string;
  kind: ConstraintKind;
  /** false while added NOT VALID and not yet validated. */
  validated: boolean;
  columns: string[];
  /** pg_get_constraintdef(): `CHECK ((email IS NOT NULL))`, `FOREIGN KEY (a) REFERENCES t(id)`. */
  definition: string;
}

export interface SnapshotTable {
  /** Schema-qualified unless in `public`: `events`, `audit.events`. */
  name: string;
  /** Estimated rows: pg_class.reltuples, or pg_stat_user_tables.n_live_tup where never analyzed. */
  rows: number;
  /** pg_total_relation_size: heap, indexes and TOAST. */
  bytes: number;
  columns: SnapshotColumn[];
  indexes: SnapshotIndex[];
  constraints: SnapshotConstraint[];
}

/** One migration framework's version table as read. */
export interface SnapshotApplied {
  kind: string;
  table: string;
  /** Revisions recorded as current (everything below them is applied). */
  heads: string[];
  /** Revisions recorded one by one as applied. */
  listed: string[];
  /** Started and not finished. */
  failed: string[];
}

export interface Snapshot {
  format: number;
  /** server_version as the server reports it, e.g. `16.4`. */
  server: string;
  /** server_version_num's major version, e.g. 16. */
  serverMajor: number;
  /** Identifiers are hashes (`--redact-names`): table and column names read as `t_3f9a...`. */
  redacted: boolean;
  applied: SnapshotApplied[];
  tables: SnapshotTable[];
}

export class SnapshotFormatError extends Error {
  override name = 'SnapshotFormatError';
}

/** The file's text: keys in a fixed order, rows sorted by name, one value a line where it helps diffs. */
export function renderSnapshot(s: Snapshot): string {
  const sorted: Snapshot = {
    format: s.format,
    server: s.server,
    serverMajor: s.serverMajor,
    redacted: s.redacted,
    applied: [...s.applied]
      .map((a) => ({ kind: a.kind, table: a.table, heads: [...a.heads].sort(), listed: [...a.listed].sort(), failed: [...a.failed].sort() }))
      .sort((a, b) => cmp(a.kind + a.table, b.kind + b.table)),
    tables: [...s.tables].sort((a, b) => cmp(a.name, b.name)).map((t) => ({
      name: t.name,
      rows: t.rows,
      bytes: t.bytes,
      columns: [...t.columns].sort((a, b) => cmp(a.name, b.name)).map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, default: c.default })),
      indexes: [...t.indexes].sort((a, b) => cmp(a.name, b.name)).map((i) => ({
        name: i.name,
        columns: [...i.columns],
        unique: i.unique,
        valid: i.valid,
        partial: i.partial,
        method: i.method,
      })),
      constraints: [...t.constraints].sort((a, b) => cmp(a.name, b.name) || cmp(a.kind, b.kind)).map((c) => ({
        name: c.name,
        kind: c.kind,
        validated: c.validated,
        columns: [...c.columns],
        definition: c.definition,
      })),
    })),
  };
  // One line per column, index and constraint: a change to one of them is a one-line diff, and the
  // file is a third of its fully indented size (lint parses it on every run).
  const line = (v: unknown) => JSON.stringify(v);
  const list = (items: unknown[], indent: string) =>
    items.length === 0 ? '[]' : `[\n${items.map((i) => `${indent}  ${line(i)}`).join(',\n')}\n${indent}]`;
  const tables = sorted.tables.map(
    (t) =>
      `    {\n      "name": ${line(t.name)},\n      "rows": ${line(t.rows)},\n      "bytes": ${line(t.bytes)},\n` +
      `      "columns": ${list(t.columns, '      ')},\n      "indexes": ${list(t.indexes, '      ')},\n` +
      `      "constraints": ${list(t.constraints, '      ')}\n    }`,
  );
  return (
    `{\n  "format": ${line(sorted.format)},\n  "server": ${line(sorted.server)},\n  "serverMajor": ${line(sorted.serverMajor)},\n` +
    `  "redacted": ${line(sorted.redacted)},\n  "applied": ${list(sorted.applied, '  ')},\n` +
    `  "tables": ${tables.length === 0 ? '[]' : `[\n${tables.join(',\n')}\n  ]`}\n}\n`
  );
}

/** Reads a snapshot file's text, every table checked; `file` names it in errors. */
export function parseSnapshot(text: string, file: string): Snapshot {
  const data = parseJson(text, file);
  const header = checkHeader(data, file);
  if (!Array.isArray(data.tables)) throw invalid(file, ['"tables" must be an array']);
  const tables = data.tables.map((t: unknown, i: number) => checkTable(t, `tables[${i}]`, file));
  return { ...header, tables };
}

/** A table of a snapshot read lazily: its name now, the rest when a migration touches it. */
export interface LazyTable {
  name: string;
  load(): SnapshotTable;
}

/** A snapshot whose tables are parsed and checked on first use (see openSnapshot). */
export type LazySnapshot = Omit<Snapshot, 'tables'> & {
  tables: LazyTable[];
  /** The table holding the index of this name (as the server spells it, or hashed), loaded; null when none. */
  findIndex(name: string): { table: string; index: SnapshotIndex } | null;
};

const TABLES_START = '\n  "tables": [\n';
const TABLE_START = '\n    {\n      "name": ';
const HEAD = '{\n  "format": ';
const END = '\n  ]\n}\n';

/**
 * Reads a snapshot for lint, which touches a few tables of thousands: in the layout renderSnapshot
 * writes, only the header is parsed now, and each table's block when a migration first looks it up
 * (a 2,000-table file costs a few milliseconds instead of a full JSON.parse, and the bytes are
 * never turned into one large string). Any other layout (a file formatted by hand or by another
 * tool) is parsed and checked whole.
 */
export function openSnapshot(data: string | Uint8Array, file: string): LazySnapshot {
  const buf = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const text = (from: number, to: number) => buf.toString('utf8', from, to);
  const ours = buf.length > HEAD.length + END.length && text(0, HEAD.length) === HEAD && text(buf.length - END.length, buf.length) === END;
  const at = ours ? buf.indexOf(TABLES_START) : -1;
  if (at < 0) return eager(parseSnapshot(buf.toString('utf8'), file));
  const header = checkHeader(parseJson(`${text(0, at)}\n  "tables": []\n}`, file), file);
  const starts: number[] = [];
  for (let i = buf.indexOf(TABLE_START, at); i >= 0; i = buf.indexOf(TABLE_START, i + 1)) starts.push(i + 1);
  const stop = buf.length - END.length;
  const tables: LazyTable[] = [];
  for (let k = 0; k < starts.length; k++) {
    const from = starts[k]!;
    const to = k + 1 < starts.length ? starts[k + 1]! - 2 : stop; // before ",\n"
    let name: unknown;
    try {
      name = JSON.parse(text(from + TABLE_START.length - 1, buf.indexOf(',\n', from)));
    } catch {
      name = null;
    }
    if (typeof name !== 'string') return eager(parseSnapshot(buf.toString('utf8'), file));
    let table: SnapshotTable | null = null;
    tables.push({
      name,
      load: () => (table ??= checkTable(parseJson(text(from, to), file), `table ${name}`, file)),
    });
  }
  return {
    ...header,
    tables,
    findIndex(name) {
      const needle = `{"name":${JSON.stringify(name)},"columns":`;
      for (let i = buf.indexOf(needle, at); i >= 0; i = buf.indexOf(needle, i + 1)) {
        // The block that holds it: the last table start before it.
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid]! <= i) lo = mid;
          else hi = mid - 1;
        }
        const t = tables[lo]?.load();
        const index = t?.indexes.find((x) => x.name === name);
        if (t && index) return { table: t.name, index };
      }
      return null;
    },
  };
}

function eager(s: Snapshot): LazySnapshot {
  return {
    ...s,
    tables: s.tables.map((t) => ({ name: t.name, load: () => t })),
    findIndex(name) {
      for (const t of s.tables) {
        const index = t.indexes.find((x) => x.name === name);
        if (index) return { table: t.name, index };
      }
      return null;
    },
  };
}

function parseJson(text: string, file: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SnapshotFormatError(`${file}: not a migralint snapshot (invalid JSON: ${(err as Error).message})`);
  }
  if (!isObject(data)) throw new SnapshotFormatError(`${file}: not a migralint snapshot (not a JSON object)`);
  return data;
}

function invalid(file: string, problems: string[]): SnapshotFormatError {
  return new SnapshotFormatError(`${file}: not a valid migralint snapshot: ${problems.slice(0, 5).join('; ')}`);
}

function checkHeader(data: Record<string, unknown>, file: string): Omit<Snapshot, 'tables'> {
  if (typeof data.format !== 'number') {
    throw new SnapshotFormatError(`${file}: not a migralint snapshot (no "format" number; produce one with migralint snapshot)`);
  }
  if (data.format > SNAPSHOT_FORMAT) {
    throw new SnapshotFormatError(
      `${file}: snapshot format ${data.format} is newer than this migralint reads (format ${SNAPSHOT_FORMAT}); upgrade migralint or take the snapshot with this version`,
    );
  }
  if (data.format < 1 || !Number.isInteger(data.format)) throw new SnapshotFormatError(`${file}: unknown snapshot format ${data.format}`);
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  need(typeof data.server === 'string', '"server" must be a string');
  need(typeof data.serverMajor === 'number', '"serverMajor" must be a number');
  need(typeof data.redacted === 'boolean', '"redacted" must be true or false');
  need(Array.isArray(data.applied), '"applied" must be an array');
  need(Array.isArray(data.tables), '"tables" must be an array');
  if (Array.isArray(data.applied)) {
    data.applied.forEach((a: unknown, i: number) => {
      need(
        isObject(a) && typeof a.kind === 'string' && typeof a.table === 'string' && Array.isArray(a.heads) && Array.isArray(a.listed),
        `applied[${i}] must be {kind, table, heads, listed, failed}`,
      );
    });
  }
  if (problems.length > 0) throw invalid(file, problems);
  const applied = (data.applied as SnapshotApplied[]).map((a) => ({ ...a, failed: a.failed ?? [] }));
  return { format: data.format, server: data.server as string, serverMajor: data.serverMajor as number, redacted: data.redacted as boolean, applied };
}

function checkTable(t: unknown, at: string, file: string): SnapshotTable {
  if (!isObject(t)) throw invalid(file, [`${at} must be an object`]);
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  need(typeof t.name === 'string', `${at}.name must be a string`);
  need(typeof t.rows === 'number', `${at}.rows must be a number`);
  need(typeof t.bytes === 'number', `${at}.bytes must be a number`);
  need(
    Array.isArray(t.columns) && t.columns.every((c) => isObject(c) && typeof c.name === 'string' && typeof c.type === 'string' && typeof c.nullable === 'boolean'),
    `${at}.columns must list {name, type, nullable, default}`,
  );
  need(Array.isArray(t.indexes) && t.indexes.every((x) => isObject(x) && typeof x.name === 'string' && Array.isArray(x.columns)), `${at}.indexes must list {name, columns, ...}`);
  need(
    Array.isArray(t.constraints) && t.constraints.every((x) => isObject(x) && typeof x.name === 'string' && typeof x.kind === 'string' && typeof x.definition === 'string'),
    `${at}.constraints must list {name, kind, validated, columns, definition}`,
  );
  if (problems.length > 0) throw invalid(file, problems);
  return t as unknown as SnapshotTable;
}

/**
 * Replaces every identifier with a stable hash, so that a team can share a snapshot without its
 * schema: the same name always gives the same hash, so a migration's names, hashed the same way,
 * still find their table. Sizes, types and shapes stay. Revision ids stay (they are in the code).
 */
export function redactSnapshot(s: Snapshot): Snapshot {
  const h = redactName;
  return {
    ...s,
    redacted: true,
    tables: s.tables.map((t) => ({
      ...t,
      name: h(t.name),
      columns: t.columns.map((c) => ({ ...c, name: h(c.name), default: c.default === null ? null : 'redacted' })),
      indexes: t.indexes.map((i) => ({ ...i, name: h(i.name), columns: i.columns.map((c) => (c.startsWith('(') ? '(expression)' : h(c))) })),
      constraints: t.constraints.map((c) => ({ ...c, name: h(c.name), columns: c.columns.map(h), definition: 'redacted' })),
    })),
  };
}

/** The hash an identifier has in a redacted snapshot; case-folded as PostgreSQL folds unquoted names. */
export function redactName(name: string): string {
  const parts = name.split('.');
  return parts.map((p) => `x${createHash('sha256').update(p.toLowerCase()).digest('hex').slice(0, 12)}`).join('.');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
