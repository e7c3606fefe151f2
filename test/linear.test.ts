// Rules do work in proportion to a migration's size, not its square: every migration rule is run
// on a migration of n operations and of 2n, and the operations it reads are counted (not timed,
// so this cannot flake). Doubling the migration must not quadruple the reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAlembic } from '../src/frontends/alembic/index.js';
import { loadAllRules } from '../src/engine/registry.js';
import { Catalog } from '../src/engine/catalog.js';
import type { Migration, Operation } from '../src/model/index.js';
import type { Finding } from '../src/rule-api/index.js';
import { fingerprints, lineTextOf } from '../src/reporters/shared.js';
import { summarize } from '../src/reporters/types.js';

function migration(n: number): Migration {
  const up: string[] = [];
  const down: string[] = [];
  for (let i = 0; i < n; i++) {
    up.push(
      `op.add_column("accounts", sa.Column("c${i}", sa.Text(), nullable=False))`,
      `op.alter_column("accounts", "c${i}", nullable=False, type_=sa.BigInteger())`,
      `op.alter_column("accounts", "d${i}", new_column_name="e${i}")`,
      `op.create_index("ix${i}", "accounts", ["c${i}"])`,
      `op.create_unique_constraint("uq${i}", "accounts", ["c${i}"])`,
      `op.drop_index("old_ix${i}", table_name="accounts")`,
      `op.rename_table("t${i}", "u${i}")`,
      `op.drop_table("v${i}")`,
      `op.drop_column("accounts", "f${i}")`,
    );
    down.push(`op.drop_column("accounts", "c${i}")`, `op.alter_column("accounts", "e${i}", new_column_name="d${i}")`, `op.drop_index("ix${i}")`);
  }
  const text = `revision = "a1"\ndown_revision = None\nfrom alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n${up.map((l) => `    ${l}\n`).join('')}\ndef downgrade():\n${down.map((l) => `    ${l}\n`).join('')}`;
  return parseAlembic({ file: '/p/a1.py', bytes: new TextEncoder().encode(text), projectRoot: '/p', dialect: 'postgresql' });
}

/** The operations array, behind a proxy that counts element reads. */
function counted(ops: Operation[], counter: { reads: number }): Operation[] {
  return new Proxy(ops, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) counter.reads++;
      return Reflect.get(target, prop, receiver);
    },
  });
}

async function readsPerRule(n: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const rule of await loadAllRules()) {
    if (rule.scope !== 'migration' && rule.scope !== 'body') continue;
    const m = migration(n);
    const counter = { reads: 0 };
    m.upgrade.operations = counted(m.upgrade.operations, counter);
    m.downgrade.operations = counted(m.downgrade.operations, counter);
    const settings = { dialect: 'postgresql' as const, postgresVersion: 14 };
    if (rule.scope === 'migration') {
      const ctx = { settings, catalog: new Catalog(), report: () => {} };
      (rule.check as (c: unknown, m: Migration, o: unknown) => void)(ctx, m, rule.meta.defaultOptions);
    } else {
      // Body rules judge the upgrade and the downgrade.
      for (const direction of ['upgrade', 'downgrade'] as const) {
        const ctx = { settings, catalog: new Catalog(), direction, report: () => {} };
        (rule.check as (c: unknown, b: Migration['upgrade'], m: Migration, o: unknown) => void)(ctx, m[direction], m, rule.meta.defaultOptions);
      }
    }
    out.set(rule.id, counter.reads);
  }
  return out;
}

test('every migration rule reads a migration twice the size about twice as often, not four times', async () => {
  const small = await readsPerRule(150);
  const large = await readsPerRule(300);
  assert.ok(small.size > 20, 'the migration rules ran');
  const quadratic = [...small].filter(([id, reads]) => large.get(id)! > 3 * Math.max(reads, 1) && large.get(id)! > 1000);
  assert.equal(quadratic.map(([id, reads]) => `${id}: ${reads} -> ${large.get(id)}`), []);
});

test('report fingerprints index a file\'s lines once: a file with many findings costs lines + findings line scans', () => {
  const lines = 3000;
  const source = Array.from({ length: lines }, (_, i) => `ALTER TABLE t${i} ADD COLUMN c text;`).join('\n');
  const findings: Finding[] = Array.from({ length: lines }, (_, i) => ({
    ruleId: 'require-lock-timeout',
    messageId: 'missing',
    severity: 'warn',
    file: '/p/0001.sql',
    line: i + 1,
    column: 1,
    endLine: i + 1,
    endColumn: 10,
    message: 'm',
    migration: null,
  }));
  const input = { findings, summary: summarize(findings, 1, 1), sources: new Map([['/p/0001.sql', source]]) };
  // Count the line scans (String#indexOf) the fingerprints make.
  const indexOf = String.prototype.indexOf;
  let scans = 0;
  String.prototype.indexOf = function (this: string, ...args: Parameters<typeof indexOf>) {
    scans++;
    return indexOf.apply(this, args);
  };
  let prints: string[];
  try {
    prints = fingerprints(input, '/p');
  } finally {
    String.prototype.indexOf = indexOf;
  }
  assert.equal(new Set(prints).size, lines);
  assert.ok(scans < 4 * lines, `${scans} line scans for ${lines} findings on ${lines} lines`);
  assert.equal(lineTextOf(input, findings[lines - 1]!), `ALTER TABLE t${lines - 1} ADD COLUMN c text;`);
  assert.equal(lineTextOf(input, { ...findings[0]!, line: lines + 1 }), null);
});

test.run();
