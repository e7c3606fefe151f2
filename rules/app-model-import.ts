import type { Import } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'modelImport' | 'appImport' | 'unresolvedModelImport';
export interface Options {
  /** Application modules (and their submodules) that revisions may import. */
  allow: string[];
  /** true: report only modules that look like ORM models; false: report every application import. */
  modelsOnly: boolean;
}

const MODEL_WORDS = new Set(['models', 'model', 'entities', 'entity', 'orm', 'tables']);
/** For a module found nowhere, only a path naming models or entities says it is the application's. */
const UNRESOLVED_MODEL_WORDS = new Set(['models', 'model', 'entities', 'entity']);

export default defineRule<MessageIds, Options>({
  id: 'app-model-import',
  scope: 'migration',
  meta: {
    type: 'problem',
    description: "Disallow importing the application's ORM models into a revision",
    docs: {
      why:
        'A revision must keep doing exactly what it did when it was written, for years. The application\'s models ' +
        'keep changing: when a column is later renamed or dropped from the model, the old revision that imported ' +
        'it breaks or, worse, writes data in a shape that did not exist at that point in history. Fresh installs ' +
        'and CI databases built from scratch fail first. An import found neither in the project nor among known ' +
        'packages (the standard library, a dependency the project declares, a well-known package) is reported too ' +
        'when its dotted path names models or entities (`from myapp.models import User`, `import app.db.entities`): ' +
        'it is most likely the application laid out where migralint does not look.',
      bad: {
        'versions/0007_backfill_slugs.py': `"""backfill slugs"""
from alembic import op
from sqlalchemy.orm import Session

from myapp.models import Account

revision = "g7"
down_revision = "f6"


def upgrade():
    session = Session(bind=op.get_bind())
    for account in session.query(Account):
        account.slug = account.name.lower()


def downgrade():
    pass
`,
        '/myapp/__init__.py': '',
        '/myapp/models.py': 'class Account: ...\n',
      },
      good: `"""backfill slugs"""
from alembic import op
import sqlalchemy as sa

revision = "g7"
down_revision = "f6"

accounts = sa.table("accounts", sa.column("name", sa.Text()), sa.column("slug", sa.Text()))


def upgrade():
    op.execute(accounts.update().values(slug=sa.func.lower(accounts.c.name)))


def downgrade():
    pass
`,
    },
    help: 'Declare the few columns the revision needs with sa.table()/sa.column() (or raw SQL) inside the revision.',
    messages: {
      modelImport: 'Revision imports application models from {{module}}; they will change after this revision is written.',
      appImport: 'Revision imports application code from {{module}}; it will change after this revision is written.',
      unresolvedModelImport:
        'Revision imports {{module}}, which is neither in the project nor a known package and names models; application models will change after this revision is written.',
    },
    schema: {
      type: 'object',
      properties: {
        allow: {
          type: 'array',
          items: { type: 'string' },
          description: 'Application modules (and their submodules) that revisions may import.',
        },
        modelsOnly: {
          type: 'boolean',
          description: 'Report only imports that look like ORM models (a models/entities module or name); false reports every application import.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { allow: [], modelsOnly: true },
  },
  check(ctx, migration, options) {
    for (const imp of migration.imports) {
      if (imp.origin !== 'application' && imp.origin !== 'unresolved') continue;
      if (options.allow.some((a) => imp.module === a || imp.module.startsWith(`${a}.`))) continue;
      if (imp.origin === 'unresolved') {
        if (namesModels(imp)) ctx.report({ messageId: 'unresolvedModelImport', at: imp, data: { module: imp.module } });
        continue;
      }
      const models = looksLikeModels(imp);
      if (options.modelsOnly && !models) continue;
      ctx.report({ messageId: models ? 'modelImport' : 'appImport', at: imp, data: { module: imp.module } });
    }
  },
});

function looksLikeModels(imp: Import): boolean {
  const words = [...imp.module.split('.'), ...imp.names].map((w) => w.toLowerCase());
  return words.some((w) => MODEL_WORDS.has(w));
}

/** The dotted path (module, then lower-case imported names: submodules, not classes) names models or entities. */
function namesModels(imp: Import): boolean {
  const words = [...imp.module.split('.'), ...imp.names.filter((n) => n === n.toLowerCase())];
  return words.some((w) => UNRESOLVED_MODEL_WORDS.has(w.toLowerCase()));
}
