// Text helpers for raw SQL files: decoding, positions, and a small scanner that finds comments
// (`--` and nested `/* */`) while skipping string literals, quoted identifiers and dollar quotes,
// and tells whether a range holds any code at all (an "empty" down file holds only comments).
import type { Comment, Loc, ParseError } from '../../model/types.js';
import { LineIndex } from '../sql/locate.js';

const DECODER = new TextDecoder('utf-8', { fatal: true });

export type DecodedText = { ok: true; text: string } | { ok: false; error: ParseError };

/** Strict UTF-8, BOM removed, CRLF/CR → LF; NUL in the first 8 KB means binary. */
export function decodeSql(bytes: Uint8Array): DecodedText {
  const limit = Math.min(bytes.length, 8192);
  for (let i = 0; i < limit; i++) {
    if (bytes[i] === 0) return { ok: false, error: { kind: 'binary', message: 'File looks binary (NUL byte)', loc: byteLoc(bytes, i) } };
  }
  let text: string;
  try {
    text = DECODER.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { ok: false, error: { kind: 'encoding', message: `invalid UTF-8 byte 0x${(bytes[at] ?? 0).toString(16)} at byte ${at}`, loc: byteLoc(bytes, at) } };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, text: text.replace(/\r\n?/g, '\n') };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    i += n + 1;
  }
  return Math.max(0, bytes.length - 1);
}

/** Line and (byte-based, good enough for an error) column of a byte offset. */
function byteLoc(bytes: Uint8Array, offset: number): Loc {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < bytes.length; i++) {
    if (bytes[i] === 10) {
      line++;
      start = i + 1;
    }
  }
  const column = offset - start + 1;
  return { line, column, endLine: line, endColumn: column + 1 };
}

export { LineIndex };

export interface ScannedComment {
  text: string;
  start: number;
  end: number;
}

export interface Scan {
  comments: ScannedComment[];
  /** Character offsets of code (anything but whitespace and comments), as sorted [start, end) runs. */
  code: [number, number][];
}

const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/** Scans SQL text for comments and code runs, the way PostgreSQL's lexer separates them. */
export function scanSql(text: string): Scan {
  const comments: ScannedComment[] = [];
  const code: [number, number][] = [];
  const n = text.length;
  let i = 0;
  const mark = (s: number, e: number) => {
    const last = code[code.length - 1];
    if (last && last[1] === s) last[1] = e;
    else code.push([s, e]);
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === 45 && text.charCodeAt(i + 1) === 45) {
      let j = text.indexOf('\n', i);
      if (j < 0) j = n;
      comments.push({ text: text.slice(i + 2, j).trim(), start: i, end: j });
      i = j;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (text.charCodeAt(j) === 47 && text.charCodeAt(j + 1) === 42) {
          depth++;
          j += 2;
        } else if (text.charCodeAt(j) === 42 && text.charCodeAt(j + 1) === 47) {
          depth--;
          j += 2;
        } else j++;
      }
      const inner = depth === 0 ? text.slice(i + 2, j - 2) : text.slice(i + 2, j);
      comments.push({ text: inner.trim(), start: i, end: j });
      i = j;
    } else if (c === 39 || c === 34) {
      // '…' ('' escapes; E'…' also backslash escapes) and "…" identifiers.
      const eString = c === 39 && i > 0 && (text.charCodeAt(i - 1) | 32) === 101 && (i < 2 || !isIdentChar(text.charCodeAt(i - 2)));
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (eString && d === 92) {
          j += 2;
          continue;
        }
        if (d === c) {
          if (text.charCodeAt(j + 1) === c) {
            j += 2;
            continue;
          }
          j++;
          break;
        }
        j++;
      }
      mark(i, Math.min(j, n));
      i = j;
    } else if (c === 36 && (i === 0 || !isIdentChar(text.charCodeAt(i - 1)))) {
      DOLLAR_TAG.lastIndex = i;
      const m = DOLLAR_TAG.exec(text);
      if (m) {
        const close = text.indexOf(m[0], i + m[0].length);
        const j = close < 0 ? n : close + m[0].length;
        mark(i, j);
        i = j;
      } else {
        mark(i, i + 1);
        i++;
      }
    } else {
      mark(i, i + 1);
      i++;
    }
  }
  return { comments, code };
}

/** Does [start, end) hold any code? */
export function hasCode(scan: Scan, start: number, end: number): boolean {
  return scan.code.some(([s, e]) => s < end && e > start);
}

/** The model's comments for a scanned file; `file` is set on every loc for a companion file. */
export function toComments(scan: Scan, lines: LineIndex, file?: string): Comment[] {
  const codeLines = new Set<number>();
  for (const [s, e] of scan.code) {
    const a = lines.lineOf(s);
    const b = lines.lineOf(Math.max(s, e - 1));
    for (let l = a; l <= b; l++) codeLines.add(l);
  }
  return scan.comments.map((c) => {
    const loc = lines.range(c.start, c.end);
    if (file) loc.file = file;
    return { text: c.text, inline: codeLines.has(loc.line), loc };
  });
}
