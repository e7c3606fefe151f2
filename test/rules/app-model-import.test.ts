import { test } from 'uvu';
import rule from '../../rules/app-model-import.js';
import { ruleTester } from '../helpers/rule-tester.js';

// writeProject makes the temporary directory the project root, so "myapp" below is first-party
// only when the case creates myapp/__init__.py beside it.
ruleTester(test, rule, {
  valid: [
    {
      name: 'alembic, sqlalchemy, stdlib and dialect helpers',
      files: `import datetime
import json
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
revision = "b2"
down_revision = "a1"
def upgrade():
    pass
`,
    },
    {
      name: 'an installed package that is not in the project',
      files: `from somevendor.models import Thing
revision = "b2"
down_revision = "a1"
def upgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'relative import of models',
      files: `from ..models import Account
revision = "b2"
down_revision = "a1"
def upgrade():
    pass
`,
      errors: [{ messageId: 'modelImport', line: 1, column: 1 }],
    },
  ],
});

test.run();
