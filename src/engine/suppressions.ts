// Inline ignores: `migralint: ignore[rule-a, rule-b] reason` on the finding's line or on the
// comment line(s) right above it, and `migralint: ignore-file[rule] reason` anywhere in the file.
// The comment marker (#, --, //) is already stripped by the front end.
import type { Migration } from '../model/index.js';
import type { Finding, Suppression } from '../rule-api/index.js';

const DIRECTIVE = /^migralint\s*:\s*([\w-]+)\s*(?:\[([^\]]*)\])?\s*(.*)$/i;

export interface ParsedSuppression extends Suppression {
  /** Lines whose findings this comment covers (empty for file-level). */
  lines: Set<number>;
}

export function parseSuppressions(migration: Migration, isRule: (id: string) => boolean): ParsedSuppression[] {
  const suppressions: ParsedSuppression[] = [];
  // Lines of standalone comments, per file (a migration's comments may span its companion files).
  const commentLines = new Set(migration.comments.filter((c) => !c.inline).map((c) => `${c.loc.file ?? ''}:${c.loc.line}`));
  for (const comment of migration.comments) {
    const m = DIRECTIVE.exec(comment.text);
    if (!m) continue;
    const directive = m[1]!.toLowerCase();
    const known = directive === 'ignore' || directive === 'ignore-file';
    const ids = (m[2] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const reason = (m[3] ?? '').replace(/^[\s:\-–—]+/, '').trim();
    const fileLevel = directive === 'ignore-file';
    const lines = new Set<number>();
    if (known && !fileLevel) {
      lines.add(comment.loc.line);
      if (!comment.inline) {
        // A standalone comment covers the first code line below it, across a block of comment lines.
        let next = comment.loc.line + 1;
        while (commentLines.has(`${comment.loc.file ?? ''}:${next}`)) next++;
        lines.add(next);
      }
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
      lines,
    });
  }
  return suppressions;
}

/**
 * Drops suppressed findings, recording on each suppression which rules it silenced. A comment
 * only covers findings in its own file (`loc.file`, else the migration's file `ownFile`).
 */
export function applySuppressions(findings: Finding[], suppressions: ParsedSuppression[], ownFile: string): Finding[] {
  if (suppressions.length === 0) return findings;
  return findings.filter((f) => {
    let suppressed = false;
    for (const s of suppressions) {
      if ((s.loc.file ?? ownFile) !== f.file) continue;
      if (!s.rules.includes(f.ruleId)) continue;
      if (!s.fileLevel && !s.lines.has(f.line) && !(f.anchorLines ?? []).some((l) => s.lines.has(l))) continue;
      suppressed = true;
      if (!s.used.includes(f.ruleId)) s.used.push(f.ruleId);
    }
    return !suppressed;
  });
}
