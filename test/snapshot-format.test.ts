// The snapshot file without a database: the writer's determinism, the lazy reader against a full
// parse, and the catalog a snapshot seeds (what lint judges pending migrations against).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Catalog } from '../src/engine/catalog.js';
import type { Operation } from '../src/model/index.js';
import { openSnapshot, parseSnapshot, redactName, redactSnapshot, renderSnapshot, type Snapshot, type SnapshotTable } from '../src/snapshot/format.js';

const table = (name: string, rows: number, extra: Partial<SnapshotTable> = {}): SnapshotTable => ({
  name,
  rows,
  bytes: rows * 100,
  columns: [
    { name: 'id', type: 'bigint', nullable: false, default: null },
    { name: 'Kind', type: 'character varying(20)', nullable: true, default: "'x'::character varying" },
  ],
  indexes: [{ name: `${name.replace('.', '_')}_kind`, columns: ['"Kind"'], unique: false, valid: true, partial: false, method: 'btree' }],
  constraints: [{ name: `${name.replace('.', '_')}_id_check`, kind: 'check', validated: false, columns: ['id'], definition: 'CHECK ((id IS NOT NULL)) NOT VALID' }],
  ...extra,
});

const SNAPSHOT: Snapshot = {
  format: 1,
  server: '16.4',
  serverMajor: 16,
  redacted: false,
  applied: [{ kind: 'alembic', table: 'alembic_version', heads: ['b2', 'a1'], listed: [], failed: [] }],
  tables: [table('events', 210_000_000), table('audit.events', 5), table('plans', 40)],
};

const op = (o: Record<string, unknown>): Operation =>
  ({ loc: { line: 1, column: 1, endLine: 1, endColumn: 1 }, conditional: false, repeated: false, transactional: true, schema: null, ...o }) as unknown as Operation;

test('the writer sorts keys and rows: shuffled input gives the same text, and the text parses back', () => {
  const text = renderSnapshot(SNAPSHOT);
  const shuffled = { ...SNAPSHOT, tables: [...SNAPSHOT.tables].reverse().map((t) => ({ ...t, columns: [...t.columns].reverse() })) };
  assert.is(renderSnapshot(shuffled), text);
  const back = parseSnapshot(text, 'x.json');
  assert.equal(back.tables.map((t) => t.name), ['audit.events', 'events', 'plans']);
  assert.equal(back.applied[0]!.heads, ['a1', 'b2']);
  assert.is(renderSnapshot(back), text);
  // One column, index or constraint a line.
  assert.ok(text.includes('\n        {"name":"Kind","type":"character varying(20)","nullable":true,"default":"\'x\'::character varying"},\n'));
});

test('the lazy reader gives what a full parse gives, in either layout', () => {
  const text = renderSnapshot(SNAPSHOT);
  const full = parseSnapshot(text, 'x.json');
  for (const input of [text, JSON.stringify(JSON.parse(text), null, 4), JSON.stringify(JSON.parse(text))]) {
    const lazy = openSnapshot(input, 'x.json');
    assert.equal(lazy.tables.map((t) => t.name), full.tables.map((t) => t.name));
    assert.equal(lazy.tables.map((t) => t.load()), full.tables);
    assert.equal(lazy.findIndex('plans_kind'), { table: 'plans', index: full.tables[2]!.indexes[0]! });
    assert.is(lazy.findIndex('nope'), null);
  }
  assert.throws(() => openSnapshot(text.replace('"format": 1', '"format": 2'), 'x.json'), /snapshot format 2 is newer than this migralint reads \(format 1\)/);
});

test('the seeded catalog: public wins over another schema, sizes, types, checks, indexes; replayed changes win', () => {
  const c = Catalog.fromSnapshot(openSnapshot(renderSnapshot(SNAPSHOT), 'x.json'));
  assert.equal(c.tableSize('events'), { rows: 210_000_000, bytes: 21_000_000_000 });
  assert.equal(c.tableSize('EVENTS'), { rows: 210_000_000, bytes: 21_000_000_000 });
  assert.equal(c.column('events', 'kind'), { type: 'character varying(20)', nullable: true });
  assert.equal(c.checks('plans'), [{ name: 'plans_id_check', condition: '((id IS NOT NULL))', validated: false }]);
  assert.is(c.index('plans_kind')?.table, 'plans');
  assert.is(c.isNewTable('plans'), false);
  // A pending migration drops the index and recreates the table: the snapshot's versions are gone.
  c.setMode({ pending: true });
  c.apply(op({ kind: 'drop_index', name: 'plans_kind', table: null, concurrently: false, ifExists: false }));
  assert.is(c.index('plans_kind'), null);
  c.apply(op({ kind: 'create_table', table: 'audit', columns: [], constraints: [] }));
  assert.is(c.isNewTable('audit'), true);
  assert.is(c.tableSize('audit'), null);
  c.apply(op({ kind: 'drop_table', table: 'plans' }));
  assert.is(c.hasTable('plans'), false);
  assert.is(c.tableSize('plans'), null);
});

test('which migrations ran is unknown: a table the snapshot has stays production\'s when a migration creates it', () => {
  const c = Catalog.fromSnapshot(openSnapshot(renderSnapshot(SNAPSHOT), 'x.json'));
  c.setMode({ pending: null });
  c.apply(op({ kind: 'create_table', table: 'events', columns: [], constraints: [] }));
  c.apply(op({ kind: 'create_table', table: 'fresh', columns: [], constraints: [] }));
  assert.is(c.isNewTable('events'), false);
  assert.equal(c.tableSize('events')?.rows, 210_000_000);
  assert.is(c.isNewTable('fresh'), true);
});

test('a redacted snapshot keeps sizes and shapes, and the catalog finds its tables by the names migrations use', () => {
  const redacted = redactSnapshot(SNAPSHOT);
  const text = renderSnapshot(redacted);
  for (const name of ['"events"', '"plans"', '"Kind"', 'IS NOT NULL', "'x'"]) assert.not.ok(text.includes(name), name);
  assert.is(redactName('Events'), redactName('events'));
  const c = Catalog.fromSnapshot(openSnapshot(text, 'x.json'));
  assert.equal(c.tableSize('events')?.rows, 210_000_000);
  assert.equal(c.column('plans', 'KIND'), { type: 'character varying(20)', nullable: true });
  assert.is(c.index('plans_kind')?.table, redactName('plans'));
});

test.run();
