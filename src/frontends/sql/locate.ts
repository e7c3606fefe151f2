// Positions: UTF-8 byte offsets (libpg-query's `location`, `stmt_location`, `stmt_len` and scanner
// tokens) and code-point offsets (`cursorPosition` of a syntax error) into JavaScript string
// indices of the SQL text; SQL text indices into host-file offsets (through the host front end's
// map) and host-file offsets into 1-based lines and UTF-16 columns.
import type { Loc } from '../../model/types.js';

/**
 * Line starts of a text (a host file, a .sql file), for turning character offsets into 1-based
 * lines and UTF-16 columns and back. Shared by the SQL reader and the SQL files front end.
 */
export class LineIndex {
  readonly starts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
  }

  /** 1-based line of a character offset. */
  lineOf(offset: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** 1-based line and 1-based UTF-16 column of a character offset. */
  position(offset: number): { line: number; column: number } {
    const line = this.lineOf(offset);
    return { line, column: offset - this.starts[line - 1]! + 1 };
  }

  /** The Loc of offsets [start, end) (end exclusive, as the model's endColumn). */
  range(start: number, end: number): Loc {
    const a = this.position(start);
    const b = this.position(end);
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }

  /** The whole of a 1-based line (without its newline). */
  lineLoc(line: number): Loc {
    const start = this.starts[line - 1] ?? this.text.length;
    const next = this.starts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return { line, column: 1, endLine: line, endColumn: end - start + 1 };
  }

  /** Character offset of the start of a 1-based line. */
  lineStart(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }

  /** Character offset just after a 1-based line's newline (or the end of the text). */
  lineEnd(line: number): number {
    return this.starts[line] ?? this.text.length;
  }
}

let cached: LineIndex | null = null;

export function lineIndex(source: string): LineIndex {
  if (cached === null || cached.text !== source) cached = new LineIndex(source);
  return cached;
}

/** Maps ranges of the SQL text to Locs in the host file. */
export class Locator {
  constructor(
    private readonly offsets: Int32Array | null,
    private readonly lines: LineIndex,
    private readonly fallback: Loc,
  ) {}

  /** [start, end) of the SQL text; the fallback when either end cannot be mapped. */
  range(start: number, end: number): Loc {
    if (end <= start) return this.point(start);
    const offsets = this.offsets;
    if (!offsets) return this.lines.range(start, end);
    if (end > offsets.length) return this.fallback;
    const a = offsets[start]!;
    const b = offsets[end - 1]!;
    if (a < 0 || b < 0 || b < a) return this.fallback;
    return this.lines.range(a, b + 1);
  }

  /** A zero-width position before character `at` (or after the last one). */
  point(at: number): Loc {
    const offsets = this.offsets;
    let host: number;
    if (!offsets) host = at;
    else if (at < offsets.length && offsets[at]! >= 0) host = offsets[at]!;
    else if (at > 0 && at - 1 < offsets.length && offsets[at - 1]! >= 0) host = offsets[at - 1]! + 1;
    else return this.fallback;
    const p = this.lines.position(host);
    return { line: p.line, column: p.column, endLine: p.line, endColumn: p.column };
  }
}

/** UTF-8 byte offsets of a string <-> its JavaScript indices. */
export class ByteMap {
  private fwd: Int32Array | null = null;
  private rev: Int32Array | null = null;
  constructor(
    private readonly text: string,
    private readonly ascii: boolean,
  ) {}

  private build(): void {
    const text = this.text;
    const n = text.length;
    const fwd = new Int32Array(n + 1);
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      fwd[i] = bytes;
      const c = text.charCodeAt(i);
      if (c < 0x80) bytes += 1;
      else if (c < 0x800) bytes += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          bytes += 4;
          fwd[++i] = bytes; // the low surrogate: never a token boundary
          continue;
        }
        bytes += 3;
      } else bytes += 3;
    }
    fwd[n] = bytes;
    const rev = new Int32Array(bytes + 1).fill(-1);
    for (let i = 0; i <= n; i++) rev[fwd[i]!] = i; // after a surrogate pair the later index wins
    // Bytes inside a character map to the character's index.
    let last = 0;
    for (let b = 0; b <= bytes; b++) {
      if (rev[b]! < 0) rev[b] = last;
      else last = rev[b]!;
    }
    this.fwd = fwd;
    this.rev = rev;
  }

  /** The JS index of byte offset `byte` of the substring starting at JS index `base`. */
  index(base: number, byte: number): number {
    if (this.ascii) return base + byte;
    if (!this.rev) this.build();
    const b = this.fwd![base]! + byte;
    const rev = this.rev!;
    return b >= rev.length ? this.text.length : rev[b]!;
  }

  /** The JS index of code point `cp` (0-based) of the substring starting at JS index `base`. */
  codePointIndex(base: number, cp: number): number {
    if (this.ascii) return base + cp;
    const text = this.text;
    let i = base;
    for (let k = 0; k < cp && i < text.length; k++) {
      const c = text.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    }
    return i;
  }
}
