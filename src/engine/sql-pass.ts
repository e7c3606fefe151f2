// Reads the SQL of `execute_sql` operations (op.execute("..."), conn.execute(text("..."))) with
// PostgreSQL's parser and replaces each such operation with the operations its statements amount
// to, in place. Runs after the front ends, for PostgreSQL migrations (and migrations whose dialect
// is unknown); SQLite and MySQL migrations keep the light classification of sql-text/split.ts.
// The parser (libpg-query, WASM) is loaded only when there is SQL to read.
import type { Body, Loc, Migration, Operation } from '../model/index.js';
import type { SqlParser } from '../frontends/sql/api.js';
import { lineIndex } from '../frontends/sql/locate.js';
import { scanSql } from '../frontends/sqlfiles/scan.js';
import type { Pack } from '../cache/index.js';
import { CachedSqlReader } from './cached-read.js';

type ExecuteSql = Extract<Operation, { kind: 'execute_sql' }>;

function readable(op: Operation): op is ExecuteSql {
  return op.kind === 'execute_sql' && op.textKnown && op.sql !== '';
}

export function wantsSql(m: Migration): boolean {
  return m.dialect === 'postgresql' || m.dialect === 'unknown';
}

/**
 * Adds the SQL comments inside embedded SQL strings (op.execute("..."), a TS template literal) to
 * the migration's comments, at their place in the host file, so inline ignores written there (ours
 * or another linter's, as `alembic upgrade --sql | squawk` would have read them) work as in a .sql
 * file. Runs before the SQL reader replaces the strings with their statements, for every dialect.
 */
export function addEmbeddedSqlComments(m: Migration): void {
  const ops = [...m.upgrade.operations, ...m.downgrade.operations].filter(
    (op): op is ExecuteSql => readable(op) && op.offsets !== undefined && (op.sql.includes('--') || op.sql.includes('/*')),
  );
  if (ops.length === 0) return;
  const lines = lineIndex(m.source);
  const seen = new Set(m.comments.map((c) => `${c.loc.file ?? ''}:${c.loc.line}:${c.loc.column}`));
  let added = false;
  for (const op of ops) {
    for (const c of scanSql(op.sql).comments) {
      const start = op.offsets![c.start]!;
      const last = op.offsets![c.end - 1]!;
      if (start < 0 || last < start) continue;
      const loc = lines.range(start, last + 1);
      const key = `:${loc.line}:${loc.column}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // On a line of its own unless code of the host file precedes it (`op.execute("-- ...`); the
      // opening quote of a multi-line string does not count.
      const before = m.source.slice(m.source.lastIndexOf('\n', start - 1) + 1, start).trim();
      const inline = before !== '' && !/^[rRbBuUfF]{0,2}(?:"""|'''|"|'|`)$/.test(before);
      m.comments.push({ text: c.text, inline, loc });
      added = true;
    }
  }
  if (added) {
    m.comments.sort((a, b) => (a.loc.file ?? '').localeCompare(b.loc.file ?? '') || a.loc.line - b.loc.line || a.loc.column - b.loc.column);
  }
}

export async function expandEmbeddedSql(migrations: Migration[], packOf: ((m: Migration) => Pack | null) | null = null): Promise<void> {
  const targets = migrations.filter((m) => wantsSql(m) && (m.upgrade.operations.some(readable) || m.downgrade.operations.some(readable)));
  if (targets.length === 0) return;
  let parser: SqlParser | null = null;
  const real = async () => {
    const { loadSqlParser } = await import('../frontends/sql/index.js');
    parser ??= await loadSqlParser();
    return parser;
  };
  // Through the cache, statements read before need no parser; a body with a new one is read again.
  let cached: CachedSqlReader | null = null;
  for (const m of targets) {
    const pack = packOf?.(m) ?? null;
    for (const body of [m.upgrade, m.downgrade]) {
      if (!pack) {
        expandBody(body, m.source, parser ?? (await real()));
        continue;
      }
      if (cached) cached.usePack(pack);
      else {
        cached = new CachedSqlReader(pack);
        if (parser) cached.connect(parser);
      }
      const before = body.operations.slice();
      cached.restart();
      expandBody(body, m.source, cached);
      if (cached.missed) {
        // In place, without spreading: a body can hold 100k statements (see below).
        body.operations.length = 0;
        for (const o of before) body.operations.push(o);
        cached.connect(await real());
        cached.restart();
        expandBody(body, m.source, cached);
      }
    }
  }
}

export function expandBody(body: Body, source: string, parser: SqlParser): void {
  if (!body.operations.some(readable)) return;
  const out: Operation[] = [];
  for (const op of body.operations) {
    if (!readable(op)) {
      out.push(op);
      continue;
    }
    const { loc: _loc, fromSql: _fromSql, kind: _kind, sql, hasHoles: _h, textKnown: _t, statements: _s, offsets, holes, ...base } = op;
    // Without a map the text is not the host file: every position falls back to the call.
    const map = offsets ?? new Int32Array(sql.length).fill(-1);
    const ops = parser.toOperations(sql, {
      offsets: map,
      source,
      holes: holes ?? [],
      base,
      fallback: literalLoc(map, source) ?? op.loc,
    });
    // Remember the call: an ignore comment above a multi-line `op.execute(...)` covers its statements.
    // A loop, not push(...ops): spreading a string of 100k statements overflows the call stack.
    for (const o of ops) {
      if (o.fromSql) o.fromSql.host = op.loc;
      out.push(o);
    }
  }
  body.operations.length = 0;
  for (const o of out) body.operations.push(o);
}

/**
 * The span of the string literal the SQL was read from (first to last character), when every
 * character maps and in order (one literal, or an implicit concatenation); null otherwise (text
 * built from several places), and the call's loc is used.
 */
function literalLoc(offsets: Int32Array, source: string): Loc | null {
  if (offsets.length === 0) return null;
  let prev = -1;
  for (const o of offsets) {
    if (o < 0 || o < prev) return null;
    prev = o;
  }
  return lineIndex(source).range(offsets[0]!, prev + 1);
}
