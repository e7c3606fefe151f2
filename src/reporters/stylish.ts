// The default terminal output: findings grouped by file, each with a code frame, the safer way
// and a link to the rule's documentation.
import path from 'node:path';
import { ruleDocUrl, type Finding } from '../rule-api/index.js';
import { describeFiles, type Reporter } from './types.js';

interface Paint {
  red(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  underline(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const COLORS: Paint = {
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  blue: wrap(34, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
  underline: wrap(4, 24),
};
const PLAIN: Paint = { red: (s) => s, yellow: (s) => s, blue: (s) => s, dim: (s) => s, bold: (s) => s, underline: (s) => s };

export const stylish: Reporter = (input, ctx) => {
  const c = ctx.color ? COLORS : PLAIN;
  const out: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const f of input.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (const [file, findings] of byFile) {
    out.push(c.underline(path.relative(ctx.cwd, file) || file));
    const lines = input.sources.get(file)?.split('\n');
    for (const f of findings) {
      const sev = f.severity === 'error' ? c.red('error') : f.severity === 'warn' ? c.yellow('warn ') : c.blue('info ');
      out.push(`  ${c.dim(`${f.line}:${f.column}`)}  ${sev}  ${f.message}  ${c.dim(f.ruleId)}`);
      if (lines) out.push(...codeFrame(lines, f, c));
      const meta = ctx.rulesMeta.get(f.ruleId);
      if (meta) out.push(`    ${c.bold('help:')} ${meta.help}`);
      out.push(`    ${c.dim(`docs: ${ruleDocUrl(f.ruleId)}`)}`);
      out.push('');
    }
  }
  const s = input.summary;
  const total = s.errors + s.warnings + s.infos;
  const counts = `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.infos} info`;
  const scanned = `${plural(s.migrations, 'migration')} in ${plural(s.files, 'file')}${s.suppressed ? `, ${s.suppressed} suppressed` : ''}`;
  // What was read, and what was not and why, on the same line: a clean run cannot hide a skip.
  const seen = input.files ? ` ${describeFiles(input.files)}.` : '';
  if (total === 0) out.push(`No problems found (${scanned}).${seen}`);
  else {
    const line = `${total === 1 ? '1 problem' : `${total} problems`} (${counts}) in ${scanned}.`;
    out.push((s.errors > 0 ? c.red(c.bold(line)) : c.yellow(c.bold(line))) + seen);
  }
  return out.join('\n') + '\n';
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Two lines of context above, the finding's line with a caret underline. */
function codeFrame(lines: string[], f: Finding, c: Paint): string[] {
  if (f.line < 1 || f.line > lines.length) return [];
  const first = Math.max(1, f.line - 2);
  const width = String(f.line).length;
  const frame: string[] = [];
  for (let n = first; n <= f.line; n++) {
    const text = (lines[n - 1] ?? '').replace(/\t/g, '    ');
    const gutter = `${n === f.line ? '>' : ' '} ${String(n).padStart(width)} |`;
    frame.push(`    ${n === f.line ? c.bold(gutter) : c.dim(gutter)} ${text}`);
  }
  const lineText = lines[f.line - 1] ?? '';
  const start = Math.max(1, f.column);
  const end = f.endLine === f.line ? Math.max(start + 1, f.endColumn) : lineText.length + 1;
  const caretPrefix = lineText.slice(0, start - 1).replace(/[^\t]/g, ' ').replace(/\t/g, '    ');
  frame.push(`    ${c.dim(`  ${' '.repeat(width)} |`)} ${caretPrefix}${c.red('^'.repeat(Math.max(1, end - start)))}`);
  return frame;
}
