import { createdBefore, tableAliases, tablesCreated } from '../src/model/index.js';
import type { Body, Operation } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'updateAll' | 'deleteAll' | 'truncate';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'unbounded-data-change',
  scope: 'migration',
  meta: {
    type: 'problem',
    description: 'Disallow UPDATE or DELETE without WHERE, and TRUNCATE, on existing tables in a migration',
    docs: {
      why:
        'An UPDATE or DELETE without WHERE touches every row of the table in one statement, inside the ' +
        'migration\'s transaction: on a large table it runs for minutes, holds a row lock on every row (so ' +
        'the application\'s writes to the table wait), bloats the table and the WAL, and a failure half way ' +
        'throws all of it away. TRUNCATE takes an ACCESS EXCLUSIVE lock and empties the table at once. Tables ' +
        'created earlier in the same migration (seed data) are not reported, nor, in downgrade(), tables its ' +
        'own upgrade created.',
      bad: `"""everyone on the free tier"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute("UPDATE accounts SET tier = 'free'")


def downgrade():
    pass
`,
      good: `"""move the retired legacy tier to free"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier = 'legacy'")


def downgrade():
    pass
`,
    },
    help:
      'Restrict the change with a WHERE clause (in SQLAlchemy, .where(...) / .filter(...)), and for large ' +
      'tables backfill in keyed batches (UPDATE ... WHERE id IN (SELECT id ... LIMIT 1000)) outside the ' +
      'schema migration; if the table really must be emptied, do it deliberately and mark it with an inline ' +
      'ignore.',
    messages: {
      updateAll: 'This UPDATE of {{table}} has no WHERE clause: it rewrites every row in one transaction.',
      deleteAll: 'This DELETE from {{table}} has no WHERE clause: it removes every row in one transaction.',
      truncate: 'This TRUNCATE empties {{table}} and holds an ACCESS EXCLUSIVE lock on it.',
    },
    defaultOptions: {},
  },
  check(ctx, migration) {
    const up = migration.upgrade.operations;
    const down = migration.downgrade.operations;
    const same = tableAliases([...up, ...down]);
    const createdByUpgrade = [...tablesCreated(migration.upgrade)];
    const visit = (body: Body, isDowngrade: boolean) => {
      body.operations.forEach((op, i) => {
        for (const change of unboundedChanges(op)) {
          if (createdBefore(body, i, change.table)) continue;
          if (isDowngrade && createdByUpgrade.some((t) => same(t, change.table))) continue;
          ctx.report({ messageId: change.messageId, at: op, data: { table: change.table ?? '(unknown table)' } });
        }
      });
    };
    visit(migration.upgrade, false);
    visit(migration.downgrade, true);
  },
});

interface Change {
  messageId: MessageIds;
  table: string | null;
}

const WHERE = /\bWHERE\b/i;

/** The whole-table changes an operation makes. */
function unboundedChanges(op: Operation): Change[] {
  if (op.kind === 'data_change') {
    if (op.action === 'truncate') return [{ messageId: 'truncate', table: op.table }];
    if (op.hasWhere !== false) return [];
    if (op.action === 'update') return [{ messageId: 'updateAll', table: op.table }];
    if (op.action === 'delete') return [{ messageId: 'deleteAll', table: op.table }];
    // session.query(Model).update({...}) / .delete() with no filter.
    if (op.action === 'orm') {
      if (/\.update$/.test(op.callee) || op.columns.length > 0) return [{ messageId: 'updateAll', table: op.table }];
      if (/\.delete$/.test(op.callee)) return [{ messageId: 'deleteAll', table: op.table }];
    }
    return [];
  }
  if (op.kind !== 'execute_sql') return [];
  // SQL in op.execute() not yet expanded by the SQL reader: read the statements' text.
  const out: Change[] = [];
  for (const st of op.statements) {
    const body = stripLiterals(st.text);
    if (st.keyword === 'TRUNCATE') {
      for (const table of truncatedTables(st.text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' '))) out.push({ messageId: 'truncate', table });
    } else if (st.keyword === 'UPDATE' && /^\s*(?:UPDATE|WITH)\b/i.test(body) && !WHERE.test(mainStatement(body))) {
      out.push({ messageId: 'updateAll', table: st.table });
    } else if (st.keyword === 'DELETE' && /^\s*(?:DELETE|WITH)\b/i.test(body) && !WHERE.test(mainStatement(body))) {
      out.push({ messageId: 'deleteAll', table: st.table });
    }
  }
  return out;
}

/** The text with string literals, quoted identifiers' contents and comments blanked, so a WHERE inside them does not count. */
function stripLiterals(text: string): string {
  return text
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '"x"');
}

/** For `WITH ... UPDATE ...`, the part from the main statement on (a WHERE inside a CTE does not bound it). */
function mainStatement(text: string): string {
  if (!/^\s*WITH\b/i.test(text)) return text;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /^(?:UPDATE|DELETE)\b/i.test(text.slice(i)) && /\W/.test(text[i - 1] ?? ' ')) return text.slice(i);
  }
  return text;
}

/** `TRUNCATE [TABLE] [ONLY] a, b [RESTART IDENTITY] [CASCADE]` → [a, b], without schema and quotes. */
function truncatedTables(text: string): (string | null)[] {
  const m = /^\s*TRUNCATE\s+(?:TABLE\s+)?([\s\S]*)$/i.exec(text);
  if (!m) return [null];
  const list = m[1]!.split(/\s+(?:RESTART|CONTINUE|CASCADE|RESTRICT)\b/i)[0]!;
  const names = list
    .split(',')
    .map((n) => n.trim().replace(/^ONLY\s+/i, '').replace(/\s*\*$/, '').split('.').pop()!.replace(/^"|"$/g, '').trim())
    .filter((n) => n !== '');
  return names.length > 0 ? names : [null];
}
