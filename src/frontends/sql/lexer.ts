// Prepares SQL text for PostgreSQL's parser: every hole (an f-string field given by the host
// front end, a driver parameter, a template placeholder) is replaced by a stand-in OF THE SAME
// LENGTH, so every character index of the prepared text is still the index of the original text
// (and the host front end's offsets stay valid). The same pass classifies every character
// (code, whitespace, comment, quoted) so statements can be trimmed to their first and last tokens
// and expressions sliced out of the text without running PostgreSQL's scanner again.
//
// Stand-ins are runs of U+2026 (…). PostgreSQL accepts any non-ASCII character in an identifier,
// so `UPDATE {} SET`, `WHERE id = %s`, `LIMIT :n`, `idx_{}_a` all stay parseable, and a name read
// back from the tree that contains `…` is known to be a hole. Where PostgreSQL wants a string
// constant (`COMMENT ... IS %s`, `INTERVAL :i`, `COPY t FROM %s`) the stand-in is a string
// literal `'……'`; after IN it is a parenthesised list `(…)` (psycopg adapts a tuple to `(1, 2)`:
// `WHERE id IN %s`), borrowing the space before a 2-character parameter when needed.
//
// Holes, in order:
// 1. the ranges the host front end gives (`{}` of f-strings, `.format()` and `%` fields); replaced
//    even inside string literals (the host substitutes them wherever they are);
// 2. templates, anywhere: Go `{{ .Field }}` / `{{ index .Options "x" }}` (control actions such as
//    `{{ if }}`/`{{ end }}` and `{{/* */}}` comments become spaces), Jinja `{{ name }}` (and
//    `{% ... %}` / `{# ... #}` become spaces), `${name}` (Flyway, JS);
// 3. outside quotes and comments only: psycopg `%s` `%(name)s` (also %b %t %d %i %r %f), SQLAlchemy
//    / psql `:name` (SQLAlchemy's rule: not after `:`, a word character or `\`, not before a
//    single `:`; so `::` casts, `:=` and `a[1:n]` are not parameters, `:ts::date` is one), psql
//    `:'name'` and `:"name"`, and Python format fields `{}` / `{name}` (never valid SQL outside
//    quotes).

/** The stand-in character. */
export const STAND_IN = '\u2026';
const STAND_IN_CODE = 0x2026;

/** Character classes of the prepared text. */
export const CODE = 0;
export const SPACE = 1;
export const COMMENT = 2;
export const QUOTED = 3;

export interface Prepared {
  /** The text with stand-ins, same length as the input. */
  sql: string;
  /** Per character: CODE, SPACE, COMMENT or QUOTED. */
  mask: Uint8Array;
  /** Stand-in ranges [start, end), sorted, not overlapping. */
  standIns: [number, number][];
  /** Where an unterminated string, quoted identifier, dollar quote or comment starts; -1 if none. */
  unterminated: number;
  /** Does any character outside whitespace and comments exist? */
  hasCode: boolean;
  /** Is the prepared text pure ASCII (byte offsets equal character indices)? */
  ascii: boolean;
}

const GO_CONTROL = /^\{\{-?\s*(?:\/\*|if\b|else\b|end\b|range\b|with\b|define\b|block\b|template\b|break\b|continue\b)/;
const TEMPLATE =
  /\{\{-?\s*(?:[.$]|\/\*|(?:if|else|end|range|with|define|block|template|break|continue|index|printf|print|println|len|not|and|or|eq|ne|lt|le|gt|ge|call|slice|html|js|urlquery)\b)[\s\S]*?-?\}\}|\{\{-?\s*[A-Za-z_][\w.]*\s*-?\}\}|\{\{-?\s*[A-Za-z_][\w.]*\s+[^{}]*?-?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}|\$\{[^{}\n]*\}/g;

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
}

function isWordChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c >= 48 && c <= 57) || c >= 128;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11;
}

const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const LITERAL_AFTER = new Set(['INTERVAL', 'TIMESTAMP', 'DATE', 'TIME', 'PASSWORD']);
const PERCENT_CONV = /[sbtdirf]/;

/**
 * Replaces holes with stand-ins and classifies every character. `holes` are ranges of `text`
 * (from the host front end) that stand for values unknown statically.
 */
