// SQL text read out of Python string expressions, with a map from every character of the text
// back to the source, so that each SQL statement found in a string gets its own location.
//
// A literal (single- or triple-quoted, raw, implicitly concatenated, f-string, with ordinary
// escapes) is re-scanned from the source and decoded; when the re-read text equals what the
// parser gave, every character maps exactly and a replacement field `{…}` becomes `{}` mapped to
// its braces. Otherwise (an escape this scanner does not decode such as `\N{…}`, a debug field
// `{x=}`) characters map to "unknown" and statements fall back to the whole literal's loc.
import type { Loc } from '../../model/types.js';
import type { Expr } from './python.js';
import type { SourceText } from './text.js';

export class TextBuilder {
  private readonly parts: string[] = [];
  private readonly maps: Int32Array[] = [];
  private length = 0;
  hasHoles = false;
  /** Ranges [start, end) of the text that stand for values unknown statically (in text order). */
  readonly holes: [number, number][] = [];

  /** The length of the text so far. */
  get size(): number {
    return this.length;
  }

  append(text: string, map: Int32Array | null): void {
    this.parts.push(text);
    this.maps.push(map && map.length === text.length ? map : new Int32Array(text.length).fill(-1));
    this.length += text.length;
  }

  /** A hole (`{}`) standing for source [start, end). */
  hole(start: number, end: number): void {
    this.hasHoles = true;
    this.holes.push([this.length, this.length + 2]);
    this.parts.push('{}');
    this.maps.push(Int32Array.of(start, Math.max(start, end - 1)));
    this.length += 2;
  }

  /** Records [start, end) of the text built so far as a hole (an f-string field appended as `{}`). */
  markHole(start: number, end: number): void {
    this.hasHoles = true;
    this.holes.push([start, end]);
  }

  /**
   * Records the fields of a `str.format()` template (`{}`, `{0}`, `{name!r:>3}`; not `{{`/`}}`) or of
   * a `%` template (`%s`, `%(name)s`, `%5.2f`; not `%%`) appended since `from` as holes.
   */
  markTemplateFields(from: number, style: 'format' | 'percent'): void {
    const text = this.parts.join('').slice(from);
    const re = style === 'format' ? /\{\{|\}\}|\{[^{}]*\}/g : /%%|%(?:\([^)]*\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa]/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0] === '{{' || m[0] === '}}' || m[0] === '%%') continue;
      const start = from + m.index;
      if (this.holes.some(([a, e]) => start < e && a < start + m![0].length)) continue; // already a hole
      this.holes.push([start, start + m[0].length]);
    }
    this.holes.sort((a, b) => a[0] - b[0]);
  }

  build(): { sql: string; map: Int32Array } {
    const map = new Int32Array(this.length);
    let at = 0;
    for (const m of this.maps) {
      map.set(m, at);
      at += m.length;
    }
    return { sql: this.parts.join(''), map };
  }
}

