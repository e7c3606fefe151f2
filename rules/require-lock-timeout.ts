import { LOCK_MODES, newTableAt, lockBlocks, lockOf, lockStrength } from '../src/model/index.js';
import type { Body, LockMode, Migration, Operation } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';
import type { CatalogView } from '../src/rule-api/index.js';

export type MessageIds = 'missing' | 'localNotApplied';
export interface Options {
  /** The weakest lock mode that needs a lock_timeout. */
  minimumLock: LockMode;
}

export default defineRule<MessageIds, Options>({
  id: 'require-lock-timeout',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Require a lock_timeout before statements that take a blocking lock on an existing table',
    dialects: ['postgresql'],
    docs: {
      why:
        'ALTER TABLE, DROP INDEX, TRUNCATE and friends need an ACCESS EXCLUSIVE (or SHARE ROW EXCLUSIVE) lock. ' +
        'If a long query or an idle transaction holds the table, the migration waits, and every query that ' +
        'arrives after it waits behind it in the lock queue: even a statement that would take a millisecond ' +
        'turns into an outage for as long as the blocker runs. A lock_timeout makes the migration give up ' +
        'instead, so it can be retried. It counts when set earlier in the same body (SET, or SET LOCAL in the ' +
        'same transaction), in env.py on the connection, or as runner.lockTimeout in the migralint config. ' +
        'Tables created earlier in the same migration need none: no one else uses them yet. ' +
        DOWNGRADE_NOTE,
      bad: `"""add tier"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("accounts", "tier")
`,
      good: `"""add tier"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))


def downgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("accounts", "tier")
`,
    },
    help:
      'Set a lock_timeout before the first locking statement, so the migration fails fast instead of stalling ' +
      'traffic, and retry it: op.execute("SET LOCAL lock_timeout = \'5s\'") at the top of upgrade(), or SET ' +
      'lock_timeout on the connection in env.py (or runner.lockTimeout in the migralint config); in a SQL ' +
      'migration, SET lock_timeout = \'5s\'; before the statement.',
    messages: {
      missing:
        'This statement locks {{table}} in {{lock}} mode with no lock_timeout set; while it waits for a running transaction, {{blocked}} on {{table}} queue behind it.',
      localNotApplied:
        'This statement locks {{table}} in {{lock}} mode, and the SET LOCAL lock_timeout before it does not apply here: {{why}}.',
    },
    schema: {
      type: 'object',
      properties: {
        minimumLock: {
          enum: [...LOCK_MODES],
          description:
            'The weakest lock mode that needs a lock_timeout (default SHARE ROW EXCLUSIVE; SHARE also covers plain CREATE INDEX, as squawk does).',
        },
      },
      additionalProperties: false,
    },
    // A lock held for the time a table's size decides.
    sizeAware: true,
    defaultOptions: { minimumLock: 'SHARE ROW EXCLUSIVE' },
  },
  check(ctx, body, migration, options) {
    // A lock_timeout on the runner's connection (env.py, the config) covers every statement.
    const runner = migration.runnerSettings.filter((s) => s.name === 'lock_timeout').pop();
    if (runner && isNonZero(runner.value)) return;
    // One finding per body, at the first statement (as squawk does per file).
    const hit = firstUnprotected(body, migration, ctx.catalog, options.minimumLock);
    if (!hit) return;
    const data = { table: hit.table ?? '(unknown table)', lock: hit.mode, blocked: lockBlocks(hit.mode) };
    if (hit.why) ctx.report({ messageId: 'localNotApplied', at: hit.op, table: hit.table, data: { ...data, why: hit.why } });
    else ctx.report({ messageId: 'missing', at: hit.op, table: hit.table, data });
  },
});

interface Hit {
  op: Operation;
  mode: LockMode;
  table: string | null;
  /** Why an earlier SET LOCAL lock_timeout does not cover the statement, when there was one. */
  why: string | null;
}

type Event =
  | { kind: 'set'; name: string; value: string | null; local: boolean }
  | { kind: 'tx'; action: 'begin' | 'commit' | 'rollback' | 'other' };

