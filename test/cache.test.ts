// The persistent cache (src/cache, engine/cached-read.ts, the findings in engine/run.ts) never changes what a run reports: every
// fixture project linted cold, warm, warm after one file changed, and over a corrupted cache gives
// byte for byte the JSON report (and the same migration models) as a run without a cache. Also:
// the store itself (corrupt and foreign packs, pruning), concurrent runs, and the CLI switches.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { lint } from '../src/engine/run.js';
import { json } from '../src/reporters/json.js';
import { summarize } from '../src/reporters/types.js';
import { unknownOperations } from '../src/engine/unknown.js';
import { hashOf, prune, ResultCache, valueKey } from '../src/cache/index.js';
import { optionsKey } from '../src/engine/cached-read.js';
import { lazyStats } from '../src/engine/load-state.js';
import { renderSnapshot } from '../src/snapshot/format.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = path.join(repo, 'fixtures');
const bin = path.join(repo, 'bin', 'migralint.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'migralint-cache-'));

function cases(): string[] {
  const out: string[] = [];
  for (const framework of readdirSync(fixtures)) {
    for (const name of readdirSync(path.join(fixtures, framework))) {
      if (existsSync(path.join(fixtures, framework, name, 'expected.json'))) out.push(path.join(fixtures, framework, name));
    }
  }
  return out.sort();
}

/** The JSON report the CLI prints, plus every migration model the run read, as one string. */
async function report(dir: string, cache: ResultCache | null, extra: { paths?: string[]; snapshot?: string } = {}): Promise<string> {
  const config = await loadConfig({ cwd: dir });
  const result = await lint({ cwd: dir, paths: extra.paths ?? [], config, cache, ...(extra.snapshot ? { snapshot: extra.snapshot } : {}) });
  const sources = new Map(result.sets.flatMap((s) => s.migrations).map((m) => [m.file, m.source] as const));
  const input = {
    findings: result.findings,
    summary: { ...summarize(result.findings, result.files.linted, result.migrations.length), suppressed: result.suppressed.length },
    sources,
    unknown: unknownOperations(result.migrations),
    files: result.files,
    suppressed: result.suppressed,
  };
  const rulesMeta = new Map([...result.rules].map(([id, r]) => [id, r.meta]));
  const models = JSON.stringify(result.sets, (_k, v: unknown) => (v instanceof Int32Array ? [...v] : v));
  return json(input, { cwd: dir, rulesMeta, color: false }) + models;
}

/** A migration file of the project to change: the first one the run read. */
async function someMigration(dir: string): Promise<string | null> {
  const config = await loadConfig({ cwd: dir });
  const result = await lint({ cwd: dir, paths: [], config });
  return result.sets.flatMap((s) => s.migrations).find((m) => !m.parseError)?.file ?? null;
}

function corrupt(cacheDir: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const f = path.join(d, name);
      if (statSync(f).isDirectory()) walk(f);
      else if (name.endsWith('.pack')) {
        const bytes = readFileSync(f);
        // Alternately: cut in half, and bytes flipped in the middle.
        if (n % 2 === 0) writeFileSync(f, bytes.subarray(0, bytes.length >> 1));
        else {
          for (let i = bytes.length >> 2; i < bytes.length >> 1; i++) bytes[i] = bytes[i]! ^ 0x5a;
          writeFileSync(f, bytes);
        }
        n++;
      }
    }
  };
  if (existsSync(cacheDir)) walk(cacheDir);
  return n;
}

