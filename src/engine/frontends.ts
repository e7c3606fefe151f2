// Picks the front end for a file and loads it on first use, so a run over Alembic files never
// pays for the SQL or TypeScript parsers.
import path from 'node:path';
import { emptyMigration } from '../model/index.js';
import type { Migration } from '../model/index.js';
import type { Dialect } from '../model/index.js';
import type { Frontend, FrontendInput, FrontendSetOptions } from '../frontends/types.js';
import { isSqlCandidate, isTsCandidate } from './files.js';
import { hashOf, Pack, valueKey } from '../cache/index.js';
import { readInWorkers, workersFrom } from './sql-workers.js';
import { alembicProjectKey, CachedSqlReader, cacheable, contentHash, inputKey } from './cached-read.js';

const loaded = new Map<string, Promise<Frontend>>();

export function load(framework: string): Promise<Frontend> {
  let p = loaded.get(framework);
  if (!p) {
    switch (framework) {
      case 'alembic':
        p = import('../frontends/alembic/index.js').then((m) => m.alembicFrontend);
        break;
      case 'sql':
        // Raw SQL directories (Flyway, golang-migrate, Diesel, dbmate, goose, Prisma...). Its WASM
        // PostgreSQL reader is loaded by prepare(), only for a directory of PostgreSQL SQL.
        p = import('../frontends/sqlfiles/index.js').then((m) => m.sqlFilesFrontend);
        break;
      case 'ts':
        // TS/JS migrations (knex, TypeORM, node-pg-migrate...): ts-morph is required by this
        // module's first parse, only when a run meets TS/JS migration files.
        p = import('../frontends/ts/index.js').then((m) => m.tsFrontend);
        break;
      default:
        return Promise.reject(new Error(`No front end for framework ${framework}`));
    }
    loaded.set(framework, p);
  }
  return p;
}

export function frameworkOf(file: string): string | null {
  if (file.endsWith('.py')) return 'alembic';
  if (isSqlCandidate(file)) return 'sql';
  return null;
}

/** Files read a directory at a time (by a set-level front end) rather than one by one. */
export function isSetFile(file: string): boolean {
  return isSqlCandidate(file) || isTsCandidate(file);
}

/** Frameworks read by the raw SQL front end (config `directories.<dir>.framework`). */
export const SQL_FRAMEWORKS = new Set(['sql', 'flyway', 'golang-migrate', 'diesel', 'dbmate', 'goose', 'sql-migrate', 'prisma']);

/** A loaded front end by framework name; throws when it was not loaded first. */
export type FrontendGetter = (framework: string) => Frontend;

type SetItem = { input: FrontendInput; error: Error | null };
type SetOptions = {
  framework?: string | undefined;
  dialect: Dialect;
  named?: readonly string[];
  generic?: boolean;
  sqlReader?: FrontendSetOptions['sqlReader'];
};

function ioError(file: string, framework: string, dialect: Dialect, error: Error): Migration {
  const m = emptyMigration(file, framework, dialect);
  m.parseError = { kind: 'io', message: error.message, loc: { line: 1, column: 1, endLine: 1, endColumn: 1 } };
  return m;
}

/**
 * Set MIGRALINT_DEBUG=1 to let what a front end or a rule throws stop the run with its stack
 * (as before the guards below), to debug migralint itself.
 */
export function debugging(): boolean {
  const v = process.env.MIGRALINT_DEBUG;
  return v !== undefined && v !== '' && v !== '0';
}

/** What was thrown, in one line for a finding: input nested too deeply to walk is said as such. */
export function describeFailure(err: unknown): string {
  if (err instanceof RangeError && /call stack/i.test(err.message)) return `it is nested too deeply to read (${err.message})`;
  const what = err instanceof Error ? `${err.name}: ${err.message}`.replace(/\s+/g, ' ') : String(err);
  return `${what}; this is a bug in migralint, please report it`;
}

const LENIENT = new TextDecoder('utf-8', { fatal: false });

/** A file its front end threw on: reported as a parse error of its own, so the run goes on. */
function internalError(input: FrontendInput, framework: string, err: unknown): Migration {
  if (debugging()) throw err;
  const m = emptyMigration(input.file, framework, input.dialect);
  // Input nested deeper than the stack is a limit of the reader, not a bug in it.
  const kind = err instanceof RangeError && /call stack/i.test(err.message) ? 'limit' : 'internal';
  m.parseError = { kind, message: describeFailure(err), loc: { line: 1, column: 1, endLine: 1, endColumn: 1 } };
  // The text as it is, for the code frame and for inline ignores.
  m.source = LENIENT.decode(input.bytes).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  return m;
}

/**
 * A file over the size budget (config `maxFileSize`), reported instead of parsed: parsing cost
 * grows with the file (a 50 MB Alembic file needed 3.5 GB and minutes), and one file must not
 * stall the run or exhaust memory. 0 means no limit.
 */
