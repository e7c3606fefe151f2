// GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` line per finding,
// which Actions turns into an annotation on the file and line of the pull request.
import type { Finding } from '../rule-api/index.js';
import { regionOf, relativePath } from './shared.js';
import type { Reporter } from './types.js';

const COMMANDS: Record<Finding['severity'], string> = { error: 'error', warn: 'warning', info: 'notice' };

/** The message part of a command (as @actions/core escapes it). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value: also `:` and `,`, which would end the value. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export const github: Reporter = (input, ctx) => {
  const lines = input.findings.map((f) => {
    const r = regionOf(f);
    const props = [
      `file=${escapeProperty(relativePath(ctx.cwd, f.file))}`,
      `line=${r.line}`,
      `col=${r.column}`,
      `endLine=${r.endLine}`,
      `endColumn=${r.endColumn}`,
      `title=${escapeProperty(f.ruleId)}`,
    ];
    return `::${COMMANDS[f.severity]} ${props.join(',')}::${escapeData(f.message)}`;
  });
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
};
