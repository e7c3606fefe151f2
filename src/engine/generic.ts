// The generic Python reader: a module with upgrade()/downgrade() that is not an Alembic revision
// (no `revision`/`down_revision`, and not in an Alembic versions directory) is read by the Alembic
// front end's statement walker like any other .py file, then given its identity here: framework
// `generic-python`, its file name as revision, and the file before it (by name) as parent, as for
// plain SQL files.
import path from 'node:path';
import type { Loc, Migration } from '../model/index.js';
import { isAlembicVersionsDir } from './files.js';

export const GENERIC_PYTHON = 'generic-python';

/** Package markers and helper modules in a versions directory are not migrations. */
export function isMigration(m: Migration): boolean {
  return m.parseError !== null || m.revision !== null || m.parents !== null || m.upgrade.shape !== 'missing' || m.downgrade.shape !== 'missing';
}

export interface PythonRead {
  migrations: Migration[];
  /** Files read that are not migrations, with why. */
  skipped: { file: string; reason: string }[];
}

/**
 * The migrations among the .py files of one directory, in the order given: Alembic revisions as
 * read, modules with upgrade()/downgrade() and no revision variables as generic-python migrations
 * (unless the directory is an Alembic versions directory or the config says `alembic`), and the
 * rest skipped as not migrations.
 */
export function finishPython(dir: string, parsed: readonly Migration[], configured: string | undefined): PythonRead {
  const migrations: Migration[] = [];
  const skipped: PythonRead['skipped'] = [];
  const generic: Migration[] = [];
  const genericDir = configured === GENERIC_PYTHON || (configured === undefined && !isAlembicVersionsDir(dir));
  for (const m of parsed) {
    if (!isMigration(m)) {
      skipped.push({ file: m.file, reason: 'not a migration' });
      continue;
    }
    const unversioned = m.revision === null && m.parents === null && m.parseError === null;
    if (genericDir && (unversioned || configured === GENERIC_PYTHON)) generic.push(m);
    else migrations.push(m);
  }
  if (generic.length > 0) migrations.push(...asGenericChain(dir, generic));
  return { migrations, skipped };
}

const POINT: Loc = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/** Ordered by path within the directory; each one's parent is the one before it. */
function asGenericChain(dir: string, list: Migration[]): Migration[] {
  const sorted = [...list].sort((a, b) => {
    const ra = path.relative(dir, a.file);
    const rb = path.relative(dir, b.file);
    return ra < rb ? -1 : ra > rb ? 1 : 0;
  });
  let previous: string | null = null;
  for (const m of sorted) {
    const id = path.basename(m.file).replace(/\.py$/, '');
    const at = m.upgrade.loc ?? m.downgrade.loc ?? POINT;
    m.framework = GENERIC_PYTHON;
    if (m.revision === null) m.revision = { value: id, loc: { ...at } };
    if (m.parents === null) m.parents = { value: previous === null ? [] : [previous], loc: { ...at } };
    m.transaction = {
      mode: 'per-migration',
      reason: 'unknown runner: migralint assumes each migration runs in a transaction (name the framework in the config to be precise)',
      file: null,
      loc: null,
    };
    previous = m.revision.value;
  }
  return sorted;
}
