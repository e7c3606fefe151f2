// The TypeScript/JavaScript front end: a directory of knex, TypeORM, node-pg-migrate, Kysely, MikroORM...
// migrations becomes one Migration per file, with identity and order from the file names (every
// one of these runners orders by name or by the timestamp the name starts with), a linear parent
// chain, the runner's transaction context and the operations each framework's calls amount to.
// ts-morph (~330 ms to load) is required only when this module's parseSet meets a file.
import path from 'node:path';
import type { Migration, ParseError } from '../../model/types.js';
import { emptyMigration } from '../../model/queries.js';
import type { Frontend, FrontendInput, FrontendSetOptions } from '../types.js';
import { BudgetExceeded, commentsOf, decode, detectFramework, isFn, moduleShape, paramNames, Src, syntaxError, TS_FRAMEWORKS, withBudget, withSource, type ModuleShape, type TsFramework } from './core.js';
import { genericReadable, readGeneric } from './generic.js';
import { isTsFile, isTsMigrationName } from './names.js';
import { readKnex } from './knex.js';
import { readTypeorm } from './typeorm.js';
import { readNodePgMigrate } from './node-pg-migrate.js';
import { readKysely } from './kysely.js';
import { readDbMigrate } from './dbmigrate.js';
import { readSequelize } from './sequelize.js';
import { readMikroorm } from './mikroorm.js';

export type Reader = (src: Src, shape: ModuleShape, m: Migration) => void;

const READERS: Partial<Record<string, Reader>> = {
  knex: readKnex,
  typeorm: readTypeorm,
  'node-pg-migrate': readNodePgMigrate,
  kysely: readKysely,
  'db-migrate': readDbMigrate,
  sequelize: readSequelize,
  'mikro-orm': readMikroorm,
  generic: readGeneric,
};

export { isTsFile, isTsMigrationName };

function stem(file: string): string {
  return path.basename(file).replace(/\.(ts|mts|cts|js|mjs|cjs)$/, '');
}

function messageOf(name: string): string | null {
  const m = /^(?:Migration)?[\d_.-]*[-_]?(.*)$/.exec(name);
  const rest = (m?.[1] ?? '').replace(/[-_]+/g, ' ').trim();
  return rest === '' ? null : rest;
}

const POINT = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/**
 * What one TS/JS file may cost. The TypeScript parser holds several times the file's size in
 * memory, and a file far beyond any real migration is more likely generated or hostile; past
 * either bound the file gets a parse-error finding instead of stalling the run.
 */
export const TS_READ_BUDGET = { bytes: 8 * 1024 * 1024, ms: 10_000 };

/** Frameworks a `directories` entry may give a TS/JS directory. */
const CONFIGURABLE: readonly string[] = [...TS_FRAMEWORKS, 'generic'];

interface ReadOptions {
  /** The directory's framework from the config. */
  framework: string | undefined;
  /** Read with this framework when the file's own cannot be told. */
  fallback: string | null;
  /** Return a migration (framework unknown if need be) for a file with up/down the readers cannot place. */
  force: boolean;
  /** Return a migration for a file without up/down too: it sits in a migration directory. */
  upless: boolean;
}

interface ReadResult {
  m: Migration | null;
  /** The framework told from the file alone (imports, parameter names). */
  detected: TsFramework | null;
  /** The generic reader finds SQL in its up/down. */
  generic: boolean;
  /** The module exports no up/down (and has no syntax error). */
  upless: boolean;
}

function limitError(message: string, loc = POINT): ParseError {
  return { kind: 'limit', message, loc: { ...loc } };
}

/** Where brackets first nest deeper than `max`, to point a stack overflow at its cause (line 1 otherwise). */
function deepPoint(text: string, max = 256): { line: number; column: number; endLine: number; endColumn: number } {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = i + 1;
    } else if (c === '(' || c === '[' || c === '{') {
      if (++depth > max) return { line, column: i - lineStart + 1, endLine: line, endColumn: i - lineStart + 2 };
    } else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
  }
  return POINT;
}

function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

