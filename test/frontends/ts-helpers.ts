// Helpers for the TS/JS front-end tests: parse a set of in-memory files as one directory.
import path from 'node:path';
import { tsFrontend } from '../../src/frontends/ts/index.js';
import type { Migration, Operation } from '../../src/model/index.js';

export function parseFiles(files: Record<string, string>, framework?: string, dir = '/project/migrations'): Migration[] {
  const inputs = Object.entries(files).map(([name, text]) => ({
    file: path.join(dir, name),
    bytes: new TextEncoder().encode(text),
    projectRoot: '/project',
    dialect: 'postgresql' as const,
  }));
  return tsFrontend.parseSet(inputs, dir, { framework, dialect: 'postgresql' });
}

export function parseOne(name: string, text: string, framework?: string): Migration {
  const [m] = parseFiles({ [name]: text }, framework);
  if (!m) throw new Error(`${name}: not read as a migration`);
  return m;
}

/** Operations without positions/offsets, for compact comparisons. */
export function kinds(ops: Operation[]): string[] {
  return ops.map((o) => o.kind);
}
