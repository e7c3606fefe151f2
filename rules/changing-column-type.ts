import { canonicalType, newTableAt, normalizeName, sessionTimeZoneIsUtc } from '../src/model/index.js';
import type { AlterColumnOp, CanonicalType, Operation } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'typeChange' | 'timestampToTimestamptz' | 'unknownOldType';
export interface Options {
  sessionTimeZoneUtc: boolean;
}

export default defineRule<MessageIds, Options>({
  id: 'changing-column-type',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Disallow column type changes that rewrite or rescan an existing table',
    docs: {
      why:
        'ALTER COLUMN ... TYPE holds an ACCESS EXCLUSIVE lock, blocking every read and write, while PostgreSQL ' +
        'rewrites the whole table and rebuilds its indexes (or at least rescans it), unless the old values are ' +
        'valid as they are: varchar(n) to a longer varchar or text, varchar to text, numeric(p,s) to a larger ' +
        'precision with the same scale or to unconstrained numeric, a larger timestamp/time/interval precision, ' +
        'and timestamp to timestamptz (or back) when the session time zone is UTC on PostgreSQL 12+: set earlier ' +
        'in the migration (SET timezone = \'UTC\', SET TIME ZONE \'UTC\', SET LOCAL), on the connection in env.py ' +
        '(connect_args options "-c timezone=utc", or a SET), by runner.timeZone in the config, or declared with the ' +
        'option sessionTimeZoneUtc. Those are not ' +
        'reported (squawk reports every type change; this is a deliberate difference), nor are tables created ' +
        'earlier in the same migration. ' +
        DOWNGRADE_NOTE,
      bad: `"""account ids outgrow int"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.alter_column("accounts", "id", type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade():
    op.alter_column("accounts", "id", type_=sa.Integer(), existing_type=sa.BigInteger())
`,
      good: `"""longer display names"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.alter_column("accounts", "display_name", type_=sa.String(length=200), existing_type=sa.String(length=80))
    op.alter_column("accounts", "bio", type_=sa.Text(), existing_type=sa.String(length=500))


def downgrade():
    # The wider types stay: narrowing them back would rescan accounts during a rollback.
    pass
`,
    },
    help:
      'Add a new column of the new type, write to both, backfill it in batches, switch readers over, then drop ' +
      'the old column; or keep to the changes PostgreSQL does without a rewrite (widen varchar or numeric ' +
      'precision, varchar to text). Give Alembic `existing_type=` so the change can be judged.',
    messages: {
      typeChange:
        'Changing {{table}}.{{column}} from {{from}} to {{to}} rewrites {{table}} and its indexes under an ACCESS EXCLUSIVE lock.',
      timestampToTimestamptz:
        'Changing {{table}}.{{column}} from {{from}} to {{to}} rewrites {{table}} under an ACCESS EXCLUSIVE lock unless the session time zone is UTC on PostgreSQL 12+ (option sessionTimeZoneUtc).',
      unknownOldType:
        'The type of {{table}}.{{column}} is changed to {{to}} but its current type is unknown (no existing_type= and no earlier migration says); most type changes rewrite {{table}} under an ACCESS EXCLUSIVE lock.',
    },
    schema: {
      type: 'object',
      properties: {
        sessionTimeZoneUtc: {
          type: 'boolean',
          description:
            'The migration session\'s TimeZone is always UTC, so on PostgreSQL 12+ timestamp ↔ timestamptz needs no rewrite (a SET in the migration, env.py or runner.timeZone is read without it).',
        },
      },
      additionalProperties: false,
    },
    dialects: ['postgresql'],
    // A lock held for the time a table's size decides.
    sizeAware: true,
    defaultOptions: { sessionTimeZoneUtc: false },
  },
  check(ctx, body, migration, options) {
    const ops = body.operations;
    // Each column's type as the operations so far left it (`table\0column`), kept up to date in
    // one pass rather than searched for backwards from every alter_column.
    const typeSoFar = new Map<string, string | null>();
    ops.forEach((op, index) => {
      const earlier = op.kind === 'alter_column' ? typeEarlierInBody(typeSoFar, op) : null;
      remember(typeSoFar, op);
      if (op.kind !== 'alter_column' || op.type === undefined) return;
      if (newTableAt(migration, body, index, op.table)) return;
      const toType = canonicalType(op.type, migration.dialect);
      const fromText = op.existingType ?? earlier ?? ctx.catalog.column(op.table, op.column)?.type ?? null;
      const fromType = canonicalType(fromText, migration.dialect);
      const data = {
        table: op.table ?? '(unknown table)',
        column: op.column ?? '(unknown column)',
        to: toType ? render(toType) : op.type,
      };
      if (!fromType) {
        ctx.report({ messageId: 'unknownOldType', at: op, table: op.table, data });
        return;
      }
      const full = { ...data, from: render(fromType) };
      // Two Enum(...) spellings name the same kind but not the same values.
      const enumChange = toType?.name === 'enum' && fromType.name === 'enum' && squash(op.type) !== squash(fromText);
      if (toType && !rewritingUsing(op) && !enumChange) {
        // The session's zone decides whether timestamp -> timestamptz is binary-compatible (PostgreSQL 12+).
        const utc = () => options.sessionTimeZoneUtc || sessionTimeZoneIsUtc(migration, body, index);
        const verdict = change(fromType, toType, () => ctx.settings.postgresVersion >= 12 && utc());
        if (verdict === 'safe') return;
        if (verdict === 'timezone') {
          ctx.report({ messageId: 'timestampToTimestamptz', at: op, table: op.table, data: full });
          return;
        }
      }
      ctx.report({ messageId: 'typeChange', at: op, table: op.table, data: full });
    });
  },
});

