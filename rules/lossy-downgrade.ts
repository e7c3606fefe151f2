import { creationIndices, normalizeName, sameName, tableAliasKey, tableAliases, tablesCreated } from '../src/model/index.js';
import type { Body, Migration, Operation } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'dropsTable' | 'dropsColumn' | 'notRestored';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'lossy-downgrade',
  scope: 'migration',
  meta: {
    type: 'problem',
    description: 'Disallow downgrades that destroy data which existed before the upgrade',
    docs: {
      why:
        'A downgrade is the emergency exit of a bad deploy, run in a hurry against production. It must give back ' +
        'the database the upgrade started from: a downgrade that drops a table or a column the upgrade did not ' +
        'create deletes rows and values that were there before the deploy, and an upgrade that rewrites or deletes ' +
        'existing rows (UPDATE, DELETE, TRUNCATE) with a downgrade that does not write them back leaves them ' +
        'changed for good, although the rollback "succeeded". irreversible-downgrade accepts an empty downgrade ' +
        'for a data-only revision; this rule says what that empty downgrade loses. Rows that the upgrade only ' +
        'fills in (a column it adds, NULLs it replaces with WHERE col IS NULL) lose nothing.',
      bad: `"""lower-case account emails"""
from alembic import op

revision = "e5"
down_revision = "d4"


def upgrade():
    op.execute("UPDATE accounts SET email = lower(email) WHERE email <> lower(email)")


def downgrade():
    pass
`,
      good: `"""lower-case account emails, keeping the original spelling for the downgrade"""
from alembic import op
import sqlalchemy as sa

revision = "e5"
down_revision = "d4"


def upgrade():
    op.create_table(
        "accounts_email_before_e5",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.Text(), nullable=False),
    )
    op.execute(
        "INSERT INTO accounts_email_before_e5 (id, email) SELECT id, email FROM accounts WHERE email <> lower(email)"
    )
    op.execute("UPDATE accounts SET email = lower(email) WHERE email <> lower(email)")


def downgrade():
    op.execute(
        "UPDATE accounts SET email = b.email FROM accounts_email_before_e5 b WHERE accounts.id = b.id"
    )
    op.drop_table("accounts_email_before_e5")
`,
    },
    help:
      'Keep what the upgrade overwrites (copy the old values into a backup table or column in the upgrade) and ' +
      'write them back in the downgrade; drop only tables and columns the upgrade itself created. If the loss is ' +
      'accepted, say so with an inline ignore and the reason.',
    messages: {
      dropsTable: 'The downgrade drops table {{table}}, which the upgrade did not create: the rows it held before the upgrade are lost.',
      dropsColumn:
        'The downgrade drops column {{column}} of {{table}}, which the upgrade did not add: the values it held before the upgrade are lost.',
      notRestored:
        'The upgrade {{action}} existing rows of {{table}} (line {{line}}) and the downgrade does not write them back: their old values are lost.',
    },
    defaultOptions: {},
  },
  check(ctx, migration) {
    const down = migration.downgrade;
    // A missing or raising downgrade never runs: that is irreversible-downgrade's finding.
    if (down.shape !== 'operations' && down.shape !== 'empty') return;
    const ups = migration.upgrade.operations;
    const downs = down.operations;
    const same = tableAliases([...ups, ...downs]);
    const key = tableAliasKey([...ups, ...downs]);
    const createdUp = new Set([...tablesCreated(migration.upgrade)].map(key));
    const createdByUpgrade = (table: string | null) => table !== null && createdUp.has(key(table));
    // Raw SQL the reader could not turn into operations (another dialect, or unreadable text) may
    // create anything: give it the benefit of the doubt.
    const opaqueUpgrade = ups.some((op) => op.kind === 'execute_sql' && (!op.textKnown || op.statements.some((s) => s.category === 'schema')));

    // Tables the downgrade itself created before operation i, by alias key: created at their index.
    const createdDownAt = new Map<string, number>();
    for (const [name, at] of creationIndices(down)) {
      const k = key(name)!;
      if (!createdDownAt.has(k) || createdDownAt.get(k)! > at) createdDownAt.set(k, at);
    }
    // Columns the downgrade adds, by `table key\0column`: the index of the first add.
    const addedDownAt = new Map<string, number>();
    downs.forEach((d, i) => {
      if (d.kind !== 'add_column') return;
      const k = columnKey(key, d.table, d.column.name);
      if (k !== null && !addedDownAt.has(k)) addedDownAt.set(k, i);
    });
    const addedUp = new Set<string>();
    for (const u of ups) {
      const k = u.kind === 'add_column' ? columnKey(key, u.table, u.column.name) : null;
      if (k !== null) addedUp.add(k);
    }
    const addedByUpgrade = (table: string | null, column: string) => {
      const k = columnKey(key, table, column);
      return k !== null && addedUp.has(k);
    };

    downs.forEach((op, i) => {
      const scratch = (table: string | null) => {
        const at = table === null ? undefined : createdDownAt.get(key(table)!);
        return at !== undefined && at < i;
      };
      if (op.kind === 'drop_table') {
        if (!op.table || createdByUpgrade(op.table) || scratch(op.table) || opaqueUpgrade) return;
        ctx.report({ messageId: 'dropsTable', at: op, data: { table: op.table } });
      } else if (op.kind === 'drop_column') {
        if (!op.table || !op.column || createdByUpgrade(op.table) || scratch(op.table) || opaqueUpgrade) return;
        if (addedByUpgrade(op.table, op.column)) return;
        const addedDown = addedDownAt.get(columnKey(key, op.table, op.column) ?? '');
        if (addedDown !== undefined && addedDown < i) return;
        ctx.report({ messageId: 'dropsColumn', at: op, data: { table: op.table, column: op.column } });
      }
    });

    const at = down.loc;
    if (!at) return;
    // Whether the downgrade writes a table back depends only on its alias group: asked once per group.
    const writtenBack = new Map<string, boolean>();
    for (const w of destructiveWrites(migration)) {
      if (w.table === null || createdByUpgrade(w.table)) continue;
      if (w.action === 'update') {
        // Filling a column the upgrade added, or NULLs only, overwrites nothing that existed.
        if (w.columns.length > 0 && w.columns.every((c) => addedByUpgrade(w.table, c))) continue;
        if (w.columns.length > 0 && w.text && w.columns.every((c) => fillsNullsOnly(w.text!, c))) continue;
      }
      const k = key(w.table)!;
      if (!writtenBack.has(k)) writtenBack.set(k, writesBack(downs, same, w.table));
      if (writtenBack.get(k)) continue;
      ctx.report({ messageId: 'notRestored', at, data: { action: VERBS[w.action], table: w.table, line: w.line } });
    }
  },
});

