// Times `lint` over 1,000 generated TS/JS (knex) migrations: wall time, peak RSS, and the cost of
// loading ts-morph alone. Usage: node bench/run-ts.mjs [count=1000]   (after npm run build)
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const count = process.argv[2] ?? '1000';
const dir = path.join(root, '.cache', 'bench-ts', 'migrations');
rmSync(path.dirname(dir), { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'bench', 'generate-ts.mjs'), dir, count], { stdio: 'inherit' });

const load = spawnSync(process.execPath, ['-e', "const t=performance.now(); require('ts-morph'); console.log((performance.now()-t).toFixed(0))"], { cwd: root, encoding: 'utf8' });
console.log(`ts-morph load: ${load.stdout.trim()} ms`);

const started = performance.now();
const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, path.join(root, 'bin', 'migralint.js'), 'lint', dir, '--format', 'json'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
const wall = performance.now() - started;
const rssKb = Number(r.stderr.trim().split('\n').pop());
let findings = '?';
try {
  findings = String(JSON.parse(r.stdout).findings?.length ?? JSON.parse(r.stdout).length);
} catch {}
console.log(`lint ${count} TS/JS migrations: ${(wall / 1000).toFixed(2)} s wall, peak RSS ${(rssKb / 1024).toFixed(0)} MB, ${findings} findings (exit ${r.status})`);

// An Alembic-only run must not load ts-morph: check the module cache at exit of a real CLI run.
const probe = path.join(root, '.cache', 'bench-ts', 'probe.cjs');
(await import('node:fs')).writeFileSync(
  probe,
  "process.on('exit', () => { const hit = Object.keys(require.cache).some((k) => k.includes('ts-morph')); process.stderr.write('ts-morph loaded: ' + hit + '\\n'); });\n",
);
for (const [what, target] of [
  ['Alembic fixture project', path.join(root, 'fixtures', 'alembic', 'project')],
  ['knex fixture project', path.join(root, 'fixtures', 'knex', 'project')],
]) {
  const res = spawnSync(process.execPath, ['-r', probe, path.join(root, 'bin', 'migralint.js'), 'lint', '--no-lock', target], { cwd: root, encoding: 'utf8' });
  console.log(`${what}: ${/ts-morph loaded: (\w+)/.exec(res.stderr)?.[1] === 'true' ? 'ts-morph loaded' : 'ts-morph NOT loaded'}`);
}
