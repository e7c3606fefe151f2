// House rules for rule files (ESLint's checkRuleFiles, typescript-eslint's docs tests):
// registry parity, descriptions, messages, documented examples that behave as documented,
// a test file and both kinds of fixture per rule.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAllRules, ruleIds } from '../src/engine/registry.js';
import { runRule } from './helpers/rule-tester.js';
import { DOWNGRADE_NOTE, RULE_DOCS_BASE_URL, ruleDocUrl } from '../src/rule-api/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ruleFiles = readdirSync(path.join(root, 'rules'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const rules = await loadAllRules();

/** Rules whose documented examples cannot be a plain set of files (they need a lock file). */
const PROSE_EXAMPLES = new Set(['applied-migration-modified', 'callback-invoked-early', 'expired-waiver', 'unused-waiver']);

test('every rule file is registered, sorted, and its id is its file name', () => {
  assert.equal([...ruleIds], ruleFiles);
  assert.equal([...ruleIds], [...ruleIds].sort());
  for (const r of rules) assert.ok(ruleFiles.includes(r.id), `${r.id} has no file of its own name`);
});

test('descriptions, messages and help follow the house style', () => {
  for (const r of rules) {
    assert.match(r.meta.description, /^(Disallow|Require|Enforce) /, `${r.id}: description must start with Disallow, Require or Enforce`);
    assert.not.match(r.meta.description, /\.$/, `${r.id}: description ends without a period`);
    for (const [id, text] of Object.entries(r.meta.messages as Record<string, string>)) {
      assert.match(text, /^[A-Z{]/, `${r.id}.${id}: message starts with a capital`);
      assert.match(text, /\.$/, `${r.id}.${id}: message ends with a period`);
    }
    assert.match(r.meta.help, /\.$/, `${r.id}: help ends with a period`);
    assert.ok(r.meta.docs.why.length > 80, `${r.id}: docs.why explains the hazard`);
  }
});

test('every messageId is used by its rule', () => {
  for (const r of rules) {
    const source = readFileSync(path.join(root, 'rules', `${r.id}.ts`), 'utf8');
    const body = source.slice(source.indexOf('check('));
    for (const id of Object.keys(r.meta.messages as Record<string, string>)) {
      const used = body.includes(`'${id}'`) || /messageId: (err\.kind|down\.shape)/.test(body);
      assert.ok(used, `${r.id}: messageId ${id} is never reported`);
    }
  }
});

test('body rules say in their docs how downgrades are judged; message levels name real messages', () => {
  for (const r of rules) {
    if (r.scope === 'body') assert.ok(r.meta.docs.why.endsWith(DOWNGRADE_NOTE), `${r.id}: docs.why should end with DOWNGRADE_NOTE`);
    for (const id of Object.keys(r.meta.messageLevels ?? {})) assert.ok(id in r.meta.messages, `${r.id}: messageLevels names unknown message ${id}`);
  }
  assert.ok(rules.filter((r) => r.scope === 'body').length >= 14, 'the lock-safety rules are body rules');
});

test('every rule has a test file and both kinds of fixture', () => {
  const testSources = readdirSync(path.join(root, 'test', 'rules')).map((f) => readFileSync(path.join(root, 'test', 'rules', f), 'utf8'));
  for (const r of rules) {
    assert.ok(
      testSources.some((s) => s.includes(`rules/${r.id}.js'`)),
      `${r.id}: no test in test/rules imports it`,
    );
    // fixtures/<framework>/<id>/ and <id>-ok/, under alembic or another framework (a JS-only rule).
    const framework = readdirSync(path.join(root, 'fixtures')).find((f) => existsSync(path.join(root, 'fixtures', f, r.id, 'expected.json'))) ?? 'alembic';
    const flagged = path.join(root, 'fixtures', framework, r.id, 'expected.json');
    const clean = path.join(root, 'fixtures', framework, `${r.id}-ok`, 'expected.json');
    assert.ok(existsSync(flagged), `${r.id}: missing fixtures/${framework}/${r.id}/`);
    assert.ok(existsSync(clean), `${r.id}: missing fixtures/${framework}/${r.id}-ok/`);
    const fired = (JSON.parse(readFileSync(flagged, 'utf8')) as { rule: string }[]).some((f) => f.rule === r.id);
    const silent = !(JSON.parse(readFileSync(clean, 'utf8')) as { rule: string }[]).some((f) => f.rule === r.id);
    assert.ok(fired, `${r.id}: its flagged fixture expects no ${r.id} finding`);
    assert.ok(silent, `${r.id}: its clean fixture expects a ${r.id} finding`);
  }
});

test('every rule has its page in docs/rules/, where its findings link, and no page outlives its rule', () => {
  const pages = readdirSync(path.join(root, 'docs', 'rules')).sort();
  assert.equal(pages, rules.map((r) => `${r.id}.md`).sort());
  for (const r of rules) {
    const url = ruleDocUrl(r.id);
    assert.ok(url.startsWith(RULE_DOCS_BASE_URL), url);
    const page = readFileSync(path.join(root, 'docs', 'rules', url.slice(RULE_DOCS_BASE_URL.length)), 'utf8');
    assert.ok(page.startsWith(`# ${r.id}\n`), `${r.id}: its page is titled with its id`);
    for (const heading of ['## Why', '## Flagged', '## Not flagged', '## Safer way', '## Options', '## Presets']) {
      assert.ok(page.includes(`\n${heading}\n`), `${r.id}: its page has ${heading}`);
    }
    assert.ok(page.includes(r.meta.help), `${r.id}: its page gives the safer way`);
  }
  assert.ok(RULE_DOCS_BASE_URL.endsWith('/docs/rules/'), 'the published base is the docs/rules/ folder');
});

for (const r of rules) {
  if (PROSE_EXAMPLES.has(r.id)) continue;
  test(`${r.id}: docs.bad is flagged and docs.good is clean`, async () => {
    const alsoEnable = r.scope === 'suppressions' ? ['add-not-null-column'] : [];
    const bad = (await runRule(r, r.meta.docs.bad, { alsoEnable })).filter((f) => f.ruleId === r.id);
    const good = (await runRule(r, r.meta.docs.good, { alsoEnable })).filter((f) => f.ruleId === r.id);
    assert.ok(bad.length > 0, `${r.id}: docs.bad produced no finding`);
    assert.equal(good, [], `${r.id}: docs.good produced findings`);
  });
}

test.run();
