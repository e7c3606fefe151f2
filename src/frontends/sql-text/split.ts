// A small, dependency-free SQL splitter and classifier. It stands in for a real PostgreSQL parser
// (a later issue) wherever a front end finds SQL inside a host-language string, e.g. Alembic's
// `op.execute("...")`.
//
// Splitting: statements end at a top-level `;`. The scanner skips '…' strings ('' escapes),
// E'…' strings (backslash escapes), "…" and `…` identifiers, $tag$…$tag$ dollar quotes, -- line
// comments and (nested) /* */ comments, so a `;` inside any of them does not split. Statements
// that hold nothing but whitespace and comments are dropped. A statement's text starts at its
// first token (leading comments are not part of it) and ends before its `;`.
//
// Classification, by the leading keyword(s):
// - schema: statements that create, change, drop or rebuild database objects: CREATE, ALTER,
//   DROP, COMMENT ON, GRANT, REVOKE, RENAME (MySQL), SECURITY LABEL, IMPORT FOREIGN SCHEMA, and
//   REINDEX, CLUSTER and REFRESH MATERIALIZED VIEW (they rebuild storage under strong locks, which
//   is what the schema rules care about).
// - data: statements that change rows: UPDATE, INSERT, DELETE, MERGE, COPY, TRUNCATE, REPLACE
//   (MySQL), `WITH … UPDATE/INSERT/DELETE/MERGE` (also a data-modifying CTE body) and
//   `SELECT … INTO` (which fills a new table).
// - other: everything else: SET, RESET, SHOW, SELECT, VALUES, BEGIN, COMMIT, ROLLBACK, SAVEPOINT,
//   DO, CALL, LOCK, VACUUM, ANALYZE, EXPLAIN, PRAGMA, …
//
// `keyword` is upper case: one word for most statements (`UPDATE`, `SET`, `DO`), the verb plus
// the object for DDL (`CREATE TABLE`, `CREATE INDEX` also for `CREATE UNIQUE INDEX`,
// `CREATE FUNCTION` also for `CREATE OR REPLACE FUNCTION`, `ALTER MATERIALIZED VIEW`,
// `DROP INDEX`), `COMMENT ON`, `SELECT INTO`, `START TRANSACTION`. A `WITH` statement takes the
// keyword of its main statement (`UPDATE`, `SELECT`...).
//
// `table` is read for UPDATE / INSERT INTO / DELETE FROM / MERGE INTO / TRUNCATE / COPY /
// ALTER TABLE / CREATE TABLE / DROP TABLE (first table) / CREATE INDEX … ON / COMMENT ON
// TABLE|COLUMN / LOCK / RENAME TABLE / SELECT … INTO; otherwise null. Names are kept as written
// minus quotes; a schema-qualified name keeps only its last part.
import type { Loc, SqlStatement } from '../../model/types.js';

const enum C {
  Tab = 9,
  LF = 10,
  CR = 13,
  Space = 32,
  DQuote = 34,
  Dollar = 36,
  Quote = 39,
  LParen = 40,
  RParen = 41,
  Star = 42,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Semi = 59,
  Backslash = 92,
  Backtick = 96,
}

const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

function isIdentChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === C.Dollar || c >= 128
  );
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
}

function isSpace(c: number): boolean {
  return c === C.Space || c === C.Tab || c === C.LF || c === C.CR || c === 12 || c === 11;
}

/** Is the quote at `i` the start of an E'…' string (backslash escapes)? */
function isEString(text: string, i: number): boolean {
  if (i === 0) return false;
  const e = text.charCodeAt(i - 1);
  if (e !== 69 && e !== 101) return false;
  return i === 1 || !isIdentChar(text.charCodeAt(i - 2));
}

