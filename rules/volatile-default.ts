import { newTableAt } from '../src/model/index.js';
import type { Operation } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'volatileDefault' | 'maybeVolatile' | 'anyDefaultBeforePg11' | 'generatedColumn';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'volatile-default',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Disallow adding a column whose default forces a rewrite of an existing table',
    docs: {
      why:
        'Since PostgreSQL 11, ADD COLUMN with a constant or STABLE default (`now()`, `CURRENT_TIMESTAMP`) only ' +
        'records the value in the catalog. A VOLATILE default (`gen_random_uuid()`, `random()`, ' +
        '`clock_timestamp()`, a serial\'s `nextval()`) must be computed for every row, so the whole table and its ' +
        'indexes are rewritten under an ACCESS EXCLUSIVE lock that blocks reads and writes; identity and stored ' +
        'generated columns do the same, and before PostgreSQL 11 any non-NULL default did. A table created ' +
        'earlier in the same migration is empty and is not reported. ' +
        DOWNGRADE_NOTE,
      bad: `"""give every account a public id"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column(
        "accounts",
        sa.Column("public_id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
    )


def downgrade():
    op.drop_column("accounts", "public_id")
`,
      good: `"""give every account a public id: nullable column, default for new rows, batched backfill later"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("public_id", sa.Uuid(), nullable=True))
    op.alter_column("accounts", "public_id", server_default=sa.text("gen_random_uuid()"))
    op.add_column("accounts", sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()))


def downgrade():
    op.drop_column("accounts", "created_at")
    op.drop_column("accounts", "public_id")
`,
    },
    help:
      'Add the column without the default (nullable), then `op.alter_column(..., server_default=...)` / ' +
      '`ALTER COLUMN ... SET DEFAULT` so only new rows get it, backfill existing rows in batches, and add NOT NULL ' +
      'afterwards; for identity or generated values, fill a plain column the same way.',
    messages: {
      volatileDefault:
        'Column {{column}} is added to existing table {{table}} with the volatile default {{default}}; every row gets its own value, so {{table}} is rewritten under an ACCESS EXCLUSIVE lock.',
      maybeVolatile:
        'Column {{column}} is added to existing table {{table}} with the default {{default}}, which calls {{functions}}; if it is VOLATILE, {{table}} is rewritten under an ACCESS EXCLUSIVE lock.',
      anyDefaultBeforePg11:
        'Column {{column}} is added to existing table {{table}} with the default {{default}}; before PostgreSQL 11 (target: {{version}}) any default rewrites the table under an ACCESS EXCLUSIVE lock.',
      generatedColumn:
        'Column {{column}} is added to existing table {{table}} as {{what}}; PostgreSQL fills every existing row, rewriting {{table}} under an ACCESS EXCLUSIVE lock.',
    },
    dialects: ['postgresql'],
    // A lock held for the time a table's size decides.
    sizeAware: true,
    defaultOptions: {},
  },
  check(ctx, body, migration) {
    const ops: Operation[] = body.operations;
    const version = ctx.settings.postgresVersion;
    ops.forEach((op, index) => {
      if (op.kind !== 'add_column') return;
      if (newTableAt(migration, body, index, op.table)) return;
      const col = op.column;
      const base = { column: col.name ?? '(unnamed)', table: op.table ?? '(unknown table)' };
      if (col.generated || (col.type !== null && SERIAL.test(col.type))) {
        ctx.report({ messageId: 'generatedColumn', at: op, table: op.table, data: { ...base, what: generatedKind(col.type) } });
        return;
      }
      const d = col.serverDefault;
      if (!d) return;
      const sql = d.sql;
      if (sql !== null && /^\s*\(?\s*null\s*\)?\s*(?:::[\w\s."[\]()]+)?$/i.test(sql)) return; // DEFAULT NULL
      const shown = sql ?? d.text;
      if (version < 11) {
        ctx.report({ messageId: 'anyDefaultBeforePg11', at: op, table: op.table, data: { ...base, default: shown, version } });
        return;
      }
      // A default we cannot read (a variable, a helper's result) is left alone.
      if (sql === null) return;
      const v = volatility(sql);
      if (v.volatile.length > 0) {
        ctx.report({ messageId: 'volatileDefault', at: op, table: op.table, data: { ...base, default: shown } });
      } else if (v.unknown.length > 0) {
        ctx.report({ messageId: 'maybeVolatile', at: op, table: op.table, data: { ...base, default: shown, functions: v.unknown.map((f) => `${f}()`).join(', ') } });
      }
    });
  },
});

const SERIAL = /^(?:[\w.]*\.)?(?:big|small)?serial[248]?\b/i;

function generatedKind(type: string | null): string {
  if (type !== null && SERIAL.test(type)) return 'a serial column (its nextval() default is volatile)';
  return 'an identity or stored generated column';
}

/** Functions that are VOLATILE in PostgreSQL (pg_proc.provolatile = 'v'), among those seen in defaults. */
const VOLATILE = new Set([
  'random',
  'random_normal',
  'setseed',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'gen_random_bytes',
  'gen_salt',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'setval',
  'currval',
  'lastval',
  'txid_current_if_assigned',
  'pg_current_xact_id_if_assigned',
  'pg_sleep',
]);

/**
 * Functions that are STABLE or IMMUTABLE: a default calling only these is computed once, when the
 * column is added, and stored in the catalog (no rewrite on PostgreSQL 11+). `now()` and the SQL
 * value functions (CURRENT_TIMESTAMP...) are STABLE.
 */
const NON_VOLATILE = new Set([
  // date and time
  'now',
  'statement_timestamp',
  'transaction_timestamp',
  'current_timestamp',
  'current_date',
  'current_time',
  'localtimestamp',
  'localtime',
  'timezone',
  'date_trunc',
  'date_part',
  'extract',
  'make_date',
  'make_time',
  'make_timestamp',
  'make_timestamptz',
  'make_interval',
  'to_timestamp',
  'to_date',
  'to_char',
  'age',
  // session
  'current_user',
  'current_role',
  'session_user',
  'user',
  'current_schema',
  'current_database',
  'current_setting',
  'current_catalog',
  'txid_current',
  'pg_current_xact_id',
  'inet_client_addr',
  // conditional expressions (their arguments are checked on their own)
  'coalesce',
  'nullif',
  'greatest',
  'least',
  // strings, numbers, json, arrays
  'lower',
  'upper',
  'concat',
  'concat_ws',
  'length',
  'substr',
  'substring',
  'replace',
  'trim',
  'btrim',
  'ltrim',
  'rtrim',
  'lpad',
  'rpad',
  'md5',
  'encode',
  'decode',
  'format',
  'abs',
  'round',
  'floor',
  'ceil',
  'ceiling',
  'power',
  'sqrt',
  'mod',
  'jsonb_build_object',
  'jsonb_build_array',
  'json_build_object',
  'json_build_array',
  'to_json',
  'to_jsonb',
  'array_fill',
  'string_to_array',
  'array_to_string',
  'uuid_nil',
  'int4range',
  'int8range',
  'numrange',
  'tsrange',
  'tstzrange',
  'daterange',
  'point',
  'to_tsvector',
]);

/** Words that look like calls but are syntax: casts, constructors, type modifiers. */
const NOT_FUNCTIONS = new Set(['cast', 'array', 'row', 'interval', 'in', 'and', 'or', 'not', 'is', 'as', 'values']);

/** Classifies the function calls in a default expression. */
function volatility(sql: string): { volatile: string[]; unknown: string[] } {
  // Blank out string literals and quoted identifiers, so their text is not read as calls.
  // (CURRENT_TIMESTAMP and the other SQL value functions have no parentheses: they are no calls.)
  const text = sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"((?:[^"]|"")*)"/g, (_, inner: string) => inner.replace(/\W/g, '_'));
  const volatile: string[] = [];
  const unknown: string[] = [];
  const call = /([A-Za-z_][\w$]*(?:\s*\.\s*[A-Za-z_][\w$]*)*)\s*\(/g;
  for (let m = call.exec(text); m; m = call.exec(text)) {
    const before = text.slice(0, m.index).trimEnd();
    // `::numeric(10, 2)` and `AS varchar(20)` are type names, not calls.
    if (before.endsWith('::') || /\bas$/i.test(before)) continue;
    const qualified = m[1]!.replace(/\s+/g, '').toLowerCase();
    const name = qualified.split('.').pop()!;
    if (NOT_FUNCTIONS.has(name)) continue;
    if (VOLATILE.has(name)) volatile.push(qualified);
    else if (!NON_VOLATILE.has(name)) unknown.push(qualified);
  }
  return { volatile, unknown };
}
