import { defineRule } from '../src/rule-api/index.js';

export type MessageIds =
  | 'noReason'
  | 'unknownRule'
  | 'noRules'
  | 'unknownDirective'
  | 'foreignUnmapped'
  | 'foreignUnknown'
  | 'foreignNoRules'
  | 'foreignUnmatched';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'invalid-ignore',
  scope: 'suppressions',
  meta: {
    type: 'problem',
    description: 'Require inline ignores to name known rules and give a reason',
    docs: {
      why:
        'An ignore comment is a decision that the next reader must be able to check. Without a reason nobody ' +
        'knows why the finding was accepted; a misspelt rule id silences nothing while looking like it does; ' +
        'an ignore that names no rule would silence everything on the line. Other linters\' ignore comments ' +
        '(squawk, pgfence, eugene, diesel-guard) are honoured for the migralint rules they map to; an id with no ' +
        'migralint counterpart silences nothing here and is noted at info level, since the other tool may still ' +
        'need it.',
      bad: `"""add tier"""
from alembic import op
import sqlalchemy as sa

revision = "l3"
down_revision = "k2"


def upgrade():
    # migralint: ignore[add-not-null-column]
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))


def downgrade():
    op.drop_column("accounts", "tier")
`,
      good: `"""add tier"""
from alembic import op
import sqlalchemy as sa

revision = "l3"
down_revision = "k2"


def upgrade():
    # migralint: ignore[add-not-null-column] accounts is empty in every environment (feature not launched)
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))


def downgrade():
    op.drop_column("accounts", "tier")
`,
    },
    help: 'Write `# migralint: ignore[rule-id] reason`, with known rule ids (`migralint rules` lists them) and a reason.',
    messages: {
      noReason: 'This ignore gives no reason; write why the finding is acceptable after the brackets.',
      unknownRule: 'This ignore names {{rule}}, which is not a rule.',
      noRules: 'This ignore names no rule; list the rule ids in brackets, e.g. ignore[add-not-null-column].',
      unknownDirective: 'Unknown directive migralint: {{directive}}; use ignore[...] or ignore-file[...].',
      foreignUnmapped: 'This {{tool}} ignore names {{rule}}, which has no migralint counterpart; it silences nothing here.',
      foreignUnknown: 'This {{tool}} ignore names {{rule}}, which is not a {{tool}} rule; it silences nothing.',
      foreignNoRules: 'This {{tool}} ignore names no rule, so it silences nothing (in {{tool}} either).',
      foreignUnmatched: 'This {{marker}} has no matching {{other}}, so it silences nothing (diesel-guard refuses the file).',
    },
    // Another tool's ids are the other tool's business: a note, not a failure.
    messageLevels: { foreignUnmapped: 'info', foreignUnknown: 'info', foreignNoRules: 'info' },
    defaultOptions: {},
  },
  check(ctx, _migration, suppressions) {
    for (const s of suppressions) {
      if (s.foreign) {
        const tool = s.tool;
        for (const rule of s.foreign.unmapped) ctx.report({ messageId: 'foreignUnmapped', at: s.loc, data: { tool, rule } });
        for (const rule of s.foreign.unknown) ctx.report({ messageId: 'foreignUnknown', at: s.loc, data: { tool, rule } });
        if (s.foreign.noRules) ctx.report({ messageId: 'foreignNoRules', at: s.loc, data: { tool } });
        if (s.foreign.unmatched) {
          const [marker, other] = s.foreign.unmatched === 'start' ? ['safety-assured:start', 'safety-assured:end'] : ['safety-assured:end', 'safety-assured:start'];
          ctx.report({ messageId: 'foreignUnmatched', at: s.loc, data: { marker: marker!, other: other! } });
        }
        continue;
      }
      if (s.directive !== 'ignore' && s.directive !== 'ignore-file') {
        ctx.report({ messageId: 'unknownDirective', at: s.loc, data: { directive: s.directive } });
        continue;
      }
      if (s.rules.length === 0 && s.unknownRules.length === 0) ctx.report({ messageId: 'noRules', at: s.loc });
      for (const rule of s.unknownRules) ctx.report({ messageId: 'unknownRule', at: s.loc, data: { rule } });
      if (!s.reason) ctx.report({ messageId: 'noReason', at: s.loc });
    }
  },
});
