import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Loc } from '../../src/model/types.js';
import { classifySql, splitSql } from '../../src/frontends/sql-text/split.js';

/** A locator that encodes offsets in the Loc (line = start offset, column = end offset). */
const offsets = (start: number, end: number): Loc => ({ line: start, column: end, endLine: start, endColumn: end });

function split(text: string) {
  return splitSql(text, offsets);
}

test('splits on top-level semicolons and skips empty statements', () => {
  const sts = split('  UPDATE a SET x = 1;;\n  ; DELETE FROM b ;  ');
  assert.equal(
    sts.map((s) => s.text),
    ['UPDATE a SET x = 1', 'DELETE FROM b'],
  );
  // loc covers the statement text exactly (no leading spaces, no `;`)
  assert.equal(sts[0]!.loc.line, 2);
  assert.equal(sts[0]!.loc.column, 20);
  const t = '  UPDATE a SET x = 1;;\n  ; DELETE FROM b ;  ';
  assert.is(t.slice(sts[1]!.loc.line, sts[1]!.loc.column), 'DELETE FROM b');
});

test('does not split inside strings, identifiers, dollar quotes and comments', () => {
  const text = [
    "INSERT INTO t VALUES ('a;b', 'it''s;');",
    "UPDATE t SET v = E'x\\';y';",
    'ALTER TABLE "we;ird" ADD COLUMN c int;',
    'CREATE FUNCTION f() RETURNS void AS $body$ BEGIN PERFORM 1; END; $body$ LANGUAGE plpgsql;',
    'DO $$ BEGIN UPDATE t SET a = 1; END $$;',
    '-- comment; not a statement\nSELECT 1;',
    '/* block ; /* nested ; */ still ; */ SET lock_timeout = 5;',
  ].join('\n');
  const sts = split(text);
  assert.equal(
    sts.map((s) => s.keyword),
    ['INSERT', 'UPDATE', 'ALTER TABLE', 'CREATE FUNCTION', 'DO', 'SELECT', 'SET'],
  );
  assert.is(sts[2]!.table, 'we;ird');
  assert.is(sts[5]!.text, 'SELECT 1');
  assert.is(sts[6]!.text, 'SET lock_timeout = 5');
});

test('a text of only comments and whitespace has no statements', () => {
  assert.equal(split('  -- nothing\n /* here */ ; ;\n'), []);
  assert.equal(split(''), []);
});

test('classifies schema statements with keyword and table', () => {
  const cases: [string, string, string | null][] = [
    ['CREATE TABLE IF NOT EXISTS public.accounts (id int)', 'CREATE TABLE', 'accounts'],
    ['create unique index concurrently if not exists ix_a on only "Accounts" (email)', 'CREATE INDEX', 'Accounts'],
    ['CREATE INDEX ON accounts (email)', 'CREATE INDEX', 'accounts'],
    ['ALTER TABLE IF EXISTS ONLY app.users ADD COLUMN x int', 'ALTER TABLE', 'users'],
    ['DROP TABLE IF EXISTS a, b', 'DROP TABLE', 'a'],
    ['CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ select 1 $$ LANGUAGE sql', 'CREATE FUNCTION', null],
    ['CREATE MATERIALIZED VIEW mv AS SELECT 1', 'CREATE MATERIALIZED VIEW', null],
    ['DROP INDEX CONCURRENTLY IF EXISTS ix_a', 'DROP INDEX', null],
    ['ALTER TYPE mood ADD VALUE \'meh\'', 'ALTER TYPE', null],
    ['COMMENT ON COLUMN app.users.email IS \'x\'', 'COMMENT ON', 'users'],
    ['COMMENT ON TABLE users IS \'x\'', 'COMMENT ON', 'users'],
    ['GRANT SELECT ON users TO reader', 'GRANT', null],
    ['REINDEX INDEX CONCURRENTLY ix_a', 'REINDEX', null],
    ['CREATE EXTENSION IF NOT EXISTS pg_trgm', 'CREATE EXTENSION', null],
  ];
  for (const [sql, keyword, table] of cases) {
    const c = classifySql(sql);
    assert.is(c.category, 'schema', sql);
    assert.is(c.keyword, keyword, sql);
    assert.is(c.table, table, sql);
  }
});

test('classifies data statements with keyword and table', () => {
  const cases: [string, string, string | null][] = [
    ['UPDATE ONLY accounts SET tier = 1', 'UPDATE', 'accounts'],
    ['update "My Table" set a = 1', 'UPDATE', 'My Table'],
    ['INSERT INTO app.accounts (id) VALUES (1)', 'INSERT', 'accounts'],
    ['DELETE FROM accounts WHERE id = 1', 'DELETE', 'accounts'],
    ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE', 'MERGE', 't'],
    ['TRUNCATE TABLE logs', 'TRUNCATE', 'logs'],
    ['COPY accounts FROM STDIN', 'COPY', 'accounts'],
    ['WITH moved AS (SELECT id FROM a) UPDATE b SET x = 1 FROM moved', 'UPDATE', 'b'],
    ['WITH RECURSIVE r(n) AS (SELECT 1) INSERT INTO t SELECT n FROM r', 'INSERT', 't'],
    ['WITH d AS (DELETE FROM old RETURNING *) SELECT count(*) FROM d', 'SELECT', 'old'],
    ['SELECT * INTO TEMP backup FROM accounts', 'SELECT INTO', 'backup'],
  ];
  for (const [sql, keyword, table] of cases) {
    const c = classifySql(sql);
    assert.is(c.category, 'data', sql);
    assert.is(c.keyword, keyword, sql);
    assert.is(c.table, table, sql);
  }
});

test('classifies other statements', () => {
  const cases: [string, string][] = [
    ["SET LOCAL lock_timeout = '5s'", 'SET'],
    ['SELECT count(*) FROM accounts', 'SELECT'],
    ['SELECT x FROM (SELECT 1 INTO y) s', 'SELECT'],
    ['WITH a AS (SELECT 1) SELECT * FROM a', 'SELECT'],
    ['BEGIN', 'BEGIN'],
    ['COMMIT', 'COMMIT'],
    ['START TRANSACTION', 'START TRANSACTION'],
    ['DO $$ BEGIN END $$', 'DO'],
    ['VACUUM ANALYZE accounts', 'VACUUM'],
    ['PRAGMA foreign_keys=OFF', 'PRAGMA'],
  ];
  for (const [sql, keyword] of cases) {
    const c = classifySql(sql);
    assert.is(c.category, 'other', sql);
    assert.is(c.keyword, keyword, sql);
  }
  assert.is(classifySql('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE').table, 'accounts');
});

test('leading comments are not part of the statement', () => {
  const text = '-- backfill\n/* x */ UPDATE a SET b = 1';
  const [st] = split(text);
  assert.is(st!.text, 'UPDATE a SET b = 1');
  assert.is(text.slice(st!.loc.line, st!.loc.column), 'UPDATE a SET b = 1');
});

test('an unterminated string or dollar quote runs to the end without throwing', () => {
  const sts = split("UPDATE a SET b = 'x; DELETE FROM c");
  assert.is(sts.length, 1);
  assert.is(split('DO $x$ BEGIN; END').length, 1);
});

test.run();
