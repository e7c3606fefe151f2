// Helpers shared by the CI reporters (sarif, github, junit, gitlab, markdown): paths relative to
// the working directory, positions clamped to what the formats accept, a stable order, and the
// fingerprint that code scanning services use to follow a finding across commits.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Finding } from '../rule-api/index.js';
import type { ReportInput } from './types.js';

/** The file relative to `cwd`, with forward slashes (as the json format prints it). */
export function relativePath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  if (rel === '') return path.basename(file);
  return rel.split(path.sep).join('/');
}

export interface Region {
  line: number;
  column: number;
  endLine: number;
  /** Exclusive, as in SARIF: the column after the last character. */
  endColumn: number;
}

/**
 * The finding's position with every number at least 1 and the end not before the start; a
 * finding about a whole file (a deleted migration) may carry line 0.
 */
export function regionOf(f: Finding): Region {
  const line = Math.max(1, Math.trunc(f.line) || 1);
  const column = Math.max(1, Math.trunc(f.column) || 1);
  const endLine = Math.max(line, Math.trunc(f.endLine) || line);
  let endColumn = Math.max(1, Math.trunc(f.endColumn) || column);
  if (endLine === line && endColumn < column) endColumn = column;
  return { line, column, endLine, endColumn };
}

/** Findings by relative file, then line, column, rule and message: the order every report uses. */
export function sortedFindings(findings: readonly Finding[], cwd: string): Finding[] {
  const keyed = findings.map((f) => ({ f, rel: relativePath(cwd, f.file) }));
  keyed.sort(
    (a, b) =>
      cmp(a.rel, b.rel) || a.f.line - b.f.line || a.f.column - b.f.column || cmp(a.f.ruleId, b.f.ruleId) || cmp(a.f.message, b.f.message),
  );
  return keyed.map((k) => k.f);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const lineStartsByInput = new WeakMap<ReportInput, Map<string, number[]>>();

/** Where each line of a file's source starts, computed once per report and file. */
function lineStarts(input: ReportInput, file: string, source: string): number[] {
  let byFile = lineStartsByInput.get(input);
  if (!byFile) {
    byFile = new Map();
    lineStartsByInput.set(input, byFile);
  }
  let starts = byFile.get(file);
  if (!starts) {
    starts = [0];
    for (let nl = source.indexOf('\n'); nl >= 0; nl = source.indexOf('\n', nl + 1)) starts.push(nl + 1);
    byFile.set(file, starts);
  }
  return starts;
}

/** The text of a finding's first line, trimmed, with runs of whitespace as one space; null when unknown. */
export function lineTextOf(input: ReportInput, f: Finding): string | null {
  const source = input.sources.get(f.file);
  if (source === undefined || f.line < 1) return null;
  // Line starts are indexed once per file: scanning from the top for each finding made a file
  // with many findings cost findings x lines.
  const starts = lineStarts(input, f.file, source);
  if (f.line > starts.length) return null;
  const start = starts[f.line - 1]!;
  const end = source.indexOf('\n', start);
  return source
    .slice(start, end < 0 ? undefined : end)
    .trim()
    .replace(/\s+/g, ' ');
}

/**
 * One fingerprint per finding (same order as `findings`): the sha256, in hex, of the rule, the
 * message id, the relative file, the finding's line text (trimmed, whitespace collapsed; the
 * message when the line is unknown) and the occurrence number among findings with that same key.
 * Line numbers are deliberately left out so that a finding keeps its fingerprint when lines are
 * inserted above it; the occurrence number keeps two findings on identical lines apart.
 */
export function fingerprints(input: ReportInput, cwd: string, findings: readonly Finding[] = input.findings): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const text = lineTextOf(input, f);
    const key = ['migralint/v1', f.ruleId, f.messageId, relativePath(cwd, f.file), text === null ? `message:${f.message}` : `line:${text}`].join('\0');
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    return createHash('sha256').update(`${key}\0${occurrence}`).digest('hex');
  });
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
