import path from 'node:path';
import type { Reporter } from './types.js';

export const json: Reporter = (input, ctx) =>
  JSON.stringify(
    {
      findings: input.findings.map((f) => ({
        rule: f.ruleId,
        messageId: f.messageId,
        severity: f.severity,
        file: path.relative(ctx.cwd, f.file).split(path.sep).join('/'),
        line: f.line,
        column: f.column,
        endLine: f.endLine,
        endColumn: f.endColumn,
        message: f.message,
        migration: f.migration,
      })),
      summary: input.summary,
    },
    null,
    2,
  ) + '\n';
