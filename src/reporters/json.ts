import path from 'node:path';
import type { Reporter } from './types.js';

export const json: Reporter = (input, ctx) => {
  const rel = (file: string) => path.relative(ctx.cwd, file).split(path.sep).join('/');
  return JSON.stringify(
    {
      findings: input.findings.map((f) => ({
        rule: f.ruleId,
        messageId: f.messageId,
        severity: f.severity,
        file: rel(f.file),
        line: f.line,
        column: f.column,
        endLine: f.endLine,
        endColumn: f.endColumn,
        message: f.message,
        migration: f.migration,
      })),
      summary: input.summary,
      // What was not understood, per file, whatever the unknown-operation rule's level: a clean
      // run says nothing about these calls.
      unknown: (input.unknown ?? []).map((u) => ({ file: rel(u.file), operations: u.operations })),
    },
    null,
    2,
  ) + '\n';
};