let caseNo = 0;
for (const source of cases()) {
  const name = path.relative(fixtures, source);
  test(`cache identity: ${name}`, async () => {
    const dir = path.join(tmp, `case-${caseNo++}`);
    cpSync(source, dir, { recursive: true });
    const cacheDir = path.join(dir, '.test-cache');
    const open = () => {
      const c = new ResultCache(cacheDir, 'test salt');
      // Findings of every chain through the cache, however short.
      c.findingsFrom = 0;
      return c;
    };
    const fresh = await report(dir, null);
    const cold = open();
    assert.fixture(await report(dir, cold), fresh, `${name}: cold`);
    const warm = open();
    assert.fixture(await report(dir, warm), fresh, `${name}: warm`);
    // Something was read from the cache (an unreadable-only project stores nothing).
    if (cold.stats.packsWritten > 0) assert.ok(warm.stats.hits > 0, `${name}: the warm run read nothing from the cache`);
    const config = await loadConfig({ cwd: dir });
    const judged = (await lint({ cwd: dir, paths: [], config })).migrations.length;
    if (judged > 0) assert.ok(warm.stats.findingHits > 0, `${name}: no migration's findings came from the cache`);
    assert.equal(warm.stats.packsWritten, 0, `${name}: a warm run rewrote the cache`);

    const file = await someMigration(dir);
    if (file) {
      // Touched without a change (mtime only), then changed: a comment line at the end.
      utimesSync(file, new Date(), new Date(Date.now() + 5000));
      assert.fixture(await report(dir, open()), fresh, `${name}: touched`);
      const text = readFileSync(file, 'utf8');
      const comment = file.endsWith('.py') ? '# changed\n' : file.endsWith('.sql') ? '-- changed\n' : '// changed\n';
      appendFileSync(file, (text.endsWith('\n') ? '' : '\n') + comment);
      const changed = await report(dir, null);
      assert.fixture(await report(dir, open()), changed, `${name}: warm after a change`);
      assert.fixture(await report(dir, open()), changed, `${name}: warm again after a change`);
    }
    const expected = file ? await report(dir, null) : fresh;
    corrupt(cacheDir);
    assert.fixture(await report(dir, open()), expected, `${name}: corrupted cache`);
    assert.fixture(await report(dir, open()), expected, `${name}: after the corrupted cache was rewritten`);
    rmSync(dir, { recursive: true, force: true });
  });
}

test('a warm cache follows a change of rule levels and options in the config', async () => {
  const dir = path.join(tmp, 'config-change');
  cpSync(path.join(fixtures, 'alembic', 'drop-column'), dir, { recursive: true });
  const cacheDir = path.join(dir, '.test-cache');
  const open = () => {
    const c = new ResultCache(cacheDir, 'test salt');
    c.findingsFrom = 0;
    return c;
  };
  const first = await report(dir, open());
  assert.match(first, /"rule": "drop-column"/);
  writeFileSync(path.join(dir, 'migralint.config.json'), JSON.stringify({ rules: { 'drop-column': 'warn' } }));
  const warned = await report(dir, open());
  assert.is(warned, await report(dir, null));
  assert.match(warned, /"severity": "warn"/);
  writeFileSync(path.join(dir, 'migralint.config.json'), JSON.stringify({ rules: { 'drop-column': 'off' } }));
  const off = await report(dir, open());
  assert.is(off, await report(dir, null));
  assert.not.match(off, /"rule": "drop-column"/);
});

test('worker threads read a big directory to the same report as one thread, with and without the cache', async () => {
  const dir = path.join(tmp, 'workers');
  const migrations = path.join(dir, 'migrations');
  mkdirSync(migrations, { recursive: true });
  for (let i = 0; i < 40; i++) {
    const v = String(i + 1).padStart(4, '0');
    writeFileSync(path.join(migrations, `${v}_m${i}.up.sql`), `ALTER TABLE t${i % 4} ADD COLUMN c${i} int NOT NULL;\nCREATE INDEX ix_${i} ON t${i % 4} (c${i});\n`);
    writeFileSync(path.join(migrations, `${v}_m${i}.down.sql`), `DROP INDEX ix_${i};\nALTER TABLE t${i % 4} DROP COLUMN c${i};\n`);
  }
  const saved = process.env.MIGRALINT_WORKERS_FROM;
  try {
    process.env.MIGRALINT_WORKERS_FROM = '100000';
    const single = await report(dir, null);
    process.env.MIGRALINT_WORKERS_FROM = '4';
    assert.fixture(await report(dir, null), single, 'workers, no cache');
    const cache = new ResultCache(path.join(dir, '.test-cache'), 'test salt');
    assert.fixture(await report(dir, cache), single, 'workers, cold cache');
    assert.ok(cache.stats.packsWritten > 0);
    assert.fixture(await report(dir, new ResultCache(path.join(dir, '.test-cache'), 'test salt')), single, 'warm cache');
  } finally {
    if (saved === undefined) delete process.env.MIGRALINT_WORKERS_FROM;
    else process.env.MIGRALINT_WORKERS_FROM = saved;
  }
});

test('a pack written by another version or build is ignored and replaced', () => {
  const dir = path.join(tmp, 'foreign');
  const a = new ResultCache(dir, 'version a');
  a.pack('scope').set('k', { value: 1 });
  a.save();
  const b = new ResultCache(dir, 'version b');
  assert.is(b.pack('scope').get('k'), undefined);
  const a2 = new ResultCache(dir, 'version a');
  assert.equal(a2.pack('scope').get('k'), { value: 1 });
});

