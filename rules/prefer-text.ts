import { canonicalType, declaredTypes } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'preferText';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'prefer-text',
  scope: 'migration',
  meta: {
    type: 'suggestion',
    description: 'Enforce text with a CHECK constraint instead of varchar(n) columns',
    dialects: ['postgresql'],
    docs: {
      why:
        'In PostgreSQL varchar(n) is text with a length check built into the type: it stores the same way and ' +
        'is no faster. The limit can only change through ALTER COLUMN TYPE, which takes an ACCESS EXCLUSIVE ' +
        'lock (and rewrites the table when it shrinks), and lengths picked up front tend to be wrong. text with ' +
        'a CHECK (char_length(col) <= n) constraint can be replaced online: add the new one NOT VALID, ' +
        'VALIDATE it, drop the old. Only upgrade() is checked.',
      bad: `"""add accounts.nickname"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("nickname", sa.String(length=50), nullable=True))


def downgrade():
    op.drop_column("accounts", "nickname")
`,
      good: `"""add accounts.nickname"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("nickname", sa.Text(), nullable=True))
    op.create_check_constraint("ck_accounts_nickname_length", "accounts", "char_length(nickname) <= 50")


def downgrade():
    op.drop_constraint("ck_accounts_nickname_length", "accounts", type_="check")
    op.drop_column("accounts", "nickname")
`,
    },
    help:
      'Use sa.Text() (SQL: text) and put the limit in a CHECK (char_length(col) <= n) constraint ' +
      '(op.create_check_constraint), which can later be swapped with NOT VALID + VALIDATE without blocking.',
    messages: {
      preferText:
        'Column {{table}}.{{column}} is {{type}}; changing its length limit later needs ALTER COLUMN TYPE under an ACCESS EXCLUSIVE lock. Use text with a CHECK constraint.',
    },
    defaultOptions: {},
  },
  check(ctx, migration) {
    for (const op of migration.upgrade.operations) {
      for (const d of declaredTypes(op)) {
        const t = canonicalType(d.type, migration.dialect);
        if (!t || t.name !== 'varchar' || t.params.length === 0) continue;
        ctx.report({ messageId: 'preferText', at: d, data: { table: d.table ?? '(unknown table)', column: d.column ?? '(unnamed)', type: d.type } });
      }
    }
  },
});
