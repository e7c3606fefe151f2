// GitLab Code Quality (a subset of the Code Climate format): a JSON array that a job publishes
// with `artifacts: reports: codequality`, shown in the merge request widget and diff.
import type { Finding } from '../rule-api/index.js';
import { fingerprints, regionOf, relativePath } from './shared.js';
import type { Reporter } from './types.js';

/** error stops the deploy (critical), warn needs a look (major), info is a note. */
export const GITLAB_SEVERITIES: Record<Finding['severity'], 'critical' | 'major' | 'info'> = {
  error: 'critical',
  warn: 'major',
  info: 'info',
};

export const gitlab: Reporter = (input, ctx) => {
  const prints = fingerprints(input, ctx.cwd);
  const issues = input.findings.map((f, i) => {
    const r = regionOf(f);
    return {
      description: f.message,
      check_name: f.ruleId,
      fingerprint: prints[i]!,
      severity: GITLAB_SEVERITIES[f.severity],
      location: { path: relativePath(ctx.cwd, f.file), lines: { begin: r.line, end: r.endLine } },
    };
  });
  return JSON.stringify(issues, null, 2) + '\n';
};
