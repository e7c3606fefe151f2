// `migralint trace`: lint the migrations, rebuild the schema the pending ones will meet (their
// history replayed on PGlite, from a cached template when the history was seen before, or a real
// server inside a transaction), run every pending statement and record what PostgreSQL did, then
// put the static findings beside it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResultCache } from '../cache/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { lint } from '../engine/run.js';
import { chainProduction } from '../engine/production.js';
import { writeFileAtomic } from '../engine/lockfile.js';
import { buildGraph } from '../graph/index.js';
import { openSnapshot, parseSnapshot, SnapshotFormatError, type LazySnapshot, type Snapshot } from '../snapshot/format.js';
import { buildSnapshotSchema, fillOrder, namedTables, snapshotSubset, tableSql, tablesToFill, type SnapshotNote } from './from-snapshot.js';
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
  /**
   * A snapshot file (`migralint snapshot`; default: the config's `snapshot`): the schema is built
   * from it instead of replaying the history, and the migrations it records as applied are not traced.
   */
  snapshot?: string;
}

/** Each table of a snapshot is filled with its estimated rows, up to this many (`--rows` overrides). */
export const SNAPSHOT_ROWS_CAP = 1000;

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
  rowsFilled: { table: string; rows: number; error?: string; /** From the snapshot's estimate (else --rows). */ fromSnapshot?: boolean }[];
  /** The schema came from a snapshot file instead of the replayed history. */
  snapshot?: SnapshotSource;
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

export interface SnapshotSource {
  file: string;
  /** The server the snapshot was taken of, e.g. `16.4`. */
  server: string;
  tables: number;
  /** Of `tables`, created in the trace database. */
  created: number;
  /** Per traced migration directory: the revisions the snapshot records as current (null: it records none for this framework). */
  applied: { dir: string; framework: string; upTo: string[] | null }[];
  /** Migrations named that the snapshot records as applied: not traced. */
  alreadyApplied: string[];
  /** Tables to fill from their estimates: those the pending migrations name, and the tables they reference. */
  filledOf: number;
  /** Of `tables`, built in the trace database: those the pending migrations need, or all of them. */
  built: number;
  /** Why the whole schema was built (an operation whose tables cannot be known); null: only the tables needed. */
  whole: string | null;
  notes: SnapshotNote[];
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

/**
 * The snapshot a trace builds its schema from, read whole (every table is created). Refused (exit
 * 2, naming the file): unreadable, not a snapshot, of a newer format, or with redacted names.
 */
async function readTraceSnapshot(file: string, cwd: string): Promise<{ snapshot: Snapshot; bytes: Uint8Array; shown: string }> {
  const shown = path.relative(cwd, file).startsWith('..') ? file : path.relative(cwd, file) || file;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new SnapshotFormatError(`cannot read the snapshot ${shown}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const snapshot = parseSnapshot(Buffer.from(bytes).toString('utf8'), shown);
  if (snapshot.redacted) {
    throw new SnapshotFormatError(
      `${shown}: the snapshot's names are redacted (--redact-names); trace creates the tables by name, so it needs a snapshot taken without --redact-names`,
    );
  }
  return { snapshot, bytes, shown };
}

