import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'cycle';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'revision-cycle',
  scope: 'project',
  meta: {
    type: 'problem',
    description: 'Disallow cycles in the revision history',
    docs: {
      why:
        'A revision that is, through its parents, its own ancestor makes the history impossible to order: ' +
        'Alembic reports a cycle and refuses every command. It happens when a down_revision is edited by hand.',
      bad: {
        'versions/a1_init.py': `revision = "a1"\ndown_revision = "b1"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
        'versions/b1_next.py': `revision = "b1"\ndown_revision = "a1"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
      },
      good: {
        'versions/a1_init.py': `revision = "a1"\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
        'versions/b1_next.py': `revision = "b1"\ndown_revision = "a1"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
      },
    },
    help: 'Fix the down_revision that points forward so each revision names an older one.',
    messages: {
      cycle: 'The revision history has a cycle: {{cycle}}.',
    },
    defaultOptions: {},
  },
  check(ctx, project) {
    for (const { graph } of project.sets) {
      for (const cycle of graph.cycles) {
        // One finding per cycle, at the revision with the smallest id, so the report is stable.
        const m = graph.nodes.get(cycle[0]!)!.migration;
        const at = m.parents ?? m.revision;
        if (!at) continue;
        ctx.report({ messageId: 'cycle', file: m.file, migration: m, at, data: { cycle: [...cycle, cycle[0]].join(' -> ') } });
      }
    }
  },
});