test('a pack with any byte changed or cut short is ignored, not read as another value', () => {
  const dir = path.join(tmp, 'checksum');
  const c = new ResultCache(dir, 's');
  c.pack('p').set('k', { table: 'accounts', columns: ['id', 'email'] });
  c.save();
  const file = readdirSync(dir)
    .filter((d) => d.length === 2)
    .flatMap((d) => readdirSync(path.join(dir, d)).map((f) => path.join(dir, d, f)))[0]!;
  const good = readFileSync(file);
  // A changed letter inside a stored string still deserialises (as 'bccounts'): only a checksum tells.
  const at = good.indexOf('accounts');
  assert.ok(at > 0);
  for (const bytes of [Buffer.concat([good.subarray(0, at), Buffer.from('b'), good.subarray(at + 1)]), good.subarray(0, good.length - 1), Buffer.concat([good, Buffer.from([0])])]) {
    writeFileSync(file, bytes);
    assert.is(new ResultCache(dir, 's').pack('p').get('k'), undefined);
  }
  writeFileSync(file, good);
  assert.equal(new ResultCache(dir, 's').pack('p').get('k'), { table: 'accounts', columns: ['id', 'email'] });
});

test('values come back as fresh copies, typed arrays included', () => {
  const dir = path.join(tmp, 'copies');
  const c = new ResultCache(dir, 's');
  const value = { offsets: new Int32Array([1, -1, 3]), list: [{ a: 1 }] };
  c.pack('p').set('k', value);
  value.list.push({ a: 2 });
  c.save();
  const got = new ResultCache(dir, 's').pack('p').get<typeof value>('k')!;
  assert.ok(got.offsets instanceof Int32Array);
  assert.equal([...got.offsets], [1, -1, 3]);
  assert.equal(got.list, [{ a: 1 }]);
  got.list.push({ a: 3 });
  assert.equal(new ResultCache(dir, 's').pack('p').get<typeof value>('k')!.list, [{ a: 1 }]);
});

test('a pack keeps only what the last run used', () => {
  const dir = path.join(tmp, 'used');
  const c = new ResultCache(dir, 's');
  const p = c.pack('p');
  p.set('old', 1);
  p.set('kept', 2);
  c.save();
  const c2 = new ResultCache(dir, 's');
  assert.is(c2.pack('p').get('kept'), 2);
  c2.save();
  const c3 = new ResultCache(dir, 's');
  assert.is(c3.pack('p').get('old'), undefined);
  assert.is(c3.pack('p').get('kept'), 2);
});

test('pruning removes the oldest packs past the bound, down to half of it', () => {
  const dir = path.join(tmp, 'prune');
  const c = new ResultCache(dir, 's');
  for (let i = 0; i < 8; i++) c.pack(`p${i}`).set('k', 'x'.repeat(1000));
  c.save();
  const files = readdirSync(dir)
    .filter((d) => d.length === 2)
    .flatMap((d) => readdirSync(path.join(dir, d)).map((f) => path.join(dir, d, f)));
  assert.is(files.length, 8);
  // Ages: the first file oldest.
  files.forEach((f, i) => utimesSync(f, new Date(1_000_000 + i * 1000), new Date(1_000_000 + i * 1000)));
  const size = statSync(files[0]!).size;
  prune(dir, size * 6);
  const left = files.filter((f) => existsSync(f));
  assert.equal(left, files.slice(5), 'the five oldest go, leaving at most half of the bound');
  prune(dir, size * 6);
  assert.equal(files.filter((f) => existsSync(f)), left, 'under the bound nothing goes');
});

test('the SQL reader keys its options as valueKey does (entries written before stay valid, distinct options stay distinct)', () => {
  const base = { conditional: false, repeated: true, transactional: true, batch: false, via: null, callee: 'op.execute', dialectGuard: undefined };
  const fallback = { line: 3, column: 5, endLine: 4, endColumn: 9 };
  const variants = [
    { offsets: null, source: 's', holes: [], base, fallback },
    { offsets: new Int32Array([4, 5, -1]), source: 's', holes: [], base, fallback },
    { offsets: new Int32Array([4, 5, 6]), source: 's', holes: [], base, fallback },
    { offsets: null, source: 's', holes: [[1, 3]] as [number, number][], base, fallback },
    { offsets: null, source: 's', holes: [], base: { ...base, transactional: false }, fallback },
    { offsets: null, source: 's', holes: [], base, fallback: { ...fallback, file: '/p/down.sql' } },
  ];
  for (const o of variants) assert.is(optionsKey(o), valueKey([o.offsets, o.holes, o.base, o.fallback]));
  assert.is(new Set(variants.map(optionsKey)).size, variants.length);
});