/** Skips a quoted run starting at `i` (the opening quote); returns the index after the closing quote. */
function skipQuoted(text: string, i: number, quote: number, backslashEscapes: boolean): number {
  const n = text.length;
  let j = i + 1;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (backslashEscapes && c === C.Backslash) {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (quote !== C.Backtick && text.charCodeAt(j + 1) === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return n;
}

/** If a dollar-quote opens at `i`, returns the index after its closing tag; otherwise -1. */
function skipDollar(text: string, i: number): number {
  if (i > 0 && isIdentChar(text.charCodeAt(i - 1))) return -1;
  DOLLAR_TAG.lastIndex = i;
  const m = DOLLAR_TAG.exec(text);
  if (!m) return -1;
  const tag = m[0];
  const close = text.indexOf(tag, i + tag.length);
  return close < 0 ? text.length : close + tag.length;
}

function skipLineComment(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl + 1;
}

function skipBlockComment(text: string, i: number): number {
  const n = text.length;
  let depth = 1;
  let j = i + 2;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === C.Slash && text.charCodeAt(j + 1) === C.Star) {
      depth++;
      j += 2;
    } else if (c === C.Star && text.charCodeAt(j + 1) === C.Slash) {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return n;
}

/** Skips whitespace and comments from `i`; returns the first index of anything else. */
function skipTrivia(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) i++;
    else if (c === C.Minus && text.charCodeAt(i + 1) === C.Minus) i = skipLineComment(text, i);
    else if (c === C.Slash && text.charCodeAt(i + 1) === C.Star) i = skipBlockComment(text, i);
    else break;
  }
  return i;
}

/** Splits `text` into statements and classifies each; `locate` maps a [start, end) range of `text` to a Loc. */
export function splitSql(text: string, locate: (start: number, end: number) => Loc): SqlStatement[] {
  const out: SqlStatement[] = [];
  const n = text.length;
  let start = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === C.Quote) {
      i = skipQuoted(text, i, C.Quote, isEString(text, i));
    } else if (c === C.DQuote) {
      i = skipQuoted(text, i, C.DQuote, false);
    } else if (c === C.Backtick) {
      i = skipQuoted(text, i, C.Backtick, false);
    } else if (c === C.Dollar) {
      const j = skipDollar(text, i);
      i = j < 0 ? i + 1 : j;
    } else if (c === C.Minus && text.charCodeAt(i + 1) === C.Minus) {
      i = skipLineComment(text, i);
    } else if (c === C.Slash && text.charCodeAt(i + 1) === C.Star) {
      i = skipBlockComment(text, i);
    } else if (c === C.Semi) {
      emit(text, start, i, locate, out);
      i++;
      start = i;
    } else {
      i++;
    }
  }
  emit(text, start, n, locate, out);
  return out;
}

function emit(
  text: string,
  from: number,
  to: number,
  locate: (start: number, end: number) => Loc,
  out: SqlStatement[],
): void {
  const s = skipTrivia(text, from, to);
  let e = to;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  if (s >= e) return;
  const stmt = text.slice(s, e);
  const { category, keyword, table } = classifySql(stmt);
  out.push({ text: stmt, category, keyword, table, loc: locate(s, e) });
}

// ---------------------------------------------------------------------------------------------
// Classification

const enum T {
  Word, // unquoted identifier or keyword
  Ident, // quoted identifier
  Str, // string literal
  Punct,
  Num,
}

interface Tok {
  t: T;
  /** Word: upper case; Ident: the name without quotes; others: the text. */
  v: string;
  /** Word: as written. */
  raw: string;
  /** Parenthesis depth before the token. */
  depth: number;
}

/** A lazy tokenizer over one statement. */
class Tokens {
  private readonly toks: Tok[] = [];
  private pos = 0;
  private depth = 0;
  private done = false;
  constructor(private readonly s: string) {}

  get(i: number): Tok | undefined {
    while (this.toks.length <= i && !this.done) this.scan();
    return this.toks[i];
  }

