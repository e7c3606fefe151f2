import type { Operation } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'needsBatch';
export interface Options {
  /**
   * The oldest SQLite version the migrations run on, e.g. "3.35". With 3.25 or later a plain column
   * rename works; with 3.35 or later DROP COLUMN does. Empty: assume any version.
   */
  sqliteVersion: string;
}

export default defineRule<MessageIds, Options>({
  id: 'sqlite-needs-batch',
  scope: 'migration',
  meta: {
    type: 'problem',
    description: 'Require batch_alter_table for table changes SQLite cannot make with ALTER TABLE',
    dialects: ['sqlite'],
    docs: {
      why:
        'SQLite\'s ALTER TABLE can only rename a table, add a column, and (in recent versions) rename or drop a ' +
        'column. Alembic emits ALTER COLUMN, ADD CONSTRAINT and DROP CONSTRAINT as plain ALTER TABLE ' +
        'statements, which SQLite rejects (Alembic refuses constraint changes outright), so the migration ' +
        'fails on SQLite while it passes on PostgreSQL. batch_alter_table() makes the change by copying the ' +
        'table ("move and copy"), which SQLite can do. Only SQLite migrations are checked (a versions/sqlite/ ' +
        'chain, or "dialect": "sqlite" in the config): in the examples, the PostgreSQL copy of the revision is fine.',
      // One chain per dialect, in versions/postgresql/ and versions/sqlite/ (Prefect's layout); a
      // config's "dialect" or "directories" can say so too.
      bad: {
        'postgresql/2b3c4d5e6f70_email_required.py': `"""make accounts.email required"""
from alembic import op

revision = "2b3c4d5e6f70"
down_revision = "1a2b3c4d5e6f"


def upgrade():
    op.alter_column("accounts", "email", nullable=False)


def downgrade():
    op.alter_column("accounts", "email", nullable=True)
`,
        'sqlite/2b3c4d5e6f70_email_required.py': `"""make accounts.email required"""
from alembic import op

revision = "2b3c4d5e6f70"
down_revision = "1a2b3c4d5e6f"


def upgrade():
    op.alter_column("accounts", "email", nullable=False)


def downgrade():
    op.alter_column("accounts", "email", nullable=True)
`,
      },
      good: {
        'postgresql/2b3c4d5e6f70_email_required.py': `"""make accounts.email required"""
from alembic import op

revision = "2b3c4d5e6f70"
down_revision = "1a2b3c4d5e6f"


def upgrade():
    op.alter_column("accounts", "email", nullable=False)


def downgrade():
    op.alter_column("accounts", "email", nullable=True)
`,
        'sqlite/2b3c4d5e6f70_email_required.py': `"""make accounts.email required"""
from alembic import op

revision = "2b3c4d5e6f70"
down_revision = "1a2b3c4d5e6f"


def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.alter_column("email", nullable=False)


def downgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.alter_column("email", nullable=True)
`,
      },
    },
    help:
      'Make the change inside `with op.batch_alter_table("table") as batch_op:` (or set render_as_batch=True ' +
      'in env.py for autogenerate); in raw SQL, rebuild the table: CREATE TABLE new, INSERT INTO new SELECT ' +
      '... FROM old, DROP TABLE old, ALTER TABLE new RENAME TO old.',
    messages: {
      needsBatch: '{{what}} on {{table}} needs batch_alter_table(): SQLite\'s ALTER TABLE cannot do it.',
    },
    schema: {
      type: 'object',
      properties: {
        sqliteVersion: {
          type: 'string',
          pattern: '^(\\d+\\.\\d+(\\.\\d+)?)?$',
          description:
            'The oldest SQLite version the migrations run on, e.g. "3.35": from 3.25 a plain column rename is allowed, from 3.35 DROP COLUMN. Empty: any version.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { sqliteVersion: '' },
  },
  check(ctx, migration, options) {
    const version = parseVersion(options.sqliteVersion);
    for (const body of [migration.upgrade, migration.downgrade]) {
      for (const op of body.operations) {
        if (op.batch) continue;
        const what = unsupported(op, version);
        if (what === null) continue;
        ctx.report({ messageId: 'needsBatch', at: op, data: { what, table: tableOf(op) ?? '(unknown table)' } });
      }
    }
  },
});

/** What SQLite's ALTER TABLE cannot do in this operation, as a sentence start; null when it can. */
function unsupported(op: Operation, version: number[]): string | null {
  switch (op.kind) {
    case 'drop_column':
      // DROP COLUMN exists since 3.35.0 (2021-03-12).
      if (atLeast(version, [3, 35])) return null;
      return `Dropping column ${op.column ?? '(unknown column)'}`;
    case 'alter_column': {
      const changes: string[] = [];
      if (op.type !== undefined) changes.push('type');
      if (op.nullable !== undefined) changes.push('nullability');
      if (op.serverDefault !== undefined) changes.push('server default');
      // RENAME COLUMN exists since 3.25.0 (2018-09-15).
      if (op.newName && !atLeast(version, [3, 25])) changes.push('name');
      if (changes.length === 0) return null;
      const list = changes.length > 1 ? `${changes.slice(0, -1).join(', ')} and ${changes[changes.length - 1]}` : changes[0];
      return `Changing the ${list} of column ${op.column ?? '(unknown column)'}`;
    }
    case 'add_constraint':
      return `Adding ${op.constraintType === 'unknown' ? 'a' : `a ${op.constraintType.replace('_', ' ')}`} constraint${op.name ? ` ${op.name}` : ''}`;
    case 'drop_constraint':
      return `Dropping constraint ${op.name ?? '(unnamed)'}`;
    default:
      return null;
  }
}

function tableOf(op: Operation): string | null {
  return 'table' in op ? op.table : null;
}

function parseVersion(v: string): number[] {
  return v ? v.split('.').map(Number) : [];
}

function atLeast(version: number[], min: number[]): boolean {
  if (version.length === 0) return false;
  for (let i = 0; i < min.length; i++) {
    const a = version[i] ?? 0;
    if (a !== min[i]) return a > min[i]!;
  }
  return true;
}
