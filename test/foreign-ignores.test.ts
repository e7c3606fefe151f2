// Other linters' ignore comments (src/engine/foreign-ignores.ts) and the `downgrades` policy, on
// whole projects; the fixtures under fixtures/sql/foreign-ignore-* show each form in a project.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FOREIGN_TOOLS, parseForeignDirective } from '../src/engine/foreign-ignores.js';
import { ruleIds } from '../src/engine/registry.js';
import { lint } from '../src/engine/run.js';
import type { ResolvedConfig, RuleSetting } from '../src/config/index.js';
import { configFor } from './helpers/rule-tester.js';

test('each tool\'s comment forms, as the tool reads them', () => {
  const read = (text: string) => {
    const d = parseForeignDirective(text);
    return d && { tool: d.tool, kind: d.kind, rules: d.rules, unmapped: d.unmapped, unknown: d.unknown, noRules: d.noRules };
  };
  // squawk: a second `--` starts the reason; a bare line ignore names nothing (squawk 2.66 then ignores nothing).
  assert.equal(read('squawk-ignore ban-drop-column,renaming-column -- released in 41'), {
    tool: 'squawk', kind: 'line', rules: ['drop-column', 'rename-column'], unmapped: [], unknown: [], noRules: false,
  });
  assert.equal(read('squawk-ignore')?.noRules, true);
  assert.equal(read('squawk-ignore')?.rules, []);
  assert.equal(read('squawk-ignore-file')?.kind, 'file');
  assert.ok(read('squawk-ignore-file')!.rules.includes('drop-column'), 'a bare file ignore covers every squawk rule');
  assert.not.ok(read('squawk-ignore-file')!.rules.includes('sql-syntax-error'), 'but never the rules that say something was not read');
  assert.equal(read('squawk-ignored'), null);
  // pgfence: bare = every rule; `: ids`; the legacy `pgfence: ignore ids`.
  assert.ok(read('pgfence-ignore')!.rules.includes('require-concurrent-index'));
  assert.equal(read('pgfence-ignore: drop-table, vacuum-full')?.rules, ['drop-table']);
  assert.equal(read('pgfence-ignore: drop-table, vacuum-full')?.unmapped, ['vacuum-full']);
  assert.equal(read('pgfence: ignore create-index-not-concurrent')?.rules, ['require-concurrent-index']);
  // eugene: `ignore` alone is every hint; ids are case-insensitive; the docs' `ignore: E2` is read too.
  assert.ok(read('eugene: ignore')!.rules.includes('set-not-null'));
  assert.equal(read('eugene: ignore e2, E5')?.rules, ['changing-column-type', 'set-not-null']);
  assert.equal(read('eugene: ignore: E2')?.rules, ['set-not-null']);
  assert.equal(read('eugene: ignore E42')?.unknown, ['E42']);
  assert.equal(read('eugene: trace'), null);
  // diesel-guard: exact markers only.
  assert.equal(read('safety-assured:start')?.kind, 'start');
  assert.equal(read('SAFETY-ASSURED:END')?.kind, 'end');
  assert.equal(read('safety-assured:start extra'), null);
});

test('the mapping names only real migralint rules', () => {
  const known = new Set(ruleIds);
  for (const t of FOREIGN_TOOLS) {
    for (const [id, rules] of Object.entries(t.rules)) for (const r of rules) assert.ok(known.has(r), `${t.tool} ${id} -> ${r} is not a rule`);
  }
});

function project(files: Record<string, string>): { root: string; cleanup(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'migralint-foreign-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const on = (ids: string[]): Record<string, RuleSetting> => Object.fromEntries(ids.map((id) => [id, { severity: 'error' as const, options: {} }]));

test('a squawk-ignore inside a TypeScript template literal covers its statement', async () => {
  const p = project({
    'src/migrations/1700000000000-DropLegacy.ts': `import { MigrationInterface, QueryRunner } from 'typeorm';

export class DropLegacy1700000000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(\`
      -- squawk-ignore ban-drop-column
      ALTER TABLE "post" DROP COLUMN "legacy"\`);
    await queryRunner.query(\`ALTER TABLE "post" DROP COLUMN "draft"\`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {}
}
`,
  });
  try {
    const config = configFor(p.root, on(['drop-column']));
    const r = await lint({ cwd: p.root, paths: [path.join(p.root, 'src', 'migrations')], config, lockfile: null });
    assert.equal(r.findings.map((f) => [f.ruleId, f.line]), [['drop-column', 8]]);
    assert.equal(r.suppressed.map((s) => [s.finding.ruleId, s.finding.line, s.by.line, s.by.tool]), [['drop-column', 7, 6, 'squawk']]);
  } finally {
    p.cleanup();
  }
});

const DOWN_PROJECT = {
  'db/migrations/000001_index_accounts.up.sql': "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n",
  'db/migrations/000001_index_accounts.down.sql': 'DROP INDEX accounts_email_idx;\n',
  'db/migrations/000002_plans.up.sql': 'CREATE TABLE plans (id bigint PRIMARY KEY, code text);\nCREATE INDEX plans_code_idx ON plans (code);\n',
  'db/migrations/000002_plans.down.sql': 'DROP INDEX plans_code_idx;\nDROP TABLE plans;\n',
};

async function downgradeFindings(downgrades: ResolvedConfig['downgrades']) {
  const p = project(DOWN_PROJECT);
  try {
    const config = configFor(p.root, on(['require-concurrent-index-drop', 'require-lock-timeout']), { downgrades });
    const r = await lint({ cwd: p.root, paths: [path.join(p.root, 'db', 'migrations')], config, lockfile: null });
    return r.findings.map((f) => [f.ruleId, path.basename(f.file), f.line, f.severity]);
  } finally {
    p.cleanup();
  }
}

test('downgrades: "judge" reports a rollback\'s lock hazards at the rule\'s level; undoing a new table is fine', async () => {
  // 000001's down drops an index on the existing accounts table with no lock_timeout and without
  // CONCURRENTLY; 000002's down only removes what its upgrade created.
  assert.equal(await downgradeFindings('judge'), [
    ['require-concurrent-index-drop', '000001_index_accounts.down.sql', 1, 'error'],
    ['require-lock-timeout', '000001_index_accounts.down.sql', 1, 'error'],
  ]);
});

test('downgrades: "lower" reports them one level lower; "ignore" not at all', async () => {
  assert.equal(await downgradeFindings('lower'), [
    ['require-concurrent-index-drop', '000001_index_accounts.down.sql', 1, 'warn'],
    ['require-lock-timeout', '000001_index_accounts.down.sql', 1, 'warn'],
  ]);
  assert.equal(await downgradeFindings('ignore'), []);
});

test.run();