  private scan(): void {
    const s = this.s;
    const n = s.length;
    const i = skipTrivia(s, this.pos, n);
    if (i >= n) {
      this.done = true;
      this.pos = n;
      return;
    }
    const c = s.charCodeAt(i);
    let j: number;
    let tok: Tok;
    if (c === C.Quote) {
      j = skipQuoted(s, i, C.Quote, isEString(s, i));
      tok = { t: T.Str, v: s.slice(i, j), raw: '', depth: this.depth };
    } else if (c === C.DQuote || c === C.Backtick) {
      j = skipQuoted(s, i, c, false);
      const inner = s.slice(i + 1, s.charCodeAt(j - 1) === c && j - 1 > i ? j - 1 : j);
      tok = { t: T.Ident, v: c === C.DQuote ? inner.replace(/""/g, '"') : inner, raw: '', depth: this.depth };
    } else if (c === C.Dollar && (j = skipDollar(s, i)) >= 0) {
      tok = { t: T.Str, v: s.slice(i, j), raw: '', depth: this.depth };
    } else if (isIdentStart(c)) {
      j = i + 1;
      while (j < n && isIdentChar(s.charCodeAt(j))) j++;
      // E'…', U&'…', B'…', X'…' prefixes belong to the string.
      if (s.charCodeAt(j) === C.Quote && j - i === 1) {
        j = skipQuoted(s, j, C.Quote, c === 69 || c === 101);
        tok = { t: T.Str, v: s.slice(i, j), raw: '', depth: this.depth };
      } else {
        const raw = s.slice(i, j);
        tok = { t: T.Word, v: raw.toUpperCase(), raw, depth: this.depth };
      }
    } else if (c >= 48 && c <= 57) {
      j = i + 1;
      while (j < n && (isIdentChar(s.charCodeAt(j)) || s.charCodeAt(j) === C.Dot)) j++;
      tok = { t: T.Num, v: s.slice(i, j), raw: '', depth: this.depth };
    } else {
      j = i + 1;
      tok = { t: T.Punct, v: s[i]!, raw: '', depth: this.depth };
      if (c === C.LParen) this.depth++;
      else if (c === C.RParen && this.depth > 0) this.depth--;
    }
    this.toks.push(tok);
    this.pos = j;
  }
}

interface Classified {
  category: SqlStatement['category'];
  keyword: string;
  table: string | null;
}

const CREATE_MODIFIERS = new Set([
  'OR',
  'REPLACE',
  'UNIQUE',
  'TEMP',
  'TEMPORARY',
  'UNLOGGED',
  'GLOBAL',
  'LOCAL',
  'RECURSIVE',
  'TRUSTED',
  'PROCEDURAL',
  'CONSTRAINT',
  'FULLTEXT',
  'SPATIAL',
]);