export async function runTrace(opts: TraceOptions): Promise<TraceResult> {
  const started = performance.now();
  // PGlite's module compiles on background threads while the migrations are read and linted.
  const pglite = opts.databaseUrl ? null : preparePGlite();
  pglite?.catch(() => {});
  const snapshotFile = opts.snapshot ?? opts.config.snapshot;
  const fromSnapshot = snapshotFile ? await readTraceSnapshot(snapshotFile, opts.cwd) : null;
  const lazy = fromSnapshot ? openSnapshot(fromSnapshot.bytes, fromSnapshot.shown) : null;
  // The static findings are judged against the same production (sizes, tables that are new).
  const result = await lint({
    cwd: opts.cwd,
    paths: opts.paths,
    config: opts.config,
    lockfile: null,
    cache: opts.cache ?? null,
    ...(lazy ? { snapshot: lazy } : {}),
  });
  const lintMs = Math.round(performance.now() - started);
  const targets = new Set(result.migrations.map((m) => m.file));
  const sets = result.sets.filter((s) => s.migrations.some((m) => targets.has(m.file)));
  const pgSets = sets.filter((s) => s.dialect === 'postgresql' || s.dialect === 'unknown');
  if (sets.length > 0 && pgSets.length === 0) {
    throw new TraceUsageError(`trace runs PostgreSQL migrations; ${sets.map((s) => `${path.relative(opts.cwd, s.dir) || '.'} is ${s.dialect}`).join(', ')}`);
  }
  let source: SnapshotSource | undefined;
  let plans: Plan[];
  if (fromSnapshot && lazy) {
    source = {
      file: fromSnapshot.shown,
      server: fromSnapshot.snapshot.server,
      tables: fromSnapshot.snapshot.tables.length,
      created: 0,
      applied: [],
      alreadyApplied: [],
      filledOf: 0,
      built: 0,
      whole: null,
      notes: [],
    };
    const s = source;
    plans = pgSets.map((set) => planOnSnapshot(set, targets, lazy, s));
  } else plans = pgSets.map((set) => plan(set, targets));

  // With a snapshot: which tables get rows (those the pending migrations meet), and how many.
  const pendingRows = new Map(opts.rows ?? []);
  let fill: [string, number][] | null = null;
  let buildTables: Snapshot['tables'] = [];
  if (fromSnapshot) {
    const estimates = new Map(fromSnapshot.snapshot.tables.map((t) => [t.name, t.rows]));
    const pendingOps = plans.flatMap((p) => [
      ...p.history.flatMap((st) => st.ops.map((op) => ({ op, file: st.file }))),
      ...p.steps.flatMap((step) =>
        step.kind === 'trace'
          ? [...step.migration.upgrade.operations, ...(opts.stairway ? step.migration.downgrade.operations : [])].map((op) => ({ op, file: step.migration.file }))
          : step.statements.flatMap((st) => st.ops.map((op) => ({ op, file: st.file }))),
      ),
    ]);
    // Only the tables the pending migrations need are built (a production snapshot has thousands);
    // the runner's version tables are written by every migration it applies, so they come too.
    const all = fromSnapshot.snapshot.tables;
    const subset = snapshotSubset(
      all,
      pendingOps.map((x) => ({ op: x.op, file: path.relative(opts.cwd, x.file) || x.file })),
      [...pendingRows.keys(), ...fromSnapshot.snapshot.applied.map((a) => a.table)],
    );
    buildTables = subset.tables ? all.filter((t) => subset.tables.has(t.name)) : all;
    source!.built = buildTables.length;
    source!.whole = subset.whole;
    const meet = tablesToFill(buildTables, namedTables(pendingOps.map((x) => x.op)));
    fill = [];
    for (const name of fillOrder(buildTables)) {
      const given = pendingRows.get(name);
      pendingRows.delete(name);
      const n = given ?? (meet.has(name) ? Math.min(estimates.get(name) ?? 0, SNAPSHOT_ROWS_CAP) : 0);
      if (n > 0) fill.push([name, given === undefined ? n : -n]);
    }
    source!.filledOf = meet.size;
  }
  let snapshotTemplate: { file: string; built: string } | null = null;
  let snapshotRowsFilled: TraceResult['rowsFilled'] | null = null;

  let db: TraceDb;
  let template: TraceResult['template'] = 'none';
  const cacheDir = opts.cacheDir === undefined ? path.join(opts.config.rootDir, '.cache', 'migralint', 'trace') : opts.cacheDir;
  let firstHistoryDone = false;
  if (opts.databaseUrl) {
    if (!/^postgres(?:ql)?:\/\//i.test(opts.databaseUrl)) {
      throw new TraceUsageError(`--database-url must be a postgres:// or postgresql:// URL; got "${redactUrl(opts.databaseUrl)}"`);
    }
    db = await openPostgresTrace(opts.databaseUrl, redactUrl(opts.databaseUrl));
  } else if (fromSnapshot) {
    // The schema and rows built from the snapshot are a template like a history's, keyed by the
    // snapshot's bytes and the rows filled; what building it said is kept beside it.
    snapshotTemplate = snapshotTemplateFiles(cacheDir, fromSnapshot.bytes, fill!, source!.whole === null ? buildTables.map((t) => t.name) : null);
    const cached = snapshotTemplate && existsSync(snapshotTemplate.built) ? readTemplate(snapshotTemplate.file) : null;
    if (snapshotTemplate && cached) {
      touchTemplate(snapshotTemplate.file);
      db = await openPGliteTrace(cached, pglite!);
      const kept = JSON.parse(readFileSync(snapshotTemplate.built, 'utf8')) as SnapshotBuilt;
      source!.created = kept.created;
      source!.notes.push(...kept.notes);
      snapshotRowsFilled = kept.rowsFilled;
      template = 'cached';
    } else {
      db = (await openEmpty(cacheDir, pglite!)).db;
      template = 'not cached';
    }
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
      const opened = await openEmpty(cacheDir, pglite!, emptyKey === key);
      db = opened.db;
      const emptyWritten = opened.written;
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
  let tracer = new Tracer(db, { outerTransaction: db.kind === 'postgres' && !opts.commit });
  const out: TraceResult = {
    database: { kind: db.kind, label: db.label, version: db.version },
    template,
    history: { migrations: 0, statements: 0, notRun: 0, failures: [] },
    rowsFilled: [],
    ...(source ? { snapshot: source } : {}),
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
    if (snapshotRowsFilled) out.rowsFilled.push(...snapshotRowsFilled);
    else if (fromSnapshot && source && fill) {
      const built = await buildSnapshotSchema({ tables: buildTables }, (sql) => runOne(tracer, sql, fromSnapshot.shown), (types) => existingTypes(db, tracer, types));
      source.created = built.created;
      source.notes.push(...built.notes);
      // Production's tables hold rows: those the pending migrations meet get their estimate,
      // bounded, before any pending migration runs (a negative count: given by --rows).
      const filled: TraceResult['rowsFilled'] = [];
      for (const [name, n] of fill) {
        const f = await fillTable(tracer, name, tableSql(name), Math.abs(n));
        if (f) filled.push(n > 0 ? { ...f, fromSnapshot: true } : f);
      }
      out.rowsFilled.push(...filled);
      if (snapshotTemplate && db.kind === 'pglite') {
        const kept: SnapshotBuilt = { created: built.created, notes: built.notes, rowsFilled: filled };
        // The trace goes on from the template, on the database the next run will start from.
        const reopened = await keepAsTemplate(db, snapshotTemplate.file, pglite!);
        db = reopened.db;
        tracer = new Tracer(db, { outerTransaction: false });
        if (reopened.written) {
          // Beside the template just written, so its directory exists.
          await writeFileAtomic(snapshotTemplate.built, JSON.stringify(kept));
          out.template = 'built';
          pruneTemplates(cacheDir!, TEMPLATE_FILE, [path.basename(path.dirname(snapshotTemplate.file)), historyHash('pglite', [])], KEEP_TEMPLATES);
        }
      }
    }
    for (const [i, p] of plans.entries()) {
      // Without a snapshot each directory starts from an empty database; a snapshot is one production database for all.
      if (i > 0 && db.kind === 'pglite' && !fromSnapshot) await resetPGlite(db);
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
        await fillRows(tracer, pendingRows, out.rowsFilled);
        out.migrations.push(await traceMigration(tracer, step.migration, opts, result.findings, out.findings, fromSnapshot ? 'the schema built from the snapshot' : 'the replayed schema'));
      }
    }
    await fillRows(tracer, pendingRows, out.rowsFilled);
    for (const [table] of pendingRows) out.rowsFilled.push({ table, rows: 0, error: 'no such table in the traced schema' });
    await tracer.endOuter(Boolean(opts.commit));
  } finally {
    await db.close();
  }
  out.totalMs = Math.round(performance.now() - started);
  return out;
}