function columnKey(table: string | null, column: string | null): string | null {
  const t = normalizeName(table);
  const c = normalizeName(column);
  return t === null || c === null ? null : `${t}\0${c}`;
}

/** Records the type `op` gives a column (an alter_column with a type, or an add_column). */
function remember(types: Map<string, string | null>, op: Operation): void {
  if (op.kind === 'alter_column' && op.type !== undefined) {
    const key = columnKey(op.table, op.newName ?? op.column);
    if (key !== null) types.set(key, op.type);
  } else if (op.kind === 'add_column') {
    const key = columnKey(op.table, op.column.name);
    if (key !== null) types.set(key, op.column.type);
  }
}

/** The column's type as an earlier operation of the same upgrade left it. */
function typeEarlierInBody(before: Map<string, string | null>, op: AlterColumnOp): string | null {
  const key = columnKey(op.table, op.column);
  return key === null ? null : (before.get(key) ?? null);
}

/** `USING col` or `USING col::type` converts nothing by itself; any other expression recomputes every row. */
function rewritingUsing(op: AlterColumnOp): boolean {
  if (op.using == null || !op.column) return false;
  const col = op.column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return !new RegExp(`^\\s*\\(?\\s*"?${col}"?\\s*\\)?\\s*(?:::[\\s\\S]+)?$`, 'i').test(op.using);
}

const SERIAL_BASE: Record<string, string> = { serial: 'integer', bigserial: 'bigint', smallserial: 'smallint' };
/** PostgreSQL's default (and largest) fractional-second precision. */
const MAX_TIME_PRECISION = 6;
const TIME_TYPES = new Set(['timestamp', 'timestamptz', 'time', 'timetz', 'interval']);

function render(t: CanonicalType): string {
  const name = SERIAL_BASE[t.name] ?? t.name;
  return `${name}${t.params.length > 0 ? `(${t.params.join(',')})` : ''}${t.array ? '[]' : ''}`;
}

/**
 * Whether PostgreSQL can change the type without rewriting (or rescanning) the table: the old
 * values are binary-compatible and within the new limits.
 */
function change(from: CanonicalType, to: CanonicalType, utcSession: () => boolean): 'safe' | 'timezone' | 'rewrite' {
  const a = SERIAL_BASE[from.name] ?? from.name;
  const b = SERIAL_BASE[to.name] ?? to.name;
  if (from.array !== to.array) return 'rewrite';
  if (a === b && sameParams(from.params, to.params)) return 'safe';
  if (from.array) return 'rewrite';
  const [n] = from.params;
  const [m] = to.params;
  if (a === 'varchar') {
    if (b === 'text' || (b === 'varchar' && (m === undefined || (n !== undefined && m >= n)))) return 'safe';
    return 'rewrite';
  }
  if (a === 'text') return b === 'varchar' && m === undefined ? 'safe' : 'rewrite';
  if (a === 'numeric' && b === 'numeric') {
    if (to.params.length === 0) return 'safe';
    if (n === undefined || m === undefined) return 'rewrite';
    return m >= n && (from.params[1] ?? 0) === (to.params[1] ?? 0) ? 'safe' : 'rewrite';
  }
  if (TIME_TYPES.has(a) && TIME_TYPES.has(b)) {
    const wider = (m ?? MAX_TIME_PRECISION) >= (n ?? MAX_TIME_PRECISION);
    if (a === b) return wider ? 'safe' : 'rewrite';
    // Either way round, binary-compatible when the session's TimeZone is UTC (PostgreSQL 12+).
    if ((a === 'timestamp' && b === 'timestamptz') || (a === 'timestamptz' && b === 'timestamp')) {
      return !wider ? 'rewrite' : utcSession() ? 'safe' : 'timezone';
    }
    return 'rewrite';
  }
  return 'rewrite';
}

function squash(text: string | null): string {
  return (text ?? '').replace(/\s+/g, '');
}

function sameParams(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
