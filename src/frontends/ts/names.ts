// Which TS/JS files are migrations, by name. Shared by the engine's file selection and the TS front
// end, and free of imports so that choosing files never loads a parser.
import path from 'node:path';

/** A TS/JS source file (not a declaration file). */
export function isTsFile(name: string): boolean {
  return /\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !/\.d\.[mc]?ts$/.test(name);
}

/**
 * A TS/JS file named like a migration: a timestamp, version or sortable prefix
 * (`20240101120000_x.ts`, `001_x.js`, logto's `1.0.0-1678259660-add-foo.ts`), MikroORM's
 * `Migration20240101120000.ts`, or a word before a Unix timestamp (logto's unreleased
 * `next-1690000000-bar.ts`).
 */
export function isTsMigrationName(file: string): boolean {
  const name = path.basename(file);
  return isTsFile(name) && (/^(\d|Migration\d)/.test(name) || /^[A-Za-z]+[-_]\d{10,}(?:\.\d+)?[-_.]/.test(name));
}
