// The decoded source of one file and the position arithmetic every other module uses.
// The Python parser reports 1-based lines and 0-based UTF-8 BYTE columns (like CPython); the
// model wants 1-based columns counted in UTF-16 code units. `SourceText` converts per line and
// caches the table for lines that hold non-ASCII characters (most lines are ASCII and map 1:1).
import type { Loc } from '../../model/types.js';

export interface Positioned {
  lineno?: number;
  col_offset?: number;
  end_lineno?: number;
  end_col_offset?: number;
}

const NON_ASCII = /[^\x00-\x7f]/;

export class SourceText {
  readonly text: string;
  /** Character index of the start of each line (0-based line index). */
  readonly lineStarts: number[];
  private readonly ascii: boolean;
  /** Per non-ASCII line: UTF-16 index for each byte offset (at character boundaries). */
  private readonly byteMaps = new Map<number, Int32Array>();

  constructor(text: string) {
    this.text = text;
    const starts = [0];
    let i = text.indexOf('\n');
    while (i >= 0) {
      starts.push(i + 1);
      i = text.indexOf('\n', i + 1);
    }
    this.lineStarts = starts;
    this.ascii = !NON_ASCII.test(text);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The text of a 1-based line, without its newline. */
  line(line: number): string {
    const s = this.lineStarts[line - 1];
    if (s === undefined) return '';
    const next = this.lineStarts[line];
    return this.text.slice(s, next === undefined ? this.text.length : next - 1);
  }

  /** Converts a 0-based UTF-8 byte column on a 1-based line to a 0-based UTF-16 column. */
  utf16Col(line: number, byteCol: number): number {
    if (this.ascii) return byteCol;
    let map = this.byteMaps.get(line);
    if (!map) {
      const text = this.line(line);
      if (!NON_ASCII.test(text)) {
        map = new Int32Array(0);
      } else {
        const bytes: number[] = [];
        let utf16 = 0;
        for (const ch of text) {
          const cp = ch.codePointAt(0)!;
          const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
          for (let k = 0; k < n; k++) bytes.push(utf16);
          utf16 += ch.length;
        }
        bytes.push(utf16);
        map = Int32Array.from(bytes);
      }
      this.byteMaps.set(line, map);
    }
    if (map.length === 0) return byteCol;
    if (byteCol >= map.length) return map[map.length - 1]! + (byteCol - map.length + 1);
    return map[byteCol]!;
  }

  /** A node's position as a model Loc (end exclusive, like CPython's end_col_offset + 1). */
  loc(node: Positioned): Loc {
    const line = node.lineno ?? 1;
    const column = this.utf16Col(line, node.col_offset ?? 0) + 1;
    const endLine = node.end_lineno ?? line;
    const endColumn = node.end_col_offset === undefined ? column : this.utf16Col(endLine, node.end_col_offset) + 1;
    return { line, column, endLine, endColumn };
  }

  /** A Loc from the start of `a` to the end of `b`. */
  span(a: Positioned, b: Positioned): Loc {
    const s = this.loc(a);
    const e = this.loc(b);
    return { line: s.line, column: s.column, endLine: e.endLine, endColumn: e.endColumn };
  }

  /** Character index in `text` of a node's start. */
  startIndex(node: Positioned): number {
    const line = node.lineno ?? 1;
    return (this.lineStarts[line - 1] ?? this.text.length) + this.utf16Col(line, node.col_offset ?? 0);
  }

  /** Character index in `text` of a node's end (exclusive). */
  endIndex(node: Positioned): number {
    const line = node.end_lineno ?? node.lineno ?? 1;
    const col = node.end_col_offset ?? node.col_offset ?? 0;
    return (this.lineStarts[line - 1] ?? this.text.length) + this.utf16Col(line, col);
  }

  /** The source text of a node. */
  segment(node: Positioned): string {
    return this.text.slice(this.startIndex(node), this.endIndex(node));
  }

  /** The 1-based line and 1-based UTF-16 column of a character index. */
  position(index: number): { line: number; column: number } {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - starts[lo]! + 1 };
  }

  /** The Loc of the character range [start, end). */
  rangeLoc(start: number, end: number): Loc {
    const s = this.position(start);
    const e = this.position(end);
    return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  }
}

const DECODER = new TextDecoder('utf-8', { fatal: true });

export type Decoded = { ok: true; text: string } | { ok: false; kind: 'encoding' | 'binary'; message: string; offset: number };

/** Decodes file bytes: binary check (NUL in the first 8 KB), strict UTF-8, BOM removed, CRLF/CR → LF. */
export function decodeSource(bytes: Uint8Array): Decoded {
  const limit = Math.min(bytes.length, 8192);
  for (let i = 0; i < limit; i++) {
    if (bytes[i] === 0) return { ok: false, kind: 'binary', message: 'File looks binary (NUL byte)', offset: i };
  }
  let text: string;
  const declared = codingCookie(bytes);
  if (declared && !/^utf[-_]?8(?:[-_]sig)?$/i.test(declared)) {
    // PEP 263: a `# -*- coding: latin-1 -*-` line in the first two lines sets the encoding.
    const label = /^(?:latin[-_]?1|l1|iso[-_]?8859[-_]1)$/i.test(declared) ? 'iso-8859-1' : declared.replace(/_/g, '-');
    let decoder: InstanceType<typeof TextDecoder>;
    try {
      decoder = new TextDecoder(label, { fatal: true });
    } catch {
      return { ok: false, kind: 'encoding', message: `Unknown encoding "${declared}" in the coding declaration`, offset: 0 };
    }
    try {
      text = decoder.decode(bytes);
    } catch {
      return { ok: false, kind: 'encoding', message: `File is not valid ${declared}`, offset: 0 };
    }
  } else {
    try {
      text = DECODER.decode(bytes);
    } catch {
      return { ok: false, kind: 'encoding', message: 'File is not valid UTF-8', offset: firstInvalidUtf8(bytes) };
    }
  }
  // TextDecoder strips a leading BOM by default (ignoreBOM: false); strip a stray one anyway.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.indexOf('\r') >= 0) text = text.replace(/\r\n?/g, '\n');
  return { ok: true, text };
}

const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/** The encoding named by a PEP 263 declaration on line 1 or 2, read as ASCII. */
function codingCookie(bytes: Uint8Array): string | null {
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let line = 0; line < 2 && start < bytes.length; line++) {
    let end = start;
    while (end < bytes.length && bytes[end] !== 0x0a && end - start < 200) end++;
    const text = String.fromCharCode(...bytes.subarray(start, end));
    const m = CODING.exec(text);
    if (m) return m[1]!;
    // The declaration counts on line 2 only when line 1 is a comment or blank.
    if (!/^[ \t\f]*(#.*)?\r?$/.test(text)) return null;
    start = end + 1;
  }
  return null;
}

/** Byte offset of the first invalid UTF-8 sequence (best effort). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    let need: number;
    if (c < 0x80) need = 0;
    else if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) need = 2;
    else if (c >= 0xf0 && c <= 0xf4) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return 0;
}

/** Line (1-based) and column (1-based, UTF-16 units, approximated from bytes) of a byte offset in raw bytes. */
export function byteOffsetLoc(bytes: Uint8Array, offset: number): Loc {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < bytes.length; i++) {
    if (bytes[i] === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  // Count characters (not continuation bytes) between the line start and the offset.
  let column = 1;
  for (let i = lineStart; i < offset && i < bytes.length; i++) {
    const c = bytes[i]!;
    if ((c & 0xc0) !== 0x80) column += c >= 0xf0 ? 2 : 1;
  }
  return { line, column, endLine: line, endColumn: column + 1 };
}
