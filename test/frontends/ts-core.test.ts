import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Lints `fixture` in a fresh process and says whether ts-morph was loaded. */
function loadsTsMorph(fixture: string): boolean {
  const script = `
    import { createRequire } from 'node:module';
    import { loadConfig } from './src/config/index.js';
    import { lint } from './src/engine/run.js';
    const cwd = ${JSON.stringify(path.join(root, fixture))};
    const config = await loadConfig({ cwd });
    const r = await lint({ cwd, paths: [], config });
    if (r.migrations.length === 0) throw new Error('no migrations');
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(cache.some((k) => k.includes('/node_modules/ts-morph/')) ? 'LOADED' : 'NOT-LOADED');
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.includes('LOADED') && !r.stdout.includes('NOT-LOADED');
}

test('an Alembic-only run never loads ts-morph', () => {
  assert.is(loadsTsMorph('fixtures/alembic/drop-column'), false);
});

test('a knex run does load ts-morph (the check above can fail)', () => {
  assert.is(loadsTsMorph('fixtures/knex/project'), true);
});

test.run();
