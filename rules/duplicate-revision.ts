import { baseName } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'duplicate';
export type Options = Record<string, never>;

const MAX_LISTED = 10;

export default defineRule<MessageIds, Options>({
  id: 'duplicate-revision',
  scope: 'project',
  meta: {
    type: 'problem',
    description: 'Disallow two migration files with the same revision id',
    docs: {
      why:
        'Alembic keys revisions by id. Two files with one id (a copied file whose id was not changed) make ' +
        'Alembic pick one of them and ignore the other, or fail to build the history at all.',
      bad: {
        'versions/a1_init.py': `revision = "a1"\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
        'versions/a1_copy.py': `revision = "a1"\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
      },
      good: {
        'versions/a1_init.py': `revision = "a1"\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
        'versions/b1_next.py': `revision = "b1"\ndown_revision = "a1"\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`,
      },
    },
    help: 'Give the newer file a fresh id (`alembic revision` generates one) and fix the down_revision of its children.',
    messages: {
      duplicate: 'Revision id {{revision}} is also declared in {{others}}.',
    },
    defaultOptions: {},
  },
  check(ctx, project) {
    for (const { set, graph } of project.sets) {
      // Name the other files by their path inside the directory: Diesel's are all called up.sql.
      const name = (file: string) => (file.startsWith(`${set.dir}/`) ? file.slice(set.dir.length + 1) : baseName(file));
      for (const [id, migrations] of graph.duplicates) {
        for (const m of migrations) {
          if (!m.revision) continue;
          // Past a handful of copies, name the first few and count the rest: thousands of files
          // sharing one id must not make every message list all the others.
          const others: string[] = [];
          let more = 0;
          for (const o of migrations) {
            if (o === m) continue;
            if (others.length < MAX_LISTED) others.push(name(o.file));
            else more++;
          }
          const listed = more > 0 ? `${others.join(', ')} and ${more} more` : others.join(', ');
          ctx.report({ messageId: 'duplicate', file: m.file, migration: m, at: m.revision, data: { revision: id, others: listed } });
        }
      }
    }
  },
});
