import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'unused' | 'unknownMigration';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'unused-waiver',
  scope: 'project',
  meta: {
    type: 'suggestion',
    description: 'Disallow waivers in the configuration that silence nothing',
    docs: {
      why:
        'A waiver that matches no finding (the migration was fixed, the rule id or the revision id is wrong) ' +
        'tells readers that a hazard was accepted where there is none, and it will silently swallow a real ' +
        'finding of that rule if the migration is edited later. Like an unused inline ignore, it should go. A ' +
        'waiver is only judged when its migration was linted with its rule on in this run.',
      bad:
        'A waiver `{ "rule": "add-not-null-column", "migration": "b1", ... }` in migralint.config.json while ' +
        'revision b1 adds its column as nullable, or while no migration has the revision id b1.',
      good: 'A waiver whose migration has a finding of its rule, or no waiver.',
    },
    help: 'Delete the waiver from the configuration, or correct its rule id or migration so it names the finding it is meant for.',
    messages: {
      unused: 'The waiver of {{rule}} for {{migration}} (owner {{owner}}) silences nothing.',
      unknownMigration: 'The waiver of {{rule}} names {{migration}}, which is no revision id or file of a linted migration.',
    },
    defaultOptions: {},
  },
  check(ctx, project) {
    for (const w of project.waivers ?? []) {
      if (w.expired || w.used > 0 || !w.judged) continue;
      ctx.report({
        messageId: w.matched ? 'unused' : 'unknownMigration',
        file: w.file,
        at: { line: w.line, column: 1, endLine: w.line, endColumn: 1 },
        data: { rule: w.rule, migration: w.migration, owner: w.owner },
      });
    }
  },
});
