// The layering, read from the import statements: rules see only the model and the rule API; the
// model imports nothing of ours; front ends never reach into the engine, config or rules.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, dir))) {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...files(rel));
    else if (name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Relative imports of a file (static and dynamic), resolved to repository paths. */
function imports(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => path.normalize(path.join(path.dirname(file), s)).split(path.sep).join('/'));
}

test('rules import only src/model and src/rule-api', () => {
  for (const file of files('rules')) {
    for (const target of imports(file)) {
      assert.ok(target.startsWith('src/model/') || target.startsWith('src/rule-api/'), `${file} imports ${target}`);
    }
  }
});

test('the model imports nothing outside itself', () => {
  for (const file of files('src/model')) {
    for (const target of imports(file)) assert.ok(target.startsWith('src/model/'), `${file} imports ${target}`);
  }
});

test('the rule API imports only the model and the graph', () => {
  for (const file of files('src/rule-api')) {
    for (const target of imports(file)) {
      assert.ok(target.startsWith('src/model/') || target.startsWith('src/graph/'), `${file} imports ${target}`);
    }
  }
});

test('front ends do not import the engine, config, commands, reporters or rules', () => {
  for (const file of files('src/frontends')) {
    for (const target of imports(file)) {
      assert.not.ok(
        /^(src\/(engine|config|commands|reporters|verify)\/|rules\/)/.test(target),
        `${file} imports ${target}`,
      );
    }
  }
});

test('the renderer reads only the model (it sits beside it)', () => {
  for (const file of files('src/render')) {
    for (const target of imports(file)) {
      assert.ok(target.startsWith('src/model/') || target.startsWith('src/render/'), `${file} imports ${target}`);
    }
  }
});

test('reporters do not import rules or front ends', () => {
  for (const file of files('src/reporters')) {
    for (const target of imports(file)) {
      assert.not.ok(/^(src\/frontends\/|rules\/)/.test(target), `${file} imports ${target}`);
    }
  }
});

test.run();
