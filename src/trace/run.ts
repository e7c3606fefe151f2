// `migralint trace`: lint the migrations, rebuild the schema the pending ones will meet (their
// history replayed on PGlite, from a cached template when the history was seen before, or a real
// server inside a transaction), run every pending statement and record what PostgreSQL did, then
// put the static findings beside it.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ResultCache } from '../cache/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { lint } from '../engine/run.js';
import type { Migration, MigrationSet } from '../model/index.js';
import type { Finding } from '../rule-api/index.js';
import { classify, type Classified } from './classify.js';
import { openPGliteTrace, openPostgresTrace, preparePGlite, TraceConnectionError, type PgFailure, type PGliteModule, type TraceDb } from './db.js';
import { pruneTemplates, readTemplate, TEMPLATE_FORMAT, touchTemplate, writeTemplate, type Template } from './template.js';
import { bodyStatements, chainOrder, type TraceStatement } from './statements.js';
import { Tracer, type StatementTrace } from './tracer.js';
import { redactUrl } from '../verify/drivers.js';

export interface TraceOptions {
  cwd: string;
  paths: string[];
  config: ResolvedConfig;
  /** postgres://...; absent: an embedded PGlite. */
  databaseUrl?: string;
  /** Commit on the server (default: everything is rolled back). */
  commit?: boolean;
  /** Fill tables before tracing, table -> row count. */
  rows?: Map<string, number>;
  stairway?: boolean;
  /** Where template databases are kept (default <rootDir>/.cache/migralint/trace); null: no cache. */
  cacheDir?: string | null;
  /** The lint cache (what the front ends read), as `lint` uses it; none by default. */
  cache?: ResultCache | null;
}

export interface TracedStatement extends StatementTrace {
  /** The static findings on this statement, judged, and what the trace saw that none claims. */
  verdicts: Classified[];
}

export interface TracedBody {
  direction: 'upgrade' | 'downgrade' | 'upgrade again';
  statements: TracedStatement[];
}

export interface TracedMigration {
  migration: Migration;
  bodies: TracedBody[];
  /** --stairway: the schema before the upgrade against after the downgrade (lines only before / only after). */
  restored?: { missing: string[]; extra: string[] } | null;
}

/** A finding of the trace itself (the statement failed; the downgrade does not restore the schema). */
export interface TraceFinding {
  ruleId: 'migration-fails' | 'downgrade-not-restoring';
  severity: 'error';
  file: string;
  line: number;
  column: number;
  message: string;
  migration: string | null;
}

export interface TraceResult {
  database: { kind: 'pglite' | 'postgres'; label: string; version: number };
  /** How the history came to be: replayed now, loaded from the cached template, or none needed. */
  template: 'built' | 'cached' | 'none' | 'not cached';
  history: { migrations: number; statements: number; notRun: number; failures: { file: string; line: number; message: string }[] };
  rowsFilled: { table: string; rows: number; error?: string }[];
  /** Migration directories of another database, not traced (said, never dropped silently). */
  skipped: { dir: string; dialect: string; migrations: number }[];
  migrations: TracedMigration[];
  findings: TraceFinding[];
  /** Every finding of the lint run on the traced migrations. */
  staticFindings: Finding[];
  /** Seconds spent starting the database and building the history. */
  setupMs: number;
  /** Of setupMs: reading and linting the migrations, and starting the database (template loaded or history replayed). */
  lintMs: number;
  databaseMs: number;
  totalMs: number;
}

export class TraceUsageError extends Error {
  override name = 'UsageError';
}

/** The template of a history, in <cache>/<hash of the history>/ (src/trace/template.ts). */
const TEMPLATE_FILE = 'data.template';
/** Templates kept in the cache, the empty database's included: the most recently used ones. */
const KEEP_TEMPLATES = 4;

function historyHash(kind: string, statements: readonly TraceStatement[]): string {
  const h = createHash('sha256');
  h.update(`migralint-trace-template-${TEMPLATE_FORMAT}\0${kind}\0`);
  for (const st of statements) if (st.sql !== null && !st.control) h.update(`${st.sql}\0`);
  return h.digest('hex').slice(0, 32);
}

function findingsOn(st: TraceStatement, findings: readonly Finding[]): Finding[] {
  const ranges = [st.loc, ...st.ops.map((o) => o.loc)];
  return findings.filter(
    (f) => f.file === st.file && ranges.some((r) => f.line >= r.line && f.line <= r.endLine && (r.file === undefined || r.file === f.file)),
  );
}