test('valueKey: typed arrays by the hash of their bytes wherever they sit, other values as their JSON', () => {
  const plain = { table: 't', columns: ['a', 'b'], loc: { line: 1 }, note: 'a {"0": 1} in text' };
  assert.is(valueKey(plain), JSON.stringify(plain));
  const withBytes = { ops: [{ offsets: new Int32Array([4, 5, 6]) }], n: 1 };
  const key = valueKey(withBytes);
  assert.ok(!key.includes('"0"'), key);
  assert.match(key, /"offsets":"Int32Array:[0-9a-f]{40}"/);
  assert.is.not(valueKey({ ops: [{ offsets: new Int32Array([4, 5, 7]) }], n: 1 }), key);
  assert.is(valueKey({ ops: [{ offsets: new Int32Array([4, 5, 6]) }], n: 1 }), key);
  assert.match(valueKey(new Int32Array([1])), /^"Int32Array:[0-9a-f]{40}"$/);
  // An object whose first key is "0" is keyed as it is.
  assert.is(valueKey({ 0: 'x', a: 1 }), JSON.stringify({ 0: 'x', a: 1 }));
});

test('hashOf separates its parts', () => {
  assert.is.not(hashOf('ab', 'c'), hashOf('a', 'bc'));
  assert.is(hashOf('ab', 'c'), hashOf('ab', 'c'));
});

function cli(args: string[], cwd: string) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

test('CLI: the cache goes to .migralint-cache (ignored by git) without node_modules; --no-cache and cache: false write none', () => {
  const dir = path.join(tmp, 'cli');
  cpSync(path.join(fixtures, 'alembic', 'drop-column'), dir, { recursive: true });
  const fresh = cli(['lint', '--no-cache', '--format', 'json'], dir);
  assert.ok(!existsSync(path.join(dir, '.migralint-cache')), '--no-cache wrote a cache');
  const cold = cli(['lint', '--format', 'json'], dir);
  assert.is(cold.stdout, fresh.stdout);
  assert.is(cold.status, fresh.status);
  assert.ok(existsSync(path.join(dir, '.migralint-cache')));
  assert.match(readFileSync(path.join(dir, '.migralint-cache', '.gitignore'), 'utf8'), /^\*$/m);
  assert.is(cli(['lint', '--format', 'json'], dir).stdout, fresh.stdout);

  rmSync(path.join(dir, '.migralint-cache'), { recursive: true });
  const config = path.join(dir, 'migralint.config.json');
  const before = existsSync(config) ? JSON.parse(readFileSync(config, 'utf8')) : {};
  writeFileSync(config, JSON.stringify({ ...before, cache: false }));
  assert.is(cli(['lint', '--format', 'json'], dir).stdout, fresh.stdout);
  assert.ok(!existsSync(path.join(dir, '.migralint-cache')), 'cache: false wrote a cache');

  const elsewhere = path.join(tmp, 'cli-elsewhere');
  writeFileSync(config, JSON.stringify(before));
  assert.is(cli(['lint', '--format', 'json', '--cache-location', elsewhere], dir).stdout, fresh.stdout);
  assert.ok(readdirSync(elsewhere).some((d) => d.length === 2), '--cache-location: no pack there');
  assert.ok(!existsSync(path.join(dir, '.migralint-cache')));
});

test('CLI: with a node_modules above the project, the cache goes to node_modules/.cache/migralint', () => {
  const top = path.join(tmp, 'with-node-modules');
  mkdirSync(path.join(top, 'node_modules'), { recursive: true });
  cpSync(path.join(fixtures, 'alembic', 'drop-column'), path.join(top, 'app'), { recursive: true });
  cli(['lint', '--format', 'json'], path.join(top, 'app'));
  assert.ok(existsSync(path.join(top, 'node_modules', '.cache', 'migralint')));
  assert.ok(!existsSync(path.join(top, 'app', '.migralint-cache')));
});

test('CLI: runs at the same time over one cache all report the same and leave it readable', async () => {
  const dir = path.join(tmp, 'concurrent');
  mkdirSync(path.join(dir, 'migrations'), { recursive: true });
  for (let i = 0; i < 60; i++) {
    writeFileSync(
      path.join(dir, 'migrations', `${String(20240101000000 + i)}_m${i}.up.sql`),
      `ALTER TABLE t${i % 5} ADD COLUMN c${i} int NOT NULL;\nCREATE INDEX ix_${i} ON t${i % 5} (c${i});\n`,
    );
  }
  const fresh = cli(['lint', '--no-cache', '--format', 'json'], dir).stdout;
  const once = () =>
    new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [bin, 'lint', '--format', 'json'], { cwd: dir });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', () => resolve(out));
    });
  for (let round = 0; round < 2; round++) {
    const outs = await Promise.all([once(), once(), once()]);
    for (const o of outs) assert.is(o, fresh);
  }
  const packs = readdirSync(path.join(dir, '.migralint-cache')).filter((d) => d.length === 2);
  for (const d of packs) for (const f of readdirSync(path.join(dir, '.migralint-cache', d))) assert.ok(f.endsWith('.pack'), `left behind: ${f}`);
  assert.is(cli(['lint', '--format', 'json'], dir).stdout, fresh);
});

