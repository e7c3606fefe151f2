// The raw-SQL front end: a directory of .sql files (Flyway, golang-migrate/popx, Diesel, dbmate,
// goose, Prisma, or plain numbered files) becomes one Migration per migration, with its down part,
// identity and order from the file names, a linear parent chain, the runner's transaction context,
// and operations read by the PostgreSQL SQL reader (../sql).
//
// It works on a whole directory at once (`parseSet`) because a migration may span several files
// (an up and a down file, a Diesel folder, a Flyway script configuration) and because the parent of
// a migration is the one before it in the directory's order.
import path from 'node:path';
import type { Body, Dialect, Loc, Migration, Operation, OperationBase, ParseError, TransactionContext } from '../../model/types.js';
import { emptyMigration } from '../../model/queries.js';
import type { Frontend, FrontendInput, FrontendSetOptions } from '../types.js';
import type { SqlParser } from '../sql/api.js';
import { splitSql } from '../sql-text/split.js';
import { classifyPath, detectLayout, isSqlLayout, markerLayout, popxDialect, sqlMigrationDirOf, type FileRole, type SqlLayout } from './layout.js';
import { decodeSql, hasCode, LineIndex, scanSql, toComments, type Scan } from './scan.js';
import {
  dbmateSections,
  dieselRunInTransaction,
  flywayExecuteInTransaction,
  gooseSections,
  sqlMigrateSections,
  type Section,
  type SectionedFile,
} from './directives.js';

export { classifyPath, detectLayout, isSqlLayout, sqlMigrationDirOf, type SqlLayout } from './layout.js';

/** One file of the directory, decoded on demand. */
class Src {
  readonly text: string | null;
  readonly error: ParseError | null;
  private lineIndex: LineIndex | undefined;
  private scanned: Scan | undefined;
  constructor(
    readonly file: string,
    readonly rel: string,
    bytes: Uint8Array,
  ) {
    const d = decodeSql(bytes);
    this.text = d.ok ? d.text : null;
    this.error = d.ok ? null : d.error;
  }
  get lines(): LineIndex {
    return (this.lineIndex ??= new LineIndex(this.text ?? ''));
  }
  get scan(): Scan {
    return (this.scanned ??= scanSql(this.text ?? ''));
  }
}

interface Ctx {
  parser: SqlParser;
  dialect: Dialect;
}

/** A migration with where it sorts: stage (versioned 0, repeatable 1), numeric key, then a tie-breaker. */
interface Entry {
  m: Migration;
  stage: number;
  key: bigint[];
  tie: string;
}

const POINT: Loc = { line: 1, column: 1, endLine: 1, endColumn: 1 };

function tx(mode: TransactionContext['mode'], reason: string, file: string | null = null, loc: Loc | null = null): TransactionContext {
  return { mode, reason, file, loc };
}

/** A loc in `src`, naming the file when it is not the migration's own. */
function locIn(src: Src, loc: Loc, m: Migration): Loc {
  return src.file === m.file ? loc : { ...loc, file: src.file };
}

/** Sets `file` on every Loc inside an operation (its own loc, columns, constraints, statements). */
function markFile(value: unknown, file: string, seen: Set<object> = new Set()): void {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const v of value) markFile(v, file, seen);
    return;
  }
  const o = value as Record<string, unknown>;
  if (typeof o.line === 'number' && typeof o.column === 'number' && typeof o.endLine === 'number' && typeof o.endColumn === 'number') {
    o.file = file;
  }
  for (const k of Object.keys(o)) markFile(o[k], file, seen);
}

/**
 * The body read from [start, end) of `src` (the whole file when null). `header` is the body's loc
 * (line 1, or the section's marker line). A companion file's positions carry `file`.
 */
function readBody(ctx: Ctx, src: Src, range: { start: number; end: number } | null, header: Loc, companion: boolean, transactional: boolean): Body {
  const loc: Loc = companion ? { ...header, file: src.file } : { ...header };
  if (src.text === null) return { shape: 'operations', loc, operations: [] };
  const start = range?.start ?? 0;
  const end = range?.end ?? src.text.length;
  if (!hasCode(src.scan, start, end)) return { shape: 'empty', loc, operations: [] };
  const text = src.text.slice(start, end);
  let offsets: Int32Array | null = null;
  if (start !== 0 || end !== src.text.length) {
    offsets = new Int32Array(text.length);
    for (let i = 0; i < text.length; i++) offsets[i] = start + i;
  }
  const base: Omit<OperationBase, 'loc' | 'fromSql'> = {
    conditional: false,
    repeated: false,
    transactional,
    batch: false,
    via: null,
    callee: 'sql',
  };
  const operations = readsPostgres(ctx.dialect)
    ? ctx.parser.toOperations(text, { offsets, source: src.text, holes: [], base, fallback: { ...header } })
    : otherDialectOperations(src, start, end, base);
  if (companion) for (const op of operations) markFile(op, src.file);
  return { shape: 'operations', loc, operations };
}