export function prepare(text: string, holes: readonly [number, number][]): Prepared {
  const n = text.length;
  const buf = new Uint16Array(n);
  for (let i = 0; i < n; i++) buf[i] = text.charCodeAt(i);
  const ranges: [number, number][] = [];
  // Ranges replaced before lexing, by start index: the lexer may turn them into literals.
  const early = new Map<number, number>();

  const fill = (s: number, e: number, code: number) => {
    for (let k = s; k < e; k++) buf[k] = code;
  };
  const overlaps = (s: number, e: number) => ranges.some(([a, b]) => s < b && a < e);

  for (const [s0, e0] of holes) {
    const s = Math.max(0, s0);
    const e = Math.min(n, e0);
    if (e <= s || overlaps(s, e)) continue;
    fill(s, e, STAND_IN_CODE);
    ranges.push([s, e]);
    early.set(s, e);
  }
  if (text.includes('{') || text.includes('${')) {
    TEMPLATE.lastIndex = 0;
    for (let m = TEMPLATE.exec(text); m; m = TEMPLATE.exec(text)) {
      const s = m.index;
      const e = s + m[0].length;
      if (overlaps(s, e)) continue;
      const blank = m[0].startsWith('{%') || m[0].startsWith('{#') || GO_CONTROL.test(m[0]);
      fill(s, e, blank ? 32 : STAND_IN_CODE);
      // Keep line structure: a multi-line template blanked out still ends lines where it did.
      for (let k = s; k < e; k++) if (text.charCodeAt(k) === 10) buf[k] = 10;
      ranges.push([s, e]);
      if (!blank) early.set(s, e);
    }
  }

  const mask = new Uint8Array(n);
  let unterminated = -1;
  let hasCode = false;
  // Positions of the previous token when it is a word, and of the statement's first word (-1: none);
  // their text is read only when a stand-in needs its context.
  let pw0 = -1;
  let pw1 = -1;
  let l0 = -1;
  let l1 = -1;
  const upper = (s: number, e: number) => (s < 0 ? '' : String.fromCharCode(...buf.subarray(s, Math.min(e, s + 16))).toUpperCase());

  /** Writes a stand-in over [s, e) for a hole in code, choosing its shape from the context. */
  const standIn = (s: number, e: number): number => {
    const len = e - s;
    const prev = upper(pw0, pw1);
    const lead = upper(l0, l1);
    if (prev === 'IN') {
      if (len < 3 && s > 0 && isSpace(buf[s - 1]!) && mask[s - 1] === SPACE) s -= 1;
      if (e - s >= 3) {
        buf[s] = 40;
        fill(s + 1, e - 1, STAND_IN_CODE);
        buf[e - 1] = 41;
        for (let k = s; k < e; k++) mask[k] = CODE;
        return s;
      }
    }
    const literal =
      len >= 2 &&
      ((prev === 'IS' && lead === 'COMMENT') ||
        LITERAL_AFTER.has(prev) ||
        (lead === 'COPY' && (prev === 'FROM' || prev === 'TO')));
    if (literal) {
      buf[s] = 39;
      fill(s + 1, e - 1, STAND_IN_CODE);
      buf[e - 1] = 39;
      for (let k = s; k < e; k++) mask[k] = QUOTED;
    } else {
      fill(s, e, STAND_IN_CODE);
      for (let k = s; k < e; k++) mask[k] = CODE;
    }
    return s;
  };
  const addRange = (s: number, e: number) => {
    ranges.push([s, e]);
  };

  let i = 0;
  while (i < n) {
    const c = buf[i]!;
    if (isSpace(c)) {
      mask[i++] = SPACE;
      continue;
    }
    // -- line comment
    if (c === 45 && buf[i + 1] === 45) {
      let j = i;
      while (j < n && buf[j] !== 10) mask[j++] = COMMENT;
      i = j;
      continue;
    }
    // /* nested block comment */
    if (c === 47 && buf[i + 1] === 42) {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (buf[j] === 47 && buf[j + 1] === 42) {
          depth++;
          j += 2;
        } else if (buf[j] === 42 && buf[j + 1] === 47) {
          depth--;
          j += 2;
        } else j++;
      }
      if (depth > 0) unterminated = i;
      mask.fill(COMMENT, i, Math.min(j, n));
      if (depth > 0) break;
      i = j;
      continue;
    }
    hasCode = true;
    // 'string' (E'...' when an E prefix stands alone before it), "identifier"
    if (c === 39 || c === 34) {
      const escapes = c === 39 && i > 0 && (buf[i - 1] === 69 || buf[i - 1] === 101) && (i < 2 || !isIdentChar(buf[i - 2]!));
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const d = buf[j]!;
        if (escapes && d === 92) {
          j += 2;
          continue;
        }
        if (d === c) {
          if (buf[j + 1] === c) {
            j += 2;
            continue;
          }
          j++;
          closed = true;
          break;
        }
        j++;
      }
      mask.fill(QUOTED, i, Math.min(j, n));
      if (!closed) {
        unterminated = i;
        break;
      }
      pw0 = -1;
      i = j;
      continue;
    }
    // $tag$ dollar quote $tag$; $1 positional parameter
    if (c === 36) {
      if (i === 0 || !isIdentChar(buf[i - 1]!)) {
        DOLLAR_TAG.lastIndex = i;
        const m = DOLLAR_TAG.exec(text);
        // The tag must be read from the prepared text too (a stand-in may not start a tag).
        if (m && buf[i + m[0].length - 1] === 36) {
          const tag = m[0];
          const close = text.indexOf(tag, i + tag.length);
          const end = close < 0 ? n : close + tag.length;
          mask.fill(QUOTED, i, end);
          if (close < 0) {
            unterminated = i;
            break;
          }
          pw0 = -1;
          i = end;
          continue;
        }
      }
      mask[i++] = CODE;
      while (i < n && buf[i]! >= 48 && buf[i]! <= 57) mask[i++] = CODE;
      pw0 = -1;
      continue;
    }
    // words (identifiers, keywords, numbers; stand-ins of early holes are words too)
    if (isIdentChar(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(buf[j]!)) j++;
      const e = early.get(i);
      if (e !== undefined && e === j) {
        const s = standIn(i, e);
        pw0 = -1;
        i = e;
        continue;
      }
      mask.fill(CODE, i, j);
      if (l0 < 0) {
        l0 = i;
        l1 = j;
      }
      pw0 = i;
      pw1 = j;
      i = j;
      continue;
    }
    // :name, :'name', :"name" (not ::, not after a word character, not before :)
    if (c === 58) {
      const before = i > 0 ? buf[i - 1]! : 0;
      const next = buf[i + 1] ?? 0;
      if (next === 58) {
        mask[i] = CODE;
        mask[i + 1] = CODE;
        i += 2;
        pw0 = -1;
        continue;
      }
      if (before !== 58 && before !== 92 && !isWordChar(before)) {
        if (isIdentStart(next) && next !== STAND_IN_CODE) {
          let j = i + 2;
          while (j < n && isWordChar(buf[j]!)) j++;
          // Not before a single `:` (SQLAlchemy's rule); `:ts::timestamp` is a parameter and a cast.
          if (buf[j] !== 58 || buf[j + 1] === 58) {
            addRange(standIn(i, j), j);
            pw0 = -1;
            i = j;
            continue;
          }
        } else if ((next === 39 || next === 34) && isIdentStart(buf[i + 2] ?? 0)) {
          let j = i + 3;
          while (j < n && isWordChar(buf[j]!)) j++;
          if (buf[j] === next) {
            j++;
            buf[i] = next;
            fill(i + 1, j - 1, STAND_IN_CODE);
            buf[j - 1] = next;
            mask.fill(QUOTED, i, j);
            addRange(i, j);
            pw0 = -1;
            i = j;
            continue;
          }
        }
      }
      mask[i++] = CODE;
      pw0 = -1;
      continue;
    }
    // %s, %(name)s, %%
    if (c === 37) {
      const next = buf[i + 1] ?? 0;
      if (next === 37) {
        mask[i] = CODE;
        mask[i + 1] = CODE;
        i += 2;
        pw0 = -1;
        continue;
      }
      let j = -1;
      if (next < 128 && PERCENT_CONV.test(String.fromCharCode(next)) && !isWordChar(buf[i + 2] ?? 0)) j = i + 2;
      else if (next === 40) {
        let k = i + 2;
        while (k < n && isWordChar(buf[k]!)) k++;
        const conv = buf[k + 1] ?? 0;
        if (k > i + 2 && buf[k] === 41 && conv < 128 && PERCENT_CONV.test(String.fromCharCode(conv)) && !isWordChar(buf[k + 2] ?? 0)) {
          j = k + 2;
        }
      }
      if (j > 0) {
        const s = standIn(i, j);
        addRange(s, j);
        pw0 = -1;
        i = j;
        continue;
      }
      mask[i++] = CODE;
      pw0 = -1;
      continue;
    }
    // {} / {name} / {0}: Python format fields (never SQL outside quotes)
    if (c === 123) {
      let j = i + 1;
      while (j < n && isWordChar(buf[j]!)) j++;
      if (buf[j] === 125) {
        j++;
        addRange(standIn(i, j), j);
        pw0 = -1;
        i = j;
        continue;
      }
    }
    mask[i] = CODE;
    pw0 = -1;
    if (c === 59) l0 = -1;
    i++;
  }

  ranges.sort((a, b) => a[0] - b[0]);
  const sql = ranges.length === 0 ? text : decode(buf);
  return { sql, mask, standIns: ranges, unterminated, hasCode, ascii: !NON_ASCII.test(sql) };
}

