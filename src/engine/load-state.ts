// Context on demand: what a directory's reading produced (its chains of migrations, after the run
// context and the embedded SQL were applied), kept in the cache as small "heads" plus one entry
// per migration for the heavy parts. A run whose directory inputs are unchanged gets migrations
// whose identity (file, revision, parents, transaction, source, comments...) is there at once,
// and whose operations and imports are read from the cache only when something asks for them: the
// graph, lock and waiver rules and inline ignores never do, the catalog replay and the rules only
// for the migrations they judge or replay. A pre-commit run naming one file of 300 thus reads one
// full model, or none.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hashOf, type Pack } from '../cache/index.js';
import { classifyPath } from '../frontends/sqlfiles/layout.js';
import type { Body, Migration, MigrationSet } from '../model/index.js';
import { knownUnknowns, unknownOperations, type UnknownOperation } from './unknown.js';

/** The files whose full models a lazy migration read back from the cache (tests look). */
export const lazyStats = { loaded: [] as string[], reread: [] as string[] };

/**
 * A lazy migration's full model could not be read back (an entry corrupted on disk while its pack
 * still read): the run starts over without the directory states (engine/run.ts).
 */
export class LostEntryError extends Error {
  override name = 'LostEntryError';
}

const modelHashes = new WeakMap<Migration, string>();

/**
 * A hash of the migration as the rules see it (kept for migrations read from a directory state).
 * Of its JSON (typed arrays as their indexed values), not of its structured-clone bytes: those
 * differ between equal models (shared objects, a string's width), which missed the findings and
 * the kept schemas on most runs.
 */
export function modelHash(m: Migration): string {
  let h = modelHashes.get(m);
  if (h === undefined) {
    h = hashOf('model', JSON.stringify(m));
    modelHashes.set(m, h);
  }
  return h;
}

interface StoredMigration {
  /** The model with its heavy parts replaced by null (key order kept, so JSON output is the same). */
  head: Migration;
  hash: string;
  /** The migration's unknown operations (what --format json lists), so that listing them reads no model. */
  unknown: (UnknownOperation & { file: string })[];
  /** How many operations the downgrade has (whether its rules run at all). */
  downs: number;
  /**
   * The hash of the stored bytes of the heavy parts: checked before they are read back, and before
   * a later store relies on them, since bytes damaged on disk may still read as a value.
   */
  sum: string;
  /**
   * The heavy parts are in the heads pack: a migration read afresh in a directory whose other
   * migrations were reused, so that such a run rewrites the small heads pack and not the models.
   */
  near?: boolean;
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

/**
 * The one state a directory's heads pack keeps: the last run's. `key` covers every input, `ctx`
 * every input but the files' contents, `contents` each file's content hash: a run whose inputs
 * differ from the last one's only in some files' contents reuses the other files' migrations.
 */
export interface DirLatest {
  key: string;
  ctx: string;
  contents: [string, string][];
  state: DirState;
}

export const LATEST = 'latest';

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
 * under the migration's hash in `models` (read only when one is needed). After a change to a few
 * files of a directory whose other inputs are as the last state had them (`update`), the few new
 * models go to `heads` instead, and the models pack is neither read nor rewritten.
 */
export function storeDirState(
  heads: Pack,
  models: () => Pack,
  latest: Omit<DirLatest, 'state'>,
  sets: readonly MigrationSet[],
  skipped: [string, string][],
  update: boolean,
  last: DirState | null,
): void {
  // What the last state says the stored entries hold, and where.
  const previous = new Map<string, { sum: string; near: boolean }>();
  for (const s of last?.sets ?? []) for (const m of s.migrations) previous.set(modelKey(m.hash), { sum: m.sum, near: m.near === true });
  // Many new models (a rebase, a reformat) go to the models pack all the same: heads stay small.
  let fresh = 0;
  for (const s of sets) for (const m of s.migrations) if (!restoredSums.has(m) && !previous.has(modelKey(modelHash(m)))) fresh++;
  const near = update && fresh <= MAX_NEAR;
  const sumIn = (pack: Pack, key: string) => {
    const bytes = pack.entries().get(key);
    return bytes ? hashOf(bytes) : '';
  };
  const stored: StoredSet[] = sets.map((s) => ({
    dir: s.dir,
    framework: s.framework,
    dialect: s.dialect,
    migrations: s.migrations.map((m): StoredMigration => {
      const hash = modelHash(m);
      const key = modelKey(hash);
      const unknown = unknownOperations([m]).flatMap((f) => f.operations.map((op) => ({ ...op, file: f.file })));
      const base = { head: headOf(m), hash, unknown, downs: downgradeLength(m) };
      const known = restoredSums.get(m);
      if (known !== undefined) {
        // Stored already; one kept in the heads pack stays there (has() keeps it).
        return nearOf.get(m) === true && heads.has(key) ? { ...base, sum: known, near: true } : { ...base, sum: known };
      }
      // Read again to the same model as the last state's: stored already (the key is the model's
      // hash), in the models pack (left as it is, or kept whole if a lazy read opened it), or in
      // the heads pack if intact.
      const prev = previous.get(key);
      if (prev && !prev.near) {
        if (near) return { ...base, sum: prev.sum };
        const pack = models();
        if (pack.has(key) && sumIn(pack, key) === prev.sum) return { ...base, sum: prev.sum };
      }
      if (prev?.near && near && heads.has(key) && sumIn(heads, key) === prev.sum) return { ...base, sum: prev.sum, near: true };
      const pack = near ? heads : models();
      pack.set(key, { imports: m.imports, up: m.upgrade.operations, down: m.downgrade.operations });
      return { ...base, sum: sumIn(pack, key), ...(near ? { near: true } : {}) };
    }),
  }));
  heads.set(LATEST, { ...latest, state: { sets: stored, skipped } } satisfies DirLatest);
}

const HEAVY = new Set(['imports']);
/** At most this many new models are kept in a directory's heads pack by one run. */
const MAX_NEAR = 16;

/** The model without its heavy parts, built without reading them (a lazy migration stays unread). */
function headOf(m: Migration): Migration {
  const body = (b: Body): Body => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(b)) out[k] = k === 'operations' ? null : (b as unknown as Record<string, unknown>)[k];
    return out as unknown as Body;
  };
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(m)) {
    if (HEAVY.has(k)) {
      out[k] = null;
      continue;
    }
    const v = (m as unknown as Record<string, unknown>)[k];
    out[k] = k === 'upgrade' || k === 'downgrade' ? body(v as Body) : v;
  }
  return out as unknown as Migration;
}