/** Whether SQL of this dialect goes through PostgreSQL's parser (unknown: it is the default). */
export function readsPostgres(dialect: Dialect): boolean {
  return dialect === 'postgresql' || dialect === 'unknown';
}

/**
 * SQL of another database (MySQL, SQLite, H2...) is never given to PostgreSQL's parser: each
 * statement becomes an `execute_sql` operation with the light classification of its leading
 * keywords, which claims no PostgreSQL semantics (no syntax errors, no lock modes).
 */
function otherDialectOperations(src: Src, start: number, end: number, base: Omit<OperationBase, 'loc' | 'fromSql'>): Operation[] {
  return statementsOf(src, start, end).map((st, index) => ({
    ...base,
    loc: st.loc,
    kind: 'execute_sql',
    sql: st.text,
    hasHoles: false,
    textKnown: true,
    statements: [st],
    fromSql: { statement: st.text, index, hasHoles: false },
  }));
}

/** Statements of [start, end) of `src`, split the way PostgreSQL's lexer would (quotes, dollar quotes, comments). */
function statementsOf(src: Src, start = 0, end?: number) {
  if (src.text === null) return [];
  const stop = end ?? src.text.length;
  return splitSql(src.text.slice(start, stop), (s, e) => src.lines.range(start + s, start + e));
}

/** Statements PostgreSQL refuses inside a transaction block (Flyway then runs the script without one). */
const NON_TRANSACTIONAL: { re: RegExp; what: string }[] = [
  { re: /^(?:CREATE (?:UNIQUE )?INDEX|DROP INDEX) CONCURRENTLY\b/, what: 'INDEX CONCURRENTLY' },
  { re: /^REINDEX\b.*\b(?:CONCURRENTLY|SCHEMA|DATABASE|SYSTEM)\b/, what: 'REINDEX' },
  { re: /^VACUUM\b/, what: 'VACUUM' },
  { re: /^(?:CREATE|DROP) (?:DATABASE|TABLESPACE|SUBSCRIPTION)\b/, what: 'DATABASE/TABLESPACE/SUBSCRIPTION' },
  { re: /^ALTER SYSTEM\b/, what: 'ALTER SYSTEM' },
  { re: /^DISCARD ALL\b/, what: 'DISCARD ALL' },
];

function nonTransactionalStatement(src: Src): { keyword: string; loc: Loc } | null {
  for (const st of statementsOf(src)) {
    const norm = st.text
      .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .toUpperCase();
    const hit = NON_TRANSACTIONAL.find((n) => n.re.test(norm));
    if (hit) return { keyword: norm.split(' ').slice(0, 4).join(' '), loc: st.loc };
  }
  return null;
}

