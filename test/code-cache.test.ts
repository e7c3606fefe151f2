// The V8 code cache of the command line (src/code-cache.ts): it only ever saves compile time. The
// built bin/migralint.js runs each project with the cache off, cold (written by that run), warm
// (read) and corrupted, and every run must print the same bytes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheDir, decodeCodeCache, encodeCodeCache, RUNTIME_V8_FLAGS } from '../src/code-cache.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'migralint.js');
const fixtures = path.join(root, 'fixtures');

function cli(args: string[], cache: string, cwd = root) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', MIGRALINT_CODE_CACHE: cache };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  // A timeout: data V8 trusts but should not could loop or crash instead of failing an assertion.
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env, timeout: 120_000 });
  return `exit ${r.status}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}

/** The one cache file in `dir`, with its inode (a rewrite replaces the file by rename). */
function cacheFile(dir: string): { file: string; ino: number } {
  const names = readdirSync(dir).filter((n) => n.endsWith('.bin'));
  assert.is(names.length, 1, `one cache file in ${dir}: ${names.join(', ')}`);
  const file = path.join(dir, names[0]!);
  return { file, ino: statSync(file).ino };
}

// Each front end (Alembic; raw SQL, which loads the WASM parser; TS/JS, which loads ts-morph),
// a config file (cosmiconfig and the config validator), and commands that print rule docs.
const runs: { name: string; args: string[] }[] = [
  { name: 'Alembic project', args: ['lint', '--no-cache', '--format', 'json', path.join(fixtures, 'alembic', 'project')] },
  { name: 'SQL project', args: ['lint', '--no-cache', '--format', 'json', path.join(fixtures, 'sql', 'authelia-style')] },
  { name: 'SQL with a config file', args: ['lint', '--no-cache', '-c', path.join(fixtures, 'sql', 'prefer-types', 'migralint.config.json'), path.join(fixtures, 'sql', 'prefer-types')] },
  { name: 'knex project', args: ['lint', '--no-cache', '--format', 'sarif', path.join(fixtures, 'knex', readdirSync(path.join(fixtures, 'knex')).sort()[0]!)] },
  { name: 'explain', args: ['explain', 'add-not-null-column'] },
];

for (const run of runs) {
  test(`${run.name}: the same output with the code cache off, cold, warm and corrupted`, () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-code-cache-'));
    try {
      const off = cli(run.args, 'off');
      // A real run (0: no errors, 1: findings), not a usage error that every mode would print alike.
      assert.match(off, /^exit [01]\n/, off);
      assert.ok(!off.includes('internal error'), off);
      assert.equal(readdirSync(dir), [], 'nothing written yet');

      assert.fixture(cli(run.args, dir), off, 'cold');
      const written = cacheFile(dir);
      const decoded = decodeCodeCache(readFileSync(written.file));
      assert.ok(decoded && decoded.used.length > 0 && decoded.data.length > 1000, 'the cold run wrote a cache of the modules it ran');

      assert.fixture(cli(run.args, dir), off, 'warm');
      assert.is(cacheFile(dir).ino, written.ino, 'the warm run accepted the cache and left it alone');

      // Bytes changed inside V8's data (which V8 itself would run, or crash on): the checksum
      // rejects it, the run compiles afresh and rewrites it.
      const bytes = readFileSync(written.file);
      bytes.fill(0xa5, bytes.length - 4000, bytes.length - 3000);
      writeFileSync(written.file, bytes);
      assert.fixture(cli(run.args, dir), off, 'corrupted');
      const rewritten = cacheFile(dir);
      assert.is.not(rewritten.ino, written.ino, 'the corrupted cache was rewritten');
      assert.fixture(cli(run.args, dir), off, 'warm again');
      assert.is(cacheFile(dir).ino, rewritten.ino);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a file that is not a code cache (garbage, truncated, empty) is ignored and replaced', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-code-cache-'));
  try {
    const args = runs[0]!.args;
    const off = cli(args, 'off');
    cli(args, dir);
    const { file } = cacheFile(dir);
    const good = readFileSync(file);
    for (const bad of [Buffer.from('not a cache at all'), good.subarray(0, 40), good.subarray(0, good.length - 100), Buffer.alloc(0)]) {
      writeFileSync(file, bad);
      assert.fixture(cli(args, dir), off);
      assert.ok(decodeCodeCache(readFileSync(file)), 'replaced by a valid cache');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run that uses modules the cache lacks rewrites it with the union; a covered run does not', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-code-cache-'));
  try {
    cli(['--version'], dir);
    const small = decodeCodeCache(readFileSync(cacheFile(dir).file))!;
    cli(runs[0]!.args, dir);
    const alembic = decodeCodeCache(readFileSync(cacheFile(dir).file))!;
    assert.ok(small.used.every((u) => alembic.used.includes(u)));
    assert.ok(alembic.used.length > small.used.length);
    assert.ok(alembic.used.some((u) => u.startsWith('src/frontends/alembic/')), alembic.used.join(' '));
    cli(runs[1]!.args, dir);
    const both = decodeCodeCache(readFileSync(cacheFile(dir).file))!;
    assert.ok(alembic.used.every((u) => both.used.includes(u)), 'the SQL run kept what the Alembic run had');
    assert.ok(both.used.some((u) => u.startsWith('src/frontends/sql/')), both.used.join(' '));
    const { ino } = cacheFile(dir);
    cli(runs[0]!.args, dir);
    cli(runs[1]!.args, dir);
    assert.is(cacheFile(dir).ino, ino, 'covered runs leave the cache alone (the SQL run set --liftoff-only and still matched)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the cache file format round-trips and rejects what is not one', () => {
  const data = Buffer.from([1, 2, 3, 4, 5]);
  const bytes = encodeCodeCache({ used: ['src/a.ts', 'src/b.ts'], data });
  assert.equal(decodeCodeCache(bytes), { used: ['src/a.ts', 'src/b.ts'], data });
  assert.is(decodeCodeCache(bytes.subarray(0, 30)), null);
  assert.is(decodeCodeCache(Buffer.from('migralint code cache 2\n....{}')), null);
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 2] = flipped[flipped.length - 2]! ^ 1;
  assert.is(decodeCodeCache(flipped), null, 'one bit changed in the data');
  const badHeader = Buffer.from(bytes);
  badHeader.write('{"used":[1', 28, 'utf8');
  assert.is(decodeCodeCache(badHeader), null);
});

test('where the code cache lives: the installation node_modules, the checkout, the environment', () => {
  const sep = path.sep;
  const installed = ['', 'p', 'node_modules', 'migralint', 'dist'].join(sep);
  assert.is(codeCacheDir(installed, {}), ['', 'p', 'node_modules', '.cache', 'migralint-code'].join(sep));
  const pnpm = ['', 'p', 'node_modules', '.pnpm', 'migralint@0.1.0', 'node_modules', 'migralint', 'dist'].join(sep);
  assert.is(codeCacheDir(pnpm, {}), ['', 'p', 'node_modules', '.pnpm', 'migralint@0.1.0', 'node_modules', '.cache', 'migralint-code'].join(sep));
  assert.is(codeCacheDir(path.join(root, 'dist'), {}), path.join(root, 'node_modules', '.cache', 'migralint-code'));
  assert.is(codeCacheDir(installed, { MIGRALINT_CODE_CACHE: 'off' }), null);
  assert.is(codeCacheDir(installed, { MIGRALINT_CODE_CACHE: '0' }), null);
  assert.is(codeCacheDir(installed, { NODE_DISABLE_COMPILE_CACHE: '1' }), null);
  assert.is(codeCacheDir(installed, { MIGRALINT_CODE_CACHE: path.join(os.tmpdir(), 'cc') }), path.join(os.tmpdir(), 'cc'));
});

test('every V8 flag src/ sets at run time is one the code cache sets back', () => {
  const flags = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && full !== path.join(root, 'src', 'code-cache.ts')) for (const m of readFileSync(full, 'utf8').matchAll(/setFlagsFromString\(\s*['"`]--([\w-]+)/g)) flags.add(m[1]!);
    }
  };
  walk(path.join(root, 'src'));
  assert.ok(flags.has('liftoff-only'), 'the scan finds the known flag');
  for (const f of flags) assert.ok(RUNTIME_V8_FLAGS.includes(f), `--${f} is set in src/ but not listed in RUNTIME_V8_FLAGS`);
});

test.run();