// The findings cache and the directory states against what a run may depend on beyond the
// named file: each change below must give the report a run without a cache gives, which a key of
// the named file's model alone would not (its findings would come back unchanged).

/** An Alembic chain of `n` revisions on one table; the last one changes two column types. */
function chainProject(name: string, n = 12): { dir: string; files: string[] } {
  const dir = path.join(tmp, name);
  const versions = path.join(dir, 'migrations', 'versions');
  mkdirSync(versions, { recursive: true });
  writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = migrations\nsqlalchemy.url = postgresql://localhost/app\n');
  writeFileSync(path.join(dir, 'migrations', 'env.py'), 'from alembic import context\n\ncontext.configure(transaction_per_migration=True)\n');
  const files: string[] = [];
  const id = (i: number) => `a${String(i).padStart(11, '0')}`;
  for (let i = 0; i < n; i++) {
    const body =
      i === 0
        ? '    op.create_table("customers", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("referrer", sa.String(length=64)), sa.Column("seen_at", sa.DateTime()))\n'
        : i === n - 1
          ? '    op.alter_column("customers", "referrer", type_=sa.Text())\n    op.alter_column("customers", "seen_at", type_=sa.DateTime(timezone=True))\n'
          : `    op.add_column("customers", sa.Column("note_${i}", sa.Text(), nullable=True))\n`;
    const file = path.join(versions, `${String(i).padStart(3, '0')}_${id(i)}.py`);
    const lines = [
      `"""step ${i}`,
      '',
      `Revision ID: ${id(i)}`,
      '"""',
      'from alembic import op',
      'import sqlalchemy as sa',
      '',
      `revision = "${id(i)}"`,
      `down_revision = ${i === 0 ? 'None' : `"${id(i - 1)}"`}`,
      'branch_labels = None',
      'depends_on = None',
      '',
      '',
      'def upgrade():',
      body,
      '',
      'def downgrade():',
      '    pass',
      '',
    ];
    writeFileSync(file, lines.join('\n'));
    files.push(file);
  }
  return { dir, files };
}

/** Lints as a pre-commit hook does (the file named) with a cache, and checks it against no cache. */
async function sameAsUncached(dir: string, file: string, what: string, extra: { snapshot?: string } = {}): Promise<string> {
  const fresh = await report(dir, null, { paths: [file], ...extra });
  const open = () => new ResultCache(path.join(dir, '.test-cache'), 'test salt');
  assert.fixture(await report(dir, open(), { paths: [file], ...extra }), fresh, what);
  // Twice: the second run reads what the first one stored.
  assert.fixture(await report(dir, open(), { paths: [file], ...extra }), fresh, `${what}, again`);
  return fresh;
}

test('findings cache: a change of rule options or a rule turned off reaches a named file', async () => {
  const { dir, files } = chainProject('findings-options');
  const last = files.at(-1)!;
  assert.match(await sameAsUncached(dir, last, 'defaults'), /timestampToTimestamptz/);
  writeFileSync(path.join(dir, 'migralint.config.json'), JSON.stringify({ rules: { 'changing-column-type': ['error', { sessionTimeZoneUtc: true }] } }));
  assert.not.match(await sameAsUncached(dir, last, 'option changed'), /timestampToTimestamptz/);
  writeFileSync(path.join(dir, 'migralint.config.json'), JSON.stringify({ rules: { 'changing-column-type': 'off' } }));
  assert.not.match(await sameAsUncached(dir, last, 'rule off'), /changing-column-type/);
});

test('findings cache: a changed ancestor changes the schema a named file is judged against', async () => {
  const { dir, files } = chainProject('findings-ancestor');
  const last = files.at(-1)!;
  // varchar(64) -> text is safe: nothing about referrer.
  assert.not.match(await sameAsUncached(dir, last, 'as written'), /customers\.referrer/);
  // The first revision (not named, not linted) now creates referrer as an integer.
  writeFileSync(files[0]!, readFileSync(files[0]!, 'utf8').replace('sa.String(length=64)', 'sa.Integer()'));
  assert.match(await sameAsUncached(dir, last, 'ancestor changed'), /customers\.referrer/);
});