function compareKeys(a: bigint[], b: bigint[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

function digits(s: string): bigint[] {
  return /^\d+$/.test(s) ? [BigInt(s)] : [];
}

/** A numeric version without its leading zeros (golang-migrate, goose and Flyway read it as a number). */
function numeric(version: string): string {
  return BigInt(version).toString();
}

class Builder {
  readonly entries: Entry[] = [];
  constructor(
    readonly ctx: Ctx,
    readonly framework: SqlLayout,
  ) {}

  /** A migration whose own file is `src`, with identity from the name. */
  start(src: Src, revision: string, message: string): Migration {
    const m = emptyMigration(src.file, this.framework, this.ctx.dialect);
    m.source = src.text ?? '';
    const at = src.text === null ? { ...POINT } : src.lines.lineLoc(1);
    m.revision = { value: revision, loc: at };
    m.parents = { value: [], loc: { ...at } };
    m.message = message === '' ? null : message.replace(/_/g, ' ');
    if (src.error) m.parseError = src.error;
    else m.comments = toComments(src.scan, src.lines);
    return m;
  }

  /** Records another file of the migration; a down file's comments join the migration's. */
  companion(m: Migration, src: Src, role: 'down' | 'metadata' | 'config'): void {
    m.companions.push({ file: src.file, source: src.text ?? '', role });
    if (src.error) {
      m.parseError ??= { ...src.error, loc: { ...src.error.loc, file: src.file } };
      return;
    }
    if (role === 'down') for (const c of toComments(src.scan, src.lines, src.file)) m.comments.push(c);
  }

  add(m: Migration, key: bigint[], tie: string, stage = 0): void {
    this.entries.push({ m, key, tie, stage });
  }

  /** Sorted, with each migration's parent the one before it (duplicates share their parent). */
  finish(): Migration[] {
    const sorted = [...this.entries].sort(
      (a, b) => a.stage - b.stage || compareKeys(a.key, b.key) || (a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0),
    );
    let last: string | null = null;
    let lastParents: string[] = [];
    for (const { m } of sorted) {
      const rev = m.revision!.value;
      if (rev !== last) {
        lastParents = last === null ? [] : [last];
        last = rev;
      }
      m.parents = { value: [...lastParents], loc: { ...m.revision!.loc } };
    }
    return sorted.map((e) => e.m);
  }
}

type Classified = { src: Src; role: FileRole };

// ---------------------------------------------------------------------------------------------
// Layouts

function flyway(b: Builder, files: Classified[]): void {
  const confs = new Map<string, Src>();
  for (const { src, role } of files) if (role.kind === 'flyway-conf') confs.set(role.target, src);
  const versioned: { src: Src; role: Extract<FileRole, { kind: 'flyway' }> }[] = [];
  const undos: typeof versioned = [];
  for (const f of files) {
    if (f.role.kind === 'flyway') (f.role.prefix === 'V' ? versioned : undos).push({ src: f.src, role: f.role });
  }

  /** Flyway's transaction decision for one script: its .conf file, else its statements. */
  const decide = (m: Migration, src: Src): TransactionContext => {
    const conf = confs.get(src.rel);
    if (conf) {
      if (!m.companions.some((c) => c.file === conf.file)) b.companion(m, conf, 'config');
      const s = conf.text === null ? null : flywayExecuteInTransaction(conf.text);
      if (s && s.value === 'false') {
        return tx('none', `${path.basename(conf.file)}: executeInTransaction=false`, conf.file, locIn(conf, conf.lines.lineLoc(s.line), m));
      }
    }
    const nt = nonTransactionalStatement(src);
    if (nt) {
      return tx(
        'none',
        `Flyway runs a script containing ${nt.keyword} without a transaction (PostgreSQL refuses it in a transaction block)`,
        src.file,
        locIn(src, nt.loc, m),
      );
    }
    return tx('per-migration', 'Flyway runs each migration in its own transaction (executeInTransaction defaults to true)');
  };

  const usedUndo = new Set<Src>();
  for (const { src, role } of versioned) {
    const m = b.start(src, role.version, role.name);
    m.transaction = decide(m, src);
    m.upgrade = readBody(b.ctx, src, null, src.lines.lineLoc(1), false, m.transaction.mode !== 'none');
    const undo =
      undos.find((u) => !usedUndo.has(u.src) && u.role.version === role.version && u.role.name === role.name) ??
      undos.find((u) => !usedUndo.has(u.src) && u.role.version === role.version);
    if (undo) {
      usedUndo.add(undo.src);
      b.companion(m, undo.src, 'down');
      const t = decide(m, undo.src);
      m.downgrade = readBody(b.ctx, undo.src, null, undo.src.lines.lineLoc(1), true, t.mode !== 'none');
    }
    b.add(m, role.parts, src.rel);
  }
  // An undo script with no versioned script: a migration of its own with no upgrade.
  for (const { src, role } of undos) {
    if (usedUndo.has(src)) continue;
    const m = b.start(src, role.version, role.name);
    m.transaction = decide(m, src);
    m.downgrade = readBody(b.ctx, src, null, src.lines.lineLoc(1), false, m.transaction.mode !== 'none');
    b.add(m, role.parts, src.rel);
  }
  // Repeatable scripts run after every versioned one, ordered by description, whenever they change.
  for (const { src, role } of files) {
    if (role.kind !== 'flyway-repeatable') continue;
    const m = b.start(src, `R__${role.name}`, role.name);
    m.transaction = decide(m, src);
    m.upgrade = readBody(b.ctx, src, null, src.lines.lineLoc(1), false, m.transaction.mode !== 'none');
    b.add(m, [], role.name, 1);
  }
}

function golangMigrate(b: Builder, files: Classified[]): void {
  type UpDown = Extract<FileRole, { kind: 'updown' }>;
  let all = files.filter((f): f is { src: Src; role: UpDown } => f.role.kind === 'updown');
  const popx = all.some((f) => f.role.dialect !== null || f.role.autocommit);
  // popx keeps one directory for every dialect: only this chain's dialect (and files for all dialects) count.
  all = all.filter((f) => f.role.dialect === null || popxDialect(f.role.dialect) === b.ctx.dialect);
  // A dialect-specific file replaces the generic one of the same migration.
  const specific = new Set(all.filter((f) => f.role.dialect !== null).map((f) => `${f.role.direction}\0${numeric(f.role.version)}\0${f.role.name}`));
  all = all.filter((f) => f.role.dialect !== null || !specific.has(`${f.role.direction}\0${numeric(f.role.version)}\0${f.role.name}`));

  // The transaction mode depends on how many statements the file has, which the real parser
  // tells while reading it: read as transactional, then clear the flag for a single statement.
  const read = (src: Src, role: UpDown, companion: boolean): { t: TransactionContext; body: Body } => {
    const header = src.lines.lineLoc(1);
    if (role.autocommit) {
      const t = tx('none', '`.autocommit.` in the file name: popx runs it outside a transaction', src.file, null);
      return { t, body: readBody(b.ctx, src, null, header, companion, false) };
    }
    if (popx) return { t: tx('per-migration', 'popx runs each migration in a transaction'), body: readBody(b.ctx, src, null, header, companion, true) };
    return oneQuery(b.ctx, src, null, header, companion, 'golang-migrate sends the file as one query', src.file, null);
  };

  const ups = all.filter((f) => f.role.direction === 'up');
  const downs = all.filter((f) => f.role.direction === 'down');
  const used = new Set<Src>();
  for (const { src, role } of ups) {
    const version = numeric(role.version);
    const m = b.start(src, version, role.name);
    const up = read(src, role, false);
    m.transaction = up.t;
    m.upgrade = up.body;
    const down =
      downs.find((d) => !used.has(d.src) && numeric(d.role.version) === version && d.role.name === role.name) ??
      downs.find((d) => !used.has(d.src) && numeric(d.role.version) === version);
    if (down) {
      used.add(down.src);
      b.companion(m, down.src, 'down');
      m.downgrade = read(down.src, down.role, true).body;
    }
    b.add(m, digits(role.version), src.rel);
  }
  for (const { src, role } of downs) {
    if (used.has(src)) continue;
    const m = b.start(src, numeric(role.version), role.name);
    const only = read(src, role, false);
    m.transaction = only.t;
    m.downgrade = only.body;
    b.add(m, digits(role.version), src.rel);
  }
}

/**
 * A file or section the runner sends as ONE query, without a transaction of its own: PostgreSQL
 * runs several statements in an implicit transaction block, a single one on its own. The parser
 * tells how many statements there are while reading, so read as transactional first.
 */
function oneQuery(
  ctx: Ctx,
  src: Src,
  range: { start: number; end: number } | null,
  header: Loc,
  companion: boolean,
  why: string,
  file: string | null,
  loc: Loc | null,
  /** The reason to give when there is a single statement; default: explain the one-query rule. */
  singleWhy?: string,
): { t: TransactionContext; body: Body } {
  const body = readBody(ctx, src, range, header, companion, true);
  const n = body.operations.reduce(
    (sum, op) => sum + (op.kind === 'execute_sql' && !op.fromSql ? op.statements.length : 0),
    new Set(body.operations.filter((op) => op.kind !== 'execute_sql' || op.fromSql).map((op) => op.fromSql?.index ?? -1)).size,
  );
  if (n > 1) {
    return { t: { ...tx('per-migration', `${why}: PostgreSQL runs its ${n} statements in one implicit transaction`, file, loc), implicit: true }, body };
  }
  for (const op of body.operations) op.transactional = false;
  return { t: tx('none', singleWhy ?? `${why}: a single statement runs on its own, outside a transaction block`, file, loc), body };
}

function diesel(b: Builder, files: Classified[]): void {
  const folders = new Map<string, { version: string; name: string; up?: Src; down?: Src; metadata?: Src }>();
  for (const { src, role } of files) {
    if (role.kind !== 'diesel') continue;
    const f = folders.get(role.folder) ?? { version: role.version, name: role.name };
    f[role.part] = src;
    folders.set(role.folder, f);
  }
  for (const [folder, f] of folders) {
    const own = f.up ?? f.down;
    if (!own) continue;
    const m = b.start(own, f.version, f.name);
    m.transaction = tx('per-migration', 'Diesel runs each migration in a transaction');
    if (f.metadata) {
      b.companion(m, f.metadata, 'metadata');
      const s = f.metadata.text === null ? null : dieselRunInTransaction(f.metadata.text);
      if (s && s.value === 'false') {
        m.transaction = tx('none', 'metadata.toml: run_in_transaction = false', f.metadata.file, locIn(f.metadata, f.metadata.lines.lineLoc(s.line), m));
      }
    }
    // run_in_transaction = false: Diesel's batch_execute still sends each file as one query.
    const read = (src: Src, companion: boolean): { t: TransactionContext; body: Body } =>
      m.transaction.mode === 'none'
        ? oneQuery(b.ctx, src, null, src.lines.lineLoc(1), companion, `${m.transaction.reason}, and Diesel sends the file as one query`, m.transaction.file, m.transaction.loc, m.transaction.reason)
        : { t: m.transaction, body: readBody(b.ctx, src, null, src.lines.lineLoc(1), companion, true) };
    if (f.up) {
      const up = read(f.up, false);
      m.transaction = up.t;
      m.upgrade = up.body;
    }
    if (f.down) {
      if (f.up) b.companion(m, f.down, 'down');
      m.downgrade = read(f.down, f.up !== undefined).body;
    }
    b.add(m, digits(f.version), folder);
  }
}

function prisma(b: Builder, files: Classified[]): void {
  for (const { src, role } of files) {
    if (role.kind !== 'prisma') continue;
    const m = b.start(src, role.folder, role.name);
    m.transaction = tx('per-migration', 'Prisma applies migration.sql as one script, in a transaction');
    m.upgrade = readBody(b.ctx, src, null, src.lines.lineLoc(1), false, true);
    b.add(m, digits(/^\d+/.exec(role.folder)?.[0] ?? ''), role.folder);
  }
}

/** goose, dbmate and sql-migrate: one file, sections marked by comments. */
function sectioned(b: Builder, files: Classified[], kind: 'goose' | 'dbmate' | 'sql-migrate'): void {
  for (const { src, role } of files) {
    if (role.kind !== 'numbered') continue;
    const stem = path.basename(src.file).replace(/\.sql$/, '');
    // sql-migrate's id is the file name; it sorts by the leading number when there is one.
    const version = kind === 'goose' ? numeric(role.version) : kind === 'sql-migrate' ? stem : role.version;
    const m = b.start(src, version, kind === 'sql-migrate' ? role.name || stem : role.name);
    const key = digits(role.version);
    b.add(m, key, src.rel, key.length === 0 ? 1 : 0);
    if (src.text === null) continue;
    const s: SectionedFile = kind === 'goose' ? gooseSections(src.lines) : kind === 'dbmate' ? dbmateSections(src.lines) : sqlMigrateSections(src.lines);
    const first = s.problems[0];
    if (first) m.parseError = { kind: 'syntax', message: first.message, loc: src.lines.lineLoc(first.line) };
    if (kind === 'goose') {
      m.transaction = s.noTransaction
        ? tx('none', '-- +goose NO TRANSACTION', src.file, src.lines.lineLoc(s.noTransaction.line))
        : tx('per-migration', 'goose runs each migration in a transaction');
    } else if (kind === 'sql-migrate') {
      m.transaction =
        s.up?.transaction === false
          ? tx('none', '-- +migrate Up notransaction', src.file, src.lines.lineLoc(s.up.marker.line))
          : tx('per-migration', 'sql-migrate runs each migration in a transaction');
    } else {
      m.transaction =
        s.up?.transaction === false
          ? tx('none', '-- migrate:up transaction:false', src.file, src.lines.lineLoc(s.up.marker.line))
          : tx('per-migration', 'dbmate runs each migration in a transaction');
    }
    const transactional = (sec: Section): boolean =>
      kind === 'goose' ? m.transaction.mode !== 'none' : sec.transaction !== false;
    // dbmate transaction:false still sends the section as one query (lib/pq Exec); sql-migrate's
    // notransaction runs the statements one by one.
    const read = (sec: Section): Body => {
      const header = src.lines.lineLoc(sec.marker.line);
      if (kind !== 'dbmate' || transactional(sec)) return readBody(b.ctx, src, sec, header, false, transactional(sec));
      const marker = `-- migrate:${sec === s.up ? 'up' : 'down'} transaction:false`;
      const r = oneQuery(b.ctx, src, sec, header, false, `${marker}, and dbmate sends the section as one query`, src.file, header, marker);
      if (sec === s.up) m.transaction = r.t;
      return r.body;
    };
    if (s.up) m.upgrade = read(s.up);
    if (s.down) m.downgrade = read(s.down);
  }
}

/**
 * The generic reader: each .sql file is an up migration, except that `<stem>.up.sql` and
 * `<stem>.down.sql` (authelia's `V0001.Name.up.sql`, golang-migrate names under `framework: sql`)
 * make one migration with its down file. Numbered files come first by number, then the others
 * (`patch-*.sql`...) by name.
 */
function plain(b: Builder, files: Classified[]): void {
  const unknownRunner = () =>
    tx('per-migration', 'unknown runner: migralint assumes each migration runs in a transaction (name the framework in the config to be precise)');
  const pairs = new Map<string, { up?: Classified; down?: Classified }>();
  const singles: Classified[] = [];
  for (const f of files) {
    const m = /^(.*)\.(up|down)\.sql$/.exec(f.src.rel);
    if (!m) {
      singles.push(f);
      continue;
    }
    const pair = pairs.get(m[1]!) ?? {};
    pair[m[2] as 'up' | 'down'] = f;
    pairs.set(m[1]!, pair);
  }
  const keyOf = (role: FileRole): bigint[] =>
    role.kind === 'dotted' ? role.parts : role.kind === 'numbered' || role.kind === 'updown' ? digits(role.version) : [];
  const nameOf = (role: FileRole, stem: string): string => (role.kind === 'numbered' || role.kind === 'dotted' || role.kind === 'updown' || role.kind === 'patch' ? role.name : stem);
  for (const { src, role } of singles) {
    const stem = path.basename(src.file).replace(/\.sql$/, '');
    const m = b.start(src, stem, nameOf(role, stem));
    m.transaction = unknownRunner();
    m.upgrade = readBody(b.ctx, src, null, src.lines.lineLoc(1), false, true);
    // Files without a number (patch sets, or any file when the config says `sql`) come after, by name.
    const key = keyOf(role);
    b.add(m, key, src.rel, key.length === 0 ? 1 : 0);
  }
  for (const [stem, { up, down }] of pairs) {
    const own = up ?? down!;
    const id = path.basename(stem);
    const m = b.start(own.src, id, nameOf(own.role, id));
    m.transaction = unknownRunner();
    if (up) m.upgrade = readBody(b.ctx, up.src, null, up.src.lines.lineLoc(1), false, true);
    if (down) {
      if (up) b.companion(m, down.src, 'down');
      m.downgrade = readBody(b.ctx, down.src, null, down.src.lines.lineLoc(1), up !== undefined, true);
    }
    const key = keyOf(own.role);
    b.add(m, key, own.src.rel, key.length === 0 ? 1 : 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** Reads a directory's SQL migration files into Migrations, in history order. */
export function readSqlDirectory(parser: SqlParser, inputs: FrontendInput[], dir: string, opts: FrontendSetOptions): Migration[] {
  const srcs = inputs.map((i) => new Src(i.file, path.relative(dir, i.file).split(path.sep).join('/'), i.bytes));
  const byRel = new Map(srcs.map((s) => [s.rel, s]));
  const named = new Set(opts.named ?? []);

  let layout: SqlLayout | null = isSqlLayout(opts.framework) ? opts.framework : null;
  if (!layout) {
    const found = detectLayout(
      srcs.map((s) => s.rel),
      (rel) => byRel.get(rel)?.text ?? null,
      { numberedCount: true },
    );
    layout = found?.layout ?? (opts.generic || srcs.some((s) => named.has(s.file) && s.rel.endsWith('.sql')) ? 'sql' : null);
  }
  if (!layout) return [];
  // A directory no layout claims, named or configured: every .sql file of it is a migration.
  const every = opts.framework === 'sql' || (opts.generic === true && layout === 'sql');

  const classified: Classified[] = [];
  // Flyway reads its locations recursively; the other tools read one directory level (a sub-folder
  // of theirs is another chain, found on its own).
  const nested = layout === 'flyway' || layout === 'diesel' || layout === 'prisma';
  for (const src of srcs) {
    if (!nested && src.rel.includes('/') && !named.has(src.file)) continue;
    const role = classifyPath(src.rel);
    if (layout === 'sql') {
      // Plain files: numbered, dotted and patch ones, any file named on the command line, every
      // .sql when the config says so or the directory was named with no other layout.
      if (!src.rel.endsWith('.sql')) continue;
      if (role?.kind === 'numbered' || role?.kind === 'dotted' || role?.kind === 'patch' || every || named.has(src.file)) {
        classified.push({ src, role: role ?? { kind: 'numbered', version: '', name: '' } });
      }
      continue;
    }
    if (layout === 'sql-migrate') {
      // Any name: the markers make the file (or it is named, or the config says sql-migrate).
      if (!src.rel.endsWith('.sql')) continue;
      const marker = src.text === null ? null : markerLayout(src.text);
      if (marker === 'sql-migrate' || ((opts.framework === 'sql-migrate' || named.has(src.file)) && marker === null)) {
        classified.push({ src, role: role?.kind === 'numbered' ? role : { kind: 'numbered', version: '', name: '' } });
      }
      continue;
    }
    if (!role) continue;
    if ((layout === 'goose' || layout === 'dbmate') && role.kind === 'numbered') {
      // A file with the other tool's markers is not one of these (a directory holds one tool's files).
      const marker = src.text === null ? null : markerLayout(src.text);
      if (marker !== null && marker !== layout) continue;
    }
    classified.push({ src, role });
  }

  const b = new Builder({ parser, dialect: opts.dialect }, layout);
  switch (layout) {
    case 'flyway':
      flyway(b, classified);
      break;
    case 'golang-migrate':
      golangMigrate(b, classified);
      break;
    case 'diesel':
      diesel(b, classified);
      break;
    case 'prisma':
      prisma(b, classified);
      break;
    case 'goose':
    case 'dbmate':
    case 'sql-migrate':
      sectioned(b, classified, layout);
      break;
    case 'sql':
      plain(b, classified);
      break;
  }
  return b.finish();
}

export interface SqlFilesFrontend extends Frontend {
  prepare(): Promise<void>;
  parseSet(inputs: FrontendInput[], dir: string, opts?: FrontendSetOptions): Migration[];
  /** Uses this SQL reader instead of loading the default one (embedders, tests). */
  useParser(parser: SqlParser): void;
}

/** A front end over the given SQL reader (tests pass a fake one). */
export function createSqlFilesFrontend(loadParser: () => Promise<SqlParser>): SqlFilesFrontend {
  let parser: SqlParser | null = null;
  let loading: Promise<void> | null = null;
  const ready = (): SqlParser => {
    if (!parser) throw new Error('sqlFilesFrontend: call and await prepare() before parsing');
    return parser;
  };
  const fe: SqlFilesFrontend = {
    framework: 'sql',
    prepare() {
      if (parser) return Promise.resolve();
      loading ??= loadParser().then((p) => {
        parser ??= p;
      });
      return loading;
    },
    useParser(p) {
      parser = p;
    },
    parseSet(inputs, dir, opts) {
      const dialect = opts?.dialect ?? inputs[0]?.dialect ?? 'postgresql';
      // The reader is asked for only when the directory's SQL is PostgreSQL's (prepare() first).
      const lazy: SqlParser = opts?.sqlReader ?? { toOperations: (text, o) => ready().toOperations(text, o) };
      return readSqlDirectory(lazy, inputs, dir, { ...opts, dialect });
    },
    parse(input) {
      const dir = sqlMigrationDirOf(input.file);
      const found = fe.parseSet([input], dir, { dialect: input.dialect, named: [input.file] });
      return found[0] ?? emptyMigration(input.file, 'sql', input.dialect);
    },
  };
  return fe;
}

export const sqlFilesFrontend: SqlFilesFrontend = createSqlFilesFrontend(async () => {
  const { loadSqlParser } = await import('../sql/index.js');
  return loadSqlParser();
});
