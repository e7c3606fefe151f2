// SqlParser.toOperations: SQL text -> model operations, with PostgreSQL's parser.
//
// 1. Holes and parameters become stand-ins of the same length (./lexer.ts).
// 2. The whole text is parsed once; statements come from `stmt_location` / `stmt_len` (UTF-8
//    bytes; protobuf JSON omits zero values, so a missing location is 0 and a missing length runs
//    to the end). This is the fast path (one parse, no scan).
// 3. If that fails, the text is split with PostgreSQL's scanner (./split.ts) and each statement
//    parsed on its own: a statement that does not parse becomes a `sql_error` at PostgreSQL's
//    position and the others are still read.
// Each statement's range runs from its first token to its last (leading and trailing comments and
// whitespace excluded) and is mapped through the host front end's offsets into the host file.
import type { Node, ParseResult } from '@pgsql/types';
import type { Operation } from '../../model/types.js';
import type { SqlParser, SqlToOpsOptions } from './api.js';
import { classifySql } from '../sql-text/split.js';
import { convertStatement, type StatementContext } from './convert.js';
import { hasStandIn, nextToken, prepare, trimEnd, trimStart, type Prepared } from './lexer.js';
import { ByteMap, lineIndex, Locator } from './locate.js';
import { splitStatements, type ScanFn } from './split.js';

export interface PgFunctions {
  parseSync: (sql: string) => ParseResult;
  scanSync: ScanFn;
}

export const UPDATE_LIMIT_HINT =
  'PostgreSQL has no UPDATE ... LIMIT; batch with a keyed sub-select: UPDATE t SET ... WHERE id IN (SELECT id FROM t WHERE ... LIMIT n)';
export const DELETE_LIMIT_HINT =
  'PostgreSQL has no DELETE ... LIMIT; batch with a keyed sub-select: DELETE FROM t WHERE id IN (SELECT id FROM t WHERE ... LIMIT n)';

interface SqlErrorLike {
  message?: string;
  sqlDetails?: { cursorPosition?: number };
}

export function createSqlParser(pg: PgFunctions): SqlParser {
  return {
    toOperations(text: string, opts: SqlToOpsOptions): Operation[] {
      try {
        return toOperations(pg, text, opts);
      } catch (err) {
        // Never throws: a bug here must not stop the run.
        return [
          {
            ...opts.base,
            loc: opts.fallback,
            kind: 'sql_error',
            message: `migralint could not read this SQL: ${(err as Error)?.message ?? String(err)}`,
            hint: null,
          },
        ];
      }
    },
  };
}

function toOperations(pg: PgFunctions, text: string, opts: SqlToOpsOptions): Operation[] {
  if (text.length === 0) return [];
  const p = prepare(text, opts.holes);
  if (!p.hasCode) return [];
  const locate = new Locator(opts.offsets, lineIndex(opts.source), opts.fallback);
  const bytes = new ByteMap(p.sql, p.ascii);
  const out: Operation[] = [];
  let index = 0;

  const statement = (s: number, e: number, base: number, node: Node | undefined) => {
    const start = trimStart(p, s, e);
    const end = trimEnd(p, start, e);
    if (start >= end || !node) return;
    const head = {
      ...opts.base,
      loc: locate.range(start, end),
      fromSql: { statement: p.sql.slice(start, end), index: index++, hasHoles: hasStandIn(p, start, end) },
    };
    const ctx: StatementContext = { p, original: text, bytes, base, start, end, head, locate };
    let ops: Operation[];
    try {
      ops = convertStatement(ctx, node);
    } catch (err) {
      // A tree the converter cannot walk (an unexpected shape, or nesting deeper than the stack):
      // the statement is reported as not understood rather than passed as harmless.
      const what = `a ${classifySql(head.fromSql.statement).keyword || 'SQL'} statement`;
      const deep = err instanceof RangeError && /call stack/i.test(err.message);
      const reason = deep ? `${what} nested too deeply to read` : `${what} migralint failed on: ${(err as Error)?.message ?? String(err)}`;
      ops = [{ ...head, kind: 'unknown', reason }];
    }
    for (const op of ops) out.push(op);
  };

  let whole: ParseResult | null = null;
  if (p.unterminated < 0) {
    try {
      whole = pg.parseSync(p.sql);
    } catch {
      whole = null;
    }
  }
  if (whole) {
    for (const raw of whole.stmts ?? []) {
      const loc = raw.stmt_location ?? 0;
      const s = bytes.index(0, loc);
      const e = raw.stmt_len ? bytes.index(0, loc + raw.stmt_len) : p.sql.length;
      statement(s, e, 0, raw.stmt);
    }
    return out;
  }

  const pieces = splitStatements(pg.scanSync, p, bytes);
  pieces.forEach(([s, e], k) => {
    let start = trimStart(p, s, e);
    let end = trimEnd(p, start, e);
    // The unterminated string or comment at the end is part of the last statement (even a comment alone).
    if (k === pieces.length - 1 && p.unterminated >= s) {
      start = Math.min(start, p.unterminated);
      end = p.sql.length;
    }
    if (start >= end) return;
    const piece = p.sql.slice(start, end);
    let result: ParseResult;
    try {
      result = pg.parseSync(piece);
    } catch (err) {
      out.push(errorOp(p, bytes, locate, opts, start, end, index++, err as SqlErrorLike));
      return;
    }
    for (const raw of result.stmts ?? []) {
      const loc = raw.stmt_location ?? 0;
      const a = bytes.index(start, loc);
      const b = raw.stmt_len ? bytes.index(start, loc + raw.stmt_len) : end;
      statement(a, b, start, raw.stmt);
    }
  });
  return out;
}

function errorOp(
  p: Prepared,
  bytes: ByteMap,
  locate: Locator,
  opts: SqlToOpsOptions,
  start: number,
  end: number,
  index: number,
  err: SqlErrorLike,
): Operation {
  const message = err.message ?? 'syntax error';
  const cursor = err.sqlDetails?.cursorPosition ?? 0;
  // cursorPosition counts code points of the string given to the parser (0-based).
  const at = Math.min(bytes.codePointIndex(start, cursor), end);
  let loc;
  if (at >= end) loc = locate.point(end);
  else {
    const tok = nextToken(p, at, end);
    loc = tok && tok.start === at ? locate.range(at, tok.kind === 'quoted' && p.unterminated === at ? at + 1 : tok.end) : locate.range(at, at + 1);
  }
  const statement = p.sql.slice(start, end);
  let hint: string | null = null;
  if (/at or near "(?:LIMIT|ORDER)"/i.test(message)) {
    const keyword = classifySql(statement).keyword;
    if (keyword === 'UPDATE') hint = UPDATE_LIMIT_HINT;
    else if (keyword === 'DELETE') hint = DELETE_LIMIT_HINT;
  }
  const hasHoles = hasStandIn(p, start, end);
  if (hasHoles) {
    // The text is only known in part (an f-string field standing for a list of values, a SET
    // list, WHEN clauses...): a stand-in cannot always take its place, so PostgreSQL's complaint
    // may be about our stand-in, not the user's SQL. Say what could not be read instead of
    // reporting a syntax error that may not exist.
    return {
      ...opts.base,
      loc: locate.range(start, end),
      fromSql: { statement, index, hasHoles },
      kind: 'unknown',
      reason: `SQL with interpolated parts that migralint cannot read (${message.replace(/\u2026+/g, '{}')})`,
    };
  }
  return {
    ...opts.base,
    loc,
    fromSql: { statement, index, hasHoles },
    kind: 'sql_error',
    message,
    hint,
  };
}