export function overSizeLimit(input: FrontendInput, limit: number): Migration | null {
  if (limit <= 0 || input.bytes.length <= limit) return null;
  const framework = frameworkOf(input.file) ?? (isTsCandidate(input.file) ? 'ts' : 'sql');
  const m = emptyMigration(input.file, framework, input.dialect);
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  m.parseError = {
    kind: 'limit',
    message: `it is ${mb(input.bytes.length)}, over the ${mb(limit)} limit; set \`maxFileSize\` (megabytes) in the config to read it`,
    loc: { line: 1, column: 1, endLine: 1, endColumn: 1 },
  };
  return m;
}

/** Which set-level front ends a directory's files need (so that they can be loaded first). */
export function setFrontendsFor(items: readonly SetItem[], opts: SetOptions): string[] {
  const out: string[] = [];
  const ts = items.some((i) => isTsCandidate(i.input.file));
  if (ts && !(opts.framework !== undefined && (SQL_FRAMEWORKS.has(opts.framework) || opts.framework === 'alembic'))) out.push('ts');
  if (items.some((i) => !isTsCandidate(i.input.file) && !i.error) && (opts.framework === undefined || SQL_FRAMEWORKS.has(opts.framework))) out.push('sql');
  return out;
}

/**
 * Reads the set files of one directory (.sql and TS/JS files) into migrations, with front ends
 * already loaded: the one implementation behind the async engine and the synchronous ESLint path.
 * A file that could not be read becomes a migration with an io parse error; the others are read.
 */
export function parseSetFilesWith(get: FrontendGetter, dir: string, items: SetItem[], opts: SetOptions): Migration[] {
  // TS/JS files go to the TS front end, .sql files to the SQL one.
  const tsItems = items.filter((i) => isTsCandidate(i.input.file));
  if (tsItems.length > 0) {
    const rest = items.filter((i) => !isTsCandidate(i.input.file));
    const toTs = !(opts.framework !== undefined && (SQL_FRAMEWORKS.has(opts.framework) || opts.framework === 'alembic'));
    const fromTs = toTs ? readWith(get, 'ts', opts.framework ?? 'unknown', dir, tsItems, opts) : [];
    return rest.length > 0 ? [...fromTs, ...parseSetFilesWith(get, dir, rest, opts)] : fromTs;
  }
  // A directory the config gives to another framework (alembic) has no SQL migrations.
  if (opts.framework !== undefined && !SQL_FRAMEWORKS.has(opts.framework)) return [];
  return readWith(get, 'sql', 'sql', dir, items, opts);
}

function readWith(get: FrontendGetter, name: string, framework: string, dir: string, items: SetItem[], opts: SetOptions): Migration[] {
  const out: Migration[] = [];
  const inputs: FrontendInput[] = [];
  for (const { input, error } of items) {
    if (error) out.push(ioError(input.file, framework, input.dialect, error));
    else inputs.push(input);
  }
  if (inputs.length === 0) return out;
  const frontend = get(name);
  const parseSet = frontend.parseSet?.bind(frontend);
  if (!parseSet) return out;
  const setOpts: FrontendSetOptions = { framework: opts.framework, dialect: opts.dialect, named: opts.named, generic: opts.generic };
  if (opts.sqlReader) setOpts.sqlReader = opts.sqlReader;
  try {
    return [...parseSet(inputs, dir, setOpts), ...out];
  } catch (err) {
    if (debugging()) throw err;
    // One file must not cost the others: find the files the front end fails on when read alone,
    // report each of them, and read the rest of the directory together again (pairs, order).
    const failing = new Map<string, unknown>();
    for (const input of inputs) {
      try {
        parseSet([input], dir, setOpts);
      } catch (e) {
        failing.set(input.file, e);
      }
    }
    // Nothing fails alone: the directory as a whole did; every file is reported rather than dropped.
    if (failing.size === 0) for (const input of inputs) failing.set(input.file, err);
    for (const input of inputs) if (failing.has(input.file)) out.push(internalError(input, framework, failing.get(input.file)));
    const rest = inputs.filter((i) => !failing.has(i.file));
    if (rest.length === 0) return out;
    try {
      return [...parseSet(rest, dir, setOpts), ...out];
    } catch (e) {
      return [...rest.map((i) => internalError(i, framework, e)), ...out];
    }
  }
}

/** One file through its per-file front end (Alembic), which must be loaded already. */
export function parseFileWith(get: FrontendGetter, input: FrontendInput, readError: Error | null): Migration | null {
  const framework = frameworkOf(input.file);
  if (!framework) return null;
  if (readError) return ioError(input.file, framework, input.dialect, readError);
  const frontend = get(framework);
  try {
    return frontend.parse(input);
  } catch (err) {
    return internalError(input, framework, err);
  }
}

const ready = new Map<string, Frontend>();
const loadedFrontend: FrontendGetter = (framework) => {
  const f = ready.get(framework);
  if (!f) throw new Error(`migralint: the ${framework} front end is not loaded`);
  return f;
};

async function ensure(names: readonly string[]): Promise<void> {
  for (const name of names) if (!ready.has(name)) ready.set(name, await load(name));
}

