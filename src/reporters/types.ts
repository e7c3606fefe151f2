// A reporter is a pure function from a run's results to text (ESLint's formatter shape).
import type { Finding, RuleMeta } from '../rule-api/index.js';
import type { UnknownInFile } from '../engine/unknown.js';

export interface ReportSummary {
  files: number;
  migrations: number;
  errors: number;
  warnings: number;
  infos: number;
}

export interface ReportInput {
  findings: Finding[];
  summary: ReportSummary;
  /** Source text by absolute file, for code frames. */
  sources: Map<string, string>;
  /** Per file, the operations the front ends could not understand (absolute paths). */
  unknown?: UnknownInFile[];
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