/**
 * An empty PGlite: from the empty database's template when the cache has one (PGlite's initdb is
 * most of an empty start), else from initdb, whose result is then kept as that template (`written`).
 * `isKey`: the template wanted is that one itself (it was looked up and missed already).
 */
async function openEmpty(cacheDir: string | null, pglite: Promise<PGliteModule>, isKey = false): Promise<{ db: TraceDb; written: boolean }> {
  const file = cacheDir ? path.join(cacheDir, historyHash('pglite', []), TEMPLATE_FILE) : null;
  const empty = file && !isKey ? readTemplate(file) : null;
  let written = false;
  const db = await openPGliteTrace(empty, pglite, file && !empty ? (t) => (written = writeTemplateOrNot(t, file)) : undefined);
  return { db, written };
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

/**
 * With a snapshot: the migrations it records as applied are in its schema already; the others are
 * pending, decided as `lint --snapshot` decides (src/engine/production.ts). Pending migrations
 * before the first named one are replayed; named ones already applied are listed, not traced.
 * When the snapshot records nothing for the chain's framework, the named migrations are the pending ones.
 */
function planOnSnapshot(set: MigrationSet, targets: Set<string>, snapshot: LazySnapshot, source: SnapshotSource): Plan {
  const ordered = chainOrder(set.migrations);
  const entry = snapshot.applied.find((a) => a.kind === set.framework) ?? null;
  const production = chainProduction(set, () => buildGraph(set.migrations), { snapshot, lock: null });
  const pending = entry && production ? ordered.filter((m) => production.released(m) !== true) : ordered.filter((m) => targets.has(m.file));
  const pendingSet = new Set(pending);
  const lastApplied = ordered.filter((m) => !pendingSet.has(m)).at(-1);
  source.applied.push({
    dir: set.dir,
    framework: set.framework,
    upTo: entry ? (entry.heads.length > 0 ? [...entry.heads] : lastApplied?.revision ? [lastApplied.revision.value] : []) : null,
  });
  source.alreadyApplied.push(...ordered.filter((m) => targets.has(m.file) && !pendingSet.has(m)).map((m) => m.file));
  return plan({ ...set, migrations: pending }, targets, pending);
}

function plan(set: MigrationSet, targets: Set<string>, ordered: Migration[] = chainOrder(set.migrations)): Plan {
  const last = ordered.map((m) => targets.has(m.file)).lastIndexOf(true);
  const first = ordered.findIndex((m) => targets.has(m.file));
  if (first < 0) return { history: [], historyMigrations: 0, failures: [], steps: [] };
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
  schema: string,
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
        message: `${direction === 'upgrade' ? 'The upgrade' : direction === 'downgrade' ? 'The downgrade' : 'The upgrade after the downgrade'} fails here on ${schema}: ${describeFailure(t.failure)}`,
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
  selfref?: boolean;
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
async function fillRows(tracer: Tracer, pending: Map<string, number>, done: TraceResult['rowsFilled']): Promise<void> {
  for (const [table, n] of [...pending]) {
    const filled = await fillTable(tracer, table, table, n);
    if (!filled) continue;
    pending.delete(table);
    done.push(filled);
  }
}

/** Fills one table (`sqlName` as SQL names it) with n generated rows; null when it does not exist (yet). */
async function fillTable(tracer: Tracer, table: string, sqlName: string, n: number): Promise<TraceResult['rowsFilled'][number] | null> {
  const oid = (await tracer.db.rows<{ oid: string | null }>(`SELECT to_regclass($1)::oid::int8 AS oid`, [sqlName]))[0]?.oid;
  if (!oid) return null;
  const cols = await tracer.db.rows<ColumnInfo & Record<string, unknown>>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, a.atthasdef AS hasdefault,
            (a.attidentity <> '' OR a.attgenerated <> '') AS generated, t.typcategory,
            (SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = a.atttypid ORDER BY e.enumsortorder LIMIT 1) AS enumlabel,
            (SELECT co.confrelid::regclass::text FROM pg_constraint co WHERE co.conrelid = a.attrelid AND co.contype = 'f' AND a.attnum = ANY (co.conkey) LIMIT 1) AS reftable,
            COALESCE((SELECT co.confrelid = co.conrelid FROM pg_constraint co WHERE co.conrelid = a.attrelid AND co.contype = 'f' AND a.attnum = ANY (co.conkey) LIMIT 1), false) AS selfref,
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
    // A row referencing its own table points at itself (the key's value for the same g): the
    // table is empty before the fill, so there is no other row to point at.
    const ref = c.selfref ? cols.find((x) => x.name === c.refcol) : undefined;
    const v = ref ? valueFor({ ...ref, reftable: null, refcol: null }) : valueFor(c);
    if (v === null) continue;
    names.push(`"${c.name.replace(/"/g, '""')}"`);
    values.push(v);
  }
  const sql = `INSERT INTO ${sqlName} (${names.join(', ')}) SELECT ${values.join(', ')} FROM generate_series(1, ${n}) AS g`;
  // Through the tracer: on a server, a failed fill must not abort the transaction the trace runs in.
  const failure = await runOne(tracer, names.length > 0 ? sql : `INSERT INTO ${sqlName} SELECT FROM generate_series(1, ${n})`, '');
  if (failure) return { table, rows: 0, error: failure.message };
  // Serial columns were given 1..n: their sequences go on after n, so the migrations' own inserts do not collide.
  await tracer.db.rows(
    `SELECT setval(pg_get_serial_sequence($1, a.attname), $2) FROM pg_attribute a
      WHERE a.attrelid = $3 AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = '' AND pg_get_serial_sequence($1, a.attname) IS NOT NULL`,
    [sqlName, n, oid],
  );
  return { table, rows: n };
}

/** What building a snapshot's template said, kept beside it for the runs that load it. */
interface SnapshotBuilt {
  created: number;
  notes: SnapshotNote[];
  rowsFilled: TraceResult['rowsFilled'];
}

/** `subset`: the tables built, null for the whole schema. */
function snapshotTemplateFiles(cacheDir: string | null, bytes: Uint8Array, fill: [string, number][], subset: string[] | null): { file: string; built: string } | null {
  if (!cacheDir) return null;
  const h = createHash('sha256');
  h.update(`migralint-trace-snapshot-${TEMPLATE_FORMAT}\0pglite\0${SNAPSHOT_ROWS_CAP}\0${JSON.stringify(fill)}\0${JSON.stringify(subset)}\0`);
  h.update(bytes);
  const dir = path.join(cacheDir, `snapshot-${h.digest('hex').slice(0, 32)}`);
  return { file: path.join(dir, TEMPLATE_FILE), built: path.join(dir, 'built.json') };
}

/** One statement of the snapshot's schema, through the tracer (a savepoint inside a server's rolled-back transaction). */
async function runOne(tracer: Tracer, sql: string, file: string): Promise<PgFailure | null> {
  const failures = await tracer.replay([{ sql, file, loc: { line: 1, column: 1, endLine: 1, endColumn: 1 }, ops: [] }]);
  return failures[0]?.failure ?? null;
}

/** The column types (as format_type printed them) this database has. */
async function existingTypes(db: TraceDb, tracer: Tracer, types: string[]): Promise<Set<string>> {
  const guard = tracer.opts.outerTransaction;
  if (guard) await db.run('SAVEPOINT migralint_types');
  try {
    const rows = await db.rows<{ t: string }>(`SELECT t FROM unnest($1::text[]) AS t WHERE to_regtype(t) IS NOT NULL`, [types]);
    if (guard) await db.run('RELEASE SAVEPOINT migralint_types');
    return new Set(rows.map((r) => r.t));
  } catch {
    // An older server raises on a type name it cannot parse: let each CREATE TABLE say what fails.
    if (guard) await db.run('ROLLBACK TO SAVEPOINT migralint_types');
    return new Set(types);
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
