// The TypeScript/JavaScript front end: a directory of knex, TypeORM, node-pg-migrate, Kysely, MikroORM...
// migrations becomes one Migration per file, with identity and order from the file names (every
// one of these runners orders by name or by the timestamp the name starts with), a linear parent
// chain, the runner's transaction context and the operations each framework's calls amount to.
// ts-morph (~330 ms to load) is required only when this module's parseSet meets a file.
import path from 'node:path';
import type { Migration } from '../../model/types.js';
import { emptyMigration } from '../../model/queries.js';
import type { Frontend, FrontendInput, FrontendSetOptions } from '../types.js';
import { commentsOf, decode, detectFramework, isFn, moduleShape, paramNames, Src, syntaxError, TS_FRAMEWORKS, withSource, type ModuleShape, type TsFramework } from './core.js';
import { readKnex } from './knex.js';
import { readTypeorm } from './typeorm.js';
import { readNodePgMigrate } from './node-pg-migrate.js';
import { readKysely } from './kysely.js';
import { readDbMigrate } from './dbmigrate.js';
import { readSequelize } from './sequelize.js';
import { readMikroorm } from './mikroorm.js';

export type Reader = (src: Src, shape: ModuleShape, m: Migration) => void;

const READERS: Partial<Record<TsFramework, Reader>> = {
  knex: readKnex,
  typeorm: readTypeorm,
  'node-pg-migrate': readNodePgMigrate,
  kysely: readKysely,
  'db-migrate': readDbMigrate,
  sequelize: readSequelize,
  'mikro-orm': readMikroorm,
};

/** A TS/JS file the front end reads (not a declaration file). */
export function isTsFile(name: string): boolean {
  return /\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !/\.d\.[mc]?ts$/.test(name);
}

/** A file name that looks like a migration of one of the supported runners (timestamp or sortable prefix). */
export function isTsMigrationName(name: string): boolean {
  return isTsFile(name) && /^(\d|Migration\d)/.test(name);
}

function stem(file: string): string {
  return path.basename(file).replace(/\.(ts|mts|cts|js|mjs|cjs)$/, '');
}

function messageOf(name: string): string | null {
  const m = /^(?:Migration)?[\d_.-]*[-_]?(.*)$/.exec(name);
  const rest = (m?.[1] ?? '').replace(/[-_]+/g, ' ').trim();
  return rest === '' ? null : rest;
}

const POINT = { line: 1, column: 1, endLine: 1, endColumn: 1 };

function readOne(input: FrontendInput, framework: string | undefined, fallback: TsFramework | null, force = false): { m: Migration | null; detected: TsFramework | null } {
  const { text, error } = decode(input.bytes);
  const name = stem(input.file);
  const start = (fw: string) => {
    const m = emptyMigration(input.file, fw, input.dialect);
    m.source = text;
    m.revision = { value: name, loc: { ...POINT } };
    m.parents = { value: [], loc: { ...POINT } };
    m.message = messageOf(name);
    return m;
  };
  if (error) {
    const m = start(framework ?? fallback ?? 'unknown');
    m.parseError = error;
    return { m, detected: null };
  }
  return withSource(input.file, text, (sf, t) => {
    const src = new Src(input.file, text, sf, t);
    const shape = moduleShape(src);
    const detected = detectFramework(src, shape);
    const fw = (framework && (TS_FRAMEWORKS as readonly string[]).includes(framework) ? (framework as TsFramework) : null) ?? detected ?? fallback;
    const hasUp = shape.exports.has('up') || shape.exports.has('down') || shape.classes.some((c) => c.methods.has('up'));
    const parseError = syntaxError(src);
    if (!hasUp && !parseError) return { m: null, detected };
    if (!fw && !parseError && fallback === null && framework === undefined && !force) return { m: null, detected: null };
    const m = start(fw ?? 'unknown');
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
            { loc, conditional: false, repeated: false, transactional: true, batch: false, via: null, callee: `${key}(${paramNames(t, v).join(', ')})`, kind: 'unknown', reason: fw ? `${fw} migrations are not read yet` : `the migration framework could not be recognised; set it in migralint's config, e.g. "directories": { "${path.basename(path.dirname(input.file))}": { "framework": "knex" } } (one of ${TS_FRAMEWORKS.join(', ')})` },
          ],
        };
      }
    }
    return { m, detected };
  });
}

export const tsFrontend: Frontend & { parseSet: NonNullable<Frontend['parseSet']> } = {
  framework: 'ts',
  parse(input: FrontendInput): Migration {
    return readOne(input, undefined, null).m ?? emptyMigration(input.file, 'unknown', input.dialect);
  },
  parseSet(inputs: FrontendInput[], _dir: string, opts?: FrontendSetOptions): Migration[] {
    const files = inputs.filter((i) => isTsFile(i.file)).sort((a, b) => (stem(a.file) < stem(b.file) ? -1 : stem(a.file) > stem(b.file) ? 1 : 0));
    const out: (Migration | null)[] = [];
    const undetected: number[] = [];
    const counts = new Map<TsFramework, number>();
    for (const input of files) {
      const { m, detected } = readOne(input, opts?.framework, null);
      if (detected) counts.set(detected, (counts.get(detected) ?? 0) + 1);
      if (m === null && detected === null) undetected.push(out.length);
      out.push(m);
    }
    // Files whose framework cannot be told alone follow the directory's.
    const common = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
    // Otherwise a file with up/down is still reported (its framework unknown), never skipped silently.
    for (const i of undetected) out[i] = readOne(files[i]!, opts?.framework, common, true).m;
    const migrations = out.filter((m): m is Migration => m !== null);
    let prev: string | null = null;
    for (const m of migrations) {
      m.parents = { value: prev === null ? [] : [prev], loc: { ...m.revision!.loc } };
      prev = m.revision!.value;
    }
    return migrations;
  },
};