test('findings cache: an inline ignore added to the named file silences its finding', async () => {
  const { dir, files } = chainProject('findings-ignore');
  const last = files.at(-1)!;
  assert.not.match(await sameAsUncached(dir, last, 'as written'), /"suppressedBy"/);
  const text = readFileSync(last, 'utf8');
  writeFileSync(last, text.replace('    op.alter_column("customers", "seen_at"', '    # migralint: ignore[changing-column-type] reviewed\n    op.alter_column("customers", "seen_at"'));
  assert.match(await sameAsUncached(dir, last, 'ignored'), /"suppressedBy"/);
});

test('findings cache: a waiver added, then expired (MIGRALINT_TODAY)', async () => {
  const { dir, files } = chainProject('findings-waiver');
  const last = files.at(-1)!;
  const saved = process.env.MIGRALINT_TODAY;
  try {
    process.env.MIGRALINT_TODAY = '2026-05-01';
    assert.match(await sameAsUncached(dir, last, 'no waiver'), /timestampToTimestamptz/);
    const waiver = { rule: 'changing-column-type', migration: 'a00000000011', reason: 'reviewed', owner: '@db', expires: '2026-06-01' };
    writeFileSync(path.join(dir, 'migralint.config.json'), JSON.stringify({ waivers: [waiver] }));
    assert.not.match(await sameAsUncached(dir, last, 'waived'), /timestampToTimestamptz/);
    process.env.MIGRALINT_TODAY = '2026-07-01';
    const expired = await sameAsUncached(dir, last, 'waiver expired');
    assert.match(expired, /timestampToTimestamptz/);
    assert.match(expired, /expired-waiver/);
  } finally {
    if (saved === undefined) delete process.env.MIGRALINT_TODAY;
    else process.env.MIGRALINT_TODAY = saved;
  }
});

test('findings cache: the lock file written, then a locked migration edited, then locked again', async () => {
  const { dir, files } = chainProject('findings-lock');
  await sameAsUncached(dir, files.at(-1)!, 'no lock');
  assert.is(cli(['lock'], dir).status, 0);
  assert.not.match(await sameAsUncached(dir, files[3]!, 'locked'), /applied-migration-modified/);
  appendFileSync(files[3]!, '# edited after release\n');
  assert.match(await sameAsUncached(dir, files[3]!, 'locked file edited'), /applied-migration-modified/);
  assert.is(cli(['lock'], dir).status, 0);
  assert.not.match(await sameAsUncached(dir, files[3]!, 'locked again'), /applied-migration-modified/);
});

test('findings cache: a snapshot given, then changed, judges against production', async () => {
  const { dir, files } = chainProject('findings-snapshot');
  const last = files.at(-1)!;
  const plain = await sameAsUncached(dir, last, 'no snapshot');
  const snapshot = (rows: number) =>
    renderSnapshot({
      format: 1,
      server: '16.4',
      serverMajor: 16,
      redacted: false,
      applied: [],
      tables: [
        {
          name: 'customers',
          rows,
          bytes: rows * 100,
          columns: [
            { name: 'id', type: 'bigint', nullable: false, default: null },
            { name: 'referrer', type: 'integer', nullable: true, default: null },
            { name: 'seen_at', type: 'timestamp without time zone', nullable: true, default: null },
          ],
          indexes: [],
          constraints: [],
        },
      ],
    });
  const file = path.join(dir, 'prod.snapshot.json');
  writeFileSync(file, snapshot(5_000_000));
  const big = await sameAsUncached(dir, last, 'big table', { snapshot: file });
  assert.is.not(big, plain);
  writeFileSync(file, snapshot(10));
  const small = await sameAsUncached(dir, last, 'small table', { snapshot: file });
  assert.is.not(small, big);
  assert.fixture(await sameAsUncached(dir, last, 'snapshot dropped'), plain);
});

