import { canonicalType, declaredTypes } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'preferJsonb';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'prefer-jsonb',
  scope: 'migration',
  meta: {
    type: 'suggestion',
    description: 'Enforce jsonb instead of json columns',
    dialects: ['postgresql'],
    docs: {
      why:
        'json keeps the input text as is and re-parses it on every access. It has no equality operator, so a ' +
        'json column breaks SELECT DISTINCT, GROUP BY, UNION and unique constraints, and it cannot have a GIN ' +
        'index. jsonb is stored parsed, supports all of these, and changing the type later rewrites the table ' +
        'under an ACCESS EXCLUSIVE lock. sa.JSON() is json on PostgreSQL. Only upgrade() is checked.',
      bad: `"""add accounts.preferences"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("preferences", sa.JSON(), nullable=True))


def downgrade():
    op.drop_column("accounts", "preferences")
`,
      good: `"""add accounts.preferences"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("preferences", postgresql.JSONB(), nullable=True))


def downgrade():
    op.drop_column("accounts", "preferences")
`,
    },
    help:
      'Use postgresql.JSONB() (or sa.JSON().with_variant(postgresql.JSONB(), "postgresql") for models shared ' +
      'with other databases; SQL: jsonb).',
    messages: {
      preferJsonb: 'Column {{table}}.{{column}} is declared as {{type}}, text-stored json: no equality, no GIN index, re-parsed on every read.',
    },
    defaultOptions: {},
  },
  check(ctx, migration) {
    for (const op of migration.upgrade.operations) {
      for (const d of declaredTypes(op)) {
        const t = canonicalType(d.type, migration.dialect);
        if (!t || t.name !== 'json') continue;
        ctx.report({ messageId: 'preferJsonb', at: d, data: { table: d.table ?? '(unknown table)', column: d.column ?? '(unnamed)', type: d.type } });
      }
    }
  },
});
