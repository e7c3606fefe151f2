// Runs the whole pipeline on every fixture project under fixtures/<framework>/<case>/ and
// compares ALL findings (rule, messageId, file, line, column) with the case's expected.json, so an
// extra finding fails as surely as a missing one. UPDATE=1 rewrites expected.json for review.
// A case may also hold expected-suppressed.json: the findings inline ignores silenced, each with
// the comment that did (file, line, tool).
// Each case may hold its own migralint.config.json (levels, options, dialect).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { lint } from '../src/engine/run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

interface Expected {
  rule: string;
  messageId: string;
  file: string;
  line: number;
  column: number;
}

function cases(): string[] {
  const out: string[] = [];
  for (const framework of readdirSync(root)) {
    const dir = path.join(root, framework);
    for (const name of readdirSync(dir)) {
      if (existsSync(path.join(dir, name, 'expected.json'))) out.push(path.join(dir, name));
    }
  }
  return out.sort();
}

// FIXTURES=<regexp> runs (and with UPDATE=1 rewrites) only the matching cases, e.g. FIXTURES='alembic/set-not-null'.
const only = process.env.FIXTURES ? new RegExp(process.env.FIXTURES) : null;

for (const dir of cases().filter((d) => !only || only.test(path.relative(root, d)))) {
  const name = path.relative(root, dir);
  test(`fixture ${name}`, async () => {
    const config = await loadConfig({ cwd: dir });
    const result = await lint({ cwd: dir, paths: [], config });
    const actual: Expected[] = result.findings.map((f) => ({
      rule: f.ruleId,
      messageId: f.messageId,
      file: path.relative(dir, f.file).split(path.sep).join('/'),
      line: f.line,
      column: f.column,
    }));
    const expectedFile = path.join(dir, 'expected.json');
    if (process.env.UPDATE === '1') writeFileSync(expectedFile, JSON.stringify(actual, null, 2) + '\n');
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected[];
    assert.ok(result.migrations.length > 0, `${name}: no migrations were found`);
    assert.equal(actual, expected);
    // Cases about ignore comments also list what was silenced, and by which comment.
    const suppressedFile = path.join(dir, 'expected-suppressed.json');
    if (existsSync(suppressedFile)) {
      const rel = (file: string) => path.relative(dir, file).split(path.sep).join('/');
      const silenced = result.suppressed.map((s) => ({
        rule: s.finding.ruleId,
        file: rel(s.finding.file),
        line: s.finding.line,
        by: { file: rel(s.by.file), line: s.by.line, tool: s.by.tool },
      }));
      if (process.env.UPDATE === '1') writeFileSync(suppressedFile, JSON.stringify(silenced, null, 2) + '\n');
      assert.equal(silenced, JSON.parse(readFileSync(suppressedFile, 'utf8')));
    }
  });
}

test.run();