test('context on demand: a warm run naming one file reads no other migration in full', async () => {
  const { dir, files } = chainProject('on-demand', 30);
  const last = files.at(-1)!;
  const config = await loadConfig({ cwd: dir });
  const cacheDir = path.join(dir, '.test-cache');
  const text = (result: Awaited<ReturnType<typeof lint>>) =>
    json(
      { findings: result.findings, summary: summarize(result.findings, result.files.linted, result.migrations.length), sources: new Map(), unknown: [], files: result.files, suppressed: [] },
      { cwd: dir, rulesMeta: new Map(), color: false },
    );
  const run = async () => {
    const cache = new ResultCache(cacheDir, 'test salt');
    const before = lazyStats.loaded.length;
    const result = await lint({ cwd: dir, paths: [last], config, cache });
    // Read in full: the named file's model at most (its comments hold the inline ignores).
    const full = lazyStats.loaded.slice(before);
    return { cache, full: full.filter((f) => f !== last).length, json: text(result) };
  };
  const fresh = async () => text(await lint({ cwd: dir, paths: [last], config }));
  await run();
  const warm = await run();
  assert.is(warm.full, 0, 'an unchanged project: no model read in full');
  assert.is(warm.cache.stats.findingHits, 1);
  assert.is(warm.json, await fresh());
  // The named file changed: it is read afresh, the schema before it comes from the kept replay.
  appendFileSync(last, '# edited\n');
  const changed = await run();
  assert.is(changed.full, 0, 'the named file changed: no other model read in full');
  assert.is(changed.cache.stats.findingHits, 0);
  assert.is(changed.json, await fresh());
  // An ancestor changed: the replay needs the models from it on, and gives what a run without a cache does.
  appendFileSync(files[20]!, '# edited\n');
  const ancestor = await run();
  assert.ok(ancestor.full > 0 && ancestor.full < files.length - 1, `ancestor changed: ${ancestor.full} models read`);
  assert.is(ancestor.json, await fresh());
});

// SQL layouts keep the migrations whose files did not change and read the changed ones again
// (load-state.ts sqlReusePlan); each step must give what a run without a cache gives.
const sqlLayouts: {
  fixture: string;
  /** Files added to the copy before the first run (so that later edits change contents only). */
  setup?: Record<string, string>;
  steps: { what: string; edit: (dir: string) => void; reread: string[] | null }[];
}[] = [
  {
    fixture: 'layout-diesel',
    steps: [
      { what: 'up.sql changed', edit: (d) => appendFileSync(path.join(d, 'migrations/2024-01-10-120000_create_crates/up.sql'), 'DROP TABLE crates_old;\n'), reread: ['migrations/2024-01-10-120000_create_crates/down.sql', 'migrations/2024-01-10-120000_create_crates/up.sql'] },
      { what: 'down.sql changed', edit: (d) => appendFileSync(path.join(d, 'migrations/2024-03-05-100000_backfill_crates_description/down.sql'), 'DROP TABLE crates_older;\n'), reread: ['migrations/2024-03-05-100000_backfill_crates_description/down.sql', 'migrations/2024-03-05-100000_backfill_crates_description/up.sql'] },
      { what: 'metadata.toml changed', edit: (d) => writeFileSync(path.join(d, 'migrations/2024-02-20-090000_index_crates_updated_at/metadata.toml'), 'run_in_transaction = true\n'), reread: ['migrations/2024-02-20-090000_index_crates_updated_at/down.sql', 'migrations/2024-02-20-090000_index_crates_updated_at/metadata.toml', 'migrations/2024-02-20-090000_index_crates_updated_at/up.sql'] },
      { what: 'a folder renamed', edit: (d) => renameSync(path.join(d, 'migrations/2024-03-05-100000_backfill_crates_description'), path.join(d, 'migrations/2024-01-05-100000_backfill_crates_description')), reread: null },
    ],
  },
  {
    fixture: 'layout-golang-migrate',
    steps: [
      { what: 'up file changed', edit: (d) => appendFileSync(path.join(d, 'db/migrations/000002_add_users_last_login_at.up.sql'), 'DROP TABLE posts;\n'), reread: ['db/migrations/000002_add_users_last_login_at.down.sql', 'db/migrations/000002_add_users_last_login_at.up.sql'] },
      { what: 'down file changed', edit: (d) => writeFileSync(path.join(d, 'db/migrations/000003_index_users_last_login_at.down.sql'), 'DROP INDEX users_last_login_at_idx;\n'), reread: ['db/migrations/000003_index_users_last_login_at.down.sql', 'db/migrations/000003_index_users_last_login_at.up.sql'] },
      { what: 'a file renamed', edit: (d) => renameSync(path.join(d, 'db/migrations/000003_index_users_last_login_at.down.sql'), path.join(d, 'db/migrations/000003_index_last_login.down.sql')), reread: null },
    ],
  },
  {
    fixture: 'layout-flyway',
    setup: {
      'src/main/resources/db/migration/V1_3__flows_revision.sql.conf': 'executeInTransaction=true\n',
      'src/main/resources/db/migration/U1_3__flows_revision.sql': 'SELECT 1;\n',
    },
    steps: [
      { what: 'versioned script changed', edit: (d) => appendFileSync(path.join(d, 'src/main/resources/db/migration/V1_2__executions_state_index.sql'), 'DROP TABLE executions;\n'), reread: ['src/main/resources/db/migration/V1_2__executions_state_index.sql'] },
      { what: '.sql.conf changed', edit: (d) => writeFileSync(path.join(d, 'src/main/resources/db/migration/V1_3__flows_revision.sql.conf'), 'executeInTransaction=false\n'), reread: ['src/main/resources/db/migration/U1_3__flows_revision.sql', 'src/main/resources/db/migration/V1_3__flows_revision.sql', 'src/main/resources/db/migration/V1_3__flows_revision.sql.conf'] },
      { what: 'undo script changed', edit: (d) => writeFileSync(path.join(d, 'src/main/resources/db/migration/U1_3__flows_revision.sql'), 'DROP TABLE flows;\n'), reread: ['src/main/resources/db/migration/U1_3__flows_revision.sql', 'src/main/resources/db/migration/V1_3__flows_revision.sql', 'src/main/resources/db/migration/V1_3__flows_revision.sql.conf'] },
      { what: 'repeatable script changed', edit: (d) => appendFileSync(path.join(d, 'src/main/resources/db/migration/R__flow_views.sql'), 'DROP VIEW IF EXISTS old_flows;\n'), reread: ['src/main/resources/db/migration/R__flow_views.sql'] },
      { what: 'a script renamed', edit: (d) => renameSync(path.join(d, 'src/main/resources/db/migration/V1_2__executions_state_index.sql'), path.join(d, 'src/main/resources/db/migration/V1_4__executions_state_index.sql')), reread: null },
    ],
  },
];

