// `migralint verify` (the pre-deploy checklist) and `migralint lock --from-database` (lock
// exactly what a database has applied). The database drivers are loaded only here.
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import { lockEntryFor, readLock, renderLock, writeFileAtomic } from '../engine/lockfile.js';
import { DatabaseError, openDatabase, type Database } from '../verify/drivers.js';
import { loadChain, readState, verify, VerifyUsageError } from '../verify/checklist.js';
import { render, VERIFY_FORMATS, type VerifyFormat } from '../verify/render.js';

/** `--attest key=value`, repeatable. Known keys only, so a typo cannot pass for an attestation. */
export function parseAttestations(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq > 0 ? v.slice(0, eq).trim() : '';
    const value = eq > 0 ? v.slice(eq + 1).trim() : '';
    if (key !== 'backup' || value === '') {
      throw new VerifyUsageError(`--attest takes backup=<reference> (a snapshot id, a dump file, a ticket); got "${v}"`);
    }
    out[key] = value;
  }
  return out;
}

function formatOf(format: string | undefined): VerifyFormat {
  if (format === undefined || format === 'stylish' || format === 'text') return 'text';
  if ((VERIFY_FORMATS as readonly string[]).includes(format)) return format as VerifyFormat;
  throw new VerifyUsageError(`verify: unknown format "${format}"; expected one of ${VERIFY_FORMATS.join(', ')}`);
}

/** Opens the database, runs `fn`, closes it; a database that cannot be reached or read exits 2 with the reason. */
async function withDatabase(url: string | undefined, cwd: string, command: string, fn: (db: Database) => Promise<number>): Promise<number> {
  if (!url) throw new VerifyUsageError(`${command} needs --database-url <postgres://...|pglite:<directory>>`);
  let db: Database;
  try {
    db = await openDatabase(url, cwd);
  } catch (err) {
    if (err instanceof DatabaseError) return unreachable(err, command);
    throw err;
  }
  try {
    return await fn(db);
  } catch (err) {
    if (err instanceof DatabaseError) return unreachable(err, command);
    throw err;
  } finally {
    await db.close();
  }
}

function unreachable(err: DatabaseError, command: string): number {
  const nothing = command === 'verify' ? 'nothing was verified' : 'nothing was locked (the lock file is unchanged)';
  process.stderr.write(`migralint: ${err.message}\nmigralint: ${nothing}.\n`);
  return 2;
}

export async function runVerify(opts: {
  cwd: string;
  paths: string[];
  config: ResolvedConfig;
  lockfile: string | null;
  format: string | undefined;
  databaseUrl: string | undefined;
  policy: string | undefined;
  attest: string[];
  versionTable: string | undefined;
  cache?: import('../cache/index.js').ResultCache | null;
  write: (s: string) => void;
}): Promise<number> {
  const format = formatOf(opts.format);
  const attest = parseAttestations(opts.attest);
  return withDatabase(opts.databaseUrl, opts.cwd, 'verify', async (db) => {
    const checklist = await verify({
      cwd: opts.cwd,
      paths: opts.paths,
      config: opts.config,
      lockfile: opts.lockfile,
      db,
      attest,
      ...(opts.policy !== undefined ? { policy: opts.policy } : {}),
      ...(opts.versionTable !== undefined ? { versionTable: opts.versionTable } : {}),
      cache: opts.cache ?? null,
    });
    opts.write(render(checklist, format));
    return checklist.ok ? 0 : 1;
  });
}

/**
 * `migralint lock --from-database URL`: the lock records exactly the migrations the database has
 * applied (from the root to its current revision(s)), not every file, so the lock says what ran.
 * Entries of other directories are kept.
 */
export async function runLockFromDatabase(opts: {
  cwd: string;
  paths: string[];
  config: ResolvedConfig;
  lockfile: string;
  databaseUrl: string;
  versionTable: string | undefined;
  write: (s: string) => void;
}): Promise<number> {
  const chain = await loadChain(opts);
  return withDatabase(opts.databaseUrl, opts.cwd, 'lock --from-database', async (db) => {
    const { spec, state, applied } = await readState(db, chain, opts.versionTable);
    if (applied.unknown.length > 0) {
      process.stderr.write(
        `migralint: Can't locate revision ${applied.unknown.map((u) => `'${u}'`).join(', ')} recorded in ${spec.table}: ` +
          'the database ran migrations this checkout does not have; nothing was locked.\n',
      );
      return 1;
    }
    const fresh = applied.migrations.flatMap((m) => [
      lockEntryFor(opts.lockfile, { file: m.file, revision: m.revision?.value ?? null, source: m.source }),
      ...m.companions.map((c) => lockEntryFor(opts.lockfile, { file: c.file, revision: m.revision?.value ?? null, source: c.source })),
    ]);
    const dir = chain.dir + path.sep;
    const previous = await readLock(opts.lockfile);
    const kept = (previous?.entries ?? []).filter((e) => !e.file.startsWith(dir));
    await writeFileAtomic(opts.lockfile, renderLock([...fresh, ...kept]));
    const rel = path.relative(opts.cwd, opts.lockfile) || opts.lockfile;
    const n = applied.migrations.length;
    const where = !state.exists
      ? ` (no ${spec.table} table: nothing applied)`
      : applied.current.length > 0
        ? ` (applied up to ${applied.current.join(', ')})`
        : ` (${spec.table} is empty: nothing applied)`;
    const note = kept.length > 0 ? `; kept ${kept.length} entr${kept.length === 1 ? 'y' : 'ies'} of other directories` : '';
    opts.write(`Locked ${n} applied migration${n === 1 ? '' : 's'} in ${rel}${where}${note}.\n`);
    return 0;
  });
}
