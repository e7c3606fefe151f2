import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'missingParent' | 'missingDependency';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'missing-parent',
  scope: 'project',
  meta: {
    type: 'problem',
    description: 'Disallow revisions whose parent or dependency does not exist',
    docs: {
      why:
        'A down_revision that names no revision in the directory (a typo, a deleted file, a revision from a ' +
        'branch that was never merged) makes Alembic fail with "Can\'t locate revision" for every command, not ' +
        'just this one.',
      bad: {
        'versions/a1_init.py': `revision = "a1"\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
        'versions/b1_next.py': `revision = "b1"\ndown_revision = "a0"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
      },
      good: {
        'versions/a1_init.py': `revision = "a1"\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
        'versions/b1_next.py': `revision = "b1"\ndown_revision = "a1"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
      },
    },
    help: 'Point down_revision (or depends_on) at an existing revision id; `alembic history` lists them.',
    messages: {
      missingParent: 'Revision {{revision}} names parent {{parent}}, which does not exist.',
      missingDependency: 'Revision {{revision}} depends on {{parent}}, which does not exist.',
    },
    defaultOptions: {},
  },
  check(ctx, project) {
    for (const { graph } of project.sets) {
      for (const miss of graph.missingParents) {
        const m = miss.migration;
        const at = miss.via === 'parent' ? m.parents : m.dependsOn ?? m.parents;
        if (!at) continue;
        ctx.report({
          messageId: miss.via === 'parent' ? 'missingParent' : 'missingDependency',
          file: m.file,
          migration: m,
          at,
          data: { revision: m.revision?.value ?? '?', parent: miss.parent },
        });
      }
    }
  },
});
