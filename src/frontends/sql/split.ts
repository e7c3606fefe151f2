// Splits SQL text into statements with PostgreSQL's own scanner (libpg-query `scanSync`), for
// text that does not parse as a whole: each statement is then parsed on its own so one bad
// statement does not hide the others.
//
// A statement ends at a `;` outside parentheses and outside a BEGIN ... END body. The body rule is
// psql's (psqlscan.l): BEGIN or CASE that is not the first word of its statement opens a level,
// END closes one, so SQL-standard function bodies (`CREATE FUNCTION ... BEGIN ATOMIC ...; ...;
// END`) stay whole, while `BEGIN;` (a transaction) does not open anything. `;` inside strings,
// dollar quotes (`AS $$ ...; ... $$`) and comments is never a token.
//
// Trap: libpg-query's scanSync throws a JSON error ("Unexpected token 'u', "unterminat"...")
// instead of the scanner's message when the text has an unterminated string, quoted identifier,
// dollar quote or comment. The lexer (./lexer.ts) already knows where such a construct starts:
// the text before it is scanned, and the rest is made part of the last statement, which then
// fails to parse with PostgreSQL's own message.
import type { ByteMap } from './locate.js';
import type { Prepared } from './lexer.js';

export interface ScanToken {
  start: number;
  end: number;
  text?: string;
  tokenName?: string;
  keywordName?: string;
}

export type ScanFn = (sql: string) => { tokens?: ScanToken[] };

/** Statement ranges [start, end) of the prepared text, `;` excluded, not yet trimmed. */
export function splitStatements(scan: ScanFn, p: Prepared, bytes: ByteMap): [number, number][] {
  const n = p.sql.length;
  const limit = p.unterminated >= 0 ? p.unterminated : n;
  const out: [number, number][] = [];
  let tokens: ScanToken[];
  try {
    tokens = limit > 0 ? (scan(p.sql.slice(0, limit)).tokens ?? []) : [];
  } catch {
    return [[0, n]];
  }
  let start = 0;
  let parens = 0;
  let body = 0;
  let words = 0;
  for (const t of tokens) {
    const name = t.tokenName ?? '';
    if (name === 'ASCII_59') {
      if (parens === 0 && body === 0) {
        out.push([start, bytes.index(0, t.start)]);
        start = bytes.index(0, t.end);
        words = 0;
      }
      continue;
    }
    if (name === 'ASCII_40') parens++;
    else if (name === 'ASCII_41') parens = Math.max(0, parens - 1);
    else if (name === 'IDENT' || (t.keywordName !== undefined && t.keywordName !== 'NO_KEYWORD')) {
      words++;
      const w = (t.text ?? '').toLowerCase();
      if ((w === 'begin' || w === 'case') && words > 1) body++;
      else if (w === 'end' && body > 0) body--;
    }
  }
  out.push([start, p.unterminated >= 0 ? n : limit]);
  return out;
}
