// The catalog oracle's comparison, shared by the SQL chains (snapshot-oracle.test.ts) and the
// chains rendered from Alembic and TS/JS migrations (snapshot-oracle-rendered.test.ts): what the
// catalog's replay predicts against a snapshot of the database the chain built.
import type { Catalog } from '../../src/engine/catalog.js';
import { canonicalType } from '../../src/model/index.js';
import { takeSnapshot } from '../../src/snapshot/read.js';
import type { Database } from '../../src/verify/drivers.js';

/** format_type()'s spelling of the types migrations write. */
const TYPE_NAMES: Record<string, string> = {
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  serial: 'integer',
  serial4: 'integer',
  int8: 'bigint',
  bigint: 'bigint',
  bigserial: 'bigint',
  serial8: 'bigint',
  int2: 'smallint',
  smallint: 'smallint',
  smallserial: 'smallint',
  bool: 'boolean',
  boolean: 'boolean',
  text: 'text',
  varchar: 'character varying',
  'character varying': 'character varying',
  char: 'character',
  character: 'character',
  timestamptz: 'timestamp with time zone',
  'timestamp with time zone': 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  'timestamp without time zone': 'timestamp without time zone',
  date: 'date',
  jsonb: 'jsonb',
  json: 'json',
  uuid: 'uuid',
  numeric: 'numeric',
  decimal: 'numeric',
  float8: 'double precision',
  'double precision': 'double precision',
  real: 'real',
  float4: 'real',
  bytea: 'bytea',
  inet: 'inet',
};

function normalizeType(t: string): string {
  const m = /^\s*([a-z][a-z0-9 ]*?)\s*(\(\s*\d+\s*(?:,\s*\d+\s*)?\))?\s*(\[\])?\s*$/i.exec(t);
  if (!m) return t.toLowerCase();
  const base = TYPE_NAMES[m[1]!.toLowerCase().replace(/\s+/g, ' ')] ?? m[1]!.toLowerCase();
  return `${base}${m[2] ? m[2].replace(/\s+/g, '') : ''}${m[3] ?? ''}`;
}

const SERIAL_BASE: Record<string, string> = { serial: 'integer', bigserial: 'bigint', smallserial: 'smallint' };

/**
 * Whether a type as the catalog holds it (as last written: SQL, SQLAlchemy `sa.String(length=3)`,
 * a builder's `varchar(3)`) is the type format_type() names: the same canonical name, parameters
 * and arrayness. A serial is its integer type (the sequence is a default).
 */
function sameType(written: string, real: string): boolean {
  if (normalizeType(written) === real) return true;
  const a = canonicalType(written);
  const b = canonicalType(real);
  if (!a || !b) return false;
  // A named enum (sa.Enum(..., name="status")) is the PostgreSQL type of that name.
  if (a.name === 'enum') return new RegExp(`\\bname\\s*=\\s*["']${real.replace(/\W/g, '\\$&')}["']`).test(written);
  const base = (t: { name: string }) => SERIAL_BASE[t.name] ?? t.name;
  return base(a) === base(b) && a.params.join(',') === b.params.join(',') && a.array === b.array;
}

const VERSION_TABLES = new Set(['schema_migrations', 'flyway_schema_history', '__diesel_schema_migrations', 'goose_db_version', '_prisma_migrations', 'gorp_migrations']);

/**
 * Differences between the replay and the database, one line each. `outside` names tables the chain
 * uses but did not create (made by the test before the chain): not compared.
 */
export async function compare(db: Database, catalog: Catalog, outside: ReadonlySet<string> = new Set()): Promise<string[]> {
  const snap = await takeSnapshot(db);
  const diffs: string[] = [];
  // The SQL front end drops identifier quotes, so the catalog folds "User" to user (it is
  // case-insensitive); names are compared the same way.
  const predicted = new Map(catalog.describe().map((t) => [t.name.toLowerCase(), t]));
  for (const t of snap.tables) {
    if (VERSION_TABLES.has(t.name) || outside.has(t.name)) continue;
    const p = predicted.get(t.name.toLowerCase());
    if (!p) {
      diffs.push(`table ${t.name}: in the database, not in the catalog`);
      continue;
    }
    predicted.delete(t.name.toLowerCase());
    const names = new Set([...t.columns.map((c) => c.name.toLowerCase()), ...p.columns.keys()]);
    for (const name of [...names].sort()) {
      const real = t.columns.find((c) => c.name.toLowerCase() === name);
      const guess = p.columns.get(name);
      if (!real || !guess) {
        diffs.push(`column ${t.name}.${name}: ${real ? 'not in the catalog' : 'not in the database'}`);
        continue;
      }
      if (guess.type === null) diffs.push(`column ${t.name}.${name}: type unknown to the catalog (${real.type})`);
      else if (!sameType(guess.type, real.type)) diffs.push(`column ${t.name}.${name}: type ${guess.type} in the catalog, ${real.type} in the database`);
      if (guess.nullable === null) diffs.push(`column ${t.name}.${name}: nullability unknown to the catalog`);
      else if (guess.nullable !== real.nullable) diffs.push(`column ${t.name}.${name}: ${guess.nullable ? 'nullable' : 'NOT NULL'} in the catalog, ${real.nullable ? 'nullable' : 'NOT NULL'} in the database`);
    }
    // Indexes the catalog knows come from CREATE INDEX; those behind constraints it does not model.
    const constraintIndexes = new Set(t.constraints.map((c) => c.name));
    for (const ix of t.indexes) {
      const guess = p.indexes.find((i) => i.name?.toLowerCase() === ix.name.toLowerCase());
      if (!guess) {
        if (!constraintIndexes.has(ix.name)) diffs.push(`index ${ix.name}: in the database, not in the catalog`);
        continue;
      }
      if (guess.unique !== ix.unique) diffs.push(`index ${ix.name}: unique ${guess.unique} in the catalog, ${ix.unique} in the database`);
      // The snapshot writes an expression key in parentheses, as CREATE INDEX needs it.
      const cols = guess.columns.map((c) => c.toLowerCase().replace(/^\((.*)\)$/, '$1'));
      // Names compare case-insensitively, as tables do (a quoted "collectionId" is collectionid).
      const real = ix.columns.map((c) => c.replace(/^\((.*)\)$/, '$1').replace(/^"(.*)"$/, '$1').toLowerCase());
      if (cols.join(',') !== real.join(',')) diffs.push(`index ${ix.name}: columns ${cols.join(',')} in the catalog, ${ix.columns.join(',')} in the database`);
    }
    for (const guess of p.indexes) if (!t.indexes.some((i) => i.name.toLowerCase() === guess.name?.toLowerCase())) diffs.push(`index ${guess.name}: in the catalog, not in the database`);
    const checks = t.constraints.filter((c) => c.kind === 'check');
    for (const c of checks) {
      const guess = p.checks.find((k) => k.name === c.name);
      if (!guess) diffs.push(`check ${t.name}.${c.name}: in the database, not in the catalog`);
      else if (guess.validated !== c.validated) diffs.push(`check ${t.name}.${c.name}: validated ${guess.validated} in the catalog, ${c.validated} in the database`);
    }
    for (const guess of p.checks) if (guess.name && !checks.some((c) => c.name === guess.name)) diffs.push(`check ${t.name}.${guess.name}: in the catalog, not in the database`);
  }
  for (const name of predicted.keys()) diffs.push(`table ${name}: in the catalog, not in the database`);
  return diffs;
}

