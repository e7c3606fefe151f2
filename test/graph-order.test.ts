// Alembic's upgrade order (src/graph/order.ts) on what Alembic itself would refuse or never sees:
// cycles, repeated ids, files without an id, missing parents. test/alembic-oracle.test.ts checks
// the order against real Alembic on valid histories; here the walk must end and hide nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Migration } from '../src/model/index.js';
import { buildGraph } from '../src/graph/index.js';
import { historyNewestFirst, historyOrder, upgradeOrder } from '../src/graph/order.js';

const loc = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/** Only what the order reads: file, revision, parents, depends_on, branch labels. */
function m(file: string, id: string | null, parents: string[], dependsOn: string[] = [], labels: string[] = []): Migration {
  return {
    file: `/p/versions/${file}`,
    revision: id === null ? null : { value: id, loc },
    parents: { value: parents, loc },
    dependsOn: dependsOn.length > 0 ? { value: dependsOn, loc } : null,
    branchLabels: labels.length > 0 ? { value: labels, loc } : null,
  } as unknown as Migration;
}

const ids = (ms: Migration[]) => ms.map((x) => x.revision?.value ?? x.file.split('/').pop());

test('the merge runs its second parent first, from an empty database and from b2', () => {
  const ms = [m('1_a1.py', 'a1', []), m('2_b2.py', 'b2', ['a1']), m('3_c3.py', 'c3', ['b2']), m('4_d4.py', 'd4', ['b2']), m('5_e5.py', 'e5', ['c3', 'd4']), m('6_f6.py', 'f6', ['e5'])];
  const graph = buildGraph(ms);
  assert.equal(upgradeOrder(graph), ['a1', 'b2', 'd4', 'c3', 'e5', 'f6']);
  assert.equal(upgradeOrder(graph, new Set(['a1', 'b2'])), ['d4', 'c3', 'e5', 'f6']);
  // The declared order of down_revision decides, not file names.
  const swapped = buildGraph([...ms.slice(0, 4), m('5_e5.py', 'e5', ['d4', 'c3']), ms[5]!]);
  assert.equal(upgradeOrder(swapped), ['a1', 'b2', 'c3', 'd4', 'e5', 'f6']);
  assert.equal(historyNewestFirst(graph), ['f6', 'e5', 'c3', 'd4', 'b2', 'a1']);
});

test('a cycle: the walk ends, the rest is ordered, revisions on or above the cycle come last', () => {
  const ms = [m('1_a1.py', 'a1', []), m('2_b2.py', 'b2', ['a1', 'd4']), m('3_c3.py', 'c3', ['b2']), m('4_d4.py', 'd4', ['c3']), m('5_e5.py', 'e5', ['d4']), m('6_x1.py', 'x1', ['a1'])];
  const graph = buildGraph(ms);
  assert.equal(upgradeOrder(graph), ['a1', 'x1']);
  assert.equal(ids(historyOrder(ms)), ['a1', 'x1', 'b2', 'c3', 'd4', 'e5']);
  assert.equal(historyNewestFirst(graph), ['x1', 'a1', 'b2', 'c3', 'd4', 'e5']);
});

test('a depends_on cycle is a cycle too', () => {
  const ms = [m('1_a1.py', 'a1', [], ['b2']), m('2_b2.py', 'b2', ['a1'])];
  assert.equal(upgradeOrder(buildGraph(ms)), []);
  assert.equal(ids(historyOrder(ms)), ['a1', 'b2']);
});

test('a repeated id follows the file that declares it first; a file without an id comes last; a missing parent is no parent', () => {
  const ms = [m('1_a1.py', 'a1', []), m('2_b2.py', 'b2', ['a1']), m('3_b2_again.py', 'b2', ['a1']), m('0_noid.py', null, ['a1']), m('4_c3.py', 'c3', ['b2', 'gone'])];
  const order = historyOrder(ms);
  assert.equal(order.map((x) => x.file.split('/').pop()), ['1_a1.py', '2_b2.py', '3_b2_again.py', '4_c3.py', '0_noid.py']);
});

test('depends_on through a branch label orders the labelled revision first', () => {
  const ms = [m('1_a1.py', 'a1', []), m('2_b2.py', 'b2', ['a1'], [], ['billing']), m('3_c3.py', 'c3', ['a1'], ['billing'])];
  const order = upgradeOrder(buildGraph(ms));
  assert.ok(order.indexOf('b2') < order.indexOf('c3'), order.join(' '));
});

test('a long history with many merges is ordered in linear-ish time', () => {
  const ms: Migration[] = [m('r0.py', 'r0', [])];
  let prev = 'r0';
  for (let i = 1; i < 1000; i++) {
    const f = String(i).padStart(5, '0');
    if (i % 20 === 0) {
      ms.push(m(`${f}a.py`, `a${i}`, [prev]), m(`${f}b.py`, `b${i}`, [prev]), m(`${f}m.py`, `m${i}`, [`a${i}`, `b${i}`]));
      prev = `m${i}`;
    } else {
      ms.push(m(`${f}.py`, `r${i}`, [prev]));
      prev = `r${i}`;
    }
  }
  const started = performance.now();
  const order = upgradeOrder(buildGraph(ms));
  const elapsed = performance.now() - started;
  assert.is(order.length, ms.length);
  assert.is(new Set(order).size, ms.length);
  assert.ok(elapsed < 2000, `${Math.round(elapsed)} ms`);
});

test.run();
