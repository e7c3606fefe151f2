// The real clients some tests run (Debian's python3-alembic and pre-commit, installed by .ci/run).
// Missing on a developer's machine, such a test is skipped with a printed reason; under CI it
// fails, because .ci/run installs them and a silent skip would hide a broken install.
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

export function hasAlembic(): boolean {
  return spawnSync(PYTHON, ['-c', 'import alembic, sqlalchemy'], { encoding: 'utf8' }).status === 0;
}

export function hasPsycopg2(): boolean {
  return spawnSync(PYTHON, ['-c', 'import psycopg2'], { encoding: 'utf8' }).status === 0;
}

export function hasPreCommit(): boolean {
  return spawnSync('pre-commit', ['--version'], { encoding: 'utf8' }).status === 0;
}

function inCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

/**
 * True when the tool is there. Otherwise throws under CI, and elsewhere prints why the tests
 * that need it are skipped and returns false.
 */
export function requireClient(present: boolean, what: string, debianPackage: string, tests: string): boolean {
  if (present) return true;
  const why = `${what} is not installed (Debian package ${debianPackage}; .ci/run installs it)`;
  if (inCI()) throw new Error(`${why}: CI=${process.env.CI}, so ${tests} cannot be skipped`);
  console.log(`\nSKIPPED ${tests}: ${why}.`);
  return false;
}
