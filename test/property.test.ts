// Property-based robustness (fast-check): hostile variations of a migration, a config file and a
// lock file never make migralint fail. Each run mutates a known-good input (cut it anywhere,
// splice in NUL, invalid UTF-8, a BOM or a lone CR, turn every line ending into CR, nest
// brackets thousands deep, repeat it into a large file) and checks that
// - the engine returns (no exception) with no internal error among the findings,
// - every migration file given to it is accounted for (in the migrations read, in a finding, or
//   counted as skipped with a reason) and the file counts add up (seen = linted + skipped),
// - the config loader and the lock-file reader either succeed or reject with their own error,
// - the CLI prints valid JSON and exits 0, 1 or 2 (a handful of spawned cases).
// Seeded and bounded: MIGRALINT_FC_SEED and MIGRALINT_FC_RUNS override the defaults; a failure
// prints the seed and the path to replay it (fast-check's report), and the mutated input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lint, type LintResult } from '../src/engine/run.js';
import { loadConfig, ConfigError } from '../src/config/index.js';
import { parseLock, LockFileError } from '../src/engine/lockfile.js';
import { configFor } from './helpers/rule-tester.js';
import { ruleIds } from '../src/engine/registry.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEED = Number(process.env.MIGRALINT_FC_SEED ?? 20261207);
const RUNS = Number(process.env.MIGRALINT_FC_RUNS ?? 25);
const settings = (runs = RUNS) => ({ seed: SEED, numRuns: runs, endOnFailure: true });

// ---------------------------------------------------------------------------------------------
// Mutations

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'crOnly' }
  | { kind: 'bom' }
  | { kind: 'nest'; at: number; depth: number; open: string }
  | { kind: 'repeat'; times: number };

const SPECIAL_BYTES: number[][] = [[0x00], [0xff], [0xfe, 0xff], [0xef, 0xbb, 0xbf], [0xc3], [0xe2, 0x82], [0x0d], [0x0d, 0x0a], [0x22], [0x27], [0x60], [0x24, 0x24]];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(fc.constantFrom(...SPECIAL_BYTES), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 })),
  }),
  fc.record({ kind: fc.constant('crOnly' as const) }),
  fc.record({ kind: fc.constant('bom' as const) }),
  fc.record({ kind: fc.constant('nest' as const), at: fc.nat(), depth: fc.integer({ min: 50, max: 6000 }), open: fc.constantFrom('(', '[', '{') }),
  fc.record({ kind: fc.constant('repeat' as const), times: fc.integer({ min: 2, max: 400 }) }),
);

const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });

const CLOSE: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

function mutate(text: string, ms: readonly Mutation[]): Uint8Array {
  let bytes = Buffer.from(text, 'utf8');
  for (const m of ms) {
    const at = 'at' in m ? m.at % (bytes.length + 1) : 0;
    switch (m.kind) {
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
        break;
      case 'crOnly':
        bytes = Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r'), 'latin1');
        break;
      case 'bom':
        bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
        break;
      case 'nest':
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.open.repeat(m.depth) + '1' + CLOSE[m.open]!.repeat(m.depth)), bytes.subarray(at)]);
        break;
      case 'repeat':
        bytes = Buffer.concat(Array.from({ length: m.times }, () => bytes));
        break;
    }
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Projects: one file to mutate, one good file beside it

const ALEMBIC_GOOD = `"""create accounts"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("accounts", sa.Column("id", sa.BigInteger(), primary_key=True))


def downgrade():
    op.drop_table("accounts")
`;

const ALEMBIC_TARGET = `"""drop legacy flag"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("accounts", "legacy_flag")
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL; CREATE INDEX ix_tier ON accounts (tier);")
    op.create_unique_constraint("uq_accounts_tier", "accounts", ["tier", "id"])


def downgrade():
    op.drop_constraint("uq_accounts_tier", "accounts", type_="unique")
    op.drop_column("accounts", "tier")
    op.add_column("accounts", sa.Column("legacy_flag", sa.Boolean(), nullable=True))
`;

const SQL_GOOD = `CREATE TABLE accounts (id bigint PRIMARY KEY, legacy_flag boolean);\n`;

const SQL_TARGET = `-- drop the flag and add a tier
SET lock_timeout = '5s';
ALTER TABLE accounts DROP COLUMN legacy_flag;
ALTER TABLE accounts ADD COLUMN tier text NOT NULL DEFAULT 'free';
CREATE INDEX ix_tier ON accounts (tier);
UPDATE accounts SET tier = 'pro' WHERE id IN (SELECT id FROM accounts LIMIT 10);
CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END; $$ LANGUAGE plpgsql;
`;

