// Inline ignores: `migralint: ignore[rule-a, rule-b] reason` on the finding's line or on the
// comment line(s) right above it, and `migralint: ignore-file[rule] reason` anywhere in the file.
// Other linters' ignore comments (squawk, pgfence, eugene, diesel-guard; see foreign-ignores.ts)
// are read too, mapped to migralint rules, unless the config turns them off.
// The comment marker (#, --, //) is already stripped by the front end.
import type { Migration, Operation } from '../model/index.js';
import type { Finding, Suppression } from '../rule-api/index.js';
import { parseForeignDirective, READING_RULES, type ForeignDirective } from './foreign-ignores.js';

const DIRECTIVE = /^migralint\s*:\s*([\w-]+)\s*(?:\[([^\]]*)\])?\s*(.*)$/i;

export interface ParsedSuppression extends Suppression {
  /** Lines whose findings this comment covers (empty for file-level). */
  lines: Set<number>;
  /** Silences every statement rule (a diesel-guard block), not only `rules`. */
  allRules?: boolean;
}

/** A finding an ignore silenced, with the comment that did. */
export interface SuppressedFinding {
  finding: Finding;
  by: { file: string; line: number; text: string; tool: string };
}

export interface ParseOptions {
  /** Read other linters' ignore comments too (config `foreignIgnores`, default true). */
  foreign?: boolean;
}

