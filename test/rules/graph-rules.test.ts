// multiple-heads, missing-parent, duplicate-revision and revision-cycle: the graph rules.
import { test } from 'uvu';
import multipleHeads from '../../rules/multiple-heads.js';
import missingParent from '../../rules/missing-parent.js';
import duplicateRevision from '../../rules/duplicate-revision.js';
import revisionCycle from '../../rules/revision-cycle.js';
import { ruleTester } from '../helpers/rule-tester.js';

const rev = {
  a1: `"""init"""\nrevision = "a1"\ndown_revision = None\ndef upgrade():\n    pass\n`,
  b1: `"""left"""\nrevision = "b1"\ndown_revision = "a1"\ndef upgrade():\n    pass\n`,
  b2: `"""right"""\nrevision = "b2"\ndown_revision = "a1"\ndef upgrade():\n    pass\n`,
  merge: `"""merge"""\nrevision = "c1"\ndown_revision = ("b1", "b2")\ndef upgrade():\n    pass\n`,
};

ruleTester(test, multipleHeads, {
  valid: [
    { name: 'linear history', files: { '1_a1.py': rev.a1, '2_b1.py': rev.b1 } },
    { name: 'branches joined by a merge revision', files: { '1_a1.py': rev.a1, '2_b1.py': rev.b1, '2_b2.py': rev.b2, '3_c1.py': rev.merge } },
    {
      name: 'independent labelled branches',
      files: {
        'x1.py': `revision = "x1"\ndown_revision = None\nbranch_labels = ("billing",)\ndef upgrade():\n    pass\n`,
        'y1.py': `revision = "y1"\ndown_revision = None\nbranch_labels = ("auth",)\ndef upgrade():\n    pass\n`,
      },
    },
  ],
  invalid: [
    {
      name: 'two revisions on one parent',
      files: { '1_a1.py': rev.a1, '2_b1.py': rev.b1, '2_b2.py': rev.b2 },
      errors: [
        { messageId: 'multipleHeads', file: '2_b1.py', line: 3, column: 1, includes: 'b1, b2' },
        { messageId: 'multipleHeads', file: '2_b2.py', line: 3, column: 1 },
      ],
    },
    {
      name: 'independent roots without labels',
      files: {
        'x1.py': `revision = "x1"\ndown_revision = None\ndef upgrade():\n    pass\n`,
        'y1.py': `revision = "y1"\ndown_revision = None\ndef upgrade():\n    pass\n`,
      },
      errors: [
        { messageId: 'multipleHeads', file: 'x1.py', line: 2 },
        { messageId: 'multipleHeads', file: 'y1.py', line: 2 },
      ],
    },
    {
      name: 'twelve heads: each message names ten and counts the rest',
      files: Object.fromEntries(
        Array.from({ length: 12 }, (_, i) => [`h${String(i).padStart(2, '0')}.py`, `revision = "h${String(i).padStart(2, '0')}"\ndown_revision = None\ndef upgrade():\n    pass\n`]),
      ),
      errors: Array.from({ length: 12 }, (_, i) => ({
        messageId: 'multipleHeads',
        file: `h${String(i).padStart(2, '0')}.py`,
        line: 2,
        includes: 'one of 12 heads (h00, h01, h02, h03, h04, h05, h06, h07, h08, h09 and 2 more)',
      })),
    },
  ],
});

ruleTester(test, missingParent, {
  valid: [{ name: 'every parent exists', files: { '1_a1.py': rev.a1, '2_b1.py': rev.b1, '2_b2.py': rev.b2, '3_c1.py': rev.merge } }],
  invalid: [
    {
      name: 'typo in down_revision, and a dangling depends_on',
      files: {
        '1_a1.py': rev.a1,
        '2_b1.py': `revision = "b1"\ndown_revision = "a0"\ndepends_on = "zz9"\ndef upgrade():\n    pass\n`,
      },
      errors: [
        { messageId: 'missingParent', file: '2_b1.py', line: 2, includes: 'a0' },
        { messageId: 'missingDependency', file: '2_b1.py', line: 3, includes: 'zz9' },
      ],
    },
  ],
});

ruleTester(test, duplicateRevision, {
  valid: [{ name: 'unique ids', files: { '1_a1.py': rev.a1, '2_b1.py': rev.b1 } }],
  invalid: [
    {
      name: 'copied file keeps the id',
      files: { '1_a1.py': rev.a1, '2_b1.py': rev.b1, '2_b1_copy.py': rev.b1 },
      errors: [
        { messageId: 'duplicate', file: '2_b1.py', line: 2, includes: '2_b1_copy.py' },
        { messageId: 'duplicate', file: '2_b1_copy.py', line: 2, includes: '2_b1.py' },
      ],
    },
    {
      name: 'twelve copies: each message names ten others and counts the rest',
      files: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`c${String(i).padStart(2, '0')}.py`, rev.b1])),
      errors: Array.from({ length: 12 }, (_, i) => ({
        messageId: 'duplicate',
        file: `c${String(i).padStart(2, '0')}.py`,
        line: 2,
        includes: ' and 1 more.',
      })),
    },
  ],
});

ruleTester(test, revisionCycle, {
  valid: [{ name: 'acyclic', files: { '1_a1.py': rev.a1, '2_b1.py': rev.b1 } }],
  invalid: [
    {
      name: 'two revisions naming each other',
      files: {
        '1_a1.py': `revision = "a1"\ndown_revision = "b1"\ndef upgrade():\n    pass\n`,
        '2_b1.py': `revision = "b1"\ndown_revision = "a1"\ndef upgrade():\n    pass\n`,
      },
      errors: [{ messageId: 'cycle', file: '1_a1.py', line: 2, includes: 'a1 -> b1 -> a1' }],
    },
    {
      name: 'a cycle through depends_on',
      files: {
        '1_a1.py': `revision = "a1"\ndown_revision = None\ndepends_on = "b1"\ndef upgrade():\n    pass\n`,
        '2_b1.py': `revision = "b1"\ndown_revision = "a1"\ndef upgrade():\n    pass\n`,
      },
      errors: [{ messageId: 'cycle', file: '1_a1.py', line: 2, includes: 'a1 -> b1 -> a1' }],
    },
  ],
});

test.run();
