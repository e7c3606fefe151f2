import { test } from 'uvu';
import * as assert from 'uvu/assert';
import rule from '../../rules/sql-syntax-error.js';
import { ruleTester, runRule } from '../helpers/rule-tester.js';

// Positions are asserted by line: the column inside the string depends on the front end's offsets.
ruleTester(test, rule, {
  valid: [
    {
      name: 'statements PostgreSQL parses, including a keyed batch',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET status = 'active' WHERE id IN (SELECT id FROM accounts WHERE status IS NULL LIMIT 1000)")
    op.execute("CREATE INDEX CONCURRENTLY ix_accounts_email ON accounts (email)")
def downgrade():
    op.execute("DROP INDEX ix_accounts_email")
`,
    },
    {
      name: 'text that cannot be read statically is not parsed',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute(build_statement())
def downgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'UPDATE ... LIMIT gets the batching hint',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET status = 'active' WHERE status IS NULL LIMIT 10000")
def downgrade():
    pass
`,
      errors: [{ messageId: 'syntaxErrorWithHint', line: 4, includes: 'syntax error at or near "LIMIT". PostgreSQL has no UPDATE ... LIMIT' }],
    },
    {
      name: 'a plain syntax error, in the downgrade too; the other statements are still read',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE accounts ADD COLUMN tier text; ALTER TABLE accounts ADD COLUM region text")
def downgrade():
    op.execute("ALTER TABLE accounts DROP COLUMN tier,")
`,
      errors: [
        { messageId: 'syntaxError', line: 4, includes: 'PostgreSQL cannot parse this statement: syntax error at or near "text".' },
        { messageId: 'syntaxError', line: 6, includes: 'syntax error at end of input' },
      ],
    },
  ],
});

test('SQL of other dialects is not parsed with PostgreSQL\'s parser', async () => {
  const files = `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET status = 'active' LIMIT 10")
def downgrade():
    pass
`;
  assert.equal((await runRule(rule, files, { dialect: 'mysql' })).filter((f) => f.ruleId === rule.id), []);
});

test.run();