export async function parseSetFiles(dir: string, items: SetItem[], opts: SetOptions, pack: Pack | null = null): Promise<Migration[]> {
  // A directory with an unreadable file is read afresh each time (the error is this run's).
  if (pack && !items.some((i) => i.error)) return parseSetFilesCached(dir, items, opts, pack);
  // Without a cache, a big directory still goes through one in memory, for the worker threads.
  if (!pack && items.length * 2 >= workersFrom() && !items.some((i) => i.error)) {
    return parseSetFilesCached(dir, items, opts, new Pack('', new Map(), { hits: 0, findingHits: 0, misses: 0, packsRead: 0, packsWritten: 0 }));
  }
  const names = setFrontendsFor(items, opts);
  await ensure(names);
  // SQL of another dialect is never read by PostgreSQL's parser: a MySQL-only run does not load it.
  if (names.includes('sql') && (opts.dialect === 'postgresql' || opts.dialect === 'unknown')) await ready.get('sql')!.prepare?.();
  return parseSetFilesWith(loadedFrontend, dir, items, opts);
}

/**
 * A directory of set files through the cache: the whole directory when no input changed, else
 * read again with every SQL text already parsed taken from the cache (see cached-read.ts).
 */
async function parseSetFilesCached(dir: string, items: SetItem[], opts: SetOptions, pack: Pack): Promise<Migration[]> {
  const { sqlReader: _r, ...keyed } = opts;
  const key = hashOf('set', dir, valueKey({ opts: keyed, inputs: items.map((i) => inputKey(i.input)) }));
  // The content hashes of the directory's files whose SQL the pack holds (from the last read).
  const knownKey = hashOf('contents', dir, opts.framework ?? '', opts.dialect);
  const hit = pack.get<{ migrations: Migration[]; sql: string[] }>(key);
  if (hit) {
    // The directory's parsed SQL texts stay in the pack for the day one of its files changes.
    pack.keep([...hit.sql, knownKey]);
    return hit.migrations;
  }
  const names = setFrontendsFor(items, opts);
  await ensure(names);
  const reader = new CachedSqlReader(pack);
  const hashes = items.map((i) => contentHash(i.input.bytes));
  const known = new Set(pack.get<string[]>(knownKey) ?? []);
  const postgres = names.includes('sql') && (opts.dialect === 'postgresql' || opts.dialect === 'unknown');
  // A file new to the cache needs PostgreSQL's reader: load it now rather than read the
  // directory twice. Otherwise (another file named, a file removed) the cache answers everything.
  const loadReal = async () => {
    const { loadSqlParser } = await import('../frontends/sql/index.js');
    reader.connect(await loadSqlParser());
  };
  const unknown = hashes.filter((h) => !known.has(h)).length;
  if (postgres && unknown > 0 && unknown * 2 >= workersFrom()) {
    // Many new files: a probe pass collects the texts to read, worker threads read them, and the
    // pass below finds every one in the cache.
    reader.collect = true;
    parseSetFilesWith(loadedFrontend, dir, items, { ...opts, sqlReader: reader });
    reader.collect = false;
    const requests = [...reader.requests];
    reader.restart();
    if (requests.length >= workersFrom()) {
      const { loadSqlParser } = await import('../frontends/sql/index.js');
      reader.fill(requests, await readInWorkers(requests, loadSqlParser));
    }
    await loadReal();
  } else if (postgres && unknown > 0) await loadReal();
  let out = parseSetFilesWith(loadedFrontend, dir, items, { ...opts, sqlReader: reader });
  if (reader.missed) {
    // Some SQL text is new after all: read the directory again with the reader behind the cache.
    await loadReal();
    reader.restart();
    out = parseSetFilesWith(loadedFrontend, dir, items, { ...opts, sqlReader: reader });
  }
  if (cacheable(out)) {
    pack.set(key, { migrations: out, sql: reader.keys() });
    pack.set(knownKey, hashes);
  }
  return out;
}

export async function parseFile(input: FrontendInput, readError: Error | null, pack: Pack | null = null): Promise<Migration | null> {
  const framework = frameworkOf(input.file);
  let key: string | null = null;
  if (pack && framework && !readError) {
    const project = framework === 'alembic' ? alembicProjectKey(input.projectRoot) : '';
    key = hashOf('file', framework, project, valueKey(inputKey(input)));
    const hit = pack.get<Migration>(key);
    if (hit) return hit;
  }
  if (framework && !readError) {
    await ensure([framework]);
    if (input.dialect === 'postgresql' || input.dialect === 'unknown') await ready.get(framework)!.prepare?.();
  }
  const m = parseFileWith(loadedFrontend, input, readError);
  if (key && m && cacheable([m])) pack!.set(key, m);
  return m;
}

/** The framework the config names for a directory: the longest `directories` entry containing it. */
export function frameworkForDir(directories: readonly { path: string; framework?: string | undefined }[], dir: string): string | undefined {
  let best: { path: string; framework?: string | undefined } | null = null;
  for (const d of directories) {
    if (!d.framework) continue;
    const inside = dir === d.path || dir.startsWith(d.path.endsWith(path.sep) ? d.path : d.path + path.sep);
    if (inside && (!best || d.path.length > best.path.length)) best = d;
  }
  return best?.framework;
}
