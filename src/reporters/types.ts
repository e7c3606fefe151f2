// A reporter is a pure function from a run's results to text (ESLint's formatter shape).
import type { Finding, RuleMeta } from '../rule-api/index.js';
import type { UnknownInFile } from '../engine/unknown.js';

export interface ReportSummary {
  files: number;
  migrations: number;
  errors: number;
  warnings: number;
  infos: number;
  /** Findings inline ignores silenced (migralint's own or other linters' comments). */
  suppressed?: number;
}

/** A finding an inline ignore silenced, with the comment that did. */
export interface SuppressedReport {
  finding: Finding;
  by: { file: string; line: number; text: string; tool: string };
}

/** The files a run looked at: read into migrations (linted) or skipped, with why. */
export interface FileCoverage {
  seen: number;
  linted: number;
  skipped: { file: string; reason: string }[];
}

export interface ReportInput {
  findings: Finding[];
  summary: ReportSummary;
  /** Files seen, linted and skipped (absent when the caller does not track them). */
  files?: FileCoverage;
  /** Source text by absolute file, for code frames. */
  sources: Map<string, string>;
  /** Per file, the operations the front ends could not understand (absolute paths). */
  unknown?: UnknownInFile[];
  /** What inline ignores silenced (listed by the json reporter). */
  suppressed?: SuppressedReport[];
}

export interface ReportContext {
  cwd: string;
  rulesMeta: Map<string, RuleMeta<string, unknown>>;
  color: boolean;
}

export type Reporter = (input: ReportInput, ctx: ReportContext) => string;

export function summarize(findings: Finding[], files: number, migrations: number): ReportSummary {
  return {
    files,
    migrations,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warn').length,
    infos: findings.filter((f) => f.severity === 'info').length,
  };
}

/**
 * "12 files seen: 10 linted, 2 skipped (1 ignored by config, 1 not a migration: __init__.py)":
 * skipped files grouped by reason, with the names when a reason has three files or fewer.
 */
export function describeFiles(files: FileCoverage): string {
  const head = `${files.seen} file${files.seen === 1 ? '' : 's'} seen: ${files.linted} linted, ${files.skipped.length} skipped`;
  if (files.skipped.length === 0) return head;
  const byReason = new Map<string, string[]>();
  for (const s of files.skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.file]);
  const parts = [...byReason].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([reason, list]) => {
    const names = list.map((f) => f.split(/[\\/]/).pop() ?? f);
    return list.length <= 3 ? `${list.length} ${reason}: ${names.join(', ')}` : `${list.length} ${reason}`;
  });
  return `${head} (${parts.join('; ')})`;
}