export function parseSuppressions(migration: Migration, isRule: (id: string) => boolean, opts: ParseOptions = {}): ParsedSuppression[] {
  const suppressions: ParsedSuppression[] = [];
  // Lines of standalone comments, per file (a migration's comments may span its companion files).
  const commentLines = new Set(migration.comments.filter((c) => !c.inline).map((c) => `${c.loc.file ?? ''}:${c.loc.line}`));
  let spans: Map<string, Span[]> | null = null;
  const openBlocks = new Map<string, ParsedSuppression>();
  for (const comment of migration.comments) {
    const m = DIRECTIVE.exec(comment.text);
    if (!m) {
      if (opts.foreign === false) continue;
      const foreign = parseForeignDirective(comment.text);
      if (!foreign) continue;
      spans ??= statementSpans(migration);
      const s = foreignSuppression(foreign, comment, spans.get(comment.loc.file ?? migration.file) ?? [], commentLines);
      const file = comment.loc.file ?? '';
      if (foreign.kind === 'start') {
        // diesel-guard refuses nested blocks; an unclosed start silences nothing.
        const open = openBlocks.get(file);
        if (open) open.foreign!.unmatched = 'start';
        openBlocks.set(file, s);
        suppressions.push(s);
        continue;
      } else if (foreign.kind === 'end') {
        const open = openBlocks.get(file);
        openBlocks.delete(file);
        if (!open) {
          s.foreign!.unmatched = 'end';
          suppressions.push(s);
          continue;
        }
        closeBlock(open, comment.loc.line, spans.get(comment.loc.file ?? migration.file) ?? []);
        continue;
      }
      suppressions.push(s);
      continue;
    }
    const directive = m[1]!.toLowerCase();
    const known = directive === 'ignore' || directive === 'ignore-file';
    const ids = (m[2] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const reason = (m[3] ?? '').replace(/^[\s:\-\u2013\u2014]+/, '').trim();
    const fileLevel = directive === 'ignore-file';
    const lines = new Set<number>();
    if (known && !fileLevel) {
      lines.add(comment.loc.line);
      if (!comment.inline) lines.add(nextCodeLine(comment.loc.line, comment.loc.file, commentLines));
    }
    suppressions.push({
      directive,
      rules: known ? ids.filter(isRule) : [],
      unknownRules: known ? ids.filter((id) => !isRule(id)) : [],
      reason: reason === '' ? null : reason,
      fileLevel,
      used: [],
      inactive: [],
      text: comment.text,
      loc: comment.loc,
      tool: 'migralint',
      lines,
    });
  }
  for (const open of openBlocks.values()) open.foreign!.unmatched = 'start';
  return suppressions;
}

/** A standalone comment covers the first code line below it, across a block of comment lines. */
function nextCodeLine(line: number, file: string | undefined, commentLines: Set<string>): number {
  let next = line + 1;
  while (commentLines.has(`${file ?? ''}:${next}`)) next++;
  return next;
}

/** The lines one statement spans (all the operations read from it), in one file. */
interface Span {
  start: number;
  end: number;
}

/** Statement spans per file, sorted by first line: every operation of both bodies, those of one SQL statement merged. */
function statementSpans(m: Migration): Map<string, Span[]> {
  const byKey = new Map<string, Span & { file: string }>();
  let n = 0;
  for (const op of [...m.upgrade.operations, ...m.downgrade.operations]) {
    const file = op.loc.file ?? m.file;
    const key = statementKey(op, file) ?? `#${n++}`;
    const span = byKey.get(key);
    if (span) {
      span.start = Math.min(span.start, op.loc.line);
      span.end = Math.max(span.end, op.loc.endLine);
    } else byKey.set(key, { file, start: op.loc.line, end: op.loc.endLine });
  }
  const out = new Map<string, Span[]>();
  for (const s of byKey.values()) {
    const list = out.get(s.file) ?? [];
    list.push({ start: s.start, end: s.end });
    out.set(s.file, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.start - b.start);
  return out;
}

function statementKey(op: Operation, file: string): string | null {
  const src = op.fromSql;
  if (!src) return null;
  return `${file}|${src.host ? `${src.host.line}:${src.host.column}` : ''}|${src.index}`;
}

function foreignSuppression(
  d: ForeignDirective,
  comment: Migration['comments'][number],
  spans: Span[],
  commentLines: Set<string>,
): ParsedSuppression {
  const lines = new Set<number>();
  const line = comment.loc.line;
  if (d.kind === 'line') {
    lines.add(line);
    // The statement the comment sits in, else (on a line of its own) the next statement.
    const after = firstStartingAfter(spans, line);
    const within: Span[] = [];
    // Statements follow one another, so those still open at `line` are the last ones started.
    for (let k = after - 1; k >= 0 && spans[k]!.end >= line; k--) within.push(spans[k]!);
    const next = comment.inline ? undefined : spans[after];
    const covered = within.length > 0 ? within : next ? [next] : [];
    for (const s of covered) for (let l = s.start; l <= s.end; l++) lines.add(l);
    if (covered.length === 0 && !comment.inline) lines.add(nextCodeLine(line, comment.loc.file, commentLines));
  }
  return {
    directive: d.kind === 'file' ? 'ignore-file' : 'ignore',
    rules: d.rules,
    unknownRules: [],
    reason: null,
    fileLevel: d.kind === 'file',
    used: [],
    inactive: [],
    text: comment.text,
    loc: comment.loc,
    tool: d.tool,
    foreign: { unmapped: d.unmapped, unknown: d.unknown, noRules: d.noRules, unmatched: null },
    lines,
    ...(d.tool === 'diesel-guard' ? { allRules: true } : {}),
  };
}

/** A diesel-guard block covers its lines and every statement that starts inside it. */
function closeBlock(s: ParsedSuppression, endLine: number, spans: Span[]): void {
  const start = s.loc.line;
  for (let l = start; l <= endLine; l++) s.lines.add(l);
  for (let k = firstStartingAfter(spans, start - 1); k < spans.length && spans[k]!.start <= endLine; k++) {
    for (let l = spans[k]!.start; l <= spans[k]!.end; l++) s.lines.add(l);
  }
}

/** The index of the first span (sorted by start) that starts after `line`; spans.length when none. */
function firstStartingAfter(spans: Span[], line: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.start <= line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Drops suppressed findings, recording on each suppression which rules it silenced, and in
 * `silenced` each finding with the comment that silenced it. A comment only covers findings in
 * its own file (`loc.file`, else the migration's file `ownFile`). `statementRule` tells which
 * rules an ignore-everything block (diesel-guard) covers.
 */
export function applySuppressions(
  findings: Finding[],
  suppressions: ParsedSuppression[],
  ownFile: string,
  silenced: SuppressedFinding[] = [],
  statementRule: (id: string) => boolean = () => true,
): Finding[] {
  if (suppressions.length === 0) return findings;
  // Indexed by line, so a file with many ignores and many findings stays linear.
  const whole: number[] = [];
  const byLine = new Map<number, number[]>();
  suppressions.forEach((s, i) => {
    if (s.foreign?.unmatched) return;
    if (s.fileLevel) whole.push(i);
    else for (const line of s.lines) byLine.set(line, [...(byLine.get(line) ?? []), i]);
  });
  return findings.filter((f) => {
    const candidates = new Set(whole);
    for (const line of [f.line, ...(f.anchorLines ?? [])]) for (const i of byLine.get(line) ?? []) candidates.add(i);
    let by: ParsedSuppression | null = null;
    for (const i of [...candidates].sort((a, b) => a - b)) {
      const s = suppressions[i]!;
      if ((s.loc.file ?? ownFile) !== f.file) continue;
      const named = s.rules.includes(f.ruleId);
      if (!named && !(s.allRules && statementRule(f.ruleId) && !READING_RULES.has(f.ruleId))) continue;
      by ??= s;
      if (named && !s.used.includes(f.ruleId)) s.used.push(f.ruleId);
    }
    if (by) silenced.push({ finding: f, by: { file: by.loc.file ?? ownFile, line: by.loc.line, text: by.text, tool: by.tool } });
    return by === null;
  });
}
