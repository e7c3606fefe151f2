// The revision identity of an Alembic migration: `revision`, `down_revision`, `branch_labels`,
// `depends_on` and the message.
//
// Sources, in order: module-level assignments (plain or annotated, e.g.
// `down_revision: Union[str, None] = "x"`; a value that is a Name is followed to a module-level
// string), then the docstring header written by Alembic's template (`Revision ID: x`,
// `Revises: a, b`) as a fallback for revision and parents. When the module does not parse,
// the same is read with line regexes (`readHeaderFromText`).
import type { Loc, Located } from '../../model/types.js';
import { isNone, isStringConst } from './expr.js';
import type { ExprNode, Module, StmtNode } from './python.js';
import type { SourceText } from './text.js';

export interface Header {
  revision: Located<string> | null;
  parents: Located<string[]> | null;
  branchLabels: Located<string[]> | null;
  dependsOn: Located<string[]> | null;
  message: string | null;
}

const FIELDS = new Set(['revision', 'down_revision', 'branch_labels', 'depends_on']);
const HEADER_LINE = /^\s*(?:Revision ID|Revises|Create Date)\s*:/i;
// A header line may share its line with the docstring's opening quotes.
const REVISION_ID = /^(\s*(?:[rRuU]?(?:"""|'''))?\s*Revision ID:\s*)(\S+)/;
const REVISES = /^(\s*(?:[rRuU]?(?:"""|'''))?\s*Revises:[ \t]*)(.*?)\s*$/;
const ID_LIST_SPLIT = /[\s,]+/;

/** The module docstring node, skipping comments. */
export function docstringNode(body: StmtNode[]): ExprNode | null {
  for (const s of body) {
    if (s.nodeType === 'Comment') continue;
    if (s.nodeType === 'Expr' && isStringConst(s.value)) return s.value;
    return null;
  }
  return null;
}

/** First line of the docstring; when that line is a header line, the header-free text. */
export function messageOf(doc: string | null): string | null {
  if (doc === null) return null;
  const lines = doc.split('\n').map((l) => l.trim());
  const first = lines.find((l) => l.length > 0);
  if (first === undefined) return null;
  if (!HEADER_LINE.test(first)) return first;
  const rest = lines.filter((l) => l.length > 0 && !HEADER_LINE.test(l)).join('\n').trim();
  return rest.length > 0 ? rest : null;
}

function listValue(e: ExprNode): string[] | null {
  if (isNone(e)) return [];
  if (isStringConst(e)) return [e.value as string];
  if (e.nodeType === 'Tuple' || e.nodeType === 'List' || e.nodeType === 'Set') {
    const out: string[] = [];
    for (const el of e.elts) {
      if (!isStringConst(el)) return null;
      out.push(el.value as string);
    }
    return out;
  }
  return null;
}

export function readHeaderFromAst(module: Module, src: SourceText): Header {
  const assigned = new Map<string, { value: ExprNode; stmt: StmtNode }>();
  const strings = new Map<string, ExprNode>();
  for (const s of module.body) {
    if (s.nodeType === 'Assign') {
      for (const t of s.targets) {
        if (t.nodeType !== 'Name') continue;
        if (FIELDS.has(t.id)) assigned.set(t.id, { value: s.value, stmt: s });
        strings.set(t.id, s.value);
      }
    } else if (s.nodeType === 'AnnAssign' && s.value && s.target.nodeType === 'Name') {
      if (FIELDS.has(s.target.id)) assigned.set(s.target.id, { value: s.value, stmt: s });
      strings.set(s.target.id, s.value);
    }
  }
  const resolve = (e: ExprNode): ExprNode => {
    for (let k = 0; k < 4 && e.nodeType === 'Name'; k++) {
      const v = strings.get(e.id);
      if (!v) break;
      e = v;
    }
    return e;
  };

  const doc = docstringNode(module.body);
  const docText = doc && isStringConst(doc) ? (doc.value as string) : null;
  const fromDoc = doc ? scanDocHeader(src, doc.lineno ?? 1, doc.end_lineno ?? doc.lineno ?? 1) : emptyDocHeader();

  let revision: Located<string> | null = null;
  const rev = assigned.get('revision');
  if (rev) {
    const v = resolve(rev.value);
    if (isStringConst(v)) revision = { value: v.value as string, loc: src.loc(rev.value) };
  }
  const list = (name: string): Located<string[]> | null => {
    const a = assigned.get(name);
    if (!a) return null;
    const v = listValue(resolve(a.value));
    return v === null ? null : { value: v, loc: src.loc(a.stmt) };
  };
  return {
    revision: revision ?? fromDoc.revision,
    parents: list('down_revision') ?? fromDoc.parents,
    branchLabels: list('branch_labels'),
    dependsOn: list('depends_on'),
    message: messageOf(docText),
  };
}

function emptyDocHeader(): Pick<Header, 'revision' | 'parents'> {
  return { revision: null, parents: null };
}

/** `Revision ID:` / `Revises:` lines between two source lines (the docstring's). */
function scanDocHeader(src: SourceText, from: number, to: number): Pick<Header, 'revision' | 'parents'> {
  let revision: Located<string> | null = null;
  let parents: Located<string[]> | null = null;
  for (let line = from; line <= to && line <= src.lineCount; line++) {
    const text = src.line(line);
    let m: RegExpExecArray | null;
    if (!revision && (m = REVISION_ID.exec(text))) {
      const id = stripQuotes(m[2]!);
      const column = m[1]!.length + 1;
      revision = { value: id, loc: { line, column, endLine: line, endColumn: column + id.length } };
    } else if (!parents && (m = REVISES.exec(text))) {
      const raw = stripQuotes(m[2]!);
      const ids = raw.length === 0 || raw === 'None' ? [] : raw.split(ID_LIST_SPLIT).filter((s) => s.length > 0);
      const column = m[1]!.length + 1;
      parents = { value: ids, loc: { line, column: 1, endLine: line, endColumn: Math.max(column, text.trimEnd().length + 1) } };
    }
  }
  return { revision, parents };
}

const EDGE_QUOTES = /^["']+|["']+$/g;
const TRAILING_COMMENT = /\s+#.*$/;

function stripQuotes(s: string): string {
  return s.trim().replace(EDGE_QUOTES, '');
}

// ---------------------------------------------------------------------------------------------
// Fallback for files that do not parse.

const ASSIGN_LINE = /^(revision|down_revision|branch_labels|depends_on)\s*(?::[^=]*)?=\s*(.*)$/;
const QUOTED = /(['"])(.*?)\1/g;
const DOC_START = /^[ \t]*[rRuU]?("""|''')/;

/** The module docstring read from text: its content and its line range. */
function scanDocstring(src: SourceText): { text: string; from: number; to: number } | null {
  for (let line = 1; line <= src.lineCount; line++) {
    const t = src.line(line);
    const trimmed = t.trim();
    if (trimmed.length === 0 || trimmed.startsWith('#')) continue;
    const m = DOC_START.exec(t);
    if (!m) return null;
    const q = m[1]!;
    const openEnd = m[0].length;
    const sameLine = t.indexOf(q, openEnd);
    if (sameLine >= 0) return { text: t.slice(openEnd, sameLine), from: line, to: line };
    const parts = [t.slice(openEnd)];
    for (let l = line + 1; l <= src.lineCount; l++) {
      const lt = src.line(l);
      const close = lt.indexOf(q);
      if (close >= 0) {
        parts.push(lt.slice(0, close));
        return { text: parts.join('\n'), from: line, to: l };
      }
      parts.push(lt);
    }
    return { text: parts.join('\n'), from: line, to: src.lineCount };
  }
  return null;
}

export function readHeaderFromText(src: SourceText): Header {
  const found = new Map<string, { line: number; text: string; valueCol: number; endLine: number; endCol: number }>();
  for (let line = 1; line <= src.lineCount; line++) {
    const t = src.line(line);
    const m = ASSIGN_LINE.exec(t);
    if (!m || found.has(m[1]!)) continue;
    let value = m[2]!.replace(TRAILING_COMMENT, '');
    let endLine = line;
    let endCol = t.length + 1;
    const opener = value.trimStart()[0];
    if ((opener === '(' || opener === '[') && !value.includes(opener === '(' ? ')' : ']')) {
      const closer = opener === '(' ? ')' : ']';
      for (let l = line + 1; l <= src.lineCount && l <= line + 50; l++) {
        const lt = src.line(l);
        value += '\n' + lt;
        endLine = l;
        endCol = lt.length + 1;
        if (lt.includes(closer)) break;
      }
    }
    found.set(m[1]!, { line, text: value, valueCol: t.length - m[2]!.length, endLine, endCol });
  }
  const strings = (text: string): string[] => {
    const out: string[] = [];
    QUOTED.lastIndex = 0;
    let q: RegExpExecArray | null;
    while ((q = QUOTED.exec(text))) out.push(q[2]!);
    return out;
  };
  const list = (name: string): Located<string[]> | null => {
    const f = found.get(name);
    if (!f) return null;
    const v = f.text.trim();
    const loc: Loc = { line: f.line, column: 1, endLine: f.endLine, endColumn: f.endCol };
    if (v === 'None' || v === '()' || v === '[]') return { value: [], loc };
    const s = strings(v);
    return s.length > 0 ? { value: s, loc } : null;
  };
  let revision: Located<string> | null = null;
  const r = found.get('revision');
  if (r) {
    QUOTED.lastIndex = 0;
    const q = QUOTED.exec(r.text);
    if (q) {
      const column = r.valueCol + q.index + 1;
      revision = { value: q[2]!, loc: { line: r.line, column, endLine: r.line, endColumn: column + q[0].length } };
    }
  }
  const doc = scanDocstring(src);
  const fromDoc = doc ? scanDocHeader(src, doc.from, doc.to) : emptyDocHeader();
  return {
    revision: revision ?? fromDoc.revision,
    parents: list('down_revision') ?? fromDoc.parents,
    branchLabels: list('branch_labels'),
    dependsOn: list('depends_on'),
    message: messageOf(doc ? doc.text : null),
  };
}
