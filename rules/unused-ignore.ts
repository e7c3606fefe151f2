import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'unused';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'unused-ignore',
  scope: 'suppressions',
  meta: {
    type: 'suggestion',
    description: 'Disallow inline ignores that silence nothing',
    docs: {
      why:
        'An ignore that no longer matches a finding (the code changed, or the comment sits on the wrong line) ' +
        'misleads readers into thinking a hazard is accepted there, and will silently swallow a real finding ' +
        'if one appears on that line later.',
      bad: `"""add note"""
from alembic import op
import sqlalchemy as sa

revision = "m4"
down_revision = "l3"


def upgrade():
    # migralint: ignore[add-not-null-column] backfilled by the app
    op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("accounts", "note")
`,
      good: `"""add note"""
from alembic import op
import sqlalchemy as sa

revision = "m4"
down_revision = "l3"


def upgrade():
    op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("accounts", "note")
`,
    },
    help: 'Delete the ignore comment, or move it to the line of the finding it is meant for.',
    messages: {
      unused: 'This ignore for {{rule}} silences nothing.',
    },
    defaultOptions: {},
  },
  check(ctx, _migration, suppressions) {
    for (const s of suppressions) {
      // Another linter's comment may still be needed by that linter, which the team may run too.
      if (s.foreign) continue;
      for (const rule of s.rules) {
        if (!s.used.includes(rule) && !s.inactive.includes(rule)) ctx.report({ messageId: 'unused', at: s.loc, data: { rule } });
      }
    }
  },
});