/** A locator for splitSql: maps [start, end) of the text through `map`, else `fallback`. */
export function locator(src: SourceText, map: Int32Array, fallback: Loc): (start: number, end: number) => Loc {
  return (start, end) => {
    if (end <= start || end > map.length) return fallback;
    const a = map[start]!;
    const b = map[end - 1]!;
    if (a < 0 || b < 0 || b < a) return fallback;
    return src.rangeLoc(a, b + 1);
  };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

const HEX = /^[0-9a-fA-F]+$/;
const PREFIX_CHAR = /[rRbBuUfFtT]/;

function isHex(s: string): boolean {
  return HEX.test(s);
}

/**
 * Re-reads the string literal(s) in source [start, end): implicitly concatenated pieces with any
 * prefixes, escapes decoded; in f-string pieces `{{`/`}}` become one brace and a replacement field
 * becomes `{}` (mapped to the field's braces). Returns the text and, for each of its characters,
 * the source index it came from; null when the source is not understood.
 */
function scanLiteral(text: string, start: number, end: number): { text: string; map: number[] } | null {
  const out: number[] = [];
  let decoded = '';
  let i = start;
  while (i < end) {
    // Between the pieces of an implicit concatenation: whitespace, line continuations, comments.
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '(' || c === ')') {
      i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? end : nl + 1;
      continue;
    }
    let raw = false;
    let fmt = false;
    while (i < end && PREFIX_CHAR.test(text[i]!)) {
      const p = text[i]!;
      if (p === 'r' || p === 'R') raw = true;
      else if (p === 'f' || p === 'F' || p === 't' || p === 'T') fmt = true;
      i++;
    }
    const q = text[i];
    if (q !== '"' && q !== "'") return null;
    const triple = text[i + 1] === q && text[i + 2] === q;
    const close = triple ? q + q + q : q;
    i += close.length;
    for (;;) {
      if (i >= end) return null;
      if (text.startsWith(close, i)) {
        i += close.length;
        break;
      }
      const ch = text[i]!;
      if (fmt && ch === '{') {
        if (text[i + 1] === '{') {
          decoded += '{';
          out.push(i);
          i += 2;
          continue;
        }
        const j = skipField(text, i, end);
        if (j < 0) return null;
        decoded += '{}';
        out.push(i, j - 1);
        i = j;
        continue;
      }
      if (fmt && ch === '}') {
        if (text[i + 1] !== '}') return null;
        decoded += '}';
        out.push(i);
        i += 2;
        continue;
      }
      if (ch !== '\\') {
        decoded += ch;
        out.push(i);
        i++;
        continue;
      }
      const next = text[i + 1];
      if (next === undefined) return null;
      if (raw) {
        decoded += '\\' + next;
        out.push(i, i + 1);
        i += 2;
        continue;
      }
      if (next === '\n') {
        i += 2;
        continue;
      }
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        decoded += simple;
        out.push(i);
        i += 2;
        continue;
      }
      if (next >= '0' && next <= '7') {
        let k = i + 1;
        while (k < i + 4 && text[k]! >= '0' && text[k]! <= '7') k++;
        decoded += String.fromCharCode(parseInt(text.slice(i + 1, k), 8));
        out.push(i);
        i = k;
        continue;
      }
      if (next === 'x' || next === 'u' || next === 'U') {
        const n = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const hex = text.slice(i + 2, i + 2 + n);
        if (hex.length !== n || !isHex(hex)) return null;
        const s = String.fromCodePoint(parseInt(hex, 16));
        decoded += s;
        for (let k = 0; k < s.length; k++) out.push(i);
        i += 2 + n;
        continue;
      }
      if (next === 'N') return null;
      // An unknown escape keeps its backslash.
      decoded += '\\' + next;
      out.push(i, i + 1);
      i += 2;
    }
  }
  return { text: decoded, map: out };
}

/** From the `{` of an f-string replacement field, the index after its closing `}`; -1 if not found. */
function skipField(text: string, i: number, end: number): number {
  let depth = 0;
  let j = i;
  while (j < end) {
    const c = text[j]!;
    if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') {
      depth--;
      if (depth === 0) return j + 1;
    } else if (c === '"' || c === "'") {
      const triple = text[j + 1] === c && text[j + 2] === c;
      const close = triple ? c + c + c : c;
      j += close.length;
      while (j < end && !text.startsWith(close, j)) j += text[j] === '\\' ? 2 : 1;
      j += close.length;
      continue;
    }
    j++;
  }
  return -1;
}

/**
 * Maps each character of a string Constant's value to a character index of the source, or null
 * when the literal cannot be re-read exactly.
 */
export function literalMap(src: SourceText, node: Expr<'Constant'>): Int32Array | null {
  if (typeof node.value !== 'string') return null;
  const scanned = scanLiteral(src.text, src.startIndex(node), Math.min(src.endIndex(node), src.text.length));
  if (!scanned || scanned.text !== node.value) return null;
  return Int32Array.from(scanned.map);
}

/** Appends a JoinedStr (f-string) to `b`: literal parts as text, replacement fields as `{}` holes. */
export function appendJoinedStr(src: SourceText, node: Expr<'JoinedStr'>, b: TextBuilder): void {
  let expected = '';
  let holes = false;
  const fieldAt: number[] = [];
  for (const part of node.values) {
    if (part.nodeType === 'Constant' && typeof part.value === 'string') expected += part.value;
    else {
      fieldAt.push(expected.length);
      expected += '{}';
      holes = true;
    }
  }
  const scanned = scanLiteral(src.text, src.startIndex(node), Math.min(src.endIndex(node), src.text.length));
  if (scanned && scanned.text === expected) {
    const at = b.size;
    b.append(expected, Int32Array.from(scanned.map));
    for (const k of fieldAt) b.markHole(at + k, at + k + 2);
    if (holes) b.hasHoles = true;
    return;
  }
  // Not re-readable as a whole (e.g. `{x=}`): map part by part where a part's source is its value.
  for (const part of node.values) {
    if (part.nodeType === 'Constant' && typeof part.value === 'string') {
      const s = src.startIndex(part);
      const e = src.endIndex(part);
      let map: Int32Array | null = null;
      if (e - s === part.value.length && src.text.slice(s, e) === part.value) {
        map = new Int32Array(part.value.length);
        for (let k = 0; k < map.length; k++) map[k] = s + k;
      }
      b.append(part.value, map);
    } else {
      b.hole(src.startIndex(part), src.endIndex(part));
    }
  }
}