type WriteAction = 'update' | 'delete' | 'truncate' | 'merge';
const VERBS: Record<WriteAction, string> = { update: 'updates', delete: 'deletes', truncate: 'truncates', merge: 'merges into' };

interface Write {
  action: WriteAction;
  table: string | null;
  columns: string[];
  /** The statement text, when the write was read from SQL. */
  text: string | null;
  line: number;
}

/** Upgrade steps that change or remove rows that may have existed before the upgrade. */
function destructiveWrites(migration: Migration): Write[] {
  const out: Write[] = [];
  for (const op of migration.upgrade.operations) {
    if (op.kind === 'data_change') {
      if (op.action !== 'update' && op.action !== 'delete' && op.action !== 'truncate' && op.action !== 'merge') continue;
      out.push({ action: op.action, table: op.table, columns: op.columns, text: op.fromSql?.statement ?? null, line: op.loc.line });
    } else if (op.kind === 'execute_sql') {
      // SQL of another dialect, kept as text: its leading keyword says enough.
      for (const st of op.statements) {
        const action = ({ UPDATE: 'update', DELETE: 'delete', TRUNCATE: 'truncate', MERGE: 'merge' } as const)[st.keyword as 'UPDATE'];
        if (action) out.push({ action, table: st.table, columns: setColumns(st.text), text: st.text, line: st.loc.line });
      }
    }
  }
  return out;
}

/** The columns of an UPDATE's SET list, read from the text (best effort). */
function setColumns(text: string): string[] {
  const m = /\bSET\b([\s\S]*?)(?:\bFROM\b|\bWHERE\b|\bRETURNING\b|$)/i.exec(text);
  if (!m) return [];
  return [...m[1]!.matchAll(/(?:^|,)\s*"?([A-Za-z_][\w$]*)"?\s*=/g)].map((x) => x[1]!);
}

/** `... WHERE col IS NULL` (possibly among other conditions joined by AND): the old value was NULL. */
function fillsNullsOnly(text: string, column: string): boolean {
  const where = /\bWHERE\b([\s\S]*)$/i.exec(text)?.[1];
  if (!where || /\bOR\b/i.test(where)) return false;
  const name = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[\\s(.])"?${name}"?\\s+IS\\s+NULL\\b`, 'i').test(where);
}

function columnKey(key: (name: string | null) => string | null, table: string | null, column: string | null): string | null {
  const t = key(table);
  const c = normalizeName(column);
  return t === null || c === null ? null : `${t}\0${c}`;
}

/** Does the downgrade write rows of `table` (or of a table it cannot name)? Then it may restore them. */
function writesBack(downs: Operation[], same: (a: string | null, b: string | null) => boolean, table: string): boolean {
  return downs.some((op) => {
    if (op.kind === 'data_change') return op.table === null || same(op.table, table);
    if (op.kind === 'sql') return op.category === 'data' && (op.table === null || same(op.table, table));
    if (op.kind === 'execute_sql') {
      if (!op.textKnown) return true;
      return op.statements.some((st) => st.category === 'data' && (st.table === null || same(st.table, table)));
    }
    if (op.kind === 'unknown') return true;
    return false;
  });
}
