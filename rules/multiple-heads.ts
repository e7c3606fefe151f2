import { ancestors, branchLabelsOf, defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'multipleHeads';
export interface Options {
  /** Independent histories (separate roots), each with its own branch label, are intended to have one head each. */
  allowLabeledBranches: boolean;
}

const MAX_LISTED = 10;

export default defineRule<MessageIds, Options>({
  id: 'multiple-heads',
  scope: 'project',
  meta: {
    type: 'problem',
    description: 'Disallow a revision history with more than one head',
    docs: {
      why:
        'Two revisions written on top of the same parent (typically by two pull requests merged one after the ' +
        'other) give the history two heads. `alembic upgrade head` then stops with "Multiple head revisions are ' +
        'present", usually during a deploy. Catching it before merge costs one `alembic merge heads`.',
      bad: {
        'versions/a1_init.py': `revision = "a1"\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
        'versions/b1_left.py': `revision = "b1"\ndown_revision = "a1"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
        'versions/b2_right.py': `revision = "b2"\ndown_revision = "a1"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
      },
      good: {
        'versions/a1_init.py': `revision = "a1"\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
        'versions/b1_left.py': `revision = "b1"\ndown_revision = "a1"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
        'versions/b2_right.py': `revision = "b2"\ndown_revision = "a1"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
        'versions/c1_merge.py': `revision = "c1"\ndown_revision = ("b1", "b2")\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
      },
    },
    help: 'Run `alembic merge heads -m "merge"` (or rebase the newer revision onto the other head) so that the history has one head.',
    messages: {
      multipleHeads: 'Revision {{revision}} is one of {{count}} heads ({{heads}}); `alembic upgrade head` will refuse to run.',
    },
    schema: {
      type: 'object',
      properties: {
        allowLabeledBranches: {
          type: 'boolean',
          description: 'Allow one head per independent, branch-labelled history (separate roots).',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { allowLabeledBranches: true },
  },
  check(ctx, project, options) {
    for (const { graph } of project.sets) {
      if (graph.heads.length < 2) continue;
      const lineage = new Map(graph.heads.map((h) => [h, new Set([h, ...ancestors(graph, h)])]));
      const conflicting = graph.heads.filter((h) =>
        graph.heads.some((other) => {
          if (other === h) return false;
          const shared = [...lineage.get(h)!].some((r) => lineage.get(other)!.has(r));
          if (shared) return true;
          // Separate histories: fine when both are labelled branches.
          if (!options.allowLabeledBranches) return true;
          return branchLabelsOf(graph, h).length === 0 || branchLabelsOf(graph, other).length === 0;
        }),
      );
      const sorted = [...conflicting].sort();
      // Each finding names the heads; past a handful it says how many more, so that thousands of
      // heads (a directory of unrelated roots) do not make every message list all of them.
      const listed = sorted.length > MAX_LISTED ? `${sorted.slice(0, MAX_LISTED).join(', ')} and ${sorted.length - MAX_LISTED} more` : sorted.join(', ');
      for (const head of sorted) {
        const m = graph.nodes.get(head)!.migration;
        const at = m.parents ?? m.revision;
        if (!at) continue;
        ctx.report({
          messageId: 'multipleHeads',
          file: m.file,
          migration: m,
          at,
          data: { revision: head, count: sorted.length, heads: listed },
        });
      }
    }
  },
});
