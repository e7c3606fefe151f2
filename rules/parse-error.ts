import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'syntax' | 'encoding' | 'binary' | 'io' | 'limit' | 'internal' | 'noRevision';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'parse-error',
  scope: 'migration',
  meta: {
    type: 'problem',
    description: 'Disallow migration files that cannot be read or parsed',
    docs: {
      why:
        'A migration that does not parse will not run either, and nothing else can be checked in it. ' +
        'migralint reports where the parser stopped and keeps linting every other file; the revision graph ' +
        'still knows the file when its header can be read. A file beyond what migralint reads (larger than ' +
        'the size budget, nested deeper than the parser can follow, or over the time budget) is reported the ' +
        'same way rather than stopping the run.',
      bad: `"""broken"""
from alembic import op
import sqlalchemy as sa

revision = "h8"
down_revision = "g7"


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True)


def downgrade():
    op.drop_column("accounts", "tier")
`,
      good: `"""fixed"""
from alembic import op
import sqlalchemy as sa

revision = "h8"
down_revision = "g7"


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("accounts", "tier")
`,
    },
    help: 'Fix the file so that it parses; run `python -m py_compile <file>` to see the same error.',
    messages: {
      syntax: 'Syntax error: {{message}}.',
      encoding: 'The file is not valid UTF-8: {{message}}.',
      binary: 'The file is not text: {{message}}.',
      io: 'The file could not be read: {{message}}.',
      limit: 'The file was not read, it is beyond what migralint reads: {{message}}.',
      internal: 'The file could not be checked, migralint failed on it: {{message}}.',
      noRevision: 'The file defines upgrade() but no revision identifier could be read, so it is not part of the revision graph.',
    },
    defaultOptions: {},
  },
  check(ctx, migration) {
    const err = migration.parseError;
    if (err) {
      ctx.report({ messageId: err.kind, at: err.loc, data: { message: err.message.replace(/\.$/, '') } });
      return;
    }
    if (!migration.revision && migration.upgrade.loc) ctx.report({ messageId: 'noRevision', at: migration.upgrade.loc });
  },
});