function sameSource(a: StatementTrace, b: StatementTrace): boolean {
  const x = a.statement;
  const y = b.statement;
  return x.file === y.file && x.loc.line === y.loc.line && x.loc.column === y.loc.column && x.ops[0] !== undefined && (y.ops.length === 0 || y.ops[0] === x.ops[0]);
}

/** Several statements of one operation as one: every lock, rewrite and scan any of them showed. */
function merged(group: StatementTrace[]): StatementTrace {
  const ran = group.filter((t) => t.observed);
  const failed = group.find((t) => t.status !== 'ran' && t.status !== 'ran-outside-transaction');
  return {
    statement: { ...group[0]!.statement, ops: group.flatMap((t) => t.statement.ops) },
    status: failed ? failed.status : group[0]!.status,
    ...(failed?.failure ? { failure: failed.failure } : {}),
    ...(failed?.note ? { note: failed.note } : {}),
    ...(ran.length > 0
      ? {
          observed: {
            locks: ran.flatMap((t) => t.observed!.locks),
            held: ran[0]!.observed!.held,
            rewritten: [...new Set(ran.flatMap((t) => t.observed!.rewritten))],
            scanned: [...new Set(ran.flatMap((t) => t.observed!.scanned))],
            lockTimeout: ran[0]!.observed!.lockTimeout,
            ms: ran.reduce((n, t) => n + t.observed!.ms, 0),
          },
        }
      : {}),
  };
}

/** Line and column of PostgreSQL's error position inside a statement read from a file. */
function failureLoc(st: TraceStatement, failure: PgFailure): { line: number; column: number } {
  const text = st.sql ?? '';
  // Only when the text is the file's own (a .sql file), not text assembled from a string.
  if (failure.position === null || st.ops[0]?.fromSql?.host || !st.ops[0]?.fromSql) return { line: st.loc.line, column: st.loc.column };
  const before = text.slice(0, failure.position - 1);
  const lines = before.split('\n');
  return lines.length === 1
    ? { line: st.loc.line, column: st.loc.column + before.length }
    : { line: st.loc.line + lines.length - 1, column: lines[lines.length - 1]!.length + 1 };
}

function describeFailure(f: PgFailure): string {
  return `${f.message}${f.code ? ` (SQLSTATE ${f.code})` : ''}${f.detail ? `; ${f.detail}` : ''}${f.hint ? `; hint: ${f.hint}` : ''}`;
}

