// `migralint snapshot`: writes what a live database holds (tables, sizes, applied migrations) to a
// file that `lint --snapshot` reads, so lints judge migrations against production offline.
import path from 'node:path';
import { writeFileAtomic } from '../engine/lockfile.js';
import { DatabaseError, openDatabase } from '../verify/drivers.js';
import { VersionTableUsageError } from '../verify/version-table.js';

export const DEFAULT_SNAPSHOT_FILE = 'migralint.snapshot.json';

export class SnapshotUsageError extends Error {
  override name = 'UsageError';
}

export async function runSnapshot(opts: {
  cwd: string;
  databaseUrl: string | undefined;
  /** Where to write; `-` is standard output. */
  output: string | undefined;
  redactNames: boolean;
  versionTable: string | undefined;
  write: (s: string) => void;
}): Promise<number> {
  if (!opts.databaseUrl) throw new SnapshotUsageError('snapshot needs --database-url <postgres://...|pglite:<directory>>');
  const { takeSnapshot } = await import('../snapshot/read.js');
  const { redactSnapshot, renderSnapshot } = await import('../snapshot/format.js');
  let db;
  try {
    db = await openDatabase(opts.databaseUrl, opts.cwd);
  } catch (err) {
    if (err instanceof DatabaseError) return unreadable(err);
    throw err;
  }
  let text: string;
  let count: number;
  try {
    const taken = await takeSnapshot(db, opts.versionTable !== undefined ? { versionTable: opts.versionTable } : {});
    const snapshot = opts.redactNames ? redactSnapshot(taken) : taken;
    text = renderSnapshot(snapshot);
    count = snapshot.tables.length;
  } catch (err) {
    if (err instanceof DatabaseError) return unreadable(err);
    if (err instanceof VersionTableUsageError) throw new SnapshotUsageError(err.message);
    throw err;
  } finally {
    await db.close();
  }
  if (opts.output === '-') {
    opts.write(text);
    return 0;
  }
  const file = path.resolve(opts.cwd, opts.output ?? DEFAULT_SNAPSHOT_FILE);
  await writeFileAtomic(file, text);
  const rel = path.relative(opts.cwd, file) || file;
  opts.write(`Wrote ${rel}: ${count} table${count === 1 ? '' : 's'} from ${db.label}${opts.redactNames ? ' (names redacted)' : ''}.\n`);
  return 0;
}

function unreadable(err: DatabaseError): number {
  process.stderr.write(`migralint: ${err.message}\nmigralint: no snapshot was written.\n`);
  return 2;
}