function readOne(input: FrontendInput, opts: ReadOptions): ReadResult {
  const none = { detected: null, generic: false, upless: false };
  const name = stem(input.file);
  const configured = opts.framework !== undefined && CONFIGURABLE.includes(opts.framework) ? opts.framework : null;
  const start = (fw: string, text: string) => {
    const m = emptyMigration(input.file, fw, input.dialect);
    m.source = text;
    m.revision = { value: name, loc: { ...POINT } };
    m.parents = { value: [], loc: { ...POINT } };
    m.message = messageOf(name);
    return m;
  };
  const failed = (text: string, error: ParseError): ReadResult => {
    const m = start(configured ?? opts.fallback ?? 'unknown', text);
    m.parseError = error;
    return { m, ...none };
  };
  if (input.bytes.length > TS_READ_BUDGET.bytes) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    return failed('', limitError(`it is ${mb(input.bytes.length)}, over the ${mb(TS_READ_BUDGET.bytes)} read of a TS/JS migration`));
  }
  const { text, error } = decode(input.bytes);
  if (error) return failed(text, error);
  try {
    return withBudget(TS_READ_BUDGET.ms, () => withSource(input.file, text, (sf, t) => read(new Src(input.file, text, sf, t))));
  } catch (err) {
    if (isStackOverflow(err)) return failed(text, limitError('it nests expressions deeper than the TypeScript parser can follow (the call stack ran out)', deepPoint(text)));
    if (err instanceof BudgetExceeded) return failed(text, limitError(`reading it took longer than ${TS_READ_BUDGET.ms / 1000} s`));
    throw err;
  }

  function read(src: Src): ReadResult {
    const t = src.t;
    const shape = moduleShape(src);
    const detected = detectFramework(src, shape);
    const hasUp = HOOKS.some((k) => shape.exports.has(k)) || shape.classes.some((c) => c.methods.has('up'));
    const parseError = syntaxError(src);
    if (!hasUp && !parseError) {
      if (!opts.upless) return { m: null, detected, generic: false, upless: true };
      // A file among migrations that exports nothing for the runner to run: reported like an empty
      // .sql file (empty-migration), its upgrade missing.
      const m = start(configured ?? opts.fallback ?? detected ?? 'unknown', src.text);
      m.imports = shape.imports;
      m.comments = commentsOf(src);
      return { m, detected, generic: false, upless: true };
    }
    const generic = configured === null && detected === null && hasUp && genericReadable(src, shape);
    const fw = configured ?? detected ?? opts.fallback ?? (opts.force && generic ? 'generic' : null);
    if (!fw && !parseError && !opts.force) return { m: null, detected, generic, upless: false };
    const m = start(fw ?? 'unknown', src.text);
    m.parseError = parseError;
    m.imports = shape.imports;
    m.comments = commentsOf(src);
    const reader = fw ? READERS[fw] : undefined;
    if (reader) reader(src, shape, m);
    else {
      // A framework migralint does not read yet: the bodies' shapes, and one unknown op each.
      for (const key of ['up', 'down'] as const) {
        const v = shape.exports.get(key)?.value ?? shape.classes.find((c) => c.methods.has(key))?.methods.get(key);
        if (!v || !isFn(t, v)) continue;
        const body = key === 'up' ? 'upgrade' : 'downgrade';
        const loc = src.loc(v);
        m[body] = {
          shape: 'operations',
          loc,
          operations: [
            { loc, conditional: false, repeated: false, transactional: true, batch: false, via: null, callee: `${key}(${paramNames(t, v).join(', ')})`, kind: 'unknown', reason: fw ? `${fw} migrations are not read yet` : `the migration framework could not be recognised, and no SQL passed to a client call (query, execute, none, exec...) was found; set it in migralint's config, e.g. "directories": { "${path.basename(path.dirname(input.file))}": { "framework": "knex" } } (one of ${CONFIGURABLE.join(', ')})` },
          ],
        };
      }
    }
    return { m, detected, generic, upless: false };
  }
}

/** Exports that make a module a migration. */
const HOOKS = ['up', 'down', 'beforeUp', 'beforeDown'] as const;

/** A directory whose name says it holds migrations (knex's `migrations`, logto's `alterations`). */
function namedLikeMigrations(dir: string): boolean {
  return /migrat|alteration/i.test(path.basename(dir));
}

export const tsFrontend: Frontend & { parseSet: NonNullable<Frontend['parseSet']> } = {
  framework: 'ts',
  parse(input: FrontendInput): Migration {
    return readOne(input, { framework: undefined, fallback: null, force: true, upless: true }).m ?? emptyMigration(input.file, 'unknown', input.dialect);
  },
  parseSet(inputs: FrontendInput[], dir: string, opts?: FrontendSetOptions): Migration[] {
    const files = inputs.filter((i) => isTsFile(i.file)).sort((a, b) => (stem(a.file) < stem(b.file) ? -1 : stem(a.file) > stem(b.file) ? 1 : 0));
    const framework = opts?.framework;
    const results = files.map((input) => readOne(input, { framework, fallback: null, force: false, upless: false }));
    const counts = new Map<TsFramework, number>();
    for (const r of results) if (r.detected && !r.upless) counts.set(r.detected, (counts.get(r.detected) ?? 0) + 1);
    // Files whose framework cannot be told alone follow the directory's; else the generic reader
    // takes them when it finds SQL in them or in their neighbours.
    const common = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
    const anyGeneric = results.some((r) => r.generic);
    // A file without up/down is reported when it sits among migrations (never skipped silently), not
    // in a directory that merely holds timestamp-named scripts.
    const migrationsHere = framework !== undefined || namedLikeMigrations(dir) || results.some((r) => !r.upless);
    const named = new Set(opts?.named ?? []);
    const out = results.map((r, i) => {
      if (r.m) return r.m;
      const input = files[i]!;
      if (r.upless) {
        // A runner loads its directory's own files: a helper module in a sub-folder (logto's
        // alterations/utils/1704934999-tables.ts) is no migration.
        if (!named.has(input.file) && !(migrationsHere && isTsMigrationName(input.file) && path.dirname(input.file) === dir)) return null;
        return readOne(input, { framework, fallback: common, force: true, upless: true }).m;
      }
      // Otherwise a file with up/down is still reported (its framework unknown), never skipped silently.
      return readOne(input, { framework, fallback: common ?? (r.generic || anyGeneric ? 'generic' : null), force: true, upless: false }).m;
    });
    const migrations = out.filter((m): m is Migration => m !== null);
    let prev: string | null = null;
    for (const m of migrations) {
      m.parents = { value: prev === null ? [] : [prev], loc: { ...m.revision!.loc } };
      prev = m.revision!.value;
    }
    return migrations;
  },
};
