// Context on demand: what a directory's reading produced (its chains of migrations, after the run
// context and the embedded SQL were applied), kept in the cache as small "heads" plus one entry
// per migration for the heavy parts. A run whose directory inputs are unchanged gets migrations
// whose identity (file, revision, parents, transaction, source...) is there at once, and whose
// operations, imports and comments are read from the cache only when something asks for them: the
// graph and lock rules never do, the catalog replay and the rules only for the migrations they
// judge or replay. A pre-commit run naming one file of 300 thus reads one full model, or none.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hashOf, valueKey, type Pack } from '../cache/index.js';
import type { Body, Migration, MigrationSet } from '../model/index.js';

/** Full models read back from the cache by a lazy migration (tests count them). */
export const lazyStats = { loaded: 0 };

/**
 * A lazy migration's full model could not be read back (an entry corrupted on disk while its pack
 * still read): the run starts over without the directory states (engine/run.ts).
 */
export class LostEntryError extends Error {
  override name = 'LostEntryError';
}

const modelHashes = new WeakMap<Migration, string>();

/** A hash of the migration as the rules see it (kept for migrations read from a directory state). */
export function modelHash(m: Migration): string {
  let h = modelHashes.get(m);
  if (h === undefined) {
    h = hashOf(valueKey(m));
    modelHashes.set(m, h);
  }
  return h;
}

interface StoredMigration {
  /** The model with its heavy parts replaced by null (key order kept, so JSON output is the same). */
  head: Migration;
  hash: string;
}

interface StoredSet {
  dir: string;
  framework: string;
  dialect: MigrationSet['dialect'];
  migrations: StoredMigration[];
}

export interface DirState {
  sets: StoredSet[];
  /** Files of the directory read but not migrations, with why. */
  skipped: [string, string][];
}

const modelKey = (hash: string) => `model\0${hash}`;

/**
 * What a directory's reading depends on beyond the configuration and its files' contents: the
 * Alembic env.py and alembic.ini that may govern it (applyRunContext looks up to three levels
 * above a chain's directory, and chains may sit one level below the directory), by content.
 */
export function runnerFilesKey(dir: string): string {
  const parts: string[] = [];
  let d = path.join(dir, '_');
  for (let i = 0; i < 6; i++) {
    const parent = path.dirname(d);
    for (const name of ['env.py', 'alembic.ini']) {
      const file = path.join(parent, name);
      try {
        parts.push(`${file} ${hashOf(readFileSync(file))}`);
      } catch {
        // None there (or unreadable: the run reports it when it reads it).
      }
    }
    if (parent === d) break;
    d = parent;
  }
  return hashOf(...parts);
}

/**
 * Stores a directory's sets: the heads in `heads` (read on every run), each migration's heavy parts
 * in `models` under the migration's hash (read only when one is needed).
 */
export function storeDirState(heads: Pack, models: Pack, key: string, sets: readonly MigrationSet[], skipped: [string, string][]): void {
  const stored: StoredSet[] = sets.map((s) => ({
    dir: s.dir,
    framework: s.framework,
    dialect: s.dialect,
    migrations: s.migrations.map((m) => {
      const hash = modelHash(m);
      models.set(modelKey(hash), { imports: m.imports, comments: m.comments, up: m.upgrade.operations, down: m.downgrade.operations });
      return { head: headOf(m), hash };
    }),
  }));
  heads.set(key, { sets: stored, skipped } satisfies DirState);
}

function headOf(m: Migration): Migration {
  const body = (b: Body): Body => ({ ...b, operations: null as never });
  return { ...m, imports: null as never, comments: null as never, upgrade: body(m.upgrade), downgrade: body(m.downgrade) };
}

/**
 * The sets of a stored directory state, with migrations that read their heavy parts on demand from
 * the models pack (opened on the first such read).
 */
export function restoreDirState(models: () => Pack, state: DirState): MigrationSet[] {
  let pack: Pack | null = null;
  const open = () => {
    if (!pack) {
      pack = models();
      // The directory's other models stay in the pack, for later runs.
      pack.keep(state.sets.flatMap((s) => s.migrations.map((m) => modelKey(m.hash))));
    }
    return pack;
  };
  return state.sets.map((s) => ({
    dir: s.dir,
    framework: s.framework,
    dialect: s.dialect,
    migrations: s.migrations.map((sm) => lazyMigration(open, sm)),
  }));
}

function lazyMigration(models: () => Pack, { head, hash }: StoredMigration): Migration {
  const m = head;
  modelHashes.set(m, hash);
  let loaded = false;
  const load = () => {
    if (loaded) return;
    const full = models().get<{ imports: Migration['imports']; comments: Migration['comments']; up: Body['operations']; down: Body['operations'] }>(
      modelKey(hash),
    );
    if (!full) throw new LostEntryError(`the cached model of ${m.file} could not be read back`);
    loaded = true;
    lazyStats.loaded++;
    settle(m, 'imports', full.imports);
    settle(m, 'comments', full.comments);
    settle(m.upgrade, 'operations', full.up);
    settle(m.downgrade, 'operations', full.down);
  };
  // Each heavy field, in its place: a getter that loads them all, and a setter (a replaced value wins).
  const lazy = <T extends object>(obj: T, field: keyof T & string) =>
    Object.defineProperty(obj, field, {
      configurable: true,
      enumerable: true,
      get() {
        load();
        return (obj as Record<string, unknown>)[field];
      },
      set(value: unknown) {
        load();
        settle(obj, field, value);
      },
    });
  lazy(m, 'imports');
  lazy(m, 'comments');
  lazy(m.upgrade, 'operations');
  lazy(m.downgrade, 'operations');
  return m;
}

function settle(obj: object, field: string, value: unknown): void {
  Object.defineProperty(obj, field, { configurable: true, enumerable: true, writable: true, value });
}