export async function runTrace(opts: TraceOptions): Promise<TraceResult> {
  const started = performance.now();
  // PGlite's module compiles on background threads while the migrations are read and linted.
  const pglite = opts.databaseUrl ? null : preparePGlite();
  pglite?.catch(() => {});
  const result = await lint({ cwd: opts.cwd, paths: opts.paths, config: opts.config, lockfile: null, cache: opts.cache ?? null });
  const lintMs = Math.round(performance.now() - started);
  const targets = new Set(result.migrations.map((m) => m.file));
  const sets = result.sets.filter((s) => s.migrations.some((m) => targets.has(m.file)));
  const pgSets = sets.filter((s) => s.dialect === 'postgresql' || s.dialect === 'unknown');
  if (sets.length > 0 && pgSets.length === 0) {
    throw new TraceUsageError(`trace runs PostgreSQL migrations; ${sets.map((s) => `${path.relative(opts.cwd, s.dir) || '.'} is ${s.dialect}`).join(', ')}`);
  }
  const plans = pgSets.map((set) => plan(set, targets));

  let db: TraceDb;
  let template: TraceResult['template'] = 'none';
  const cacheDir = opts.cacheDir === undefined ? path.join(opts.config.rootDir, '.cache', 'migralint', 'trace') : opts.cacheDir;
  let firstHistoryDone = false;
  if (opts.databaseUrl) {
    if (!/^postgres(?:ql)?:\/\//i.test(opts.databaseUrl)) {
      throw new TraceUsageError(`--database-url must be a postgres:// or postgresql:// URL; got "${redactUrl(opts.databaseUrl)}"`);
    }
    db = await openPostgresTrace(opts.databaseUrl, redactUrl(opts.databaseUrl));
  } else {
    // One set: its history is a template worth caching. Several: one database, reset between them.
    const history = plans.length === 1 ? plans[0]!.history : [];
    const key = historyHash('pglite', history);
    const file = cacheDir ? path.join(cacheDir, key, TEMPLATE_FILE) : null;
    const cached = file ? readTemplate(file) : null;
    if (cached) {
      touchTemplate(file!);
      db = await openPGliteTrace(cached, pglite!);
      template = 'cached';
      firstHistoryDone = plans.length === 1;
    } else {
      // No template for this history: start from the empty database's template when there is one
      // (PGlite's initdb is most of an empty start), else run initdb and keep its result as that
      // template, the only one an empty history or several sets need.
      const emptyKey = historyHash('pglite', []);
      const emptyFile = cacheDir ? path.join(cacheDir, emptyKey, TEMPLATE_FILE) : null;
      const empty = emptyFile && emptyKey !== key ? readTemplate(emptyFile) : null;
      let emptyWritten = false;
      db = await openPGliteTrace(empty, pglite!, emptyFile && !empty ? (t) => (emptyWritten = writeTemplateOrNot(t, emptyFile)) : undefined);
      if (plans.length === 1) {
        const failures = await new Tracer(db, { outerTransaction: false }).replay(history);
        plans[0]!.failures = failures;
        firstHistoryDone = true;
        if (key === emptyKey) {
          // Nothing was replayed: the template is initdb's, kept above.
          template = emptyWritten ? 'built' : 'not cached';
        } else if (file && failures.length === 0) {
          // The trace goes on from the template, on the database the next run will start from.
          const kept = await keepAsTemplate(db, file, pglite!);
          db = kept.db;
          template = kept.written ? 'built' : 'not cached';
          if (kept.written) pruneTemplates(cacheDir!, TEMPLATE_FILE, [key, emptyKey], KEEP_TEMPLATES);
        } else template = 'not cached';
      } else if (emptyWritten) template = 'built';
    }
  }
  const tracer = new Tracer(db, { outerTransaction: db.kind === 'postgres' && !opts.commit });
  const out: TraceResult = {
    database: { kind: db.kind, label: db.label, version: db.version },
    template,
    history: { migrations: 0, statements: 0, notRun: 0, failures: [] },
    rowsFilled: [],
    skipped: sets.filter((x) => !pgSets.includes(x)).map((x) => ({ dir: x.dir, dialect: x.dialect, migrations: x.migrations.filter((m) => targets.has(m.file)).length })),
    migrations: [],
    findings: [],
    staticFindings: result.findings.filter((f) => result.migrations.some((m) => m.file === f.file || m.companions.some((c) => c.file === f.file))),
    setupMs: 0,
    lintMs,
    databaseMs: 0,
    totalMs: 0,
  };
  try {
    await tracer.beginOuter();
    const pendingRows = new Map(opts.rows ?? []);
    for (const [i, p] of plans.entries()) {
      if (i > 0 && db.kind === 'pglite') await resetPGlite(db);
      const failures = i === 0 && firstHistoryDone ? p.failures : await tracer.replay(p.history);
      out.history.migrations += p.historyMigrations;
      out.history.statements += p.history.filter((s) => s.sql !== null && !s.control).length;
      out.history.notRun += p.history.filter((s) => s.sql === null && !s.control).length;
      out.history.failures.push(...failures.map((f) => ({ file: f.statement.file, line: f.statement.loc.line, message: describeFailure(f.failure) })));
      if (i === 0) {
        out.setupMs = Math.round(performance.now() - started);
        out.databaseMs = out.setupMs - lintMs;
      }
      for (const step of p.steps) {
        if (step.kind === 'history') {
          out.history.migrations += 1;
          const fs = await tracer.replay(step.statements);
          out.history.failures.push(...fs.map((f) => ({ file: f.statement.file, line: f.statement.loc.line, message: describeFailure(f.failure) })));
          continue;
        }
        await fillRows(db, pendingRows, out.rowsFilled);
        out.migrations.push(await traceMigration(tracer, step.migration, opts, result.findings, out.findings));
      }
    }
    await fillRows(db, pendingRows, out.rowsFilled);
    for (const [table] of pendingRows) out.rowsFilled.push({ table, rows: 0, error: 'no such table in the traced schema' });
    await tracer.endOuter(Boolean(opts.commit));
  } finally {
    await db.close();
  }
  out.totalMs = Math.round(performance.now() - started);
  return out;
}

/**
 * Shuts PGlite down into a template, writes it to `file` and reopens the database from it. A
 * template that cannot be written costs the next run a replay, never this run's result.
 */
async function keepAsTemplate(db: TraceDb, file: string, pglite: Promise<PGliteModule>): Promise<{ db: TraceDb; written: boolean }> {
  if (!db.closeAsTemplate) return { db, written: false };
  const t = await db.closeAsTemplate();
  return { db: await openPGliteTrace(t, pglite), written: writeTemplateOrNot(t, file) };
}