const NON_ASCII = /[^\x00-\x7f]/;

function decode(buf: Uint16Array): string {
  let out = '';
  for (let k = 0; k < buf.length; k += 8192) out += String.fromCharCode.apply(null, buf.subarray(k, k + 8192) as unknown as number[]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tokens over the prepared text (for slicing expressions and trimming statements)

export interface Tok {
  start: number;
  end: number;
  /** word: identifier, keyword or number; quoted: string, quoted identifier, dollar quote; punct: one of ( ) , ; [ ] . ; op: operator characters. */
  kind: 'word' | 'quoted' | 'punct' | 'op';
  /** Upper case, for words. */
  upper: string;
}

const PUNCT = new Set([40, 41, 44, 59, 91, 93, 46]);

/** The first token starting at or after `i` and before `limit`, or null. */
export function nextToken(p: Prepared, i: number, limit: number): Tok | null {
  const { sql, mask } = p;
  while (i < limit && mask[i] !== CODE && mask[i] !== QUOTED) i++;
  if (i >= limit) return null;
  const c = sql.charCodeAt(i);
  if (mask[i] === QUOTED) {
    let j = i + 1;
    while (j < limit && mask[j] === QUOTED) j++;
    return { start: i, end: j, kind: 'quoted', upper: '' };
  }
  if (isIdentChar(c)) {
    let j = i + 1;
    while (j < limit && mask[j] === CODE && isIdentChar(sql.charCodeAt(j))) j++;
    // A prefix of a string constant (E'', B'', X'', U&'') belongs to the string.
    if (j < limit && mask[j] === QUOTED && sql.charCodeAt(j) === 39) {
      let k = j + 1;
      while (k < limit && mask[k] === QUOTED) k++;
      return { start: i, end: k, kind: 'quoted', upper: '' };
    }
    return { start: i, end: j, kind: 'word', upper: sql.slice(i, j).toUpperCase() };
  }
  if (PUNCT.has(c)) return { start: i, end: i + 1, kind: 'punct', upper: sql[i]! };
  let j = i + 1;
  while (j < limit && mask[j] === CODE) {
    const d = sql.charCodeAt(j);
    if (isIdentChar(d) || PUNCT.has(d) || d === 39 || d === 34) break;
    j++;
  }
  return { start: i, end: j, kind: 'op', upper: sql.slice(i, j) };
}

/** The end of the last code or quoted character in [start, end), or start when there is none. */
export function trimEnd(p: Prepared, start: number, end: number): number {
  let e = end;
  while (e > start && p.mask[e - 1] !== CODE && p.mask[e - 1] !== QUOTED) e--;
  return e;
}

/** The first code or quoted character in [start, end), or end when there is none. */
export function trimStart(p: Prepared, start: number, end: number): number {
  let s = start;
  while (s < end && p.mask[s] !== CODE && p.mask[s] !== QUOTED) s++;
  return s;
}

/** Does [start, end) overlap a stand-in? */
export function hasStandIn(p: Prepared, start: number, end: number): boolean {
  for (const [a, b] of p.standIns) {
    if (a >= end) return false;
    if (b > start) return true;
  }
  return false;
}
