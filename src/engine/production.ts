// What production has, for a lint run: from a snapshot (its tables with their sizes, and the
// migrations its version table records as applied), or from the lock file under
// `--released-from lock` (the migrations it records are released). A migration that is not
// released is pending: the tables it creates are new, and the pending migrations replay on top of
// the snapshot's tables.
// One synchronous read: fs.promises.readFile reads a multi-megabyte snapshot in 512 KB chunks, each
// a trip through the event loop, and loads node:fs/promises (~2 ms) for runs that need nothing else from it.
import { readFileSync } from 'node:fs';
import type { Migration, MigrationSet } from '../model/index.js';
import type { LockState } from '../rule-api/index.js';
import type { RevisionGraph } from '../graph/index.js';
import { openSnapshot, SnapshotFormatError, type LazySnapshot } from '../snapshot/format.js';
import { appliedRevisions } from '../verify/applied.js';
import { Catalog } from './catalog.js';

/** A snapshot file that cannot be read or is not ours (exit 2). */
export class SnapshotReadError extends Error {
  override name = 'SnapshotFormatError';
}

export async function readSnapshotFile(file: string): Promise<LazySnapshot> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new SnapshotReadError(`cannot read the snapshot ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return openSnapshot(bytes, file);
  } catch (err) {
    if (err instanceof SnapshotFormatError) throw new SnapshotReadError(err.message);
    throw err;
  }
}

export interface ChainProduction {
  /** The catalog pending migrations are judged against: production's tables, then the pending migrations before. */
  catalog: Catalog;
  /** true: production has run it; false: pending; null: unknown (the snapshot has no version table for this chain). */
  released(m: Migration): boolean | null;
}

/** For one chain; null when the run knows nothing of production (behaviour as without). */
export function chainProduction(
  set: MigrationSet,
  graph: () => RevisionGraph,
  source: { snapshot: LazySnapshot | null; lock: LockState | null },
): ChainProduction | null {
  const { snapshot, lock } = source;
  if (snapshot) {
    const entry = snapshot.applied.find((a) => a.kind === set.framework) ?? null;
    let applied: Set<string> | null = null;
    if (entry) applied = appliedRevisions(entry, graph());
    return {
      catalog: Catalog.fromSnapshot(snapshot),
      released: (m) => (applied === null ? null : m.revision !== null && applied.has(m.revision.value)),
    };
  }
  if (lock) {
    const files = new Set(lock.entries.map((e) => e.file));
    const revisions = new Set(lock.entries.map((e) => e.revision).filter((r): r is string => r !== null));
    return {
      catalog: new Catalog(),
      released: (m) => files.has(m.file) || (m.revision !== null && revisions.has(m.revision.value)),
    };
  }
  return null;
}

/** `~210M rows, 48 GB`: how a finding shows a table's size. */
export function describeSize(rows: number, bytes: number): string {
  return `~${compact(rows)} row${rows === 1 ? '' : 's'}, ${prettyBytes(bytes)}`;
}

function compact(n: number): string {
  const units: [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, unit] of units) {
    if (n >= size) {
      const v = n / size;
      return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10}${unit}`;
    }
  }
  return String(Math.round(n));
}

/** pg_size_pretty's units (powers of 1024), rounded to a whole number. */
export function prettyBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 10 * 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Math.round(v)} ${units[i]}`;
}
