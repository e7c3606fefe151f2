// `migralint lock`: record the checksum of every migration in the selected directories.
// Entries for directories that were not selected are kept as they were.
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import { LintUsageError, loadMigrations } from '../engine/run.js';
import { lockEntryFor, readLock, renderLock, writeFileAtomic } from '../engine/lockfile.js';

export async function runLock(opts: {
  cwd: string;
  paths: string[];
  config: ResolvedConfig;
  lockfile: string;
  write: (s: string) => void;
}): Promise<number> {
  const { sets, missing } = await loadMigrations({ cwd: opts.cwd, paths: opts.paths, config: opts.config });
  if (missing.length > 0) throw new LintUsageError(`no such file or directory: ${missing.join(', ')}`);
  // Companion files (a .down.sql, a metadata.toml) are released with their migration: lock them too.
  const fresh = sets.flatMap((s) =>
    s.migrations.flatMap((m) => [
      lockEntryFor(opts.lockfile, { file: m.file, revision: m.revision?.value ?? null, source: m.source }),
      ...m.companions.map((c) => lockEntryFor(opts.lockfile, { file: c.file, revision: m.revision?.value ?? null, source: c.source })),
    ]),
  );
  const selected = sets.map((s) => s.dir + path.sep);
  const previous = await readLock(opts.lockfile);
  const kept = (previous?.entries ?? []).filter((e) => !selected.some((d) => e.file.startsWith(d)));
  await writeFileAtomic(opts.lockfile, renderLock([...fresh, ...kept]));
  const rel = path.relative(opts.cwd, opts.lockfile) || opts.lockfile;
  const note = kept.length > 0 ? ` (kept ${kept.length} from other directories)` : '';
  opts.write(`Locked ${fresh.length} migration${fresh.length === 1 ? '' : 's'} in ${rel}${note}.\n`);
  return 0;
}