function writeTemplateOrNot(t: Template, file: string): boolean {
  try {
    writeTemplate(t, file);
    return true;
  } catch {
    return false;
  }
}

interface Plan {
  /** The statements before the first pending migration (the template). */
  history: TraceStatement[];
  historyMigrations: number;
  failures: { statement: TraceStatement; failure: PgFailure }[];
  /** From the first pending migration on: traced migrations, and others replayed in between. */
  steps: ({ kind: 'history'; statements: TraceStatement[] } | { kind: 'trace'; migration: Migration })[];
}

function plan(set: MigrationSet, targets: Set<string>): Plan {
  const ordered = chainOrder(set.migrations);
  const last = ordered.map((m) => targets.has(m.file)).lastIndexOf(true);
  const first = ordered.findIndex((m) => targets.has(m.file));
  const p: Plan = { history: [], historyMigrations: first, failures: [], steps: [] };
  for (const m of ordered.slice(0, first)) p.history.push(...bodyStatements(m, 'up'));
  for (const m of ordered.slice(first, last + 1)) {
    p.steps.push(targets.has(m.file) ? { kind: 'trace', migration: m } : { kind: 'history', statements: bodyStatements(m, 'up') });
  }
  return p;
}

async function traceMigration(
  tracer: Tracer,
  m: Migration,
  opts: TraceOptions,
  allFindings: readonly Finding[],
  traceFindings: TraceFinding[],
): Promise<TracedMigration> {
  const files = new Set([m.file, ...m.companions.map((c) => c.file)]);
  const findings = allFindings.filter((f) => files.has(f.file));
  const judged = (direction: TracedBody['direction'], traces: StatementTrace[]): TracedBody => {
    for (const t of traces) {
      if (t.status !== 'failed' || !t.failure) continue;
      const where = failureLoc(t.statement, t.failure);
      traceFindings.push({
        ruleId: 'migration-fails',
        severity: 'error',
        file: t.statement.file,
        ...where,
        message: `${direction === 'upgrade' ? 'The upgrade' : direction === 'downgrade' ? 'The downgrade' : 'The upgrade after the downgrade'} fails here on the replayed schema: ${describeFailure(t.failure)}`,
        migration: m.revision?.value ?? null,
      });
    }
    // One operation rendered to several statements (knex's .alter(): a TYPE and a SET NOT NULL)
    // shares its findings: they are judged once, against what all of them did together.
    const out: TracedStatement[] = traces.map((t) => ({ ...t, verdicts: [] }));
    if (direction === 'upgrade again') return { direction, statements: out };
    for (let i = 0; i < out.length; ) {
      let j = i + 1;
      while (j < out.length && sameSource(out[i]!, out[j]!)) j++;
      const group = out.slice(i, j);
      out[i]!.verdicts = classify(group.length === 1 ? group[0]! : merged(group), findingsOn(group[0]!.statement, findings));
      i = j;
    }
    return { direction, statements: out };
  };
  const up = bodyStatements(m, 'up');
  const traced: TracedMigration = { migration: m, bodies: [] };
  const before = opts.stairway ? await tracer.catalog() : null;
  // A downgrade undoing what its own upgrade created blocks no one (only the release being rolled back used it).
  const existedBefore = opts.stairway ? await tracer.relationNames() : null;
  traced.bodies.push(judged('upgrade', await tracer.trace(up, m.transaction.mode)));
  if (opts.stairway && before) {
    const down = bodyStatements(m, 'down');
    const downTrace = judged('downgrade', await tracer.trace(down, m.transaction.mode, existedBefore ?? undefined));
    traced.bodies.push(downTrace);
    const after = await tracer.catalog();
    const a = new Set(before);
    const b = new Set(after);
    const missing = before.filter((x) => !b.has(x));
    const extra = after.filter((x) => !a.has(x));
    traced.restored = { missing, extra };
    if ((missing.length > 0 || extra.length > 0) && !downTrace.statements.some((s) => s.status === 'failed')) {
      const loc = m.downgrade.loc ?? down[0]?.loc ?? { line: 1, column: 1 };
      const show = (xs: string[]) => xs.slice(0, 5).join('; ') + (xs.length > 5 ? `; and ${xs.length - 5} more` : '');
      traceFindings.push({
        ruleId: 'downgrade-not-restoring',
        severity: 'error',
        file: down[0]?.file ?? m.file,
        line: loc.line,
        column: loc.column,
        message: `The downgrade does not restore the schema the upgrade met.${missing.length ? ` Missing after the downgrade: ${show(missing)}.` : ''}${extra.length ? ` Left behind: ${show(extra)}.` : ''}`,
        migration: m.revision?.value ?? null,
      });
    }
    traced.bodies.push(judged('upgrade again', await tracer.trace(up, m.transaction.mode)));
  }
  return traced;
}

