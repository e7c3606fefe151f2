// JUnit XML, as CI test-report views (GitLab, Jenkins, Azure Pipelines, CircleCI) read it, in the
// shape of ESLint's junit formatter: one <testsuite> per file, one failing <testcase> per finding
// (type = its severity, the location and the safer way in the body), and one passing <testcase>
// for a file without findings so that the report shows what was checked.
import { ruleDocUrl, type Finding } from '../rule-api/index.js';
import { cmp, regionOf, relativePath, sortedFindings } from './shared.js';
import type { Reporter } from './types.js';

/**
 * Text that XML 1.0 can hold: characters it forbids (control characters other than tab, newline
 * and carriage return, lone surrogates, U+FFFE and U+FFFF) become U+FFFD.
 */
function xmlChars(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

export function escapeText(s: string): string {
  return xmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value in double quotes; newlines and tabs as references so parsers keep them. */
export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

const attrs = (pairs: [string, string | number][]) => pairs.map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`).join('');

export const junit: Reporter = (input, ctx) => {
  const byFile = new Map<string, Finding[]>();
  for (const file of input.sources.keys()) byFile.set(relativePath(ctx.cwd, file), []);
  for (const f of sortedFindings(input.findings, ctx.cwd)) {
    const rel = relativePath(ctx.cwd, f.file);
    const list = byFile.get(rel) ?? [];
    list.push(f);
    byFile.set(rel, list);
  }
  const files = [...byFile.keys()].sort(cmp);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = input.findings.length;
  const tests = files.reduce((n, file) => n + Math.max(1, byFile.get(file)!.length), 0);
  out.push(`<testsuites${attrs([['name', 'migralint'], ['tests', tests], ['failures', total], ['errors', 0], ['time', 0]])}>`);
  for (const file of files) {
    const findings = byFile.get(file)!;
    out.push(
      `  <testsuite${attrs([
        ['name', file],
        ['tests', Math.max(1, findings.length)],
        ['failures', findings.length],
        ['errors', 0],
        ['skipped', 0],
        ['time', 0],
      ])}>`,
    );
    if (findings.length === 0) out.push(`    <testcase${attrs([['classname', file], ['name', 'migralint'], ['time', 0]])} />`);
    for (const f of findings) {
      const r = regionOf(f);
      const help = ctx.rulesMeta.get(f.ruleId)?.help;
      const body = [
        `${file}:${r.line}:${r.column}: ${f.severity}: ${f.message} (${f.ruleId})`,
        ...(f.migration !== null ? [`migration: ${f.migration}`] : []),
        ...(help ? [`help: ${help}`] : []),
        `docs: ${ruleDocUrl(f.ruleId)}`,
      ].join('\n');
      out.push(`    <testcase${attrs([['classname', file], ['name', `${f.ruleId} (${r.line}:${r.column})`], ['time', 0]])}>`);
      out.push(`      <failure${attrs([['message', f.message], ['type', f.severity]])}>${escapeText(body)}</failure>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
};