/** Migrations made by restore (their heavy parts in the cache under their hash). */
const restored = new WeakSet<Migration>();
const restoredSums = new WeakMap<Migration, string>();
const downgradeLengths = new WeakMap<Migration, number>();

/** m.downgrade.operations.length, without reading a restored migration's operations. */
export function downgradeLength(m: Migration): number {
  return downgradeLengths.get(m) ?? m.downgrade.operations.length;
}
/** Restored migrations whose heavy parts are in the heads pack. */
const nearOf = new WeakMap<Migration, boolean>();

export function isRestored(m: Migration): boolean {
  return restored.has(m);
}

/**
 * The sets of a stored directory state, with migrations that read their heavy parts on demand from
 * the models pack (opened on the first such read).
 */
export function restoreDirState(heads: Pack, models: () => Pack, state: DirState): MigrationSet[] {
  const open = opener(models, state);
  keepNear(heads, state);
  return state.sets.map((s) => ({
    dir: s.dir,
    framework: s.framework,
    dialect: s.dialect,
    migrations: s.migrations.map((sm) => lazyMigration(sm.near ? () => heads : open, sm)),
  }));
}

/**
 * The migrations of the last state, by file, each to be reused for a file whose content is
 * unchanged; and the files the last state skipped, with why.
 */
export function reusable(
  heads: Pack,
  models: () => Pack,
  state: DirState,
): { migrations: Map<string, () => Migration>; skipped: Map<string, string> } {
  const open = opener(models, state);
  keepNear(heads, state);
  const migrations = new Map<string, () => Migration>();
  for (const s of state.sets) for (const sm of s.migrations) migrations.set(sm.head.file, () => lazyMigration(sm.near ? () => heads : open, sm));
  return { migrations, skipped: new Map(state.skipped) };
}

/** The heads pack is saved before the rules run: the models it holds stay, read or not. */
function keepNear(heads: Pack, state: DirState): void {
  heads.keep(state.sets.flatMap((s) => s.migrations.filter((m) => m.near).map((m) => modelKey(m.hash))));
}

/** Opens the models pack on the first read, keeping the state's models in it for later runs. */
function opener(models: () => Pack, state: DirState): () => Pack {
  let pack: Pack | null = null;
  return () => {
    if (!pack) {
      pack = models();
      pack.keep(state.sets.flatMap((s) => s.migrations.filter((m) => !m.near).map((m) => modelKey(m.hash))));
    }
    return pack;
  };
}