for (const layout of sqlLayouts) {
  test(`SQL directory state (${layout.fixture}): a content-only change reads only the changed migration again`, async () => {
    const dir = path.join(tmp, `reuse-${layout.fixture}`);
    cpSync(path.join(fixtures, 'sql', layout.fixture), dir, { recursive: true });
    for (const [f, text] of Object.entries(layout.setup ?? {})) writeFileSync(path.join(dir, f), text);
    const open = () => new ResultCache(path.join(dir, '.test-cache'), 'test salt');
    const rel = (files: string[]) => [...new Set(files.map((f) => path.relative(dir, f).split(path.sep).join('/')))].sort();
    const warm = async () => {
      const before = lazyStats.reread.length;
      const text = await report(dir, open());
      return { text, reread: rel(lazyStats.reread.slice(before)) };
    };
    let previous = await report(dir, null);
    assert.fixture((await warm()).text, previous, 'cold');
    for (const step of layout.steps) {
      step.edit(dir);
      const fresh = await report(dir, null);
      assert.is.not(fresh, previous, `${step.what}: the edit changes the report`);
      const run = await warm();
      assert.fixture(run.text, fresh, step.what);
      // A rename reads the directory whole.
      assert.equal(run.reread, step.reread ?? [], `${step.what}: files read again`);
      const again = await warm();
      assert.fixture(again.text, fresh, `${step.what}, again`);
      assert.equal(again.reread, [], `${step.what}, again: nothing read`);
      // Named on the command line, as a pre-commit hook runs it (a cache of its own: the files
      // named are part of what the directory state was read with).
      const named = step.reread ? [path.join(dir, step.reread[0]!)] : [];
      const own = new ResultCache(path.join(dir, '.test-cache-named'), 'test salt');
      assert.fixture(await report(dir, own, { paths: named }), await report(dir, null, { paths: named }), `${step.what}, named`);
      previous = fresh;
    }
  });
}

test('SQL directory state: a pre-commit run naming the changed up.sql reads only its migration again', async () => {
  const dir = path.join(tmp, 'reuse-named');
  cpSync(path.join(fixtures, 'sql', 'layout-diesel'), dir, { recursive: true });
  const up = path.join(dir, 'migrations/2024-01-10-120000_create_crates/up.sql');
  const open = () => new ResultCache(path.join(dir, '.test-cache'), 'test salt');
  const fresh = () => report(dir, null, { paths: [up] });
  assert.fixture(await report(dir, open(), { paths: [up] }), await fresh(), 'cold');
  for (const edit of ['DROP TABLE crates_old;\n', '-- a comment\n', 'ALTER TABLE crates DROP COLUMN name;\n']) {
    appendFileSync(up, edit);
    const before = lazyStats.reread.length;
    const text = await report(dir, open(), { paths: [up] });
    assert.equal(lazyStats.reread.slice(before).map((f) => path.basename(f)).sort(), ['down.sql', 'up.sql'], edit);
    assert.fixture(text, await fresh(), edit);
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
