import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'expired';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'expired-waiver',
  scope: 'project',
  meta: {
    type: 'problem',
    description: 'Require waivers in the configuration to be renewed or removed once they expire',
    docs: {
      why:
        'A waiver accepts a finding for a while, for a stated reason, on someone\'s word: "the table is empty ' +
        'until the feature launches", "the backfill job runs first". Reasons go stale; the expiry date is when ' +
        'someone must look again. From the day after `expires`, the waiver silences nothing, the finding it ' +
        'covered is reported again, and this rule names the waiver and its owner at its line in the config, so ' +
        'the decision is made again by a person instead of lingering forever.',
      bad:
        'A waiver `{ "rule": "add-not-null-column", "migration": "b1", "reason": "accounts is empty", "owner": ' +
        '"@data-team", "expires": "2020-01-31" }` in migralint.config.json, read after 31 January 2020.',
      good: 'The same waiver with an expiry date that has not passed, or no waiver once the migration is fixed.',
    },
    help:
      'Check whether the reason still holds: fix the migration and delete the waiver, or move `expires` to a new date and say why in the pull request.',
    messages: {
      expired: 'The waiver of {{rule}} for {{migration}} expired on {{expires}} (owner {{owner}}) and no longer applies.',
    },
    defaultOptions: {},
  },
  check(ctx, project) {
    for (const w of project.waivers ?? []) {
      if (!w.expired) continue;
      ctx.report({
        messageId: 'expired',
        file: w.file,
        at: { line: w.line, column: 1, endLine: w.line, endColumn: 1 },
        data: { rule: w.rule, migration: w.migration, expires: w.expires, owner: w.owner },
      });
    }
  },
});
