import path from 'node:path';
import type { Finding } from '../rule-api/index.js';
import type { Reporter, ReportContext } from './types.js';

// Findings come many to a file: path.relative per finding was ~10 % of a warm 1,000-file run.
const relCache = new WeakMap<ReportContext, Map<string, string>>();
function rel(ctx: ReportContext, file: string): string {
  let known = relCache.get(ctx);
  if (!known) relCache.set(ctx, (known = new Map()));
  let r = known.get(file);
  if (r === undefined) known.set(file, (r = path.relative(ctx.cwd, file).split(path.sep).join('/')));
  return r;
}

const finding = (f: Finding, ctx: ReportContext) => ({
  rule: f.ruleId,
  messageId: f.messageId,
  severity: f.severity,
  file: rel(ctx, f.file),
  line: f.line,
  column: f.column,
  endLine: f.endLine,
  endColumn: f.endColumn,
  message: f.message,
  migration: f.migration,
  // The table a lock finding is about, with its size in production (from a snapshot).
  ...(f.table ? { table: { name: f.table.name, rows: f.table.rows, bytes: f.table.bytes } } : {}),
});

export const json: Reporter = (input, ctx) => {
  return JSON.stringify(
    {
      findings: input.findings.map((f) => finding(f, ctx)),
      summary: input.summary,
      // What was not understood, per file, whatever the unknown-operation rule's level: a clean
      // run says nothing about these calls.
      unknown: (input.unknown ?? []).map((u) => ({ file: rel(ctx, u.file), operations: u.operations })),
      ...(input.files
        ? {
            files: {
              seen: input.files.seen,
              linted: input.files.linted,
              skipped: input.files.skipped.map((s) => ({ file: rel(ctx, s.file), reason: s.reason })),
            },
          }
        : {}),
      // Each silenced finding with the comment that silenced it.
      ...(input.suppressed
        ? {
            suppressed: input.suppressed.map((s) => ({
              ...finding(s.finding, ctx),
              suppressedBy: { file: rel(ctx, s.by.file), line: s.by.line, text: s.by.text, tool: s.by.tool },
            })),
          }
        : {}),
    },
    null,
    2,
  ) + '\n';
};
