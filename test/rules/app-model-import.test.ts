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
      name: 'a package the project declares as a dependency (requirements.txt, pyproject.toml), even with a models module',
      files: {
        '/requirements.txt': '# runtime\nSomeVendor[extra]>=1.2  # pinned\n-r base.txt\n',
        '/pyproject.toml': '[project]\nname = "myapp"\ndependencies = [\n  "other-lib>=2",\n]\n',
        '0001.py': `from somevendor.models import Thing
from other_lib.entities import Widget
import django.contrib.auth.models
from keras import Model
import tables
revision = "b2"
down_revision = "a1"
def upgrade():
    pass
`,
      },
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
    {
      name: 'models of a package neither on disk nor known: the application laid out elsewhere (issue 10)',
      files: {
        '/pyproject.toml': '[project]\nname = "myapp"\ndependencies = ["requests"]\n',
        '0001.py': `from myapp.models import User
import app.db.entities
from backend import models
from backend.services import mailer
revision = "b2"
down_revision = "a1"
def upgrade():
    pass
`,
      },
      errors: [
        { messageId: 'unresolvedModelImport', line: 1, column: 1, file: '0001.py', includes: 'imports myapp.models, which is neither' },
        { messageId: 'unresolvedModelImport', line: 2, column: 1, file: '0001.py' },
        { messageId: 'unresolvedModelImport', line: 3, column: 1, file: '0001.py' },
      ],
    },
  ],
});

test.run();