/** Drops every user schema and recreates public: the next migration directory starts empty. */
async function resetPGlite(db: TraceDb): Promise<void> {
  const schemas = await db.rows<{ n: string }>(
    `SELECT nspname AS n FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\\_%'`,
  );
  for (const s of schemas) await db.run(`DROP SCHEMA "${s.n.replace(/"/g, '""')}" CASCADE`);
  await db.run('CREATE SCHEMA public');
}

interface ColumnInfo {
  name: string;
  type: string;
  notnull: boolean;
  hasdefault: boolean;
  generated: boolean;
  enumlabel: string | null;
  typcategory: string;
  reftable: string | null;
  refcol: string | null;
}

/**
 * Fills each table of --rows as soon as it exists (a table created by a traced migration is filled
 * before the next one), so rewrites and scans read real rows. Values follow the column's type;
 * a foreign key points at the referenced table's first row.
 */
async function fillRows(db: TraceDb, pending: Map<string, number>, done: TraceResult['rowsFilled']): Promise<void> {
  for (const [table, n] of [...pending]) {
    const oid = (await db.rows<{ oid: string | null }>(`SELECT to_regclass($1)::oid::int8 AS oid`, [table]))[0]?.oid;
    if (!oid) continue;
    pending.delete(table);
    const cols = await db.rows<ColumnInfo & Record<string, unknown>>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, a.atthasdef AS hasdefault,
              (a.attidentity <> '' OR a.attgenerated <> '') AS generated, t.typcategory,
              (SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = a.atttypid ORDER BY e.enumsortorder LIMIT 1) AS enumlabel,
              (SELECT co.confrelid::regclass::text FROM pg_constraint co WHERE co.conrelid = a.attrelid AND co.contype = 'f' AND a.attnum = ANY (co.conkey) LIMIT 1) AS reftable,
              (SELECT fa.attname FROM pg_constraint co JOIN pg_attribute fa ON fa.attrelid = co.confrelid AND fa.attnum = co.confkey[array_position(co.conkey, a.attnum)]
                 WHERE co.conrelid = a.attrelid AND co.contype = 'f' AND a.attnum = ANY (co.conkey) LIMIT 1) AS refcol
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [oid],
    );
    const names: string[] = [];
    const values: string[] = [];
    for (const c of cols) {
      if (c.generated) continue;
      const v = valueFor(c);
      if (v === null) continue;
      names.push(`"${c.name.replace(/"/g, '""')}"`);
      values.push(v);
    }
    const sql = `INSERT INTO ${table} (${names.join(', ')}) SELECT ${values.join(', ')} FROM generate_series(1, ${n}) AS g`;
    const failure = await db.run(names.length > 0 ? sql : `INSERT INTO ${table} SELECT FROM generate_series(1, ${n})`);
    done.push(failure ? { table, rows: 0, error: failure.message } : { table, rows: n });
  }
}

function valueFor(c: ColumnInfo): string | null {
  if (c.reftable && c.refcol) return `(SELECT "${c.refcol.replace(/"/g, '""')}" FROM ${c.reftable} LIMIT 1)`;
  if (c.enumlabel !== null) return `'${c.enumlabel.replace(/'/g, "''")}'`;
  const t = c.type.toLowerCase();
  if (c.typcategory === 'N') return `g::${c.type}`;
  if (c.typcategory === 'S') return /\((\d+)\)/.test(t) ? `right(g::text, ${/\((\d+)\)/.exec(t)![1]})::${c.type}` : `('row ' || g)::${c.type}`;
  if (c.typcategory === 'B') return 'g % 2 = 0';
  if (c.typcategory === 'D') return `now()::${c.type}`;
  if (c.typcategory === 'T') return `'1 day'::interval`;
  if (t === 'uuid') return `md5(g::text)::uuid`;
  if (t === 'json' || t === 'jsonb') return `'{}'::${t}`;
  if (t === 'bytea') return `'\\x00'::bytea`;
  if (c.typcategory === 'A') return `'{}'::${c.type}`;
  if (c.hasdefault || !c.notnull) return null;
  return `g::text::${c.type}`;
}

export { TraceConnectionError };