const TS_GOOD = `export async function up(knex) {
  await knex.schema.createTable('accounts', (t) => { t.bigIncrements('id'); t.boolean('legacy_flag'); });
}
export async function down(knex) {
  await knex.schema.dropTable('accounts');
}
`;

const TS_TARGET = `import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw("SET lock_timeout = '5s'");
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('legacy_flag');
    t.text('tier').notNullable();
  });
  await knex.raw(\`CREATE INDEX ix_tier ON accounts (tier)\`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => { t.dropColumn('tier'); t.boolean('legacy_flag'); });
}
`;

interface Layout {
  name: string;
  /** Files relative to the project root; the one called `target` is mutated. */
  good: [string, string];
  target: [string, string];
  dir: string;
  extra?: Record<string, string>;
}

const LAYOUTS: Layout[] = [
  {
    name: 'Alembic (Python reader)',
    good: ['migrations/versions/a1_create_accounts.py', ALEMBIC_GOOD],
    target: ['migrations/versions/b2_drop_legacy_flag.py', ALEMBIC_TARGET],
    dir: 'migrations/versions',
    extra: { 'migrations/env.py': '# env\n', 'alembic.ini': '[alembic]\nscript_location = migrations\n' },
  },
  {
    name: 'SQL files (SQL reader)',
    good: ['db/migrations/0001_create_accounts.sql', SQL_GOOD],
    target: ['db/migrations/0002_drop_legacy_flag.sql', SQL_TARGET],
    dir: 'db/migrations',
  },
  {
    name: 'knex (TS reader)',
    good: ['migrations/20240101000000_create_accounts.js', TS_GOOD],
    target: ['migrations/20240102000000_drop_legacy_flag.ts', TS_TARGET],
    dir: 'migrations',
  },
];

const everyRuleOn = (() => {
  const rules: Record<string, { severity: 'error'; options: Record<string, unknown> }> = {};
  return async () => {
    if (Object.keys(rules).length > 0) return rules;
    const { loadRule } = await import('../src/engine/registry.js');
    for (const id of ruleIds) rules[id] = { severity: 'error', options: { ...((await loadRule(id)).meta.defaultOptions as object) } };
    return rules;
  };
})();

/**
 * Is `file` accounted for: read as a migration (or part of one), named by a finding, or counted
 * among the skipped files with a reason? And do the file counts add up?
 */
function accountedFor(result: LintResult, file: string): boolean {
  assert.is(result.files.seen, result.files.linted + result.files.skipped.length, 'seen = linted + skipped');
  return (
    result.migrations.some((m) => m.file === file || m.companions.some((c) => c.file === file)) ||
    result.sets.some((s) => s.migrations.some((m) => m.file === file)) ||
    result.findings.some((f) => f.file === file) ||
    result.files.skipped.some((s) => s.file === file && s.reason !== '')
  );
}

function internalErrors(result: LintResult): string[] {
  return result.findings
    .filter((f) => f.messageId === 'internal-error' || (f.ruleId === 'parse-error' && f.messageId === 'internal' && /bug in migralint/.test(f.message)))
    .map((f) => `${path.basename(f.file)}: ${f.message}`);
}

const describeInput = (bytes: Uint8Array) => {
  const text = Buffer.from(bytes).toString('latin1');
  return text.length > 300 ? `${JSON.stringify(text.slice(0, 300))}... (${text.length} bytes)` : JSON.stringify(text);
};