function lazyMigration(models: () => Pack, { head, hash, near, unknown, downs, sum }: StoredMigration): Migration {
  const m = head;
  restoredSums.set(m, sum);
  downgradeLengths.set(m, downs);
  modelHashes.set(m, hash);
  restored.add(m);
  knownUnknowns.set(m, unknown);
  if (near) nearOf.set(m, true);
  let loaded = false;
  const load = () => {
    if (loaded) return;
    const pack = models();
    const bytes = pack.entries().get(modelKey(hash));
    const full = bytes && hashOf(bytes) === sum ? pack.get<{ imports: Migration['imports']; up: Body['operations']; down: Body['operations'] }>(modelKey(hash)) : undefined;
    if (!full) throw new LostEntryError(`the cached model of ${m.file} could not be read back`);
    loaded = true;
    lazyStats.loaded.push(m.file);
    settle(m, 'imports', full.imports);
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
  lazy(m.upgrade, 'operations');
  lazy(m.downgrade, 'operations');
  return m;
}

function settle(obj: object, field: string, value: unknown): void {
  Object.defineProperty(obj, field, { configurable: true, enumerable: true, writable: true, value });
}

/**
 * SQL layouts whose reading of a migration depends on file NAMES across the directory (layout,
 * pairing, order, parents) and on the CONTENTS of that migration's own files only (its up, down,
 * metadata.toml or .sql.conf). Not the sectioned ones (goose, dbmate, sql-migrate: the layout is
 * told by markers in the files) nor the generic reader (which file counts may turn on markers).
 */
const NAME_ONLY_LAYOUTS = new Set(['diesel', 'golang-migrate', 'flyway', 'prisma']);

export interface SqlReusePlan {
  /** The layout the last state read the directory as. */
  framework: string;
  /** The files to read again: every file of each migration one of whose files changed. */
  files: Set<string>;
  /** The last state's migrations, in its order, by own file; `fresh` for those read again. */
  order: { file: string; fresh: boolean; kept: () => Migration; head: Migration }[];
}

/**
 * For a directory of SQL migrations whose file names and other inputs (`ctx`) are as the last
 * state had them and only some files' contents changed: which migrations to read again, the others
 * to keep. Null when the directory must be read whole: another layout, a changed file no migration
 * of the last state claims or whose content may change the layout (a plain numbered name), popx
 * names (their dialect filter spans the directory), or a migration whose version is shared (its
 * down file is paired across migrations).
 */
export function sqlReusePlan(
  dir: string,
  heads: Pack,
  models: () => Pack,
  last: DirLatest,
  contents: readonly [string, string][],
): SqlReusePlan | null {
  const sets = last.state.sets;
  if (sets.length === 0) return null;
  const framework = sets[0]!.framework;
  if (!NAME_ONLY_LAYOUTS.has(framework) || sets.some((s) => s.framework !== framework)) return null;
  if (last.contents.length !== contents.length || last.contents.some(([f], i) => f !== contents[i]![0])) return null;
  const rel = (f: string) => path.relative(dir, f).split(path.sep).join('/');
  for (const [f] of contents) {
    const role = classifyPath(rel(f));
    if (role?.kind === 'updown' && (role.dialect !== null || role.autocommit)) return null;
  }
  const before = new Map(last.contents);
  const changed = contents.filter(([f, h]) => before.get(f) !== h).map(([f]) => f);
  if (changed.length === 0) return null;
  const owner = new Map<string, StoredMigration>();
  const revisions = new Map<string, number>();
  for (const s of sets) {
    for (const sm of s.migrations) {
      for (const f of [sm.head.file, ...sm.head.companions.map((c) => c.file)]) owner.set(f, sm);
      const rev = sm.head.revision?.value ?? '';
      revisions.set(rev, (revisions.get(rev) ?? 0) + 1);
    }
  }
  const touched = new Set<StoredMigration>();
  for (const f of changed) {
    const sm = owner.get(f);
    const role = classifyPath(rel(f));
    if (!sm || !role || role.kind === 'numbered') return null;
    if ((revisions.get(sm.head.revision?.value ?? '') ?? 0) > 1) return null;
    touched.add(sm);
  }
  const files = new Set<string>();
  for (const sm of touched) for (const f of [sm.head.file, ...sm.head.companions.map((c) => c.file)]) files.add(f);
  const { migrations } = reusable(heads, models, last.state);
  const order = sets.flatMap((s) =>
    s.migrations.map((sm) => ({ file: sm.head.file, fresh: touched.has(sm), kept: migrations.get(sm.head.file)!, head: sm.head })),
  );
  return { framework, files, order };
}