const SCHEMA_SINGLE = new Set(['GRANT', 'REVOKE', 'REINDEX', 'CLUSTER']);
const DATA_LEAD = new Set(['UPDATE', 'INSERT', 'DELETE', 'MERGE', 'COPY', 'TRUNCATE', 'REPLACE']);
const WITH_MAIN = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'VALUES', 'TABLE']);
const DML = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);
const INSERT_MODIFIERS = new Set(['IGNORE', 'LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'OR']);

function isWord(tok: Tok | undefined, v: string): boolean {
  return tok !== undefined && tok.t === T.Word && tok.v === v;
}

/** Reads a possibly qualified name at index i; returns its last part and the index after it. */
function readName(ts: Tokens, i: number): { name: string | null; next: number } {
  let tok = ts.get(i);
  if (!tok || (tok.t !== T.Word && tok.t !== T.Ident)) return { name: null, next: i };
  let name = tok.t === T.Word ? tok.raw : tok.v;
  let k = i + 1;
  for (;;) {
    const dot = ts.get(k);
    if (!dot || dot.t !== T.Punct || dot.v !== '.') break;
    tok = ts.get(k + 1);
    if (!tok || (tok.t !== T.Word && tok.t !== T.Ident)) break;
    name = tok.t === T.Word ? tok.raw : tok.v;
    k += 2;
  }
  return { name, next: k };
}

/** Reads all parts of a qualified name at i. */
function readParts(ts: Tokens, i: number): string[] {
  const parts: string[] = [];
  let k = i;
  for (;;) {
    const tok = ts.get(k);
    if (!tok || (tok.t !== T.Word && tok.t !== T.Ident)) break;
    parts.push(tok.t === T.Word ? tok.raw : tok.v);
    const dot = ts.get(k + 1);
    if (!dot || dot.t !== T.Punct || dot.v !== '.') break;
    k += 2;
  }
  return parts;
}

/** Skips `IF EXISTS` / `IF NOT EXISTS` at i. */
function skipIf(ts: Tokens, i: number): number {
  if (!isWord(ts.get(i), 'IF')) return i;
  let k = i + 1;
  if (isWord(ts.get(k), 'NOT')) k++;
  if (isWord(ts.get(k), 'EXISTS')) k++;
  return k;
}

function skipOnly(ts: Tokens, i: number): number {
  return isWord(ts.get(i), 'ONLY') ? i + 1 : i;
}

/** The object words after CREATE/ALTER/DROP at index i: returns the keyword tail and the index after it. */
function readObject(ts: Tokens, i: number): { object: string; next: number } {
  const a = ts.get(i);
  if (!a || a.t !== T.Word) return { object: '', next: i };
  const b = ts.get(i + 1);
  const bw = b && b.t === T.Word ? b.v : '';
  switch (a.v) {
    case 'MATERIALIZED':
    case 'EVENT':
    case 'ACCESS':
      return bw ? { object: `${a.v} ${bw}`, next: i + 2 } : { object: a.v, next: i + 1 };
    case 'FOREIGN':
      if (bw === 'DATA') {
        const c = ts.get(i + 2);
        return isWord(c, 'WRAPPER')
          ? { object: 'FOREIGN DATA WRAPPER', next: i + 3 }
          : { object: 'FOREIGN DATA', next: i + 2 };
      }
      return bw ? { object: `FOREIGN ${bw}`, next: i + 2 } : { object: a.v, next: i + 1 };
    case 'TEXT':
      if (bw === 'SEARCH') {
        const c = ts.get(i + 2);
        return c && c.t === T.Word ? { object: `TEXT SEARCH ${c.v}`, next: i + 3 } : { object: 'TEXT SEARCH', next: i + 2 };
      }
      return { object: a.v, next: i + 1 };
    case 'OPERATOR':
      return bw === 'CLASS' || bw === 'FAMILY' ? { object: `OPERATOR ${bw}`, next: i + 2 } : { object: a.v, next: i + 1 };
    case 'USER':
      return bw === 'MAPPING' ? { object: 'USER MAPPING', next: i + 2 } : { object: a.v, next: i + 1 };
    case 'DEFAULT':
      return bw === 'PRIVILEGES' ? { object: 'DEFAULT PRIVILEGES', next: i + 2 } : { object: a.v, next: i + 1 };
    default:
      return { object: a.v, next: i + 1 };
  }
}

/** Finds the index of the first word `v` at paren depth `depth` from i; -1 when absent. */
function findWord(ts: Tokens, i: number, v: string, depth = 0): number {
  for (let k = i; ; k++) {
    const tok = ts.get(k);
    if (!tok) return -1;
    if (tok.t === T.Word && tok.v === v && tok.depth === depth) return k;
  }
}

function dmlTable(ts: Tokens, kw: string, i: number): string | null {
  switch (kw) {
    case 'UPDATE':
      return readName(ts, skipOnly(ts, i)).name;
    case 'INSERT':
    case 'REPLACE': {
      let k = i;
      while (ts.get(k)?.t === T.Word && INSERT_MODIFIERS.has(ts.get(k)!.v)) {
        // SQLite: INSERT OR REPLACE / OR IGNORE.
        k += ts.get(k)!.v === 'OR' ? 2 : 1;
      }
      if (isWord(ts.get(k), 'INTO')) k++;
      return readName(ts, k).name;
    }
    case 'DELETE': {
      let k = i;
      if (!isWord(ts.get(k), 'FROM')) {
        k = findWord(ts, k, 'FROM', ts.get(k)?.depth ?? 0);
        if (k < 0) return null;
      }
      return readName(ts, skipOnly(ts, k + 1)).name;
    }
    case 'MERGE':
      return readName(ts, skipOnly(ts, isWord(ts.get(i), 'INTO') ? i + 1 : i)).name;
    case 'TRUNCATE':
      return readName(ts, skipOnly(ts, isWord(ts.get(i), 'TABLE') ? i + 1 : i)).name;
    case 'COPY':
      return readName(ts, i).name;
    default:
      return null;
  }
}

/** Classifies one statement (no trailing `;`). Exported for other front ends and tests. */
export function classifySql(stmt: string): Classified {
  const ts = new Tokens(stmt);
  let i = 0;
  // A statement wrapped in parentheses: `(SELECT 1)`.
  while (ts.get(i)?.t === T.Punct && ts.get(i)!.v === '(') i++;
  const first = ts.get(i);
  if (!first || first.t !== T.Word) return { category: 'other', keyword: first ? first.v.toUpperCase() : '', table: null };
  const lead = first.v;
  i++;

  switch (lead) {
    case 'CREATE': {
      while (ts.get(i)?.t === T.Word && CREATE_MODIFIERS.has(ts.get(i)!.v)) i++;
      // MySQL: CREATE ALGORITHM=… DEFINER=… VIEW; skip `word = value` pairs.
      while (ts.get(i)?.t === T.Word && ts.get(i + 1)?.t === T.Punct && ts.get(i + 1)!.v === '=') i += 3;
      const { object, next } = readObject(ts, i);
      const keyword = object ? `CREATE ${object}` : 'CREATE';
      let table: string | null = null;
      if (object === 'TABLE' || object === 'FOREIGN TABLE') table = readName(ts, skipIf(ts, next)).name;
      else if (object === 'INDEX') {
        const on = findWord(ts, next, 'ON');
        if (on >= 0) table = readName(ts, skipOnly(ts, on + 1)).name;
      }
      return { category: 'schema', keyword, table };
    }
    case 'ALTER':
    case 'DROP': {
      const { object, next } = readObject(ts, i);
      const keyword = object ? `${lead} ${object}` : lead;
      let table: string | null = null;
      if (object === 'TABLE' || object === 'FOREIGN TABLE') table = readName(ts, skipOnly(ts, skipIf(ts, next))).name;
      return { category: 'schema', keyword, table };
    }
    case 'COMMENT': {
      let k = i;
      if (isWord(ts.get(k), 'ON')) k++;
      let table: string | null = null;
      if (isWord(ts.get(k), 'TABLE')) table = readName(ts, k + 1).name;
      else if (isWord(ts.get(k), 'COLUMN')) {
        const parts = readParts(ts, k + 1);
        table = parts.length >= 2 ? parts[parts.length - 2]! : null;
      }
      return { category: 'schema', keyword: 'COMMENT ON', table };
    }
    case 'RENAME': {
      if (isWord(ts.get(i), 'TABLE')) return { category: 'schema', keyword: 'RENAME TABLE', table: readName(ts, i + 1).name };
      return { category: 'schema', keyword: 'RENAME', table: null };
    }
    case 'REFRESH': {
      const { object } = readObject(ts, i);
      return { category: 'schema', keyword: object ? `REFRESH ${object}` : 'REFRESH', table: null };
    }
    case 'SECURITY':
      return { category: 'schema', keyword: 'SECURITY LABEL', table: null };
    case 'IMPORT':
      return { category: 'schema', keyword: 'IMPORT FOREIGN SCHEMA', table: null };
    case 'WITH':
      return classifyWith(ts, i);
    case 'SELECT': {
      const into = findWord(ts, i, 'INTO');
      if (into < 0) return { category: 'other', keyword: 'SELECT', table: null };
      let k = into + 1;
      while (ts.get(k)?.t === T.Word && ['TEMP', 'TEMPORARY', 'UNLOGGED', 'TABLE'].includes(ts.get(k)!.v)) k++;
      return { category: 'data', keyword: 'SELECT INTO', table: readName(ts, k).name };
    }
    case 'LOCK': {
      const k = skipOnly(ts, isWord(ts.get(i), 'TABLE') ? i + 1 : i);
      return { category: 'other', keyword: 'LOCK', table: readName(ts, k).name };
    }
    case 'START':
      return { category: 'other', keyword: isWord(ts.get(i), 'TRANSACTION') ? 'START TRANSACTION' : 'START', table: null };
    default:
      if (SCHEMA_SINGLE.has(lead)) return { category: 'schema', keyword: lead, table: null };
      if (DATA_LEAD.has(lead)) return { category: 'data', keyword: lead, table: dmlTable(ts, lead, i) };
      return { category: 'other', keyword: lead, table: null };
  }
}

function classifyWith(ts: Tokens, i: number): Classified {
  let cteDml: { kw: string; at: number } | null = null;
  for (let k = i; ; k++) {
    const tok = ts.get(k);
    if (!tok) break;
    if (tok.t !== T.Word) continue;
    if (tok.depth === 0 && WITH_MAIN.has(tok.v)) {
      if (DML.has(tok.v)) return { category: 'data', keyword: tok.v, table: dmlTable(ts, tok.v, k + 1) };
      if (cteDml) return { category: 'data', keyword: tok.v, table: dmlTable(ts, cteDml.kw, cteDml.at + 1) };
      return { category: 'other', keyword: tok.v, table: null };
    }
    // A data-modifying CTE: `name AS [NOT] [MATERIALIZED] (UPDATE …)`.
    if (!cteDml && tok.depth === 1 && DML.has(tok.v)) {
      const prev = ts.get(k - 1);
      if (prev && prev.t === T.Punct && prev.v === '(') cteDml = { kw: tok.v, at: k };
    }
  }
  if (cteDml) return { category: 'data', keyword: 'WITH', table: dmlTable(ts, cteDml.kw, cteDml.at + 1) };
  return { category: 'other', keyword: 'WITH', table: null };
}