for (const layout of LAYOUTS) {
  test(`${layout.name}: a mutated migration never causes an internal error, and both files are accounted for`, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-prop-'));
    const rules = await everyRuleOn();
    try {
      for (const [rel, text] of Object.entries({ ...layout.extra, [layout.good[0]]: layout.good[1] })) {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), text);
      }
      const target = path.join(dir, layout.target[0]);
      const good = path.join(dir, layout.good[0]);
      const config = configFor(dir, rules, { lockfile: null });
      await fc.assert(
        fc.asyncProperty(mutations, async (ms) => {
          const bytes = mutate(layout.target[1], ms);
          writeFileSync(target, bytes);
          let result: LintResult;
          try {
            result = await lint({ cwd: dir, paths: [path.join(dir, layout.dir)], config, lockfile: null });
          } catch (err) {
            throw new Error(`lint threw ${(err as Error)?.stack ?? err} on ${describeInput(bytes)}`);
          }
          assert.equal(internalErrors(result), [], `internal errors on ${describeInput(bytes)}`);
          assert.ok(accountedFor(result, good), `the good file is missing from the result for ${describeInput(bytes)}`);
          assert.ok(accountedFor(result, target), `the mutated file is missing from the result: ${describeInput(bytes)}`);
        }),
        settings(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Config loader and lock-file reader

const CONFIG_JSON = `{
  "$schema": "./node_modules/migralint/policies/migralint.schema.json",
  "extends": "recommended",
  "dialect": "postgresql",
  "postgresVersion": 15,
  "maxFileSize": 2,
  "runner": { "lockTimeout": "5s" },
  "directories": { "migrations/versions": { "framework": "alembic" } },
  "rules": { "drop-column": "warn", "require-lock-timeout": ["error", {}] },
  "overrides": [{ "files": ["**/legacy/*.py"], "rules": { "drop-table": "off" } }]
}
`;

const CONFIG_YAML = `extends: recommended
dialect: postgresql
postgresVersion: 15
directories:
  migrations/versions:
    framework: alembic
rules:
  drop-column: warn
  require-lock-timeout: [error, {}]
overrides:
  - files: ["**/legacy/*.py"]
    rules:
      drop-table: "off"
`;

test('config loader: a mutated config file loads or is refused with a ConfigError, never anything else', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-prop-config-'));
  try {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(['migralint.config.json', CONFIG_JSON], ['.migralintrc.yaml', CONFIG_YAML]), mutations, async ([name, text], ms) => {
        const bytes = mutate(text, ms.filter((m) => m.kind !== 'repeat' || m.times < 50));
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, name), bytes);
        try {
          const config = await loadConfig({ cwd: dir });
          assert.type(config.rules, 'object');
        } catch (err) {
          assert.ok(err instanceof ConfigError, `loadConfig threw ${(err as Error)?.stack ?? err} on ${describeInput(bytes)}`);
          assert.ok((err as ConfigError).problems.length > 0);
        }
      }),
      settings(RUNS * 4),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const LOCK = `# migralint lock file
migralint-lock 1
migrations/versions/a1_create_accounts.py\ta1\tsha256:${'ab'.repeat(32)}\tabcdefghi
migrations/versions/b2_drop_legacy_flag.py\tb2\tsha256:${'cd'.repeat(32)}\tjklmno
`;

test('lock-file reader: a mutated lock file is read or refused with a LockFileError naming a line', () => {
  fc.assert(
    fc.property(mutations, (ms) => {
      const bytes = mutate(LOCK, ms);
      const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      try {
        const state = parseLock(text, '/p/migralint.lock');
        for (const e of state.entries) assert.ok(e.path.length > 0 && typeof e.sha256 === 'string');
      } catch (err) {
        assert.ok(err instanceof LockFileError, `parseLock threw ${(err as Error)?.stack ?? err} on ${describeInput(bytes)}`);
        assert.ok((err as LockFileError).line >= 1);
      }
    }),
    settings(RUNS * 8),
  );
});

// ---------------------------------------------------------------------------------------------
// The CLI: valid JSON and a documented exit code

test('the CLI on mutated projects prints valid JSON and exits 0, 1 or 2', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-prop-cli-'));
  try {
    // A handful of cases (each spawns a process): one per layout, mutated by fixed samples.
    const samples = fc.sample(mutations, { seed: SEED, numRuns: LAYOUTS.length });
    LAYOUTS.forEach((layout, i) => {
      rmSync(dir, { recursive: true, force: true });
      for (const [rel, text] of Object.entries({ ...layout.extra, [layout.good[0]]: layout.good[1], [layout.target[0]]: layout.target[1] })) {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), text);
      }
      const bytes = mutate(layout.target[1], samples[i]!);
      writeFileSync(path.join(dir, layout.target[0]), bytes);
      const r = spawnSync(process.execPath, [path.join(root, 'bin', 'migralint.js'), 'lint', '--no-lock', '--format', 'json', layout.dir], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
      assert.ok([0, 1, 2].includes(r.status ?? -1), `${layout.name}: exit ${r.status} ${r.stderr} on ${describeInput(bytes)}`);
      if (r.status === 2) return;
      let out: { findings: { file: string }[] };
      try {
        out = JSON.parse(r.stdout);
      } catch {
        throw new Error(`${layout.name}: invalid JSON on ${describeInput(bytes)}:\n${r.stdout.slice(0, 500)}`);
      }
      assert.ok(Array.isArray(out.findings));
      assert.not.match(r.stderr, /internal error/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