/** The first statement of `body` that takes a lock of at least `minimum` on an existing table with no lock_timeout in force. */
function firstUnprotected(body: Body, migration: Migration, catalog: CatalogView, minimum: LockMode): Hit | null {
  const runnerTx = migration.transaction.mode !== 'none';
  let session = false; // SET lock_timeout (session) in force
  let local: boolean | null = null; // SET LOCAL lock_timeout override for the open transaction
  let explicitTx = false; // a BEGIN of the migration's own is open
  let lostLocal: string | null = null;
  let previous: boolean | null = null;
  const ops = body.operations;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    // Entering or leaving autocommit_block() commits the open transaction; SET LOCAL ends with it.
    if (previous !== null && op.transactional !== previous) {
      if (local !== null) lostLocal = 'the transaction it applied to ended before this statement';
      local = null;
      explicitTx = false;
    }
    previous = op.transactional;
    const inTx: boolean = (runnerTx && op.transactional) || explicitTx;

    for (const ev of eventsOf(op)) {
      if (ev.kind === 'tx') {
        if (ev.action === 'begin') explicitTx = explicitTx || !inTx;
        if (ev.action === 'commit' || ev.action === 'rollback') {
          if (local !== null) lostLocal = 'the transaction it applied to ended before this statement';
          local = null;
          explicitTx = false;
        }
        continue;
      }
      if (ev.name !== 'lock_timeout' && ev.name !== 'all') continue;
      const on = ev.value !== null && isNonZero(ev.value);
      if (ev.local) {
        // SET LOCAL outside a transaction block only draws a warning and changes nothing.
        if ((runnerTx && op.transactional) || explicitTx) {
          local = on;
          lostLocal = null;
        } else if (on) lostLocal = 'it ran outside a transaction, where SET LOCAL has no effect (use SET)';
      } else {
        session = on;
        local = null;
        lostLocal = null;
      }
    }

    const lock = lockOf(op, { indexTable: (name) => catalog.index(name)?.table ?? null });
    if (!lock) continue;
    const covered = local ?? session;
    if (covered) continue;
    for (const l of [lock, ...(lock.also ?? [])]) {
      if (!l || lockStrength(l.mode) < lockStrength(minimum)) continue;
      // A table production does not have yet (created by a pending migration) has no traffic to stall.
      if (newTableAt(migration, body, i, l.table) || catalog.isNewTable(l.table)) continue;
      return { op, mode: l.mode, table: l.table, why: lostLocal };
    }
  }
  return null;
}

const SET = /^\s*SET\s+(SESSION\s+|LOCAL\s+)?([\w.]+)\s*(?:=|\bTO\b)\s*([\s\S]*?)\s*$/i;
const RESET = /^\s*RESET\s+([\w.]+)\s*$/i;
const SET_CONFIG = /\bset_config\s*\(\s*'([\w.]+)'\s*,\s*('(?:[^']|'')*'|[^,]+)\s*,\s*(true|false)\s*\)/gi;

/** Settings and transaction boundaries an operation contains. */
function eventsOf(op: Operation): Event[] {
  switch (op.kind) {
    case 'set_setting':
      return [{ kind: 'set', name: op.name.toLowerCase(), value: op.value, local: op.local }];
    case 'transaction_control':
      // begin_nested() is a SAVEPOINT: no transaction boundary.
      if (op.action === 'begin' && /begin_nested$/.test(op.callee)) return [];
      return [{ kind: 'tx', action: op.action === 'begin' || op.action === 'commit' || op.action === 'rollback' ? op.action : 'other' }];
    case 'execute_sql':
      // Not yet expanded by the SQL reader: read SET / RESET / set_config() / BEGIN / COMMIT from the text.
      return op.statements.flatMap((st) => statementEvents(st.keyword, st.text));
    case 'sql':
      return op.fromSql ? setConfigEvents(op.fromSql.statement) : [];
    default:
      return [];
  }
}

function statementEvents(keyword: string, text: string): Event[] {
  switch (keyword) {
    case 'SET': {
      const m = SET.exec(text);
      if (!m) return [];
      const value = /^default$/i.test(m[3]!) ? null : m[3]!;
      return [{ kind: 'set', name: m[2]!.toLowerCase(), value, local: /local/i.test(m[1] ?? '') }];
    }
    case 'RESET': {
      const m = RESET.exec(text);
      return m ? [{ kind: 'set', name: m[1]!.toLowerCase(), value: null, local: false }] : [];
    }
    case 'BEGIN':
    case 'START TRANSACTION':
      return [{ kind: 'tx', action: 'begin' }];
    case 'COMMIT':
    case 'END':
      return [{ kind: 'tx', action: 'commit' }];
    case 'ROLLBACK':
    case 'ABORT':
      return /^\s*ROLLBACK\s+(?:WORK\s+|TRANSACTION\s+)?TO\b/i.test(text) ? [] : [{ kind: 'tx', action: 'rollback' }];
    default:
      return setConfigEvents(text);
  }
}

/** `SELECT set_config('lock_timeout', '5s', true)`: is_local true is SET LOCAL. */
function setConfigEvents(text: string): Event[] {
  const out: Event[] = [];
  SET_CONFIG.lastIndex = 0;
  for (let m = SET_CONFIG.exec(text); m; m = SET_CONFIG.exec(text)) {
    out.push({ kind: 'set', name: m[1]!.toLowerCase(), value: m[2]!, local: m[3]!.toLowerCase() === 'true' });
  }
  return out;
}

/** A lock_timeout value that is not 0 (0 disables the timeout). Unknown values (holes) count as set. */
function isNonZero(value: string): boolean {
  const v = value.trim().replace(/^'(.*)'$/s, '$1').replace(/^"(.*)"$/s, '$1').trim();
  if (v === '' || /^default$/i.test(v)) return false;
  return !/^0+(?:\.0*)?\s*(?:us|ms|s|min|h|d)?$/i.test(v);
}
