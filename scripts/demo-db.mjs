// `npm run demo:verify`, step 1: a local PGlite database that looks like one about to be
// migrated: fixtures/alembic/project applied up to 1a2b3c4d5e11 (alembic_version), one revision
// pending, and a lock file of exactly what it applied (`migralint lock --from-database`).
// Run again, it resets the same directory. Uses the built CLI (npm ci builds it).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, '.cache', 'demo-db');
const lockfile = path.join(root, '.cache', 'demo.lock');
const revision = '1a2b3c4d5e11';

v8.setFlagsFromString('--liftoff-only');
const { PGlite } = await import('@electric-sql/pglite');
mkdirSync(path.dirname(dataDir), { recursive: true });
const db = await PGlite.create(dataDir);
try {
  await db.exec('CREATE TABLE IF NOT EXISTS alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY)');
  await db.exec('DELETE FROM alembic_version');
  await db.query('INSERT INTO alembic_version (version_num) VALUES ($1)', [revision]);
} finally {
  // One process at a time may open a PGlite directory: close it before the CLI opens it.
  await db.close();
}
console.log(`demo-db: ${path.relative(root, dataDir)} at revision ${revision} of fixtures/alembic/project`);

const lock = spawnSync(
  process.execPath,
  [path.join(root, 'bin', 'migralint.js'), 'lock', 'fixtures/alembic/project', '--from-database', 'pglite:./.cache/demo-db', '--lockfile', path.relative(root, lockfile)],
  { cwd: root, stdio: 'inherit' },
);
process.exit(lock.status ?? 1);
