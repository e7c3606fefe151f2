// Bad input never stops a run: every fixture project with each migration file cut off part-way
// (unclosed strings, brackets and statements, as an editor's half-written file), or with garbage
// bytes spliced in, is linted without an internal error, and the cut files are still reported.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { lint } from '../src/engine/run.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const MIGRATION = /\.(py|sql|ts|js|mjs|cjs)$/;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (MIGRATION.test(name) && name !== 'env.py') out.push(p);
  }
  return out;
}

const projects = readdirSync(fixtures)
  .flatMap((fw) => readdirSync(path.join(fixtures, fw)).map((c) => path.join(fixtures, fw, c)))
  .filter((d) => existsSync(path.join(d, 'expected.json')))
  .sort();

for (const [label, damage] of [
  ['cut at 60%', (text: Buffer) => text.subarray(0, Math.floor(text.length * 0.6))],
  ['garbage spliced in', (text: Buffer) => Buffer.concat([text.subarray(0, text.length >> 1), Buffer.from([0xff, 0xfe, 0x28, 0x22, 0x60, 0x24, 0x7b]), text.subarray(text.length >> 1)])],
] as const) {
  test(`every fixture project with its migrations ${label}: linted without an internal error`, async () => {
    let damaged = 0;
    for (const project of projects) {
      const tmp = mkdtempSync(path.join(os.tmpdir(), 'migralint-robust-'));
      try {
        cpSync(project, tmp, { recursive: true });
        for (const file of walk(tmp)) {
          writeFileSync(file, damage(readFileSync(file)));
          damaged++;
        }
        const config = await loadConfig({ cwd: tmp }).catch(() => null);
        if (!config) continue; // a damaged config is a configuration error (exit 2), tested elsewhere
        const result = await lint({ cwd: tmp, paths: [], config });
        assert.ok(Array.isArray(result.findings), project);
        for (const f of result.findings) {
          assert.ok(f.line >= 1 && f.column >= 1, `${path.relative(fixtures, project)}: ${f.ruleId} at ${f.line}:${f.column}`);
          assert.not.match(f.message, /migralint could not read/, `${path.relative(fixtures, project)}: ${f.message}`);
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    assert.ok(damaged > 100, `only ${damaged} files were damaged`);
  });
}

test.run();
